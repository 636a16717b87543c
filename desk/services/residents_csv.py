"""A residents CSV file read honestly and checked line by line, before anything is written.

Columns (English or Chinese headers, in any order): building/楼栋, room/房号, name/姓名,
phone/电话, kind/类型. The `kind` column must be there (owner/业主, tenant/租户 or family/家属;
an empty cell means owner); the building may also be written in the room (3-1202) and left out
of the building column. Phones are mainland numbers (desk.services.residents.mainland_phone).

The file is read by desk.services.csv_reading (shared with the key cabinet import): UTF-8, or
Chinese GBK when the text reads as Chinese, or the encoding named; else refused with the line
and its bytes. `check` reads and validates the whole file and looks at nothing stored (the CLI
runs it before it opens a write transaction); it also makes each good line's lookup document,
so that the write (desk.services.residents_import) does not hold the write lock for it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from desk.models import ResidentKind
from desk.services import search_index, search_sources
from desk.services.context import Ctx
from desk.services.csv_reading import lines
from desk.services.errors import DeskError
from desk.services.residents import clean_text, mainland_phone, parse_room, room_part

COLUMNS = ("building", "room", "name", "phone", "kind")
_HEADERS = {
    "building": "building",
    "楼栋": "building",
    "楼号": "building",
    "樓棟": "building",
    "room": "room",
    "房号": "room",
    "房號": "room",
    "房间号": "room",
    "name": "name",
    "姓名": "name",
    "phone": "phone",
    "电话": "phone",
    "電話": "phone",
    "手机": "phone",
    "kind": "kind",
    "类型": "kind",
    "類型": "kind",
    "身份": "kind",
}


_KINDS = {
    "": ResidentKind.owner,
    "owner": ResidentKind.owner,
    "业主": ResidentKind.owner,
    "業主": ResidentKind.owner,
    "tenant": ResidentKind.tenant,
    "租户": ResidentKind.tenant,
    "租戶": ResidentKind.tenant,
    "租客": ResidentKind.tenant,
    "family": ResidentKind.family,
    "家属": ResidentKind.family,
    "家屬": ResidentKind.family,
    "家庭成员": ResidentKind.family,
}


_BUILDING_SUFFIX = re.compile(r"\s*(?:栋|幢|座|号楼|號樓|棟)$")
# a building as a room code can name it (see residents.parse_room)
_BUILDING = re.compile(r"[0-9A-Z]{1,6}")
# more residents than this listed in one room is a mistake (a room column filled down in a
# spreadsheet), and would make one long write: a room is always written in one transaction
MAX_PER_ROOM = 100


@dataclass(frozen=True)
class ResidentLine:
    """One valid line of the file, ready to import."""

    line: int
    building: str
    room: str
    name: str
    phone: str
    kind: ResidentKind

    @property
    def code(self) -> str:
        return f"{self.building}-{self.room}"


@dataclass(frozen=True)
class BadLine:
    line: int
    reason: str


@dataclass
class ImportResult:
    """What an import did; `imported` is False when bad lines stopped it.

    `moved_out` counts, by room, the residents `--replace` made inactive.
    """

    good: list[ResidentLine] = field(default_factory=list)
    bad: list[BadLine] = field(default_factory=list)
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    moved_out: dict[str, int] = field(default_factory=dict)
    imported: bool = False
    written: int = 0  # good lines written so far (all of them once `imported`)
    # made by `check`, outside the write lock: each good line's lookup document (its record id
    # and time filled in when written) and its FTS5 tokens
    documents: list[tuple[dict[str, Any], dict[str, str]]] = field(default_factory=list)


def _check_line(ctx: Ctx, number: int, cells: dict[str, str]) -> ResidentLine:
    """Validate one line; raise DeskError with the first reason it is bad."""
    building = _BUILDING_SUFFIX.sub("", cells.get("building", "").strip()).upper()
    if building and not _BUILDING.fullmatch(building):
        raise DeskError("csv_import.bad_building", value=building)
    building = room_part(building) if building else ""
    room_text = cells.get("room", "").strip()
    if not room_text:
        raise DeskError("field.required", field="room")
    parsed = parse_room(room_text)
    if parsed is None:
        raise DeskError("csv_import.bad_room", value=room_text)
    if parsed.building:
        if building and building != parsed.building:
            raise DeskError(
                "csv_import.building_conflict",
                room_building=parsed.building,
                building=building,
            )
        building = parsed.building
    if not building:
        raise DeskError("csv_import.building_required")
    known = ctx.settings.buildings
    if known and building not in {room_part(b.strip()) for b in known}:
        raise DeskError("csv_import.unknown_building", value=building)
    name = clean_text(cells.get("name", ""), 60, field="name", required=True)
    phone = mainland_phone(cells.get("phone", ""))
    kind_text = cells.get("kind", "").strip()
    kind = _KINDS.get(kind_text.lower())
    if kind is None:
        raise DeskError("csv_import.bad_kind", value=kind_text)
    return ResidentLine(number, building, parsed.room, name, phone, kind)


def check(ctx: Ctx, text: str) -> ImportResult:
    """Read and validate the whole file; reads nothing stored and writes nothing."""
    result = ImportResult()
    seen: dict[tuple[str, str, str], int] = {}
    per_room: dict[str, int] = defaultdict(int)
    for number, cells in lines(
        text, _HEADERS, ("room", "name", "kind"), "csv_import.missing_column"
    ):
        try:
            line = _check_line(ctx, number, cells)
        except DeskError as error:
            result.bad.append(BadLine(number, error.message))
            continue
        key = (line.building, line.room, line.name)
        if key in seen:
            result.bad.append(
                BadLine(number, DeskError("csv_import.duplicate", line=seen[key]).message)
            )
            continue
        seen[key] = number
        per_room[line.code] += 1
        if per_room[line.code] > MAX_PER_ROOM:
            result.bad.append(
                BadLine(
                    number,
                    DeskError(
                        "csv_import.room_too_full", room=line.code, most=MAX_PER_ROOM
                    ).message,
                )
            )
            continue
        result.good.append(line)
    result.documents = _documents(ctx, result.good)
    return result


def _documents(ctx: Ctx, lines: list[ResidentLine]) -> list[tuple[dict[str, Any], dict[str, str]]]:
    """What a new resident of each line will be in the lookup index (search_index.document),
    made before the write so that the write lock is not held for it."""
    if not lines:
        return []
    source = search_sources.BY_REGISTER["residents"]
    conn = ctx.session.connection()  # not read from: the room is given
    made = []
    for line in lines:
        row = Stored(0, 0, line.name, line.phone, line.kind.value, True, ctx.operator_id, ctx.now)
        doc = search_index.document(conn, source, row, line.code)
        made.append((doc, search_index.fts_row(source.register, doc["person"], doc["body"])))
    return made


@dataclass
class Stored:
    """A resident on file, as loaded for the import (a row, not an ORM object)."""

    id: int
    unit_id: int
    name: str
    phone: str
    kind: str
    active: bool
    operator_id: int | None
    created_at: datetime
    # the ID seen in person (desk.services.id_numbers): its kind and last 4 characters
    id_kind: str = ""
    id_last4: str = ""
