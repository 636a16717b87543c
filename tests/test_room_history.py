"""Room history and the saved filters each operator keeps."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desk.db import Database
from desk.models import Operator
from desk.services import repair, room_history, saved_filters
from desk.services.errors import DeskError
from desk.services.saved_filters import FilterKind, FilterSpec
from tests.conftest import NOW, Desk
from tests.lookup_fixtures import Seeded, seed


@pytest.fixture
def seeded(desk: Desk) -> Seeded:
    return seed(desk)


def test_timeline_of_a_room_newest_first_with_who_handled_it(desk: Desk, seeded: Seeded) -> None:
    with desk.read() as ctx:
        found = room_history.history(ctx, "3栋1202")
    assert found.room == "3-1202"
    assert found.unit is not None and found.unit.code == "3-1202"
    assert [(e.register, e.record_id) for e in found.timeline] == [
        ("complaints", seeded.noise),
        ("repairs", seeded.leak),
        ("reception", seeded.call),
    ]
    assert {e.handled_by for e in found.timeline} == {"王芳"}
    assert found.residents[0].name == "王小明"
    assert found.residents[0].phone == "138****5678"


def test_phones_shown_when_asked_and_room_alone_when_unique(desk: Desk, seeded: Seeded) -> None:
    with desk.read() as ctx:
        found = room_history.history(ctx, "0801", show_phones=True)
    assert found.room == "3-801"  # typed 0801: stored without its leading zero
    assert found.residents[0].phone == "13700005678"
    assert [e.record_id for e in found.timeline] == [seeded.power]


def test_ambiguous_or_bad_room_is_refused(desk: Desk, seeded: Seeded) -> None:
    with desk.read() as ctx, pytest.raises(DeskError) as refused:
        room_history.history(ctx, "1202")
    assert "3-1202" in refused.value.message and "5-1202" in refused.value.message
    with desk.read() as ctx, pytest.raises(DeskError):
        room_history.history(ctx, "王")


def test_room_not_in_the_directory_still_has_its_records(desk: Desk) -> None:
    with desk.write() as ctx:
        repair.register(
            ctx, repair.RepairCreate(room="9-0101", description="窗户漏风", category="water")
        )
    with desk.read() as ctx:
        found = room_history.history(ctx, "9-0101")
    assert found.unit is None and found.residents == []
    assert [e.summary for e in found.timeline] == ["窗户漏风"]


def test_saved_filters_are_per_operator(
    db: Database, desk: Desk, seeded: Seeded, supervisor: Operator
) -> None:
    boss = Desk(db, supervisor)
    with boss.write() as ctx:
        saved_filters.save(ctx, "轻微投诉", FilterSpec(FilterKind.open_complaints, "minor"))
        saved_filters.save(ctx, "超时", FilterSpec(FilterKind.overdue))
        saved_filters.save(ctx, "超时", FilterSpec(FilterKind.keys_out))  # same name: replaced
    with boss.read() as ctx:
        mine = saved_filters.saved(ctx)
        assert [(row.name, row.kind) for row in mine] == [
            ("超时", "keys_out"),
            ("轻微投诉", "open_complaints"),
        ]
        groups = saved_filters.run_filter(ctx, mine[1])
    assert [(g.register, [h.record_id for h in g.hits]) for g in groups] == [
        ("complaints", [seeded.noise])
    ]
    with desk.read() as ctx:
        assert saved_filters.saved(ctx) == []
    with pytest.raises(DeskError), desk.write() as ctx:
        saved_filters.delete(ctx, mine[0].id or 0)  # not the clerk's


def test_predefined_filters(desk: Desk, seeded: Seeded) -> None:
    with desk.write() as ctx:
        repair.dispatch(ctx, seeded.door, "李建国")
    with desk.read() as ctx:
        by_tech = saved_filters.run_filter(
            ctx, FilterSpec(FilterKind.repairs_by_technician, "李建国")
        )
        major = saved_filters.run_filter(ctx, FilterSpec(FilterKind.open_complaints, "major"))
        overdue = saved_filters.run_filter(ctx, FilterSpec(FilterKind.overdue))
        nothing = saved_filters.run_filter(ctx, FilterSpec(FilterKind.passes_unreconciled))
        with pytest.raises(DeskError):
            saved_filters.run_filter(ctx, FilterSpec(FilterKind.repairs_by_technician))
        with pytest.raises(DeskError):
            saved_filters.run_filter(ctx, FilterSpec(FilterKind.open_complaints, "huge"))
    assert [h.record_id for g in by_tech for h in g.hits] == [seeded.door]
    assert major == []
    assert nothing == []
    # dispatch was due 30 minutes after reporting: the leak (2 h) and power (4 h) orders
    overdue_ids = {(g.register, h.record_id) for g in overdue for h in g.hits}
    assert {("repairs", seeded.leak), ("repairs", seeded.power)} <= overdue_ids
    assert ("repairs", seeded.door) not in overdue_ids  # dispatched, no visit time


def test_overdue_moves_with_the_clock(desk: Desk, seeded: Seeded) -> None:
    desk.now = NOW - timedelta(hours=5)
    with desk.read() as ctx:
        assert saved_filters.run_filter(ctx, FilterSpec(FilterKind.overdue)) == []
