"""Bad input everywhere, the two CSV imports: residents and the key cabinet, from any file —
any cells, any headers, broken quoting, huge fields, NUL, any bytes in any encoding.

The property of an import: refused as a whole (DeskError, nothing written), or every line
judged — with bad lines nothing is written unless skipping them was asked for — and every good
line is then on file exactly as the line gave it.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from hypothesis import event, example, given
from hypothesis import strategies as st
from sqlmodel import select

from desk.db import Database
from desk.models import Key, Resident, Unit
from desk.services import keys_import, residents_csv, residents_import
from desk.services.residents import normalise_room
from tests.conftest import Desk
from tests.property_support import (
    PROPERTY,
    any_text,
    attempt,
    phones,
    rooms,
    snapshot,
)

# what an imported phone is stored as (desk.services.residents.mainland_phone)
MAINLAND = re.compile(
    r"1[3-9][0-9]{9}|0(?:10|2[0-9])-[2-9][0-9]{7}(?:-[0-9]{1,6})?"
    r"|0[3-9][0-9]{2}-[2-9][0-9]{6,7}(?:-[0-9]{1,6})?"
)
UNSAFE = str.maketrans("", "", "".join(chr(c) for c in range(32) if chr(c) != "\n"))


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _files(header: st.SearchStrategy[list[str]], row: st.SearchStrategy[list[str]]) -> Any:
    """Well-formed CSV of such rows, or the same mangled: raw joins, a huge field, NUL."""
    table = st.tuples(header, st.lists(row, min_size=1, max_size=5))
    well_formed = table.map(lambda t: _csv([t[0], *t[1]]))
    raw = table.map(lambda t: "\n".join(",".join(cells) for cells in [t[0], *t[1]]))
    huge = header.map(lambda h: _csv([h]) + ",".join(["x" * 140_000] * len(h)) + "\n")
    broken = well_formed.map(lambda text: text + '"unterminated,\x00\n')
    mangled = st.one_of(raw, huge, broken, any_text)
    return st.sampled_from([True, True, True, False]).flatmap(
        lambda good: well_formed if good else mangled
    )


def _rows(nice: list[Any], wild: list[Any]) -> Any:
    """A row of ordinary cells, often with one cell replaced by anything."""
    plain = st.tuples(*nice).map(list)

    def spoil(index: int) -> Any:
        if index < 0:
            return plain
        return st.tuples(plain, wild[index]).map(
            lambda t: [*t[0][:index], t[1], *t[0][index + 1 :]]
        )

    return st.integers(min_value=-1, max_value=len(nice) - 1).flatmap(spoil)


def _clean(text: str) -> bool:
    return text == text.translate(UNSAFE) and text == text.strip()


# --- residents ------------------------------------------------------------------------------

resident_headers = st.one_of(
    st.just(["building", "room", "name", "phone", "kind"]),
    st.just(["building", "room", "name", "phone", "kind"]),
    st.just(["楼栋", "房号", "姓名", "电话", "类型"]),
    st.just(["楼栋", "房号", "姓名", "电话", "类型"]),
    st.just(["room", "name"]),
    st.just(["Building ", " ROOM", "Name", "phone", "kind", "room"]),
    st.lists(st.one_of(st.sampled_from(["room", "name", "电话"]), any_text), max_size=5),
)
resident_cells = _rows(
    [
        st.sampled_from(["3", "5", "3栋"]),
        st.sampled_from(["1202", "0301", "6-801"]),
        st.sampled_from(["李明", "王丽", "赵强"]),
        st.sampled_from(["13812345678", "", "021-5555 1234"]),
        st.sampled_from(["", "owner", "租客"]),
    ],
    [
        st.one_of(st.sampled_from(["9", "", "b", "3" * 40]), any_text),
        rooms,
        any_text,
        phones,
        st.one_of(st.sampled_from(["tenant", "Owner", "业主"]), any_text),
    ],
)


# a file whose every line is good (a --replace must have one)
good_residents = st.lists(
    st.tuples(
        st.sampled_from(["3", "5"]),
        st.sampled_from(["1202", "0301"]),
        st.sampled_from(["李明", "王丽", "赵强", "孙芳"]),
        st.sampled_from(["13812345678", ""]),
        st.sampled_from(["owner", "tenant"]),
    ),
    min_size=1,
    max_size=4,
    unique_by=lambda row: row[:3],
).map(lambda rows: _csv([["building", "room", "name", "phone", "kind"], *map(list, rows)]))


any_or_good_residents = st.one_of(good_residents, _files(resident_headers, resident_cells))


def _directory(db: Database) -> set[tuple[str, str, str, str]]:
    with db.reading() as session:
        rows = session.exec(
            select(Unit.code, Resident.name, Resident.phone, Resident.kind).join(Resident)
        )
        return {(code, name, phone, str(kind)) for code, name, phone, kind in rows}


def _check_residents(desk: Desk, text: str, skip_bad: bool, replace: bool = False) -> None:
    before = snapshot(desk.db)
    result = attempt(
        desk,
        lambda ctx: residents_import.import_text(ctx, text, skip_bad=skip_bad, replace=replace),
    )
    if result is None:
        return
    for bad in result.bad:
        assert bad.reason and bad.reason == bad.reason.translate(UNSAFE)
        bad.reason.encode("utf-8")
    if result.bad and not skip_bad:
        assert not result.imported
        assert snapshot(desk.db) == before
        return
    assert result.imported
    event(f"imported {min(len(result.good), 2)}+ lines, {min(len(result.bad), 1)}+ bad")
    on_file = _directory(desk.db)
    for line in result.good:
        assert _clean(line.name) and _clean(line.building) and _clean(line.room)
        assert 0 < len(line.name) <= 60 and len(f"{line.building}-{line.room}") <= 45
        assert line.phone == "" or MAINLAND.fullmatch(line.phone), line.phone
        assert (f"{line.building}-{line.room}", line.name, line.phone, line.kind) in on_file


@PROPERTY
@given(text=_files(resident_headers, resident_cells), skip_bad=st.booleans())
@example(text="building,room,name\n3," + "x" * 140_000 + ",李明\n", skip_bad=True)
@example(text="building,room,name\n3,1202,\ud800\n", skip_bad=True)
def test_importing_residents_from_any_file(desk: Desk, text: str, skip_bad: bool) -> None:
    _check_residents(desk, text, skip_bad)


@PROPERTY
@given(text=_files(resident_headers, resident_cells), skip_bad=st.booleans())
@example(text="building,room,name\n\x1b[2J,1202,李明\n", skip_bad=False)
@example(text="building,room,name\n" + "B" * 50 + ",1202,李明\n", skip_bad=False)
@example(text="building,room,name\n\ud800,1202,李明\n", skip_bad=False)
def test_importing_residents_where_any_building_goes(desk: Desk, text: str, skip_bad: bool) -> None:
    desk.db.settings = desk.db.settings.model_copy(update={"buildings": []})
    _check_residents(desk, text, skip_bad)


@PROPERTY
@given(first=any_or_good_residents, then=any_or_good_residents)
def test_replacing_residents_moves_out_only_the_unlisted_of_the_rooms_listed(
    desk: Desk, first: str, then: str
) -> None:
    """Two imports, the second with --replace: whoever was active in a room the second file
    lists and is not on it is inactive; everyone else is as the first import left them."""
    _check_residents(desk, first, skip_bad=True)
    before = _everyone(desk.db)
    _check_residents(desk, then, skip_bad=False, replace=True)
    after = _everyone(desk.db)
    if after == before:
        return
    with desk.read() as ctx:
        result = residents_csv.check(ctx, then)
    listed = {(line.code, line.name) for line in result.good}
    rooms = {code for code, _name in listed}
    event("replaced")
    for (code, name), active in before.items():
        if (code, name) in listed:
            assert after[(code, name)] is True
        elif code in rooms:
            assert after[(code, name)] is False
        else:
            assert after[(code, name)] == active


def _everyone(db: Database) -> dict[tuple[str, str], bool]:
    with db.reading() as session:
        rows = session.exec(select(Unit.code, Resident.name, Resident.active).join(Resident))
        return {(code, name): bool(active) for code, name, active in rows}


encodings = st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "latin-1"])


def _any_bytes(
    header: st.SearchStrategy[list[str]], row: st.SearchStrategy[list[str]]
) -> st.SearchStrategy[bytes]:
    """Any bytes at all, or a CSV file of such rows in one of the encodings."""
    return st.one_of(
        st.binary(max_size=200),
        st.tuples(_files(header, row), encodings).map(
            lambda t: t[0].encode(t[1], errors="replace")
        ),
    )


@PROPERTY
@given(data=_any_bytes(resident_headers, resident_cells), skip_bad=st.booleans())
def test_importing_residents_from_any_bytes(desk: Desk, data: bytes, skip_bad: bool) -> None:
    before = snapshot(desk.db)
    result = attempt(desk, lambda ctx: residents_import.import_bytes(ctx, data, skip_bad=skip_bad))
    if result is not None and result.bad and not skip_bad:
        assert snapshot(desk.db) == before


# --- the key cabinet ----------------------------------------------------------------------


# Loading the key cabinet is a supervisor's act: the tests below load it as `boss`.

key_headers = st.one_of(
    st.just(["tag", "opens", "kind", "room", "copies", "hook", "note"]),
    st.just(["tag", "opens", "kind", "room", "copies", "hook", "note"]),
    st.just(["编号", "用途", "类型", "房号", "数量", "挂钩位置", "备注"]),
    st.just(["编号", "用途", "类型", "房号", "数量", "挂钩位置", "备注"]),
    st.just(["tag", "opens"]),
    st.lists(st.one_of(st.sampled_from(["tag", "opens", "数量"]), any_text), max_size=5),
)
key_cells = _rows(
    [
        st.sampled_from(["K-1", "k-2", "钥匙3", "K/4.5#6"]),
        st.sampled_from(["水泵房", "配电房"]),
        st.sampled_from(["", "设施", "unit"]),
        st.sampled_from(["", "3-1202"]),
        st.sampled_from(["", "1", "2", " 3 "]),
        st.sampled_from(["", "A-01"]),
        st.sampled_from(["", "备用"]),
    ],
    [
        st.one_of(st.sampled_from(["", "-x", "K" * 41]), any_text),
        any_text,
        st.one_of(st.sampled_from(["UNIT", "房屋"]), any_text),
        rooms,
        st.one_of(st.sampled_from(["100", "0", "-1", "²", "١٢", "1.5", "9" * 30]), any_text),
        any_text,
        any_text,
    ],
)


@PROPERTY
@given(text=_files(key_headers, key_cells), skip_bad=st.booleans())
@example(text="tag,opens,copies\nK-1,水泵房,²\n", skip_bad=False)
@example(text="tag,opens,copies\nK-1,水泵房," + "9" * 5000 + "\n", skip_bad=False)
@example(text="tag,opens\n" + "x" * 140_000 + ",水泵房\n", skip_bad=False)
def test_importing_the_key_cabinet_from_any_file(boss: Desk, text: str, skip_bad: bool) -> None:
    desk = boss
    before = snapshot(desk.db)
    result = attempt(desk, lambda ctx: keys_import.import_text(ctx, text, skip_bad=skip_bad))
    if result is None:
        return
    for bad in result.bad:
        assert bad.reason and bad.reason == bad.reason.translate(UNSAFE)
        bad.reason.encode("utf-8")
    if result.bad and not skip_bad:
        assert not result.imported
        assert snapshot(desk.db) == before
        return
    assert result.imported
    event(f"imported {min(len(result.good), 2)}+ keys, {min(len(result.bad), 1)}+ bad")
    with desk.read() as ctx:
        cabinet = {key.tag: key for key in ctx.session.exec(select(Key))}
    for line in result.good:
        key = cabinet[line.tag]
        assert (key.opens, key.kind, key.room, key.copies, key.hook, key.note) == (
            line.opens,
            line.kind,
            line.room,
            line.copies,
            line.hook,
            line.note,
        )
        assert 1 <= key.copies <= 99 and key.active
        assert _clean(key.tag) and _clean(key.opens) and key.room == normalise_room(key.room)


@PROPERTY
@given(data=_any_bytes(key_headers, key_cells), skip_bad=st.booleans())
def test_importing_the_key_cabinet_from_any_bytes(boss: Desk, data: bytes, skip_bad: bool) -> None:
    desk = boss
    before = snapshot(desk.db)
    result = attempt(desk, lambda ctx: keys_import.import_cabinet(ctx, data, skip_bad=skip_bad))
    if result is not None and result.bad and not skip_bad:
        assert snapshot(desk.db) == before
