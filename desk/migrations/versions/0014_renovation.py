"""renovation (issue 19)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 12:28:14

The renovation register (001 装修办理): the application, its inspection rounds, supervision
visits and worker passes. New tables only: nothing existing is locked or rewritten.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import desk.models.base

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text(
    "state IN ('applied', 'documents_complete', 'with_engineering', 'approved', "
    "'permit_issued', 'in_works', 'suspended', 'finished', 'rectifying', 'passed')"
)


def upgrade() -> None:
    op.create_table(
        "renovation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("room", sqlmodel.sql.sqltypes.AutoString(length=45), nullable=False),
        sa.Column("applicant", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("applicant_kind", sa.String(length=20), nullable=False),
        sa.Column("applicant_phone", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column(
            "owner_phone_called", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False
        ),
        sa.Column(
            "owner_confirmed_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False
        ),
        sa.Column("owner_confirmed_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("contractor", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column(
            "contractor_licence", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False
        ),
        sa.Column("contractor_person", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("contractor_phone", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("planned_start", sa.Date(), nullable=False),
        sa.Column("planned_end", sa.Date(), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("touches_structure", sa.Boolean(), nullable=False),
        sa.Column("touches_walls", sa.Boolean(), nullable=False),
        sa.Column("touches_lines", sa.Boolean(), nullable=False),
        sa.Column("touches_facade", sa.Boolean(), nullable=False),
        sa.Column("undertaking_signed", sa.Boolean(), nullable=False),
        sa.Column("doc_floor_plan", sa.Boolean(), nullable=False),
        sa.Column("doc_drawings", sa.Boolean(), nullable=False),
        sa.Column("doc_licence", sa.Boolean(), nullable=False),
        sa.Column("doc_qualification", sa.Boolean(), nullable=False),
        sa.Column("agreement_signed", sa.Boolean(), nullable=False),
        sa.Column("fire_pledge_signed", sa.Boolean(), nullable=False),
        sa.Column("deposit_fen", sa.Integer(), nullable=False),
        sa.Column("deposit_receipt", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("debris_fee_fen", sa.Integer(), nullable=False),
        sa.Column(
            "debris_fee_receipt", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False
        ),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column(
            "documents_complete_at", desk.models.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "sent_to_engineering_at", desk.models.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("approval_due_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("refusal_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("permit_number", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("permit_issued_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("works_started_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("suspended_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("suspend_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("works_finished_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "inspection_booked_for", desk.models.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("first_passed_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("refund_due_on", sa.Date(), nullable=True),
        sa.Column("refunded_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("refund_fen", sa.Integer(), nullable=True),
        sa.Column("withheld_fen", sa.Integer(), nullable=False),
        sa.Column("withheld_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("damage_note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("archived_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdraw_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
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
    with op.batch_alter_table("renovation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_renovation_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            "ix_renovation_open",
            ["created_at"],
            unique=False,
            sqlite_where=OPEN,
            postgresql_where=OPEN,
        )
        batch_op.create_index(
            batch_op.f("ix_renovation_permit_number"), ["permit_number"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_renovation_room"), ["room"], unique=False)
        batch_op.create_index("ix_renovation_state_created", ["state", "created_at"], unique=False)

    op.create_table(
        "renovation_inspection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("renovation_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("inspected_at", desk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("inspector", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=False),
        sa.Column("findings", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
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
    )
    with op.batch_alter_table("renovation_inspection", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_renovation_inspection_renovation_id"), ["renovation_id"], unique=False
        )

    op.create_table(
        "worker_pass",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("renovation_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("id_last4", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column("photo_taken", sa.Boolean(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("fee_fen", sa.Integer(), nullable=False),
        sa.Column("fee_receipt", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("revoked_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoke_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("gate_checks", sa.Integer(), nullable=False),
        sa.Column("last_gate_check_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
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
    with op.batch_alter_table("worker_pass", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_worker_pass_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            "ix_worker_pass_issued",
            ["valid_until"],
            unique=False,
            sqlite_where=sa.text("state = 'issued'"),
            postgresql_where=sa.text("state = 'issued'"),
        )
        batch_op.create_index(
            batch_op.f("ix_worker_pass_renovation_id"), ["renovation_id"], unique=False
        )

    op.create_table(
        "renovation_visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("renovation_id", sa.Integer(), nullable=False),
        sa.Column("visited_at", desk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("department", sa.String(length=20), nullable=False),
        sa.Column("visitor", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("findings", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("suspended", sa.Boolean(), nullable=False),
        sa.Column("repair_id", sa.Integer(), nullable=True),
        sa.Column("complaint_id", sa.Integer(), nullable=True),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("created_at", desk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("estate_id", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaint.id"],
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operator.id"],
        ),
        sa.ForeignKeyConstraint(
            ["renovation_id"],
            ["renovation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["repair_id"],
            ["repair_order.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("renovation_visit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_renovation_visit_renovation_id"), ["renovation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("renovation_visit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_renovation_visit_renovation_id"))

    op.drop_table("renovation_visit")
    with op.batch_alter_table("worker_pass", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_worker_pass_renovation_id"))
        batch_op.drop_index("ix_worker_pass_issued")
        batch_op.drop_index(batch_op.f("ix_worker_pass_created_at"))

    op.drop_table("worker_pass")
    with op.batch_alter_table("renovation_inspection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_renovation_inspection_renovation_id"))

    op.drop_table("renovation_inspection")
    with op.batch_alter_table("renovation", schema=None) as batch_op:
        batch_op.drop_index("ix_renovation_state_created")
        batch_op.drop_index(batch_op.f("ix_renovation_room"))
        batch_op.drop_index(batch_op.f("ix_renovation_permit_number"))
        batch_op.drop_index("ix_renovation_open")
        batch_op.drop_index(batch_op.f("ix_renovation_created_at"))

    op.drop_table("renovation")
