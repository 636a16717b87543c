"""move-ins and 托管 (issue 21)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 17:00:00

The move-in register (000 篇四.1, 001 入伙办理): a case per room and its meter readings; a patrol
round may be a 托管 patrol of a case (patrol_round.move_in_id). New tables and one new nullable
column.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import desk.models.base

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("state IN ('booked', 'in_progress', 'inspected', 'custody')")


def _text(name: str, length: int) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=False)


def _when(name: str, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, desk.models.base.UTCDateTime(timezone=True), nullable=nullable)


def _flag(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.Boolean(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "move_in",
        sa.Column("id", sa.Integer(), nullable=False),
        _text("number", 30),
        _text("room", 45),
        _text("owner_name", 60),
        _text("phone", 30),
        sa.Column("applicant_kind", sa.String(length=20), nullable=False),
        _text("agent_name", 60),
        _when("booked_for", nullable=False),
        _flag("doc_id"),
        _flag("doc_notice"),
        _flag("doc_contract"),
        _flag("doc_agent_id"),
        _flag("doc_attorney"),
        _flag("doc_company"),
        _flag("sign_resident_form"),
        _flag("sign_covenant"),
        _flag("sign_management"),
        _flag("sign_bank_mandate"),
        _flag("sign_fire_pledge"),
        sa.Column("fee_fen", sa.Integer(), nullable=False),
        _text("fee_receipt", 40),
        sa.Column("keys_handed", sa.Integer(), nullable=False),
        _flag("handbook_handed"),
        _flag("drawings_handed"),
        _text("items_signed_by", 60),
        _when("items_signed_at"),
        _text("meters_confirmed_by", 60),
        sa.Column("state", sa.String(length=20), nullable=False),
        _when("checked_at"),
        _when("inspected_at"),
        _text("inspected_by", 60),
        _when("reinspect_at"),
        _when("completed_at"),
        _text("custody_agreement", 40),
        sa.Column("custody_keys", sa.Integer(), nullable=False),
        _when("custody_from"),
        _when("custody_to"),
        _when("cancelled_at"),
        _text("cancel_reason", 500),
        _text("note", 500),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        _when("created_at", nullable=False),
        sa.Column("estate_id", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(["operator_id"], ["operator.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("move_in", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_move_in_booked_for"), ["booked_for"], unique=False)
        batch_op.create_index(batch_op.f("ix_move_in_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_move_in_room"), ["room"], unique=False)
        batch_op.create_index("ix_move_in_state_booked", ["state", "booked_for"], unique=False)
        batch_op.create_index(
            "ix_move_in_open",
            ["booked_for"],
            unique=False,
            sqlite_where=OPEN,
            postgresql_where=OPEN,
        )

    op.create_table(
        "move_in_reading",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("move_in_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        _when("read_at", nullable=False),
        _text("read_by", 60),
        sa.Column("water", sa.Float(), nullable=False),
        sa.Column("electricity", sa.Float(), nullable=False),
        sa.Column("gas", sa.Float(), nullable=False),
        sa.Column("patrol_round_id", sa.Integer(), nullable=True),
        _flag("over_limit"),
        _text("owner_told_by", 60),
        _when("owner_told_at"),
        _text("note", 500),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        _when("created_at", nullable=False),
        sa.Column("estate_id", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(["move_in_id"], ["move_in.id"]),
        sa.ForeignKeyConstraint(["operator_id"], ["operator.id"]),
        sa.ForeignKeyConstraint(["patrol_round_id"], ["patrol_round.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("move_in_reading", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_move_in_reading_move_in_id"), ["move_in_id"], unique=False
        )

    with op.batch_alter_table("patrol_round", schema=None) as batch_op:
        batch_op.add_column(sa.Column("move_in_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_patrol_round_move_in_id_move_in", "move_in", ["move_in_id"], ["id"]
        )
        batch_op.create_index(
            batch_op.f("ix_patrol_round_move_in_id"), ["move_in_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("patrol_round", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patrol_round_move_in_id"))
        batch_op.drop_constraint("fk_patrol_round_move_in_id_move_in", type_="foreignkey")
        batch_op.drop_column("move_in_id")
    with op.batch_alter_table("move_in_reading", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_move_in_reading_move_in_id"))
    op.drop_table("move_in_reading")
    with op.batch_alter_table("move_in", schema=None) as batch_op:
        batch_op.drop_index("ix_move_in_open", sqlite_where=OPEN, postgresql_where=OPEN)
        batch_op.drop_index("ix_move_in_state_booked")
        batch_op.drop_index(batch_op.f("ix_move_in_room"))
        batch_op.drop_index(batch_op.f("ix_move_in_created_at"))
        batch_op.drop_index(batch_op.f("ix_move_in_booked_for"))
    op.drop_table("move_in")
