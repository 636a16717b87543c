"""Key cabinet CSV import: every line validated, then all imported — or only the good ones.

Columns (English or Chinese headers, any order): tag/编号, opens/用途, kind/类型 (unit/单元 or
facility/设施; empty: a unit key when a room is given), room/房号, copies/数量 (empty: 1),
hook/挂钩位置, note/备注. A tag already in the cabinet is updated when anything differs (and a
retired key listed again is back in the cabinet). The file is read as the residents import reads
its own (desk.services.csv_reading.decode): UTF-8, Chinese GBK, or the encoding named.

Loading the cabinet is a supervisor's act (CABINET_IMPORT): it can bring back a retired key and
change how many copies every count expects, which only a supervisor may do one key at a time.
`check` needs no transaction; `write` runs in the caller's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from desk.models import Key, KeyKind
from desk.services import audit
from desk.services import keys_cabinet as keys
from desk.services.context import Ctx
from desk.services.csv_reading import decode, lines
from desk.services.errors import DeskError
from desk.services.limits import clean_column
from desk.services.residents import normalise_room
from desk.services.residents_csv import BadLine
from desk.services.roles import CABINET_IMPORT

_HEADERS = {
    "tag": "tag",
    "编号": "tag",
    "編號": "tag",
    "钥匙编号": "tag",
    "opens": "opens",
    "用途": "opens",
    "kind": "kind",
    "类型": "kind",
    "類型": "kind",
    "room": "room",
    "房号": "room",
    "房號": "room",
    "copies": "copies",
    "数量": "copies",
    "數量": "copies",
    "hook": "hook",
    "挂钩位置": "hook",
    "掛鉤位置": "hook",
    "挂钩": "hook",
    "note": "note",
    "备注": "note",
    "備註": "note",
}


@dataclass(frozen=True)
class KeyLine:
    line: int
    tag: str
    opens: str
    kind: KeyKind
    room: str
    copies: int
    hook: str
    note: str


@dataclass
class CabinetImport:
    """What an import did; `imported` is False when bad lines stopped it."""

    good: list[KeyLine] = field(default_factory=list)
    bad: list[BadLine] = field(default_factory=list)
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    imported: bool = False


def _check_line(number: int, cells: dict[str, str]) -> KeyLine:
    tag = keys.clean_tag(cells.get("tag", ""))
    opens = clean_column(cells.get("opens", ""), Key, "opens", required=True)
    room = normalise_room(clean_column(cells.get("room", ""), Key, "room"))
    kind = keys.parse_kind(cells.get("kind", ""), room)
    copies_text = cells.get("copies", "").strip() or "1"
    if not copies_text.isdecimal() or len(copies_text) > 3:  # not "²", not 5,000 digits
        raise DeskError("key_error.bad_copies", field="copies", max=keys.MAX_COPIES)
    copies = int(copies_text)
    if not 1 <= copies <= keys.MAX_COPIES:
        raise DeskError("key_error.bad_copies", field="copies", max=keys.MAX_COPIES)
    hook = clean_column(cells.get("hook", ""), Key, "hook")
    note = clean_column(cells.get("note", ""), Key, "note")
    return KeyLine(number, tag, opens, kind, room, copies, hook, note)


def check(text: str) -> CabinetImport:
    """Read and validate the whole file without writing anything."""
    result = CabinetImport()
    seen: dict[str, int] = {}
    for number, cells in lines(text, _HEADERS, ("tag", "opens"), "keys_import.missing_column"):
        try:
            line = _check_line(number, cells)
        except DeskError as error:
            result.bad.append(BadLine(number, error.message))
            continue
        if line.tag in seen:
            reason = DeskError("keys_import.duplicate", line=seen[line.tag], tag=line.tag)
            result.bad.append(BadLine(number, reason.message))
            continue
        seen[line.tag] = number
        result.good.append(line)
    return result


def _same(key: Key, line: KeyLine) -> bool:
    mine = (key.opens, key.kind, key.room, key.copies, key.hook, key.note, key.active)
    return mine == (line.opens, line.kind, line.room, line.copies, line.hook, line.note, True)


def write(ctx: Ctx, result: CabinetImport, *, skip_bad: bool = False) -> CabinetImport:
    """Write the checked lines in the caller's write transaction — all of them, or with
    `skip_bad` only the good ones; each added or changed key is an audit event. A supervisor's
    act (CABINET_IMPORT)."""
    CABINET_IMPORT.require(ctx)
    if result.bad and not skip_bad:
        return result
    for line in result.good:
        existing = keys.by_tag(ctx, line.tag)
        if existing is None:
            keys.add_key(
                ctx, line.tag, line.opens, line.kind, line.room, line.copies, line.hook, line.note
            )
            result.added += 1
            continue
        if _same(existing, line):
            result.unchanged += 1
            continue
        assert existing.id is not None
        keys.update_key(
            ctx,
            existing.id,
            tag=line.tag,
            opens=line.opens,
            kind=line.kind,
            room=line.room,
            copies=line.copies,
            hook=line.hook,
            note=line.note,
        )
        if not existing.active:  # listed again: back in the cabinet, and said so
            existing.active = True
            ctx.session.add(existing)
            audit.record(ctx, keys.REGISTER, existing.id, "reactivated", {"active": True})
        result.updated += 1
    result.imported = True
    return result


def import_text(ctx: Ctx, text: str, *, skip_bad: bool = False) -> CabinetImport:
    """Validate every line, then import them all — or, with `skip_bad`, only the good ones."""
    return write(ctx, check(text), skip_bad=skip_bad)


def import_cabinet(
    ctx: Ctx, data: bytes, skip_bad: bool = False, encoding: str | None = None
) -> CabinetImport:
    """The cabinet from CSV bytes (UTF-8, Chinese GBK, or in `encoding`)."""
    return import_text(ctx, decode(data, encoding), skip_bad=skip_bad)
