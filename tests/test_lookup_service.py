"""The quick lookup finds records made through the real services, by every query form."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from desk.models import Unit
from desk.services import lookup, lookup_query, nightlog, repair, residents, search_index
from desk.services.lookup import Results
from desk.services.nightlog import NightLogCreate
from desk.services.repair import RepairCompletion
from tests.conftest import NOW, TZ, Desk
from tests.lookup_fixtures import Seeded, seed


@pytest.fixture
def seeded(desk: Desk) -> Seeded:
    return seed(desk)


def _find(desk: Desk, query: str, **options: object) -> Results:
    with desk.read() as ctx:
        return lookup.search(ctx, query, **options)  # type: ignore[arg-type]


def _ids(results: Results) -> dict[str, list[int]]:
    return {group.register: [hit.record_id for hit in group.hits] for group in results.groups}


@pytest.mark.parametrize("query", ["3-1202", "3栋1202", " 3幢1202室 ", "3 1202", "03-1202"])
def test_room_with_building(desk: Desk, seeded: Seeded, query: str) -> None:
    found = _find(desk, query)
    assert "room" in found.kinds
    ids = _ids(found)
    assert ids["repairs"] == [seeded.leak]
    assert ids["complaints"] == [seeded.noise]
    assert ids["reception"] == [seeded.call]
    assert [hit.person for hit in found.groups[0].hits] == ["王**"]  # residents, masked


def test_leading_zeros_name_one_unit_as_stored_and_looked_up(desk: Desk, seeded: Seeded) -> None:
    """3-0801 and 3-801 are one unit: the fixture typed 0801 for the resident and the repair, a
    second resident typed 801 joins the same unit, and every spelling finds the same records."""
    with desk.write() as ctx:
        residents.add_resident(ctx, "03", "801", "李雷", "13700001234", "tenant")
    with desk.read() as ctx:
        assert [u.code for u in ctx.session.exec(select(Unit).where(Unit.room == "801"))] == [
            "3-801"
        ]
        assert residents.find_unit(ctx, "3-0801") == residents.find_unit(ctx, "3 801")
    for query in ("3-801", "3-0801", "03栋0801", "3 0801"):
        found = _ids(_find(desk, query))
        assert found["repairs"] == [seeded.power], query
        assert len(found["residents"]) == 2, query


def test_room_number_alone_is_that_room_in_every_building(desk: Desk, seeded: Seeded) -> None:
    ids = _ids(_find(desk, "1202"))
    assert ids["repairs"] == [seeded.door, seeded.leak]  # newest first
    assert len(ids["residents"]) == 2


def test_surname_finds_everyone_of_that_name(desk: Desk, seeded: Seeded) -> None:
    found = _find(desk, "王")
    assert "name" in found.kinds
    groups = {group.register: group for group in found.groups}
    assert {hit.person for hit in groups["residents"].hits} == {"王**", "王*"}
    assert [hit.record_id for hit in groups["repairs"].hits] == [seeded.door, seeded.leak]
    assert [hit.record_id for hit in groups["complaints"].hits] == [seeded.noise]
    assert "reception" not in groups  # 赵先生


def test_phone_last_four_digits(desk: Desk, seeded: Seeded) -> None:
    ids = _ids(_find(desk, "5678"))
    assert ids["repairs"] == [seeded.leak, seeded.power]
    assert ids["complaints"] == [seeded.noise]
    assert "reception" not in ids


@pytest.mark.parametrize("query", ["WX-20261123-001", "wx20261123001", "Wx-20261123001"])
def test_record_number_any_case_with_or_without_dashes(
    desk: Desk, seeded: Seeded, query: str
) -> None:
    found = _find(desk, query)
    assert found.kinds == ("number",)
    assert _ids(found) == {"repairs": [seeded.leak]}
    assert found.groups[0].hits[0].number == "WX-20261123-001"


def test_number_prefix_lists_that_day_newest_first(desk: Desk, seeded: Seeded) -> None:
    numbers = [hit.number for hit in _find(desk, "WX-20261123").groups[0].hits]
    # ordered by when reported (1 h, 2 h, 4 h ago), like every group
    assert numbers == ["WX-20261123-002", "WX-20261123-001", "WX-20261123-003"]


def test_three_character_text(desk: Desk, seeded: Seeded) -> None:
    assert _ids(_find(desk, "水龙头")) == {"repairs": [seeded.leak]}


def test_two_character_chinese_word(desk: Desk, seeded: Seeded) -> None:
    assert _ids(_find(desk, "漏水")) == {
        "repairs": [seeded.leak],
        "complaints": [seeded.noise],
    }
    assert _ids(_find(desk, "门禁")) == {"repairs": [seeded.door]}
    assert _ids(_find(desk, "停电")) == {"repairs": [seeded.power]}


def test_one_character_chinese(desk: Desk, seeded: Seeded) -> None:
    found = _find(desk, "水")
    assert _ids(found) == {
        "reception": [seeded.call],  # 停水
        "repairs": [seeded.leak],  # 漏水
        "complaints": [seeded.noise],
    }


def test_several_words_must_all_match(desk: Desk, seeded: Seeded) -> None:
    assert _ids(_find(desk, "漏水 天花板")) == {"complaints": [seeded.noise]}
    assert _ids(_find(desk, "漏水 门禁")) == {}


def test_registers_and_limit(desk: Desk, seeded: Seeded) -> None:
    assert _ids(_find(desk, "1202", registers=["repairs"])) == {
        "repairs": [seeded.door, seeded.leak]
    }
    assert _ids(_find(desk, "1202", registers=["repairs"], limit=1)) == {"repairs": [seeded.door]}


def test_result_rows_carry_state_and_due(desk: Desk, seeded: Seeded) -> None:
    hit = _find(desk, "WX-20261123-001").groups[0].hits[0]
    assert hit.state == "registered"
    assert hit.due_at == NOW - timedelta(hours=2) + timedelta(minutes=30)
    assert hit.overdue(NOW)
    assert hit.room == "3-1202"
    assert "漏水" in hit.summary


def test_an_update_is_reflected(desk: Desk, seeded: Seeded) -> None:
    with desk.write() as ctx:
        repair.dispatch(ctx, seeded.leak, "李建国")
        repair.arrive(ctx, seeded.leak)
        repair.complete(ctx, seeded.leak, RepairCompletion(work_done="更换阀芯"))
    hit = _find(desk, "WX-20261123-001").groups[0].hits[0]
    assert hit.state == "completed"
    assert hit.due_at is not None  # now the callback
    assert _ids(_find(desk, "阀芯")) == {"repairs": [seeded.leak]}
    assert _ids(_find(desk, "建国")) == {"repairs": [seeded.leak]}
    # the old words are still found, once
    assert _ids(_find(desk, "水龙头")) == {"repairs": [seeded.leak]}


@pytest.fixture
def nights(desk: Desk) -> list[int]:
    """Three night-log entries: 23:50 on the 22nd, then 00:30 and 02:10 on the 23rd (local)."""
    ids = []
    with desk.write() as ctx:
        for hour, minute, day, what in (
            (23, 50, 22, "停电"),
            (0, 30, 23, "困人"),
            (2, 10, 23, "漏水"),
        ):
            at = datetime(2026, 11, day, hour, minute, tzinfo=TZ)
            entry = nightlog.log(ctx, NightLogCreate(logged_at=at, caller="郑雪", what=what))
            assert entry.id is not None
            ids.append(entry.id)
    return ids


@pytest.mark.parametrize("query", ["YJ-20261123-003", "yj20261123003", " Yj-20261123003 "])
def test_night_log_entry_by_its_number(desk: Desk, nights: list[int], query: str) -> None:
    # the entry's number is made from its night and its id (not stored): found all the same
    found = _find(desk, query)
    assert found.kinds == ("number",)
    assert _ids(found) == {"nightlog": [nights[2]]}
    (hit,) = found.groups[0].hits
    assert (hit.number, hit.person) == ("YJ-20261123-003", "郑*")
    with desk.read() as ctx:
        assert hit.number == nightlog.number(nightlog.get(ctx, nights[2]), ctx)


def test_night_log_number_prefix_is_the_night_in_the_sites_time(
    desk: Desk, nights: list[int]
) -> None:
    # 00:30 local on the 23rd is 16:30 UTC on the 22nd: it belongs to the 23rd, as numbered
    assert _ids(_find(desk, "YJ-20261123")) == {"nightlog": [nights[2], nights[1]]}
    assert _ids(_find(desk, "YJ-20261122")) == {"nightlog": [nights[0]]}
    assert _ids(_find(desk, "YJ-202611")) == {"nightlog": nights[::-1]}
    assert _ids(_find(desk, "YJ-2026112")) == {"nightlog": nights[::-1]}
    assert _ids(_find(desk, "YJ-20261123-00")) == {"nightlog": [nights[2], nights[1]]}
    # the right id on the wrong night, an id not logged, a date that does not exist
    for query in ("YJ-20261122-003", "YJ-20261123-009", "YJ-20261340", "YJ-2025"):
        assert _find(desk, query).groups == [], query
    assert _find(desk, "YJ-20261123-003", registers=["repairs"]).groups == []
    # the words of an entry still find it
    assert _ids(_find(desk, "困人")) == {"nightlog": [nights[1]]}


def test_nothing_found_and_empty_query(desk: Desk, seeded: Seeded) -> None:
    assert _find(desk, "电梯").groups == []
    assert _find(desk, "   ").groups == []
    assert _find(desk, "%_'\"").groups == []


def test_classify() -> None:
    assert lookup_query.classify("TS-20261123-004") == ("number",)
    assert lookup_query.classify("YJ-20261124-012") == ("number",)
    assert lookup_query.classify("yj2026") == ("number",)
    assert lookup_query.classify("3栋1202") == ("room",)
    assert lookup_query.classify("5678") == ("room", "phone")
    assert lookup_query.classify("3-1202") == ("room",)  # with its building: not phone digits
    assert "phone" in lookup_query.classify("139-0000-1111")
    assert lookup_query.classify("王") == ("name", "text")
    assert lookup_query.classify("水管破裂了") == ("text",)


def test_rebuilding_the_index_finds_the_same(desk: Desk, seeded: Seeded) -> None:
    queries = ["3-1202", "1202", "王", "5678", "漏水", "水"]
    before = {query: _ids(_find(desk, query)) for query in queries}
    with desk.db.writing() as session:
        written = search_index.reindex(session.connection(), batch=3)  # several batches
        docs = session.execute(text("SELECT count(*) FROM search_doc")).scalar()
    assert written == docs >= 8
    assert {query: _ids(_find(desk, query)) for query in queries} == before


def test_a_department_shows_by_its_name_not_its_key(desk: Desk) -> None:
    from desk.i18n import set_language
    from desk.services import reception
    from desk.services.reception import ReceptionCreate

    with desk.write() as ctx:
        entry = reception.log(
            ctx, ReceptionCreate(request="水表读数不走", room="3-1202", department="engineering")
        )
    set_language("zh_CN")
    with desk.read() as ctx:
        (hit,) = lookup.search(ctx, entry.number).groups[0].hits
    assert "工程维修部" in hit.summary and "engineering" not in hit.summary


def test_a_long_summary_ends_with_an_ellipsis(desk: Desk) -> None:
    from desk.services import reception
    from desk.services.reception import ReceptionCreate

    with desk.write() as ctx:
        entry = reception.log(ctx, ReceptionCreate(request="楼上卫生间漏水渗到楼下" * 10))
    with desk.read() as ctx:
        (hit,) = lookup.search(ctx, entry.number).groups[0].hits
    assert hit.summary.endswith("…") and len(hit.summary) == lookup.SUMMARY_WIDTH
