"""emergency incidents (issue 20)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 16:00:00

The emergency incident log (001 突发事故): the incidents, their nine timed steps, the security
stand-ins at the desk (000 值班制度 六) and the repair orders and complaints opened from them.
New tables only: nothing existing is rewritten.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import desk.models.base

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("state = 'open'")


def upgrade() -> None:
    op.create_table(
        "incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("happened_at", desk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("place_kind", sa.String(length=20), nullable=False),
        sa.Column("room", sqlmodel.sql.sqltypes.AutoString(length=45), nullable=False),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("what", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("reported_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("reporter_phone", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("first_judgement", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("severity", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("cause", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("cause_recorded_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("night_log_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("close_note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("created_at", desk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("estate_id", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["closed_by"],
            ["operator.id"],
        ),
        sa.ForeignKeyConstraint(
            ["night_log_id"],
            ["night_log_entry.id"],
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operator.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("night_log_id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_incident_happened_at"), ["happened_at"], unique=False)
        batch_op.create_index(
            "ix_incident_open",
            ["created_at"],
            unique=False,
            sqlite_where=OPEN,
            postgresql_where=OPEN,
        )
        batch_op.create_index(batch_op.f("ix_incident_room"), ["room"], unique=False)
        batch_op.create_index("ix_incident_state_created", ["state", "created_at"], unique=False)

    op.create_table(
        "incident_follow_up",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("register_name", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("handed_on", sa.Boolean(), nullable=False),
        sa.Column("handed_on_note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("handed_on_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("created_at", desk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("estate_id", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operator.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("register_name", "record_id", name="uq_incident_follow_up"),
    )
    with op.batch_alter_table("incident_follow_up", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_follow_up_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "incident_stand_in",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("who", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("from_at", desk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("until_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("created_at", desk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("estate_id", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operator.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("incident_stand_in", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_stand_in_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "incident_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("due_at", desk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("called", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("called_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("arrived", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("arrived_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("recorded_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("estate_id", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["operator.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("incident_id", "step", name="uq_incident_step"),
    )
    with op.batch_alter_table("incident_step", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_step_incident_id"), ["incident_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("incident_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_step_incident_id"))

    op.drop_table("incident_step")
    with op.batch_alter_table("incident_stand_in", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_stand_in_incident_id"))

    op.drop_table("incident_stand_in")
    with op.batch_alter_table("incident_follow_up", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_follow_up_incident_id"))

    op.drop_table("incident_follow_up")
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_index("ix_incident_state_created")
        batch_op.drop_index(batch_op.f("ix_incident_room"))
        batch_op.drop_index("ix_incident_open", sqlite_where=OPEN, postgresql_where=OPEN)
        batch_op.drop_index(batch_op.f("ix_incident_happened_at"))
        batch_op.drop_index(batch_op.f("ix_incident_created_at"))

    op.drop_table("incident")
