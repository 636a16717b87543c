"""Putting a record right (a typo, the wrong room): the fields the clerk wrote at the counter,
corrected with a reason, by the clerk who wrote the record or a supervisor.

Each new value is checked by the rule the register uses when the record is made (its own
checks, every refusal at once beside its field); nothing is saved when one is refused. The
record then holds the new value, and one `corrected` event keeps the old and the new of each
field changed, who and why (phone numbers masked, as the audit trail always keeps them). The
lookup index follows the change (desk.services.search_index rewrites a record's document on
every flush that changes it).

Only what was written from the resident's words can be corrected: the state, the number, the
times the lifecycle sets and the money are not (a repair's charges have their own correction,
desk.services.repair_billing.correct). Deadlines already running are not moved by a corrected
category: the next step counts from the category as it now is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import SQLModel

from desk.config import Settings
from desk.i18n import t
from desk.models import AuditEvent, Complaint, Operator, ReceptionEntry, RepairLocation, RepairOrder
from desk.services import audit, fetch, repair_checks, roles
from desk.services import complaint_intake as complaints
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.limits import clean_column
from desk.services.residents import clean_phone, normalise_room
from desk.services.submission import gather

CORRECTED = "corrected"  # the audit action

# a field's check: (ctx, the new value, every correctable field as it will be) -> value to store
Check = Callable[[Ctx, str, Mapping[str, Any]], Any]


@dataclass(frozen=True)
class Correctable:
    """A register whose records may be corrected: its audit name, its model, and each field
    that may be corrected with the check its record was made with. `also` names a field to
    check again when another changes (a repair's room, required in a unit, when the location
    changes)."""

    register: str
    model: type[SQLModel]
    checks: Mapping[str, Check]
    also: Mapping[str, str]

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(self.checks)


def _text(model: type[SQLModel], column: str, *, required: bool = False) -> Check:
    return lambda ctx, value, _all: clean_column(value, model, column, required=required)


def _room(model: type[SQLModel]) -> Check:
    return lambda ctx, value, _all: normalise_room(clean_column(value, model, "room"))


def _phone(ctx: Ctx, value: str, _all: Mapping[str, Any]) -> str:
    return clean_phone(value)


def _repair_location(ctx: Ctx, value: str, _all: Mapping[str, Any]) -> RepairLocation:
    try:
        return RepairLocation(value)
    except ValueError:
        raise DeskError("correct.unknown_choice", field="location", value=value) from None


REPAIRS = Correctable(
    "repairs",
    RepairOrder,
    {
        "room": lambda ctx, value, now: repair_checks.room(str(now["location"]), value),
        "resident_name": _text(RepairOrder, "resident_name"),
        "phone": _phone,
        "description": _text(RepairOrder, "description", required=True),
        "category": lambda ctx, value, _all: repair_checks.category(ctx, value).key,
        "location": _repair_location,
    },
    also={"location": "room"},
)
COMPLAINTS = Correctable(
    "complaints",
    Complaint,
    {
        "room": _room(Complaint),
        "complainant": _text(Complaint, "complainant"),
        "phone": _phone,
        "what_happened": _text(Complaint, "what_happened", required=True),
        "resident_asks": _text(Complaint, "resident_asks"),
        "category": lambda ctx, value, _all: complaints.checked_category(ctx, value).key,
    },
    also={},
)
RECEPTION = Correctable(
    "reception",
    ReceptionEntry,
    {
        "room": _room(ReceptionEntry),
        "person": _text(ReceptionEntry, "person"),
        "phone": _phone,
        "request": _text(ReceptionEntry, "request", required=True),
    },
    also={},
)
REGISTERS: dict[str, Correctable] = {c.register: c for c in (REPAIRS, COMPLAINTS, RECEPTION)}


def of(register: str) -> Correctable:
    try:
        return REGISTERS[register]
    except KeyError:
        raise ValueError(f"no corrections in register {register!r}") from None


def current(register: str, record: Any) -> dict[str, str]:
    """The record's correctable fields as they are now (what the dialog starts from)."""
    return {name: str(getattr(record, name) or "") for name in of(register).fields}


def may_correct(ctx: Ctx, record: Any) -> None:
    """Refuse (Forbidden) anyone but the clerk who wrote the record or a supervisor; the role
    and the active flag as they are in the database now."""
    operator = ctx.operator
    me = None if operator is None else ctx.session.get(Operator, operator.id)
    if me is not None and me.active and me.id == record.operator_id:
        return
    roles.RECORD_CORRECT.require(ctx)


def correct(
    ctx: Ctx, register: str, record_id: int, changes: Mapping[str, str], reason: str
) -> Any:
    """Correct the fields `changes` names of one record, saying why; returns the record.

    Refused: a field that may not be corrected, anyone but its writer or a supervisor, no
    reason, a new value the register's own check refuses (every refusal at once), and a
    "correction" that changes nothing.
    """
    kind = of(register)
    record: Any = fetch.get(ctx, kind.model, record_id)
    may_correct(ctx, record)
    for name in changes:
        if name not in kind.checks:
            raise DeskError("correct.not_correctable", field=name, name=name)
    after: dict[str, Any] = {**current(register, record), **changes}
    checked_fields = list(changes)
    checked_fields += [kind.also[name] for name in changes if name in kind.also]
    readers = {
        name: _reader(kind.checks[name], ctx, after[name], after)
        for name in dict.fromkeys(checked_fields)
    }
    readers["reason"] = lambda: clean_column(reason, AuditEvent, "reason", required=True)
    checked = gather(readers)
    why = checked.pop("reason")
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    for name, value in checked.items():
        was = getattr(record, name)
        if value != was:
            old[name], new[name] = _plain(was), _plain(value)
            setattr(record, name, value)
    if not new:
        raise DeskError("correct.nothing", field=next(iter(changes), "reason"))
    ctx.session.add(record)  # its lookup document is rewritten as it flushes (search_index)
    audit.record(ctx, register, record.id, CORRECTED, {"old": old, "new": new}, reason=why)
    return record


def _reader(check: Check, ctx: Ctx, value: str, after: Mapping[str, Any]) -> Callable[[], Any]:
    return lambda: check(ctx, value, after)


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, RepairLocation) else value


def describe(event: AuditEvent, settings: Settings, lang: str) -> list[str]:
    """What a `corrected` event changed, a line a field: "Room: 3-1202 → 3-1203" (a category
    and a location in the site's words); the reason is the event's own."""
    data = audit.event_data(event)
    old, new = data.get("old") or {}, data.get("new") or {}

    def shown(name: str, value: Any) -> str:
        if not value:
            return "—"
        if name == "location":
            return t(f"location.{value}")
        if name == "category":
            found = (
                settings.repair_category(str(value))
                if event.register_name == REPAIRS.register
                else settings.complaint_category(str(value))
            )
            return found.label(lang) if found else str(value)
        return str(value)

    return [
        t(
            "correct.line",
            field=t(f"fields.{name}"),
            old=shown(name, old.get(name)),
            new=shown(name, value),
        )
        for name, value in new.items()
    ]
