"""owner record changes (issue 19)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 15:00:00

The owner record changes register (001 业主资料更改): the declarations, the database's key for
the ID numbers' hashes, and on each resident the ID seen in person (its type, last 4 characters
and keyed hash; never the number). New tables, and three columns added to `resident` with an
empty default: nothing existing is rewritten.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import desk.models.base

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DECLARED = sa.text("state = 'declared'")
RESIDENT_COLUMNS = (("id_kind", 20), ("id_last4", 4), ("id_proof", 64))


def upgrade() -> None:
    op.create_table(
        "id_proof_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secret", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", desk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name="id_proof_key_one_row"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "owner_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("room", sqlmodel.sql.sqltypes.AutoString(length=45), nullable=False),
        sa.Column("change", sa.String(length=20), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=True),
        sa.Column("asked_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("asker_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("id_kind", sa.String(length=20), nullable=False),
        sa.Column("id_last4", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column("id_number_checked", sa.Boolean(), nullable=False),
        sa.Column("id_proof", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("evidence", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("name_from", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("name_to", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("phone_from", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("phone_to", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
        sa.Column("kind_from", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("kind_to", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("old_owners", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("signed", sa.Boolean(), nullable=False),
        sa.Column("signed_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("refusal", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("apply_due_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("applied_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("applied_by", sa.Integer(), nullable=True),
        sa.Column("closed_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("created_at", desk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("estate_id", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("length(id_last4) <= 4", name="owner_change_last4_only"),
        sa.ForeignKeyConstraint(["applied_by"], ["operator.id"]),
        sa.ForeignKeyConstraint(["asker_id"], ["resident.id"]),
        sa.ForeignKeyConstraint(["closed_by"], ["operator.id"]),
        sa.ForeignKeyConstraint(["operator_id"], ["operator.id"]),
        sa.ForeignKeyConstraint(["resident_id"], ["resident.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("owner_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_owner_change_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            "ix_owner_change_declared",
            ["created_at"],
            unique=False,
            sqlite_where=DECLARED,
            postgresql_where=DECLARED,
        )
        batch_op.create_index(batch_op.f("ix_owner_change_room"), ["room"], unique=False)
        batch_op.create_index(
            "ix_owner_change_unit_created", ["unit_id", "created_at"], unique=False
        )
    # added in place (ALTER TABLE ... ADD COLUMN): the residents directory is not rebuilt
    for name, length in RESIDENT_COLUMNS:
        op.add_column(
            "resident",
            sa.Column(
                name,
                sqlmodel.sql.sqltypes.AutoString(length=length),
                server_default="",
                nullable=False,
            ),
        )


def downgrade() -> None:
    with op.batch_alter_table("resident", schema=None) as batch_op:
        for name, _length in reversed(RESIDENT_COLUMNS):
            batch_op.drop_column(name)
    with op.batch_alter_table("owner_change", schema=None) as batch_op:
        batch_op.drop_index("ix_owner_change_unit_created")
        batch_op.drop_index(batch_op.f("ix_owner_change_room"))
        batch_op.drop_index("ix_owner_change_declared")
        batch_op.drop_index(batch_op.f("ix_owner_change_created_at"))
    op.drop_table("owner_change")
    op.drop_table("id_proof_key")
