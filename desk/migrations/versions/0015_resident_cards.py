"""resident cards (issue 19)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 14:00:00

The resident cards register (001 业主卡办理): owner cards and resident cards, their lifecycle,
replacements and gate checks. A new table only: nothing existing is locked or rewritten.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import desk.models.base

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WAITING = sa.text("state IN ('applied', 'ready')")
RESIDENT_ISSUED = sa.text("state = 'issued' AND kind = 'resident'")


def upgrade() -> None:
    op.create_table(
        "resident_card",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("room", sqlmodel.sql.sqltypes.AutoString(length=45), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("holder_resident_id", sa.Integer(), nullable=False),
        sa.Column("holder", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("holder_relation", sa.String(length=20), nullable=False),
        sa.Column("applicant_resident_id", sa.Integer(), nullable=False),
        sa.Column("applicant", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("id_type", sa.String(length=20), nullable=False),
        sa.Column("id_last4", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column("photos_given", sa.Boolean(), nullable=False),
        sa.Column("terms_explained", sa.Boolean(), nullable=False),
        sa.Column("owner_signed", sa.Boolean(), nullable=False),
        sa.Column("pickup_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("ready_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("issued_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("collected_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("renewals", sa.Integer(), nullable=False),
        sa.Column("renewed_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lost_reported_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lost_reported_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("lost_via", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("lost_note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("replaced_by_id", sa.Integer(), nullable=True),
        sa.Column("replacement_fee_fen", sa.Integer(), nullable=False),
        sa.Column(
            "replacement_receipt", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False
        ),
        sa.Column("expired_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("returned_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("returned_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("cancelled_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("gate_checks", sa.Integer(), nullable=False),
        sa.Column("last_gate_check_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("created_at", desk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("estate_id", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["applicant_resident_id"],
            ["resident.id"],
        ),
        sa.ForeignKeyConstraint(
            ["holder_resident_id"],
            ["resident.id"],
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operator.id"],
        ),
        sa.ForeignKeyConstraint(
            ["replaced_by_id"],
            ["resident_card.id"],
        ),
        sa.ForeignKeyConstraint(
            ["replaces_id"],
            ["resident_card.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("resident_card", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_resident_card_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_resident_card_holder_resident_id"), ["holder_resident_id"], unique=False
        )
        batch_op.create_index(
            "ix_resident_card_resident_issued",
            ["valid_until"],
            unique=False,
            sqlite_where=RESIDENT_ISSUED,
            postgresql_where=RESIDENT_ISSUED,
        )
        batch_op.create_index("ix_resident_card_room_state", ["room", "state"], unique=False)
        batch_op.create_index(
            "ix_resident_card_waiting",
            ["pickup_on"],
            unique=False,
            sqlite_where=WAITING,
            postgresql_where=WAITING,
        )


def downgrade() -> None:
    with op.batch_alter_table("resident_card", schema=None) as batch_op:
        batch_op.drop_index("ix_resident_card_waiting")
        batch_op.drop_index("ix_resident_card_room_state")
        batch_op.drop_index("ix_resident_card_resident_issued")
        batch_op.drop_index(batch_op.f("ix_resident_card_holder_resident_id"))
        batch_op.drop_index(batch_op.f("ix_resident_card_created_at"))

    op.drop_table("resident_card")
