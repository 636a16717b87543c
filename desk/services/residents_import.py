"""Writing a checked residents file (desk.services.residents_csv): short bulk transactions.

Writing happens in two steps so that the write lock is held for as short a time as possible:
`check` (desk.services.residents_csv) reads and validates the whole file and looks at nothing
stored (the CLI runs it before it opens a write transaction); `write` then, in the caller's write
transaction, loads the units and the residents of the file's rooms in a few queries and writes
new units, new residents, changes and move-outs with one executemany each, one audit event per
resident, and the residents' lookup documents (desk.services.search_index's after_flush listener
does not see core inserts, so they are written in bulk): residents through
desk.services.resident_records, the one way an owner record change writes them too.

A file of more than PART_LINES lines is written in parts (`write_in_parts`), each its own
short transaction with a pause between them, so that another desk's save waits well under a
second however long the file (one transaction for 20,000 residents held the write lock for 3 s
on the office PC: SQLite's own inserts and index updates, not Python, are most of it). A room's
lines are always in one part, so `--replace` moves out a room's unlisted residents in the same
transaction that writes the room's list. Parts already written stay written when a later one
fails (a power cut): they are whole rooms, and the same import run again finishes the file
(the lines written already are unchanged).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import Connection, select

from desk.models import Resident, Unit
from desk.services import resident_records
from desk.services.bulk import insert_many
from desk.services.context import Ctx
from desk.services.csv_reading import decode
from desk.services.errors import DeskError
from desk.services.resident_records import BY_IMPORT, NewResident
from desk.services.residents_csv import ImportResult, ResidentLine, Stored, check

_UNITS = Unit.__table__  # type: ignore[attr-defined]
_RESIDENTS = Resident.__table__  # type: ignore[attr-defined]
# how many ids one IN (...) carries: well under every SQLite's limit on bound parameters
_CHUNK = 500


def _unit_ids(conn: Connection, codes: list[str], estate: int) -> dict[str, int]:
    found: dict[str, int] = {}
    for first in range(0, len(codes), _CHUNK):
        chunk = codes[first : first + _CHUNK]
        query = select(_UNITS.c.code, _UNITS.c.id).where(
            _UNITS.c.code.in_(chunk), _UNITS.c.estate_id == estate
        )
        found.update({code: unit_id for code, unit_id in conn.execute(query)})
    return found


def _residents_of(conn: Connection, unit_ids: list[int]) -> list[Stored]:
    columns = [_RESIDENTS.c[name] for name in Stored.__dataclass_fields__]
    stored: list[Stored] = []
    for first in range(0, len(unit_ids), _CHUNK):
        chunk = unit_ids[first : first + _CHUNK]
        query = select(*columns).where(_RESIDENTS.c.unit_id.in_(chunk))
        stored.extend(Stored(*row) for row in conn.execute(query.order_by(_RESIDENTS.c.id)))
    return stored


def _ensure_units(ctx: Ctx, conn: Connection, lines: list[ResidentLine]) -> dict[str, int]:
    """The id of every unit the lines name; the missing ones are created (one executemany)."""
    wanted = {line.code: line for line in lines}
    estate = resident_records.estate(ctx)
    units = _unit_ids(conn, sorted(wanted), estate)
    missing = [line for code, line in wanted.items() if code not in units]
    ids = insert_many(
        conn,
        _UNITS,
        [
            {
                "building": m.building,
                "room": m.room,
                "code": m.code,
                "created_at": ctx.now,
                "estate_id": estate,
            }
            for m in missing
        ],
    )
    units.update({m.code: unit_id for m, unit_id in zip(missing, ids, strict=True)})
    return units


def write(
    ctx: Ctx, result: ImportResult, *, skip_bad: bool = False, replace: bool = False
) -> ImportResult:
    """Write the checked lines in the caller's write transaction, in bulk.

    Bad lines stop it unless `skip_bad`. A line for a resident already on file (same room and
    name) with the same phone and kind is left alone; otherwise the resident is updated (and is
    active again). With `replace`, the active residents of the file's rooms whom it no longer
    lists are moved out (made inactive) — and then every line must be good: a skipped line
    would make its resident look gone. Every resident created, changed or moved out is an audit
    event naming the acting operator, who must be signed in: written by
    desk.services.resident_records, as an owner record change writes its own.
    """
    if result.bad and replace:
        raise DeskError("csv_import.replace_needs_every_line", count=len(result.bad))
    if result.bad and not skip_bad:
        return result
    ctx.acting()
    ctx.session.flush()
    conn = ctx.session.connection()
    units = _ensure_units(ctx, conn, result.good)
    rooms = {unit_id: code for code, unit_id in units.items()}
    stored = _residents_of(conn, sorted(rooms))
    on_file = {(row.unit_id, row.name): row for row in reversed(stored)}  # the oldest wins
    listed: dict[int, set[str]] = defaultdict(set)
    new: list[NewResident] = []
    made: list[tuple[dict[str, Any], dict[str, str]]] = []
    edits: list[tuple[Stored, dict[str, Any]]] = []
    for index, line in enumerate(result.good):
        unit_id = units[line.code]
        listed[unit_id].add(line.name)
        row = on_file.get((unit_id, line.name))
        if row is None:
            new.append(NewResident(unit_id, line.code, line.name, line.phone, line.kind.value))
            made.append(result.documents[index])
        elif (row.phone, row.kind, row.active) == (line.phone, line.kind.value, True):
            result.unchanged += 1
        else:
            values: dict[str, Any] = {
                name: value
                for name, value in (("phone", line.phone), ("kind", line.kind.value))
                if getattr(row, name) != value
            }
            if not row.active:
                values["active"] = True
            edits.append((row, values))
    # the moved-out residents are among `stored`, and none of them was listed: not in `edits`
    moved = [
        row for row in stored if replace and row.active and row.name not in listed[row.unit_id]
    ]
    created = resident_records.create(ctx, new, by=BY_IMPORT, documents=made)
    resident_records.change(
        ctx, edits + [(row, {"active": False}) for row in moved], rooms, by=BY_IMPORT
    )
    for row in moved:
        result.moved_out[rooms[row.unit_id]] = result.moved_out.get(rooms[row.unit_id], 0) + 1
    ctx.session.expire_all()  # residents the session had loaded were changed underneath it
    result.added, result.updated = len(created), len(edits)
    result.written = len(result.good)
    result.imported = True
    return result


PART_LINES = 2_000  # lines written in one transaction: about 0.3 s of write lock
PAUSE_SECONDS = 0.15  # between parts: longer than SQLite's longest busy-wait sleep (0.1 s)


def parts(result: ImportResult, size: int | None = None) -> list[ImportResult]:
    """The good lines in parts of at most `size` (PART_LINES) lines, each room's lines in one
    part (a room listed on more lines than that is a part alone), in the file's order of rooms."""
    size = size or PART_LINES
    by_room: dict[str, list[int]] = defaultdict(list)
    for index, line in enumerate(result.good):
        by_room[line.code].append(index)
    groups: list[list[int]] = [[]]
    for indexes in by_room.values():
        if groups[-1] and len(groups[-1]) + len(indexes) > size:
            groups.append([])
        groups[-1].extend(indexes)
    return [
        ImportResult(
            good=[result.good[i] for i in sorted(group)],
            bad=result.bad,
            documents=[result.documents[i] for i in sorted(group)] if result.documents else [],
        )
        for group in groups
    ]


def write_in_parts(
    transaction: Callable[[], AbstractContextManager[Ctx]],
    result: ImportResult,
    *,
    skip_bad: bool = False,
    replace: bool = False,
    size: int | None = None,
) -> ImportResult:
    """`write` the checked lines part by part, each in a transaction `transaction()` opens.

    `result` tells, as the parts are written, how many lines are (`written`); when a part
    fails, the parts before it stay written, and the same import run again finishes the file.
    """
    if result.bad and replace:
        raise DeskError("csv_import.replace_needs_every_line", count=len(result.bad))
    if result.bad and not skip_bad:
        return result
    for number, part in enumerate(parts(result, size)):
        if number:  # let another desk's waiting save in (back to back, its busy-wait misses)
            time.sleep(PAUSE_SECONDS)
        with transaction() as ctx:
            write(ctx, part, skip_bad=skip_bad, replace=replace)
        result.added += part.added
        result.updated += part.updated
        result.unchanged += part.unchanged
        for room, count in part.moved_out.items():
            result.moved_out[room] = result.moved_out.get(room, 0) + count
        result.written += len(part.good)
    result.imported = True
    return result


def import_text(
    ctx: Ctx, text: str, *, skip_bad: bool = False, replace: bool = False
) -> ImportResult:
    """Check every line, then write them all — or, with `skip_bad`, only the good ones — in the
    caller's write transaction (see `write`)."""
    return write(ctx, check(ctx, text), skip_bad=skip_bad, replace=replace)


def import_bytes(
    ctx: Ctx,
    data: bytes,
    *,
    skip_bad: bool = False,
    replace: bool = False,
    encoding: str | None = None,
) -> ImportResult:
    return import_text(ctx, decode(data, encoding), skip_bad=skip_bad, replace=replace)
