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
from datetime import datetime
from typing import Any

from sqlmodel import SQLModel, col, select

from desk.models import (
    AuditEvent,
    Complaint,
    EntrustedKey,
    EntrustedKeyUse,
    FeeBalance,
    FeePayment,
    Finding,
    FindingCheck,
    Handover,
    HandoverPrint,
    Incident,
    IncidentFollowUp,
    IncidentStandIn,
    IncidentStep,
    Key,
    KeyCount,
    KeyLoan,
    KeyReturn,
    MoveIn,
    MoveInReading,
    NightLogEntry,
    Operator,
    OwnerChange,
    PatrolPoint,
    PatrolRound,
    ReceptionEntry,
    ReleasePass,
    Renovation,
    RenovationInspection,
    RenovationVisit,
    RepairOrder,
    Resident,
    ResidentCard,
    ServiceBooking,
    ServiceRound,
    Unit,
    WorkerPass,
)
from desk.safe_text import spreadsheet_cell
from desk.services.audit import event_data
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.jsonable import dumps, plain
from desk.services.pass_queries import export_items
from desk.services.renovation_workers import renovations_by_id

REGISTERS = (
    "reception",
    "repairs",
    "complaints",
    "keys",
    "passes",
    "cards",
    "renovations",
    "worker_passes",
    "shifts",
    "residents",
    "owner_changes",
    "incidents",
    "patrols",
    "findings",
    "fees",
    "move_ins",
    "services",
)
_TABLES: dict[str, type[SQLModel]] = {
    "reception": ReceptionEntry,
    "repairs": RepairOrder,
    "complaints": Complaint,
    "passes": ReleasePass,
    "cards": ResidentCard,
    "worker_passes": WorkerPass,
    "residents": Resident,
    "owner_changes": OwnerChange,
    "renovations": Renovation,
    "incidents": Incident,
    "patrols": PatrolRound,
    "findings": Finding,
    # finance's balances as imported (superseded ones too), each with its payments
    "fees": FeeBalance,
    "move_ins": MoveIn,
    "services": ServiceBooking,
}
# Columns never exported: an ID number's keyed hash (desk.services.id_numbers) is the office's
# to match a caller against, not to hand out with a spreadsheet.
_WITHHELD = frozenset({"id_proof"})
# a record's part rows, each a list in its record: (name, table, its column naming the record)
_PARTS: dict[str, tuple[tuple[str, type[SQLModel], str], ...]] = {
    # a renovation's inspection rounds and supervision visits
    "renovations": (
        ("inspections", RenovationInspection, "renovation_id"),
        ("visits", RenovationVisit, "renovation_id"),
    ),
    # a patrol round's checkpoints (its findings, each with its re-inspections: `findings`)
    "patrols": (("points", PatrolPoint, "round_id"),),
    # a balance's payments taken at the counter
    "fees": (("payments", FeePayment, "balance_id"),),
    # a finding's re-inspections (its owner: `owner` and `owner_id`)
    "findings": (("checks", FindingCheck, "finding_id"),),
    # a move-in's meter readings (handover, 托管's start, patrols, end); its papers, agreements
    # and items are its own columns (the archive of what was collected); its problems: `findings`
    "move_ins": (("readings", MoveInReading, "move_in_id"),),
    # a paid service's rounds of work, one a visit (on time or late, accepted or redone)
    "services": (("visits", ServiceRound, "booking_id"),),
    # an incident's nine steps, its security stand-ins and its follow-ups
    "incidents": (
        ("steps", IncidentStep, "incident_id"),
        ("stand_ins", IncidentStandIn, "incident_id"),
        ("follow_ups", IncidentFollowUp, "incident_id"),
    ),
}
# Columns added to every exported record besides the table's own.
_RESIDENT_EXTRA = ("building", "room", "unit")
# a worker pass's renovation: its room, its number and its permit's
_WORKER_EXTRA = ("room", "renovation", "permit_number")


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
    if register == "keys":
        return _key_columns()
    if register == "shifts":
        return _shift_columns()
    table = _TABLES.get(register)
    if table is None:
        return []
    names = [
        column.name
        for column in table.__table__.columns  # type: ignore[attr-defined]
        if column.name not in _WITHHELD
    ]
    if register == "residents":
        names += list(_RESIDENT_EXTRA)
    if register == "worker_passes":
        names += list(_WORKER_EXTRA)
    if "operator_id" in names:
        names.append("operator")
    if register == "passes":
        names.append("items")
    names += [name for name, _table, _column in _PARTS.get(register, ())]
    if register == "patrols":
        names.append("findings")
    return [*names, "events"]


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
                "at": plain(event.at, ctx.tz),
                "operator": names.get(event.operator_id or 0, ""),
                "action": event.action,
                "data": event_data(event),
                "reason": event.reason,
            }
        )
    return grouped


def records(ctx: Ctx, register: str, since: datetime | None = None) -> list[dict[str, Any]]:
    """Every record of one register created at or after `since`, oldest first."""
    if register == "keys":
        return _key_records(ctx, since)
    if register == "shifts":
        return _shift_records(ctx, since)
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
    items: dict[int, list[dict[str, Any]]] = {}
    if register == "passes":
        items = export_items(ctx, since)
    parts = _parts(ctx, register)
    if register == "patrols":
        parts["findings"] = _patrol_findings(ctx)
    works: dict[int, Any] = {}
    if register == "worker_passes":
        works = renovations_by_id(ctx)
    out: list[dict[str, Any]] = []
    for row in ctx.session.exec(statement):
        item = {
            column.name: plain(getattr(row, column.name), ctx.tz)
            for column in table.__table__.columns  # type: ignore[attr-defined]
            if column.name not in _WITHHELD
        }
        if register == "residents":
            unit = units.get(item["unit_id"])
            item["building"] = unit.building if unit else ""
            item["room"] = unit.room if unit else ""
            item["unit"] = unit.code if unit else ""
        if register == "worker_passes":
            renovation = works.get(item["renovation_id"])
            item["room"] = renovation.room if renovation else ""
            item["renovation"] = renovation.number if renovation else ""
            item["permit_number"] = renovation.permit_number if renovation else ""
        if "operator_id" in item:
            item["operator"] = names.get(item["operator_id"] or 0, "")
        if register == "passes":
            item["items"] = items.get(item["id"], [])
        for name, rows in parts.items():
            item[name] = rows.get(item["id"], [])
        item["events"] = events.get(item["id"], [])
        out.append(item)
    return out


def _parts(ctx: Ctx, register: str) -> dict[str, dict[int, list[dict[str, Any]]]]:
    """Each record's part rows (a renovation's inspections and visits…), all their columns."""
    out: dict[str, dict[int, list[dict[str, Any]]]] = {}
    for name, table, column in _PARTS.get(register, ()):
        grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
        columns = table.__table__.columns  # type: ignore[attr-defined]
        for row in ctx.session.exec(select(table).order_by(col(table.id))):  # type: ignore[attr-defined]
            line = {c.name: plain(getattr(row, c.name), ctx.tz) for c in columns}
            grouped[line[column]].append(line)
        out[name] = grouped
    return out


def _patrol_findings(ctx: Ctx) -> dict[int, list[dict[str, Any]]]:
    """Each patrol round's findings, all their columns and their re-inspections."""
    checks = _parts(ctx, "findings")["checks"]
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    columns = Finding.__table__.columns  # type: ignore[attr-defined]
    statement = select(Finding).where(Finding.owner == "patrol").order_by(col(Finding.id))
    for row in ctx.session.exec(statement):
        line = {c.name: plain(getattr(row, c.name), ctx.tz) for c in columns}
        line["checks"] = checks.get(line["id"], [])
        grouped[row.owner_id].append(line)
    return grouped


# The keys register holds four kinds of record, each with its own audit register: cabinet keys,
# loans (with their returns), entrusted keys (with their uses) and counts; "record" says which.
_KEY_KINDS: tuple[tuple[str, type[SQLModel], str, str], ...] = (
    ("key", Key, "keys", "created_at"),
    ("loan", KeyLoan, "key_loans", "created_at"),
    ("entrusted", EntrustedKey, "entrusted_keys", "created_at"),
    ("count", KeyCount, "key_counts", "counted_at"),
)


def _key_columns() -> list[str]:
    names: list[str] = ["record"]
    for _, table, _, _ in _KEY_KINDS:
        for column in table.__table__.columns:  # type: ignore[attr-defined]
            if column.name not in names:
                names.append(column.name)
    return [*names, "operator", "returns", "uses", "events"]


def _key_records(ctx: Ctx, since: datetime | None) -> list[dict[str, Any]]:
    names = {op.id: op.name for op in ctx.session.exec(select(Operator)) if op.id is not None}

    def columns_of(row: SQLModel) -> dict[str, Any]:
        table = row.__table__  # type: ignore[attr-defined]
        return {column.name: plain(getattr(row, column.name), ctx.tz) for column in table.columns}

    extras: dict[str, dict[int, list[dict[str, Any]]]] = {"loan": {}, "entrusted": {}}
    for ret in ctx.session.exec(select(KeyReturn).order_by(col(KeyReturn.id))):
        line = columns_of(ret) | {"received_by_name": names.get(ret.received_by, "")}
        extras["loan"].setdefault(ret.loan_id, []).append(line)
    for use in ctx.session.exec(select(EntrustedKeyUse).order_by(col(EntrustedKeyUse.id))):
        extras["entrusted"].setdefault(use.entrusted_id, []).append(columns_of(use))
    out: list[dict[str, Any]] = []
    for record, table, register, created in _KEY_KINDS:
        events = _events(ctx, register, since, names)
        statement = select(table).order_by(col(table.id))  # type: ignore[attr-defined]
        if since is not None:
            statement = statement.where(col(getattr(table, created)) >= since)
        for row in ctx.session.exec(statement):
            item = {"record": record, **columns_of(row)}
            item["operator"] = names.get(item.get("operator_id") or 0, "")
            if record == "loan":
                item["returns"] = extras["loan"].get(item["id"], [])
            if record == "entrusted":
                item["uses"] = extras["entrusted"].get(item["id"], [])
            item["events"] = events.get(item["id"], [])
            out.append(item)
    return out


def export(
    ctx: Ctx, registers: Sequence[str] = (), since: datetime | None = None
) -> dict[str, list[dict[str, Any]]]:
    """The chosen registers (all when none is named), keyed by register name."""
    return {name: records(ctx, name, since) for name in check_registers(registers)}


def to_json(data: dict[str, list[dict[str, Any]]]) -> str:
    """The exact data: control characters stay, written as JSON's \\u escapes (desk.safe_text)."""
    return dumps(data, indent=2) + "\n"


def _cell(value: Any) -> str:
    """One CSV cell: the value's JSON form (desk.services.jsonable), text as it is, None empty."""
    made = plain(value)
    if made is None:
        return ""
    if isinstance(made, str):
        return made
    return json.dumps(made, ensure_ascii=False)


def to_csv(register: str, rows: list[dict[str, Any]]) -> str:
    """One register as CSV text; the events column holds the events as JSON.

    CSV is for spreadsheets: each cell is printable and never starts a formula
    (desk.safe_text.spreadsheet_cell); the JSON export keeps the text exactly.
    """
    header = columns(register) or (list(rows[0]) if rows else [])
    buffer = io.StringIO(newline="")
    if not header:
        return ""
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_cell(_cell(row.get(name))) for name in header])
    return buffer.getvalue()


# The shifts register: handovers (with their frozen summary and printed copies) and the night
# log entries; "record" says which, each with its own audit events.
_SHIFT_KINDS: tuple[tuple[str, type[SQLModel], str], ...] = (
    ("handover", Handover, "handover"),
    ("nightlog", NightLogEntry, "nightlog"),
)


def _shift_columns() -> list[str]:
    names: list[str] = ["record"]
    for _, table, _ in _SHIFT_KINDS:
        for column in table.__table__.columns:  # type: ignore[attr-defined]
            if column.name not in names:
                names.append(column.name)
    return [*names, "operator", "prints", "events"]


def _shift_records(ctx: Ctx, since: datetime | None) -> list[dict[str, Any]]:
    names = {op.id: op.name for op in ctx.session.exec(select(Operator)) if op.id is not None}
    prints: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for copy in ctx.session.exec(select(HandoverPrint).order_by(col(HandoverPrint.id))):
        prints[copy.handover_id].append(
            {"at": plain(copy.printed_at, ctx.tz), "format": copy.format, "path": copy.path,
             "printer": copy.printer}
        )  # fmt: skip
    out: list[dict[str, Any]] = []
    for record, table, register in _SHIFT_KINDS:
        events = _events(ctx, register, since, names)
        statement = select(table).order_by(col(table.id))  # type: ignore[attr-defined]
        if since is not None:
            statement = statement.where(col(table.created_at) >= since)  # type: ignore[attr-defined]
        for row in ctx.session.exec(statement):
            columns_ = row.__table__.columns  # type: ignore[attr-defined]
            item: dict[str, Any] = {"record": record}
            item |= {c.name: plain(getattr(row, c.name), ctx.tz) for c in columns_}
            for key in ("summary", "checklist"):
                if isinstance(item.get(key), str) and item[key]:
                    item[key] = json.loads(item[key])
            operator = item.get("operator_id", item.get("outgoing_id"))
            item["operator"] = names.get(operator or 0, "")
            if record == "handover":
                item["prints"] = prints.get(item["id"], [])
            item["events"] = events.get(item["id"], [])
            out.append(item)
    return out
