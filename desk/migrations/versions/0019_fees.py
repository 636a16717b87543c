"""the fee desk (issue 21)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 17:00:00

The fee desk (交纳物业管理费 / 催缴, 000 篇四.2(4)): finance's balances per room and fee kind, the
payments taken at the counter, the reminder ladder, home collections and the rooms in 托管.
New tables only: nothing existing is rewritten.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import desk.models.base

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fee_appointment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("room", sqlmodel.sql.sqltypes.AutoString(length=45), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("collector", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("at", desk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("receipts_prepared", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("outcome_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
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
    with op.batch_alter_table("fee_appointment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_fee_appointment_booked",
            ["at"],
            unique=False,
            sqlite_where=sa.text("state = 'booked'"),
            postgresql_where=sa.text("state = 'booked'"),
        )
        batch_op.create_index(
            batch_op.f("ix_fee_appointment_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_fee_appointment_room"), ["room"], unique=False)

    op.create_table(
        "fee_balance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("room", sqlmodel.sql.sqltypes.AutoString(length=45), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("from_month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("to_month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("file_fen", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("custody", sa.Boolean(), nullable=False),
        sa.Column("paid_fen", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("import_number", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("superseded_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("superseded_by", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("paid_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("created_at", desk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("estate_id", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operator.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("fee_balance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fee_balance_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_fee_balance_import_number"), ["import_number"], unique=False
        )
        batch_op.create_index(
            "ix_fee_balance_open",
            ["room"],
            unique=False,
            sqlite_where=sa.text("state = 'open'"),
            postgresql_where=sa.text("state = 'open'"),
        )
        batch_op.create_index(batch_op.f("ix_fee_balance_room"), ["room"], unique=False)
        batch_op.create_index("ix_fee_balance_room_state", ["room", "state"], unique=False)

    op.create_table(
        "fee_custody",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("room", sqlmodel.sql.sqltypes.AutoString(length=45), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("created_at", desk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("estate_id", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operator.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("fee_custody", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fee_custody_room"), ["room"], unique=False)

    op.create_table(
        "fee_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("room", sqlmodel.sql.sqltypes.AutoString(length=45), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("at", desk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("spoke_to", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("said", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("tracking", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("owing_fen", sa.Integer(), nullable=False),
        sa.Column("sms_result", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("settled_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
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
    with op.batch_alter_table("fee_step", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fee_step_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_fee_step_room"), ["room"], unique=False)
        batch_op.create_index(
            "ix_fee_step_unsettled",
            ["room", "at"],
            unique=False,
            sqlite_where=sa.text("settled_at IS NULL"),
            postgresql_where=sa.text("settled_at IS NULL"),
        )

    op.create_table(
        "fee_payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("balance_id", sa.Integer(), nullable=False),
        sa.Column("room", sqlmodel.sql.sqltypes.AutoString(length=45), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("receipt", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("payer", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("created_at", desk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("estate_id", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["fee_appointment.id"],
        ),
        sa.ForeignKeyConstraint(
            ["balance_id"],
            ["fee_balance.id"],
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operator.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("estate_id", "receipt", name="uq_fee_payment_receipt"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("fee_payment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fee_payment_balance_id"), ["balance_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fee_payment_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_fee_payment_room"), ["room"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("fee_payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fee_payment_room"))
        batch_op.drop_index(batch_op.f("ix_fee_payment_created_at"))
        batch_op.drop_index(batch_op.f("ix_fee_payment_balance_id"))

    op.drop_table("fee_payment")
    with op.batch_alter_table("fee_step", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_fee_step_unsettled",
            sqlite_where=sa.text("settled_at IS NULL"),
            postgresql_where=sa.text("settled_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_fee_step_room"))
        batch_op.drop_index(batch_op.f("ix_fee_step_created_at"))

    op.drop_table("fee_step")
    with op.batch_alter_table("fee_custody", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fee_custody_room"))

    op.drop_table("fee_custody")
    with op.batch_alter_table("fee_balance", schema=None) as batch_op:
        batch_op.drop_index("ix_fee_balance_room_state")
        batch_op.drop_index(batch_op.f("ix_fee_balance_room"))
        batch_op.drop_index(
            "ix_fee_balance_open",
            sqlite_where=sa.text("state = 'open'"),
            postgresql_where=sa.text("state = 'open'"),
        )
        batch_op.drop_index(batch_op.f("ix_fee_balance_import_number"))
        batch_op.drop_index(batch_op.f("ix_fee_balance_created_at"))

    op.drop_table("fee_balance")
    with op.batch_alter_table("fee_appointment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fee_appointment_room"))
        batch_op.drop_index(batch_op.f("ix_fee_appointment_created_at"))
        batch_op.drop_index(
            "ix_fee_appointment_booked",
            sqlite_where=sa.text("state = 'booked'"),
            postgresql_where=sa.text("state = 'booked'"),
        )

    op.drop_table("fee_appointment")
