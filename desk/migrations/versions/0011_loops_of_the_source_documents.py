"""loops of the source documents (issue 17)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 03:00:00

Repair orders: the on-site due time, a visit rescheduled with the resident's consent, the price
quoted and consented to before work, billed and paid (receipt number), and one row per
completion (a reopened order completed again keeps the first completion's work and charges).
Complaints: dispatch to the department due the same day, the department's answer, the resident
told the same day, the late notice past the normal limit, and harm still going on.
Rooms: a room is stored without leading zeros (3-0301 is 3-301, 03-1202 is 3-1202), so units
typed two ways become one (their residents join the first) and every register's rooms are
written the same way; the lookup index is rebuilt from them.
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

import desk.models.base

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str) -> sa.Column:
    return sa.Column(name, desk.models.base.UTCDateTime(timezone=True), nullable=True)


def _text(name: str, length: int) -> sa.Column:
    return sa.Column(
        name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=False, server_default=""
    )


REPAIR = [
    lambda: _when("on_site_due_at"),
    lambda: _when("rescheduled_at"),
    lambda: _text("reschedule_agreed_by", 60),
    lambda: sa.Column("reschedule_count", sa.Integer(), nullable=False, server_default="0"),
    lambda: sa.Column("quoted_fen", sa.Integer(), nullable=True),
    lambda: _text("consent_by", 60),
    lambda: _when("consent_at"),
    lambda: _when("billed_at"),
    lambda: _when("paid_at"),
    lambda: _text("receipt_number", 40),
]
COMPLAINT = [
    lambda: _when("assign_due_at"),
    lambda: _when("department_answered_at"),
    lambda: _when("told_due_at"),
    lambda: _when("told_at"),
    lambda: _when("late_notice_due_at"),
    lambda: _when("late_notice_at"),
    lambda: _text("late_notice_note", 500),
    lambda: sa.Column("harm_ongoing", sa.Boolean(), nullable=False, server_default=sa.false()),
    lambda: _when("harm_stopped_at"),
]


def upgrade() -> None:
    with op.batch_alter_table("repair_order") as batch:
        for column in REPAIR:
            batch.add_column(column())
    with op.batch_alter_table("complaint") as batch:
        for column in COMPLAINT:
            batch.add_column(column())
    op.create_table(
        "repair_completion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("completed_at", desk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("technician", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("work_done", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("labour_fen", sa.Integer(), nullable=False),
        sa.Column("material_fen", sa.Integer(), nullable=False),
        sa.Column(
            "resident_materials", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False
        ),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("created_at", desk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["operator_id"], ["operator.id"]),
        sa.ForeignKeyConstraint(["order_id"], ["repair_order.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_repair_completion_order_id", "repair_completion", ["order_id"])
    # orders completed before this revision: their completion as the first row
    op.execute(
        "INSERT INTO repair_completion (order_id, round, completed_at, technician, work_done,"
        " labour_fen, material_fen, resident_materials, operator_id, created_at)"
        " SELECT id, 1, completed_at, technician, work_done, labour_fen, material_fen,"
        " resident_materials, operator_id, completed_at FROM repair_order"
        " WHERE completed_at IS NOT NULL"
    )
    _one_way_rooms(op.get_bind())


# every table with a room column a clerk typed (units are merged apart, below)
ROOM_TABLES = (
    "repair_order",
    "complaint",
    "reception_entry",
    "release_pass",
    "night_log_entry",
    "key",
    "key_loan",
    "entrusted_key",
)


# the audit register of each of those tables (desk.services.audit_rows.REGISTERS)
ROOM_REGISTERS = {
    "repair_order": "repairs",
    "complaint": "complaints",
    "reception_entry": "reception",
    "release_pass": "passes",
    "night_log_entry": "nightlog",
    "key": "keys",
    "key_loan": "key_loans",
    "entrusted_key": "entrusted_keys",
}


def _one_way_rooms(bind: sa.engine.Connection) -> None:
    """Units typed two ways become one and every room is written one way. Each record changed
    gets an audit event saying what it was, sealed into the chain: verifying the trail after
    the upgrade finds every row as its events say, and the change is on each record's history."""
    from desk.models import AuditEvent
    from desk.services.audit_chain import seal_unsealed
    from desk.services.audit_rows import as_of_older
    from desk.services.residents import normalise_room, room_part
    from desk.services.search_index import reindex

    changed: list[tuple[str, int, dict[str, object]]] = []
    units = bind.execute(sa.text("SELECT id, building, room FROM unit ORDER BY id")).all()

    def code_of(building: str, room: str) -> tuple[str, str, str]:
        new_building = room_part(building) if building else building
        new_room = room_part(room)
        return new_building, new_room, f"{new_building}-{new_room}" if new_building else new_room

    kept: dict[str, int] = {}
    for unit_id, building, room in units:
        first = kept.setdefault(code_of(building, room)[2], unit_id)
        if first != unit_id:  # the same unit typed another way: its residents join the first
            moved = bind.execute(
                sa.text("SELECT id FROM resident WHERE unit_id = :dup"), {"dup": unit_id}
            ).scalars()
            changed += [
                ("residents", rid, {"unit_id": first, "was_unit_id": unit_id}) for rid in moved
            ]
            bind.execute(
                sa.text("UPDATE resident SET unit_id = :first WHERE unit_id = :dup"),
                {"first": first, "dup": unit_id},
            )
            bind.execute(sa.text("DELETE FROM unit WHERE id = :dup"), {"dup": unit_id})
    for unit_id, building, room in units:
        new_building, new_room, code = code_of(building, room)
        if kept[code] == unit_id and (new_building, new_room) != (building, room):
            bind.execute(
                sa.text("UPDATE unit SET building = :b, room = :r, code = :c WHERE id = :id"),
                {"b": new_building, "r": new_room, "c": code, "id": unit_id},
            )
    for table, register in ROOM_REGISTERS.items():
        quoted = f'"{table}"'
        for record_id, room in bind.execute(sa.text(f"SELECT id, room FROM {quoted}")).all():
            if room and normalise_room(room) != room:
                new = normalise_room(room)
                bind.execute(
                    sa.text(f"UPDATE {quoted} SET room = :new WHERE id = :id"),
                    {"new": new, "id": record_id},
                )
                changed.append((register, record_id, {"room": new, "was_room": room}))
    if changed:
        now = datetime.now(UTC)
        events = AuditEvent.__table__  # type: ignore[attr-defined]
        bind.execute(
            events.insert(),
            [
                {
                    "at": now,
                    "operator_id": None,
                    "register_name": register,
                    "record_id": record_id,
                    "action": "room_written_one_way",
                    "data": json.dumps(data, ensure_ascii=False),
                    "reason": "upgrade 0011: rooms without leading zeros",
                }
                for register, record_id, data in changed
            ],
        )
        # added by 0012, and to the residents by 0016
        with as_of_older(
            {"estate_id", "resident.id_kind", "resident.id_last4", "resident.id_proof"}
        ):
            seal_unsealed(bind)
    reindex(bind)


def downgrade() -> None:
    op.drop_index("ix_repair_completion_order_id", table_name="repair_completion")
    op.drop_table("repair_completion")
    with op.batch_alter_table("complaint") as batch:
        for column in reversed(COMPLAINT):
            batch.drop_column(column().name)
    with op.batch_alter_table("repair_order") as batch:
        for column in reversed(REPAIR):
            batch.drop_column(column().name)
