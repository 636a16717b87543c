"""The daily patrol at fixed clocks: a round of a route's checkpoints, each ok or a finding (raised
through the shared findings service), finished only when every checkpoint is recorded; the
schedule (daily, weekly, heavy rain) and the rounds missed."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from desk.db import Database
from desk.models import FindingState, Operator, PatrolState, PointResult
from desk.services import audit, findings, patrol
from desk.services.errors import DeskError, FieldErrors, NotFound
from desk.services.patrol import RoundIn
from tests.conftest import NOW, TZ, Desk
from tests.finding_seed import finding_in, start_round, stored_round, walked
from tests.test_estates_service import _open, _two_estates

S = PatrolState


def refused(desk: Desk, call: object) -> DeskError:
    with pytest.raises(DeskError) as err, desk.write() as ctx:
        call(ctx)  # type: ignore[operator]
    return err.value


def test_a_round_records_each_checkpoint_and_finishes_when_none_is_left(desk: Desk) -> None:
    round_id = start_round(desk)
    found = stored_round(desk, round_id)
    assert found.number == "XC-20261123-001" and found.state == S.under_way
    with desk.read() as ctx:
        points = patrol.points_of(ctx, round_id)
    keys = [p.checkpoint for p in points]
    assert keys[:3] == ["fabric", "facilities", "equipment"] and "car_park" in keys
    assert len(keys) == 10 and {p.result for p in points} == {PointResult.pending}
    cleaning = next(p for p in points if p.checkpoint == "cleaning")
    fabric = points[0]
    assert cleaning.id is not None and fabric.id is not None
    with desk.write() as ctx:
        patrol.check_ok(ctx, round_id, fabric.id, "外墙完好")
        raised = patrol.check_finding(
            ctx, round_id, cleaning.id, finding_in(department="", raised_by="")
        )
    # the checkpoint's department and the round's patrol, unless the patrol said otherwise
    assert (raised.department, raised.raised_by, raised.owner) == ("cleaning", "周海", "patrol")
    error = refused(desk, lambda c: patrol.check_ok(c, round_id, fabric.id))
    assert error.key == "patrol_error.already_recorded"
    error = refused(desk, lambda c: patrol.finish(c, round_id))
    assert error.key == "patrol_error.points_pending" and "Facilities" in error.message
    with desk.write() as ctx:
        for point in patrol.points_of(ctx, round_id):
            if point.result == PointResult.pending:
                assert point.id is not None
                patrol.check_ok(ctx, round_id, point.id)
        patrol.finish(ctx, round_id)
    found = stored_round(desk, round_id)
    assert found.state == S.done and found.finished_at == NOW
    with desk.read() as ctx:
        points = {p.checkpoint: p for p in patrol.points_of(ctx, round_id)}
        assert points["cleaning"].finding_id == raised.id
        assert points["cleaning"].result == PointResult.finding
        assert points["fabric"].note == "外墙完好"
        assert [f.id for f in findings.of_owner(ctx, "patrol", round_id)] == [raised.id]
        actions = [e.action for e in audit.history(ctx, patrol.REGISTER, round_id)]
        assert actions[0] == "started" and actions[-1] == "finished"
        last = audit.event_data(audit.history(ctx, patrol.REGISTER, round_id)[-1])
        assert (last["ok"], last["findings"]) == (9, 1)
    # the round is over: nothing more is recorded on it, its finding lives on
    error = refused(desk, lambda c: patrol.check_ok(c, round_id, fabric.id))
    assert error.key == "patrol_error.cannot_check"
    error = refused(desk, lambda c: patrol.finish(c, round_id))
    assert error.key == "patrol_error.cannot_finish"
    with desk.read() as ctx:
        assert findings.get(ctx, raised.id or 0).state == FindingState.open


def test_starting_a_round_checks_its_fields(desk: Desk) -> None:
    error = refused(
        desk,
        lambda c: patrol.start(
            c, RoundIn(route="roof", patrolled_by="", started_at=NOW + timedelta(hours=2))
        ),
    )
    assert isinstance(error, FieldErrors)
    assert {e.field for e in error.errors} == {"route", "patrolled_by", "started_at"}


def test_a_checkpoint_of_another_round_is_refused(desk: Desk) -> None:
    first, second = start_round(desk), start_round(desk)
    with desk.read() as ctx:
        theirs = patrol.points_of(ctx, second)[0].id
    assert theirs is not None
    error = refused(desk, lambda c: patrol.check_ok(c, first, theirs))
    assert error.key == "patrol_error.not_this_round"


def _due(desk: Desk) -> dict[tuple[str, date], bool]:
    with desk.read() as ctx:
        return {(d.route, d.first): d.missed for d in patrol.schedule(ctx)}


def test_the_schedule_calls_for_todays_and_this_weeks_rounds_and_counts_missed_ones(
    desk: Desk,
) -> None:
    """A new desk owes today's estate round and this week's fire and custody rounds (never a
    heavy-rain one, nor any day before its first round); once rounds were walked, a day (or a
    week) without one is missed, counted back a week at most."""
    monday = date(2026, 11, 23)
    assert _due(desk) == {
        ("estate", monday): False,
        ("fire", monday): False,
        ("custody", monday): False,
    }
    walked(desk, "estate")
    walked(desk, "fire")
    assert _due(desk) == {("custody", monday): False}
    # Thursday: Tuesday and Wednesday missed, Thursday's due; the fire round of this week done
    desk.now = datetime(2026, 11, 26, 10, tzinfo=TZ)
    assert _due(desk) == {
        ("estate", date(2026, 11, 24)): True,
        ("estate", date(2026, 11, 25)): True,
        ("estate", date(2026, 11, 26)): False,
        ("custody", monday): False,
    }
    # a round under way is not a round walked
    start_round(desk)
    assert ("estate", date(2026, 11, 26)) in _due(desk)
    # three weeks on, with no round since: a week back at most
    desk.now = datetime(2026, 12, 14, 10, tzinfo=TZ)
    due = _due(desk)
    estate_days = sorted(day for route, day in due if route == "estate")
    assert estate_days[0] == date(2026, 12, 7) and estate_days[-1] == date(2026, 12, 14)
    assert due[("fire", date(2026, 12, 7))] is True and due[("fire", date(2026, 12, 14))] is False
    with desk.read() as ctx:
        items = patrol.open_items(ctx)
        assert len({i.record_id for i in items}) == len(items)  # one board row each
        missed = patrol.missed(ctx)
    assert all(d.missed for d in missed) and len(missed) == sum(due.values())


def test_another_estates_round_is_out_of_reach(db: Database, boss: Desk, clerk: Operator) -> None:
    _two_estates(boss)
    hg = _open(db, "HG")
    try:
        hg_desk = Desk(hg, clerk)
        theirs = start_round(hg_desk)
        number = stored_round(hg_desk, theirs).number
        assert number.startswith("HG-XC-")
        main = Desk(db, clerk)
        with main.read() as ctx:
            assert patrol.find(ctx, number) is None
            assert patrol.listing(ctx, everything=True) == []
        with pytest.raises(NotFound), main.write() as ctx:
            patrol.finish(ctx, theirs)
        with hg_desk.read() as ctx:
            assert patrol.find(ctx, number.lower().replace("-", "")) is not None
    finally:
        hg.dispose()
