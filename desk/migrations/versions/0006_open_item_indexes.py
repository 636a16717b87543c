"""partial indexes of the open items, and closed-at indexes

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 14:00:00

The board, the handover summary and the queues read the few open records of registers that
hold years of closed ones: each reads a small partial index instead of walking the register.
The "recently closed" lists read an index on closed_at. Then ANALYZE, so the planner knows.
"""

from collections.abc import Sequence

from alembic import op

from desk.models.base import in_sql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_REPAIRS = ("registered", "dispatched", "on_site", "completed")
OPEN_COMPLAINTS = ("registered", "judged", "assigned", "replied", "resolved")
OPEN_LOANS = ("out", "partly_returned")
OWING = ("open", "referred")

# name, table, columns, condition (None: a plain index)
INDEXES: list[tuple[str, str, list[str], str | None]] = [
    ("ix_reception_owing", "reception_entry", ["reply_due_at"], str(in_sql("state", OWING))),
    ("ix_repair_open", "repair_order", ["reported_at"], str(in_sql("state", OPEN_REPAIRS))),
    (
        "ix_repair_awaiting_callback",
        "repair_order",
        ["callback_due_at", "id"],
        "state = 'completed'",
    ),
    ("ix_repair_order_closed_at", "repair_order", ["closed_at"], None),
    ("ix_complaint_open", "complaint", ["received_at"], str(in_sql("state", OPEN_COMPLAINTS))),
    (
        "ix_complaint_awaiting_callback",
        "complaint",
        ["callback_due_at", "id"],
        "state = 'resolved'",
    ),
    ("ix_complaint_closed_at", "complaint", ["closed_at"], None),
    ("ix_key_loan_open", "key_loan", ["due_at", "id"], str(in_sql("state", OPEN_LOANS))),
    ("ix_key_loan_closed_at", "key_loan", ["closed_at"], None),
    ("ix_night_log_left", "night_log_entry", ["logged_at", "id"], "state = 'left_for_morning'"),
    (
        "ix_pass_open",
        "release_pass",
        ["valid_until"],
        "state = 'issued' AND stub_returned_at IS NULL",
    ),
    ("ix_pass_stub_out", "release_pass", ["created_at", "id"], "stub_returned_at IS NULL"),
    (
        "ix_pass_no_gate_check",
        "release_pass",
        ["created_at", "id"],
        "stub_returned_at IS NOT NULL AND gate_checked_at IS NULL AND state != 'voided'",
    ),
]


def upgrade() -> None:
    import sqlalchemy as sa

    for name, table, columns, where in INDEXES:
        condition = sa.text(where) if where else None
        op.create_index(name, table, columns, sqlite_where=condition, postgresql_where=condition)
    op.execute("ANALYZE")


def downgrade() -> None:
    for name, table, _columns, _where in reversed(INDEXES):
        op.drop_index(name, table_name=table)
