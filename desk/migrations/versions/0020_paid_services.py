"""paid convenience services (issue 21)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 17:00:00

The paid convenience and entrusted services (000 五; 004 家政保洁, 增值服务回访): the bookings and
each round of the work. New tables only: nothing existing is rewritten.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import desk.models.base

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("state IN ('agreed', 'sent', 'done', 'redo', 'accepted', 'paid', 'called_back')")


def upgrade() -> None:
    op.create_table(
        "service_booking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("room", sqlmodel.sql.sqltypes.AutoString(length=45), nullable=False),
        sa.Column("resident", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("service", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("service_name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("department", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("quantity", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("price_fen", sa.Integer(), nullable=False),
        sa.Column("agreed_for", desk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expected_result", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("agreement", sa.Integer(), nullable=False),
        sa.Column("agreed_at", desk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("agreed_with", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("sent_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("head", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("send_due_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("due_at", desk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("rounds", sa.Integer(), nullable=False),
        sa.Column("done_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("accepted_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("accepted_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("paid_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("paid_fen", sa.Integer(), nullable=True),
        sa.Column("receipt", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("callback_due_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("callback_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("callback_note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("satisfied", sa.Boolean(), nullable=True),
        sa.Column("closed_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("created_at", desk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("estate_id", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operator.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("service_booking", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_booking_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            "ix_service_booking_open",
            ["due_at"],
            unique=False,
            sqlite_where=OPEN,
            postgresql_where=OPEN,
        )
        batch_op.create_index(batch_op.f("ix_service_booking_room"), ["room"], unique=False)
        batch_op.create_index(
            "ix_service_booking_state_created", ["state", "created_at"], unique=False
        )

    op.create_table(
        "service_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("due_at", desk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("done_at", desk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("worker", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=True),
        sa.Column("result_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("result_note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("created_at", desk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("estate_id", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["service_booking.id"],
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operator.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("service_round", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_round_booking_id"), ["booking_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("service_round", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_round_booking_id"))

    op.drop_table("service_round")
    with op.batch_alter_table("service_booking", schema=None) as batch_op:
        batch_op.drop_index("ix_service_booking_state_created")
        batch_op.drop_index(batch_op.f("ix_service_booking_room"))
        batch_op.drop_index("ix_service_booking_open", sqlite_where=OPEN, postgresql_where=OPEN)
        batch_op.drop_index(batch_op.f("ix_service_booking_created_at"))

    op.drop_table("service_booking")
