"""Residents CSV import: read UTF-8 or GBK, validate every line, then import all or only the good.

Columns (English or Chinese headers, in any order): building/楼栋, room/房号, name/姓名,
phone/电话, kind/类型 (owner/业主 or tenant/租户; empty means owner). The building may also be
written in the room (3-1202) and left out of the building column.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import select

from desk.models import Resident, ResidentKind, Unit
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.residents import add_resident, clean_phone, clean_text, parse_room

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
}
_BUILDING_SUFFIX = re.compile(r"\s*(?:栋|幢|座|号楼|號樓|棟)$")
# a building as a room code can name it (see residents.parse_room)
_BUILDING = re.compile(r"[0-9A-Z]{1,6}")


@dataclass(frozen=True)
class ResidentLine:
    """One valid line of the file, ready to import."""

    line: int
    building: str
    room: str
    name: str
    phone: str
    kind: ResidentKind


@dataclass(frozen=True)
class BadLine:
    line: int
    reason: str


@dataclass
class ImportResult:
    """What an import did; `imported` is False when bad lines stopped it."""

    good: list[ResidentLine] = field(default_factory=list)
    bad: list[BadLine] = field(default_factory=list)
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    imported: bool = False


def decode(data: bytes) -> str:
    """UTF-8 (with or without a BOM) first, then GB18030 (a superset of GBK and GB2312)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise DeskError("csv_import.unreadable") from exc


def rows(reader: Any) -> Iterator[list[str]]:
    """The rows of a csv reader; a line the csv module cannot read refuses the whole file."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # e.g. a cell over the csv module's 128 KiB limit
            raise DeskError("csv_import.bad_csv", line=reader.line_num) from exc
        yield row


def _header_map(header: list[str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        column = _HEADERS.get(title.strip().lower())
        if column is not None and column not in positions:
            positions[column] = index
    for column in ("room", "name"):
        if column not in positions:
            raise DeskError("csv_import.missing_column", column=column)
    return positions


def _check_line(ctx: Ctx, number: int, cells: dict[str, str]) -> ResidentLine:
    """Validate one line; raise DeskError with the first reason it is bad."""
    building = _BUILDING_SUFFIX.sub("", cells.get("building", "").strip()).upper()
    if building and not _BUILDING.fullmatch(building):
        raise DeskError("csv_import.bad_building", value=building)
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
    if known and building not in {b.upper() for b in known}:
        raise DeskError("csv_import.unknown_building", value=building)
    name = clean_text(cells.get("name", ""), 60, field="name", required=True)
    phone = clean_phone(cells.get("phone", ""))
    kind_text = cells.get("kind", "").strip()
    kind = _KINDS.get(kind_text.lower())
    if kind is None:
        raise DeskError("csv_import.bad_kind", value=kind_text)
    return ResidentLine(number, building, parsed.room, name, phone, kind)


def check(ctx: Ctx, text: str) -> ImportResult:
    """Read and validate the whole file without writing anything."""
    reader = csv.reader(io.StringIO(text, newline=""))
    lines = rows(reader)
    header = next(lines, None)
    if header is None or not any(cell.strip() for cell in header):
        raise DeskError("csv_import.empty")
    positions = _header_map(header)
    result = ImportResult()
    seen: dict[tuple[str, str, str], int] = {}
    for row in lines:
        number = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        cells = {col: row[i] if i < len(row) else "" for col, i in positions.items()}
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
        result.good.append(line)
    return result


def _existing(ctx: Ctx, line: ResidentLine) -> Resident | None:
    statement = (
        select(Resident)
        .join(Unit, Resident.unit_id == Unit.id)  # type: ignore[arg-type]
        .where(Unit.code == f"{line.building}-{line.room}", Resident.name == line.name)
    )
    return ctx.session.exec(statement).first()


def import_text(ctx: Ctx, text: str, *, skip_bad: bool = False) -> ImportResult:
    """Validate every line, then import them all — or, with `skip_bad`, only the good ones.

    Runs inside the caller's write transaction; each added or changed resident is an audit event
    (through `residents.add_resident`). Lines already on file with the same phone and kind are
    left alone.
    """
    result = check(ctx, text)
    if result.bad and not skip_bad:
        return result
    for line in result.good:
        existing = _existing(ctx, line)
        if existing is not None and (existing.phone, existing.kind) == (line.phone, line.kind):
            result.unchanged += 1
            continue
        add_resident(ctx, line.building, line.room, line.name, line.phone, line.kind)
        if existing is None:
            result.added += 1
        else:
            result.updated += 1
    result.imported = True
    return result


def import_bytes(ctx: Ctx, data: bytes, *, skip_bad: bool = False) -> ImportResult:
    return import_text(ctx, decode(data), skip_bad=skip_bad)
