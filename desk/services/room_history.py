"""A unit's history: everything the desk recorded for one room, newest first, and its residents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from desk.models import Operator, Unit
from desk.models.search import SearchDoc
from desk.services import reveal
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.lookup import number_of
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
    timeline = [
        Event(
            register=doc.register_name,
            record_id=doc.record_id,
            number=number_of(ctx, doc.register_name, doc.record_id, doc.number, doc.at),
            at=doc.at,
            person=mask_name(doc.person),
            summary=" ".join(doc.body.split()),
            state=doc.state,
            due_at=doc.due_at,
            handled_by=names.get(doc.operator_id, "") if doc.operator_id else "",
        )
        for doc in docs
    ]
    return RoomHistory(room=code, unit=unit, residents=people, timeline=timeline)
