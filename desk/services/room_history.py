"""A unit's history: everything the desk recorded for one room, newest first, and its residents.

The timeline is the room's records in the lookup index, and the changes of its residents'
records (put on record, changed from what to what, left) from their audit events: the
import's and the owner record changes' alike (desk.services.resident_records).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, select

from desk.i18n import t
from desk.models import AuditEvent, Finding, Operator, OwnerChange, Resident, Unit
from desk.models.search import SearchDoc
from desk.services import reveal
from desk.services.audit import event_data
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.lookup import number_of
from desk.services.operator_names import operator_names
from desk.services.owner_change_queries import PREFIX, REGISTER, summary
from desk.services.residents import mask_name, mask_phone, parse_room, residents_of

TIMELINE_LIMIT = 500


@dataclass(frozen=True)
class ResidentLine:
    name: str
    phone: str  # masked unless the phones were asked for
    kind: str


@dataclass(frozen=True)
class Event:
    """One record of the room: a call, a repair, a complaint, a key, a pass, a night call."""

    register: str
    record_id: int
    number: str
    at: datetime
    person: str
    summary: str
    state: str
    due_at: datetime | None
    handled_by: str  # the operator who recorded it (经办人)


@dataclass(frozen=True)
class RoomHistory:
    room: str
    unit: Unit | None
    residents: list[ResidentLine]
    timeline: list[Event]


def resolve_room(ctx: Ctx, room_text: str) -> tuple[str, Unit | None]:
    """The room code meant by what was typed; 1202 alone must name one unit."""
    parsed = parse_room(room_text)
    if parsed is None or not any(ch.isdigit() for ch in parsed.room):
        raise DeskError("lookup.bad_room", field="room", value=room_text.strip())
    if parsed.building:
        unit = ctx.session.exec(select(Unit).where(Unit.code == parsed.code)).first()
        return parsed.code, unit
    units = list(ctx.session.exec(select(Unit).where(Unit.room == parsed.room).limit(5)))
    if len(units) > 1:
        codes = "、".join(unit.code for unit in units)
        raise DeskError("lookup.room_ambiguous", field="room", room=parsed.room, codes=codes)
    if units:
        return units[0].code, units[0]
    return parsed.code, None


def reveal_phones(ctx: Ctx, room_text: str) -> int:
    """The room's residents' full phones are about to be shown: each one's view goes on the
    audit trail (as a reveal from a list does); how many residents were revealed."""
    _, unit = resolve_room(ctx, room_text)
    if unit is None or unit.id is None:
        return 0
    shown = [r.id for r in residents_of(ctx, unit.id) if r.id is not None]
    for resident_id in shown:
        reveal.reveal(ctx, "residents", resident_id)
    return len(shown)


def history(
    ctx: Ctx, room_text: str, *, show_phones: bool = False, limit: int = TIMELINE_LIMIT
) -> RoomHistory:
    """The unit, its residents on file and its timeline (every register), newest first."""
    code, unit = resolve_room(ctx, room_text)
    people: list[ResidentLine] = []
    if unit is not None and unit.id is not None:
        for resident in residents_of(ctx, unit.id):
            phone = resident.phone if show_phones else mask_phone(resident.phone)
            people.append(ResidentLine(resident.name, phone, resident.kind))
    statement = (
        select(SearchDoc)
        .where(SearchDoc.room == code, SearchDoc.register_name != "residents")
        .order_by(col(SearchDoc.at).desc(), col(SearchDoc.id).desc())
        .limit(limit)
    )
    docs = list(ctx.session.exec(statement))
    ids = {doc.operator_id for doc in docs if doc.operator_id is not None}
    names = {
        op.id: op.name for op in ctx.session.exec(select(Operator).where(col(Operator.id).in_(ids)))
    }
    declared = _declarations(ctx, [d.record_id for d in docs if d.register_name == REGISTER])
    timeline = [
        Event(
            register=doc.register_name,
            record_id=doc.record_id,
            number=number_of(ctx, doc.register_name, doc.record_id, doc.number, doc.at),
            at=doc.at,
            person=mask_name(doc.person),
            summary=declared.get(doc.record_id, " ".join(doc.body.split()))
            if doc.register_name == REGISTER
            else " ".join(doc.body.split()),
            state=doc.state,
            due_at=doc.due_at,
            handled_by=names.get(doc.operator_id, "") if doc.operator_id else "",
        )
        for doc in docs
    ]
    timeline += finding_events(ctx, code, names, limit)
    if unit is not None and unit.id is not None:
        timeline += resident_changes(ctx, unit.id)
    timeline.sort(key=lambda event: (event.at, event.record_id), reverse=True)
    timeline = timeline[:limit]
    return RoomHistory(room=code, unit=unit, residents=people, timeline=timeline)


def finding_events(ctx: Ctx, code: str, known: dict[Any, str], limit: int) -> list[Event]:
    """The findings (整改) of the room: a patrol's, an incident's… each its own line (their owner
    record has no room of its own: a round walks the whole estate)."""
    statement = (
        select(Finding)
        .where(Finding.room == code)
        .order_by(col(Finding.raised_at).desc(), col(Finding.id).desc())
        .limit(limit)
    )
    found = list(ctx.session.exec(statement))
    names: dict[Any, str] = dict(known)
    names.update(operator_names(ctx, {f.operator_id for f in found} - set(known)))
    return [
        Event(
            register="findings",
            record_id=finding.id or 0,
            number=finding.number,
            at=finding.raised_at,
            person=finding.raised_by,
            summary=" ".join(p for p in (finding.place, finding.what) if p),
            state=finding.state,
            due_at=None,
            handled_by=names.get(finding.operator_id, ""),
        )
        for finding in found
    ]


def _declarations(ctx: Ctx, ids: list[int]) -> dict[int, str]:
    """What each owner record change of the room changes, in one line (names as on record)."""
    if not ids:
        return {}
    found = ctx.session.exec(select(OwnerChange).where(col(OwnerChange.id).in_(ids)))
    return {row.id: summary(row, masked=False) for row in found if row.id is not None}


# a resident's events that change their record (the import's and an owner record change's)
_CHANGES = ("created", "updated", "moved_out")


def resident_changes(ctx: Ctx, unit_id: int) -> list[Event]:
    """Every change of the room's residents' records, active or gone: what changed from what to
    what (phones masked, as the audit trail keeps them), who left, who an owner record change
    put on record, and what made it (the import, or an owner record change by its number)."""
    people = {
        person.id: person
        for person in ctx.session.exec(select(Resident).where(Resident.unit_id == unit_id))
        if person.id is not None
    }
    if not people:
        return []
    statement = (
        select(AuditEvent)
        .where(
            AuditEvent.register_name == "residents",
            col(AuditEvent.record_id).in_(list(people)),
            col(AuditEvent.action).in_(_CHANGES),
        )
        .order_by(col(AuditEvent.id))
    )
    found = list(ctx.session.exec(statement))
    names = operator_names(ctx, {e.operator_id for e in found if e.operator_id is not None})
    lines = []
    for event in found:
        person = people[event.record_id]
        data = event_data(event)
        by = str(data.get("by", ""))
        declared = by.startswith(_NUMBERED) or f"-{PREFIX}-" in by
        if event.action == "created" and not declared:
            continue  # the directory as it was set up or imported: its residents list says it
        lines.append(
            Event(
                register="residents",
                record_id=event.record_id,
                number=by if declared else "",
                at=event.at,
                person=mask_name(person.name),
                summary=change_line(event.action, person.name, data, str(person.kind)),
                state=person.kind if person.active else "inactive",
                due_at=None,
                handled_by=names.get(event.operator_id, "") if event.operator_id else "",
            )
        )
    return lines


_NUMBERED = f"{PREFIX}-"
_LABELS = {"name": "field_name", "phone": "field_phone", "kind": "field_kind"}


def change_line(action: str, name: str, data: dict[str, Any], kind_now: str = "") -> str:
    """A resident's change in one line, in the current language (`kind_now`: what the resident
    is, for an event that does not say)."""
    if action == "created":
        kind = t(f"resident_kind.{data.get('kind') or kind_now or 'owner'}")
        return t("owner_change_ui.created_line", name=data.get("name", name), kind=kind)
    if action == "moved_out":
        return t("owner_change_ui.moved_out_line", name=name)
    was = data.get("was", {}) if isinstance(data.get("was"), dict) else {}
    parts = []
    for field, label in _LABELS.items():
        if field not in data:
            continue
        old, new = was.get(field, ""), data[field]
        if field == "kind":
            old = t(f"resident_kind.{old}") if old else ""
            new = t(f"resident_kind.{new}")
        parts.append(f"{t(f'owner_change_ui.{label}')} {old} → {new}")
    if data.get("active") is True:
        parts.append(t("owner_change_ui.field_active"))
    if data.get("id_proof"):
        parts.append(t("owner_change_ui.id_recorded"))
    return f"{name}: {', '.join(parts)}"
