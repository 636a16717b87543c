"""Units and residents: room codes in the forms people type them, completion, masking, import."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import case
from sqlmodel import col, select

from desk import estates as binding
from desk.models import Resident, ResidentKind, Unit
from desk.safe_text import refused_character
from desk.services import audit
from desk.services.context import Ctx
from desk.services.errors import DeskError

# 3-1202, 3栋1202, 3幢1202室, 3#1202, 3号楼1202, 3座1202, B-0201, 3 1202 (a space between)
_ROOM = re.compile(
    r"^\s*(?:(?P<building>[0-9A-Za-z]{1,6})\s*(?:-|#|栋|幢|座|号楼|號樓|棟|\s)\s*)?"
    r"(?P<room>[0-9A-Za-z]{1,10})\s*(?:室|号|號)?\s*$"
)
_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{5,19}$")
# Lone surrogates: a Python str may hold them, no database encoding can store them.
_SURROGATE = re.compile(r"[\ud800-\udfff]")


@dataclass(frozen=True)
class RoomCode:
    building: str | None
    room: str

    @property
    def code(self) -> str:
        return f"{self.building}-{self.room}" if self.building else self.room


def room_part(text: str) -> str:
    """A building or room part as stored: upper case, and a number without leading zeros (03 →
    3, 0301 → 301, 0 stays 0), so that 3-0301 and 3-301 are one unit however it was typed or
    imported. A part with letters keeps its zeros (0A is not A)."""
    part = text.upper()
    return (part.lstrip("0") or "0") if part.isdigit() else part


def parse_room(text: str) -> RoomCode | None:
    """Read a room as typed (3-1202, 3栋1202, 3 1202, 03-1202, 1202); None when it is not one.

    Every register, the residents import and the lookup read rooms through here, so the code
    stored and the code looked up agree."""
    match = _ROOM.match(text)
    if not match:
        return None
    building = match.group("building")
    return RoomCode(room_part(building) if building else None, room_part(match.group("room")))


def normalise_room(text: str) -> str:
    """The canonical code of a typed room, or the text itself (trimmed) when it is not one."""
    parsed = parse_room(text)
    return parsed.code if parsed else text.strip()


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_name(name: str) -> str:
    name = name.strip()
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1)


def clean_text(value: str, max_length: int, *, field: str, required: bool = False) -> str:
    """Trim, refuse control characters and over-long text; a shared rule of every form."""
    value = value.strip()
    if required and not value:
        raise DeskError("field.required", field=field)
    if len(value) > max_length:
        raise DeskError("field.too_long", field=field, max=max_length)
    # control characters and the invisible marks that reorder a line (a bidi override pasted
    # with a name): refused, naming the character (desk.safe_text.REFUSED)
    if (found := refused_character(value)) is not None:
        raise DeskError("field.control_chars", field=field, char=found)
    if not storable(value):
        raise DeskError("field.bad_characters", field=field)
    return value


def storable(value: str) -> bool:
    """Whether the database can store (or look up) `value`: no lone surrogates."""
    return not _SURROGATE.search(value)


def clean_phone(value: str, *, field: str = "phone", required: bool = False) -> str:
    value = value.strip()
    if not value:
        if required:
            raise DeskError("field.required", field=field)
        return ""
    if not _PHONE.match(value):
        raise DeskError("field.bad_phone", field=field, value=value)
    return value


# a mainland mobile: 11 digits, 1[3-9]…, maybe written +86 / 0086 first
_MOBILE = re.compile(r"(?:\+86|0086)?(1[3-9][0-9]{9})")
# an extension written out: 021-55551234 转 123, … ext 123, … x123, … #123
_EXTENSION = re.compile(r"(?P<number>.+?)\s*(?:转|分机|ext\.?|x|#)\s*(?P<ext>[0-9]{1,6})", re.I)
# … or as a last group after a dash: 021-55551234-123
_DASH_EXTENSION = re.compile(r"(?P<number>.+?)\s*-\s*(?P<ext>[0-9]{1,6})")
_DIALLED = re.compile(r"[0-9\s\-()]+")


def _landline(number: str) -> str | None:
    """`0AA-LLLLLLLL` or `0AAA-LLLLLLL(L)` from a landline as written, None when it is not one.

    Area codes 010 and 020-029 have three digits and 8-digit numbers; every other area code
    (03xx-09xx) has four and 7- or 8-digit numbers; a local number never begins with 0 or 1.
    """
    if not _DIALLED.fullmatch(number):
        return None
    digits = re.sub(r"[^0-9]", "", number)
    if len(digits) < 10 or digits[0] != "0" or digits[1] == "0":
        return None
    if digits[1] == "1" and digits[2] != "0":  # 010 is the only area code in 01x
        return None
    short = digits[1] in "12"
    area, local = (digits[:3], digits[3:]) if short else (digits[:4], digits[4:])
    if local[0] in "01" or len(local) not in ((8,) if short else (7, 8)):
        return None
    return f"{area}-{local}"


def mainland_phone(value: str, *, field: str = "phone") -> str:
    """A mainland mobile (stored as its 11 digits) or a landline with its area code (stored as
    `021-55551234`, an extension as `-123`); spaces and dashes as people write them. Empty stays
    empty; anything else is refused, saying what is expected. Used by the imports, where a
    whole directory arrives at once and a typo cannot be asked about."""
    value = value.strip()
    if not value:
        return ""
    compact = re.sub(r"[\s\-]", "", value)
    mobile = _MOBILE.fullmatch(compact)
    if mobile:
        return mobile.group(1)
    number = _landline(value)
    if number is not None:
        return number
    for pattern in (_EXTENSION, _DASH_EXTENSION):
        match = pattern.fullmatch(value)
        if match and (number := _landline(match.group("number"))) is not None:
            return f"{number}-{match.group('ext')}"
    raise DeskError("field.not_mainland_phone", field=field, value=value)


@dataclass(frozen=True)
class RoomPerson:
    """One active resident of a room, as a form offers them."""

    name: str
    phone: str
    kind: str


@dataclass(frozen=True)
class RoomMatch:
    """A completion candidate: a unit and its first resident on file (`people`: all of them,
    owners first, so that a form offers a choice rather than the first)."""

    code: str
    name: str
    phone: str
    kind: str
    people: tuple[RoomPerson, ...] = ()


def find_unit(ctx: Ctx, text: str) -> Unit | None:
    parsed = parse_room(text)
    if parsed is None:
        return None
    if parsed.building:
        return ctx.session.exec(select(Unit).where(Unit.code == parsed.code)).first()
    units = list(ctx.session.exec(select(Unit).where(Unit.room == parsed.room).limit(2)))
    return units[0] if len(units) == 1 else None


def residents_of(ctx: Ctx, unit_id: int) -> list[Resident]:
    """The room's active residents: owners first, then tenants, then family, each oldest first."""
    rank = case(
        (col(Resident.kind) == ResidentKind.owner.value, 0),
        (col(Resident.kind) == ResidentKind.tenant.value, 1),
        else_=2,
    )
    statement = (
        select(Resident)
        .where(Resident.unit_id == unit_id, col(Resident.active))
        .order_by(rank, col(Resident.id))
    )
    return list(ctx.session.exec(statement))


def complete_room(ctx: Ctx, typed: str, limit: int = 8) -> list[RoomMatch]:
    """Units whose code (or room number) starts with what was typed, with their resident."""
    parsed = parse_room(typed)
    if parsed is None:
        return []
    if parsed.building:
        condition = col(Unit.code).startswith(parsed.code)
    else:
        condition = col(Unit.room).startswith(parsed.room) | col(Unit.code).startswith(parsed.room)
    units = list(
        ctx.session.exec(select(Unit).where(condition).order_by(col(Unit.code)).limit(limit))
    )
    matches = []
    for unit in units:
        assert unit.id is not None
        people = residents_of(ctx, unit.id)
        first = people[0] if people else None
        matches.append(
            RoomMatch(
                unit.code,
                first.name if first else "",
                first.phone if first else "",
                first.kind if first else "",
                tuple(RoomPerson(p.name, p.phone, p.kind) for p in people),
            )
        )
    return matches


def ensure_unit(ctx: Ctx, building: str, room: str) -> Unit:
    """The unit (made if new) of the desk's estate; refused at the call-centre desk before the
    estate of the call is chosen: 3-1202 may be a unit of several estates."""
    if binding.estate_of(ctx.session) is None:
        raise binding.EstateNotChosen()
    building, room = room_part(building.strip()), room_part(room.strip())
    code = f"{building}-{room}"
    unit = ctx.session.exec(select(Unit).where(Unit.code == code)).first()
    if unit is None:
        unit = Unit(building=building, room=room, code=code, created_at=ctx.now)
        ctx.session.add(unit)
        ctx.session.flush()
    return unit


def add_resident(
    ctx: Ctx, building: str, room: str, name: str, phone: str, kind: ResidentKind | str
) -> Resident:
    """Add (or update the phone and kind of) a resident of a unit."""
    unit = ensure_unit(ctx, building, room)
    assert unit.id is not None
    existing = ctx.session.exec(
        select(Resident).where(Resident.unit_id == unit.id, Resident.name == name)
    ).first()
    if existing is not None:
        existing.phone, existing.kind = phone, ResidentKind(kind)
        ctx.session.add(existing)
        audit.record(ctx, "residents", existing.id, "updated", {"phone": phone, "kind": kind})
        return existing
    resident = Resident(
        unit_id=unit.id,
        name=name,
        phone=phone,
        kind=ResidentKind(kind),
        operator_id=ctx.operator_id,
        created_at=ctx.now,
    )
    ctx.session.add(resident)
    ctx.session.flush()
    audit.record(ctx, "residents", resident.id, "created", {"unit": unit.code, "name": name})
    return resident
