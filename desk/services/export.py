"""Export of whole registers: every record with all its columns and its audit events.

Times are written in ISO 8601 with the site's UTC offset (e.g. 2026-11-23T09:30:00+08:00).
Residents are exported with their full phone numbers: the export is for the office itself.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, tzinfo
from enum import Enum
from typing import Any

from sqlmodel import SQLModel, col, select

from desk.models import (
    AuditEvent,
    Complaint,
    Operator,
    ReceptionEntry,
    RepairOrder,
    Resident,
    Unit,
)
from desk.services.audit import event_data
from desk.services.context import Ctx
from desk.services.errors import DeskError

REGISTERS = ("reception", "repairs", "complaints", "keys", "passes", "shifts", "residents")
_TABLES: dict[str, type[SQLModel]] = {
    "reception": ReceptionEntry,
    "repairs": RepairOrder,
    "complaints": Complaint,
    "residents": Resident,
}
# Columns added to every exported record besides the table's own.
_RESIDENT_EXTRA = ("building", "room", "unit")


def check_registers(names: Iterable[str]) -> list[str]:
    """The registers asked for, in order and without repeats; all of them when none is named."""
    chosen: list[str] = []
    for raw in names:
        name = raw.strip().lower()
        if name not in REGISTERS:
            raise DeskError("export.unknown_register", name=raw, known=", ".join(REGISTERS))
        if name not in chosen:
            chosen.append(name)
    return chosen or list(REGISTERS)


def columns(register: str) -> list[str]:
    """The keys of an exported record of `register` (empty for registers not built yet)."""
    table = _TABLES.get(register)
    if table is None:
        return []
    names = [column.name for column in table.__table__.columns]  # type: ignore[attr-defined]
    if register == "residents":
        names += list(_RESIDENT_EXTRA)
    if "operator_id" in names:
        names.append("operator")
    return [*names, "events"]


def _plain(value: Any, tz: tzinfo) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(tz).isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _events(
    ctx: Ctx, register: str, since: datetime | None, names: dict[int, str]
) -> dict[int, list[dict[str, Any]]]:
    """Every event of the register (from `since` on), grouped by record, oldest first."""
    statement = select(AuditEvent).where(AuditEvent.register_name == register)
    if since is not None:
        # A record's events all come at or after its creation.
        statement = statement.where(col(AuditEvent.at) >= since)
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for event in ctx.session.exec(statement.order_by(col(AuditEvent.id))):
        grouped[event.record_id].append(
            {
                "at": _plain(event.at, ctx.tz),
                "operator": names.get(event.operator_id or 0, ""),
                "action": event.action,
                "data": event_data(event),
                "reason": event.reason,
            }
        )
    return grouped


def records(ctx: Ctx, register: str, since: datetime | None = None) -> list[dict[str, Any]]:
    """Every record of one register created at or after `since`, oldest first."""
    table = _TABLES.get(register)
    if table is None:
        check_registers([register])
        return []
    names = {op.id: op.name for op in ctx.session.exec(select(Operator)) if op.id is not None}
    events = _events(ctx, register, since, names)
    created = col(table.created_at)  # type: ignore[attr-defined]
    statement = select(table)
    if since is not None:
        statement = statement.where(created >= since)
    statement = statement.order_by(col(table.id))  # type: ignore[attr-defined]
    units: dict[int, Unit] = {}
    if register == "residents":
        units = {u.id: u for u in ctx.session.exec(select(Unit)) if u.id is not None}
    out: list[dict[str, Any]] = []
    for row in ctx.session.exec(statement):
        item = {
            column.name: _plain(getattr(row, column.name), ctx.tz)
            for column in table.__table__.columns  # type: ignore[attr-defined]
        }
        if register == "residents":
            unit = units.get(item["unit_id"])
            item["building"] = unit.building if unit else ""
            item["room"] = unit.room if unit else ""
            item["unit"] = unit.code if unit else ""
        if "operator_id" in item:
            item["operator"] = names.get(item["operator_id"] or 0, "")
        item["events"] = events.get(item["id"], [])
        out.append(item)
    return out


def export(
    ctx: Ctx, registers: Sequence[str] = (), since: datetime | None = None
) -> dict[str, list[dict[str, Any]]]:
    """The chosen registers (all when none is named), keyed by register name."""
    return {name: records(ctx, name, since) for name in check_registers(registers)}


def to_json(data: dict[str, list[dict[str, Any]]]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def to_csv(register: str, rows: list[dict[str, Any]]) -> str:
    """One register as CSV text; the events column holds the events as JSON."""
    header = columns(register) or (list(rows[0]) if rows else [])
    buffer = io.StringIO(newline="")
    if not header:
        return ""
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name in header])
    return buffer.getvalue()
