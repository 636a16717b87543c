"""findings and patrols (issue 20)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 15:53:38

The shared findings (整改: found, sent to a department, rectified, re-inspected, accepted) and
the daily patrol register (001 日常巡查): its rounds and their checkpoints. New tables only:
nothing existing is locked or rewritten.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import desk.models.base

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("state IN ('open', 'sent', 'rectified')")
UNDER_WAY = sa.text("state = 'under_way'")


def upgrade() -> None:
    op.create_table(
        "patrol_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("route", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("patrolled_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("started_at", desk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("renovation_id", sa.Integer(), nullable=True),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("created_at", desk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("estate_id", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operator.id"],
        ),
        sa.ForeignKeyConstraint(
            ["renovation_id"],
            ["renovation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("patrol_round", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_patrol_round_renovation_id"), ["renovation_id"], unique=False
        )
        batch_op.create_index(
            "ix_patrol_round_route_started", ["route", "started_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_patrol_round_started_at"), ["started_at"], unique=False
        )
        batch_op.create_index(
            "ix_patrol_round_under_way",
            ["started_at"],
            unique=False,
            sqlite_where=UNDER_WAY,
            postgresql_where=UNDER_WAY,
        )

    op.create_table(
        "finding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("owner", sa.String(length=20), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("room", sqlmodel.sql.sqltypes.AutoString(length=45), nullable=False),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("what", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("photo", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("department", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("repair_category", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("raised_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("raised_at", desk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rectify_due_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("repair_id", sa.Integer(), nullable=True),
        sa.Column("rectified_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rectified_note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("first_rectified_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("recheck_due_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rounds", sa.Integer(), nullable=False),
        sa.Column("accepted_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("accepted_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("withdrawn_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdraw_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("created_at", desk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("estate_id", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operator.id"],
        ),
        sa.ForeignKeyConstraint(
            ["repair_id"],
            ["repair_order.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_finding_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            "ix_finding_open",
            ["created_at"],
            unique=False,
            sqlite_where=OPEN,
            postgresql_where=OPEN,
        )
        batch_op.create_index("ix_finding_owner", ["owner", "owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_finding_repair_id"), ["repair_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_finding_room"), ["room"], unique=False)

    op.create_table(
        "finding_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("checked_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("checked_at", desk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("repair_id", sa.Integer(), nullable=True),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("created_at", desk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("estate_id", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["finding.id"],
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operator.id"],
        ),
        sa.ForeignKeyConstraint(
            ["repair_id"],
            ["repair_order.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("finding_check", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_finding_check_finding_id"), ["finding_id"], unique=False
        )

    op.create_table(
        "patrol_point",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("checkpoint", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=True),
        sa.Column("checked_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("estate_id", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["finding.id"],
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["patrol_round.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("patrol_point", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_patrol_point_round_id"), ["round_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("patrol_point", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patrol_point_round_id"))

    op.drop_table("patrol_point")
    with op.batch_alter_table("finding_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_finding_check_finding_id"))

    op.drop_table("finding_check")
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_finding_room"))
        batch_op.drop_index(batch_op.f("ix_finding_repair_id"))
        batch_op.drop_index("ix_finding_owner")
        batch_op.drop_index("ix_finding_open", sqlite_where=OPEN, postgresql_where=OPEN)
        batch_op.drop_index(batch_op.f("ix_finding_created_at"))

    op.drop_table("finding")
    with op.batch_alter_table("patrol_round", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_patrol_round_under_way", sqlite_where=UNDER_WAY, postgresql_where=UNDER_WAY
        )
        batch_op.drop_index(batch_op.f("ix_patrol_round_started_at"))
        batch_op.drop_index("ix_patrol_round_route_started")
        batch_op.drop_index(batch_op.f("ix_patrol_round_renovation_id"))

    op.drop_table("patrol_round")
