"""The daily patrol at fixed clocks: a round of a route's checkpoints, each ok or a finding (raised
through the shared findings service), finished only when every checkpoint is recorded; the
schedule (daily, weekly, heavy rain) and the rounds missed."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from desk.db import Database
from desk.i18n import set_language
from desk.models import FindingState, Operator, PatrolState, PointResult
from desk.printing.summary_text import summary_lines
from desk.printing.text import cell_len
from desk.services import audit, board, findings, lookup, patrol, summary
from desk.services.errors import DeskError, FieldErrors, NotFound
from desk.services.patrol import RoundIn
from tests.conftest import NOW, TZ, Desk
from tests.finding_seed import (
    finding_in,
    raised,
    reach,
    start_round,
    stored,
    stored_round,
    walked,
)
from tests.test_estates_service import _open, _two_estates

S = PatrolState
PATROL_REGISTERS = ("patrol_due", "patrols", "findings")


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
    """A route's schedule starts with its first round: from then on today's round (this week's)
    is due while it lasts, and a day (a week) without one walked is missed, counted back a week
    at most; a heavy-rain round is never due."""
    monday = date(2026, 11, 23)
    assert _due(desk) == {}  # nothing walked yet: nothing owed
    start_round(desk, "custody")  # under way: the route's schedule starts, the week still owed
    assert _due(desk) == {("custody", monday): False}
    walked(desk, "estate")
    walked(desk, "fire")
    walked(desk, "custody_rain")
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
        # the call-centre desk finds it by its whole number, and its finding's
        centre = _open(db, "*")
        try:
            finding = stored(hg_desk, raised(hg_desk, theirs)).number
            with Desk(centre, clerk).read() as ctx:
                for query in (number, finding):
                    hits = lookup.search(ctx, query).groups
                    assert [(g.register, [h.number for h in g.hits]) for g in hits] == [
                        ("patrols", [number])
                    ], query
        finally:
            centre.dispose()
    finally:
        hg.dispose()


def test_the_board_and_the_handover_carry_rounds_missed_and_findings_owed(desk: Desk) -> None:
    """On the board: a missed day, today's round, a round under way, a finding to send and one
    awaiting re-inspection; in the handover summary they are the patrol's and the findings'
    sections (counted with the board's open items), printed within 80 cells in both languages."""
    walked(desk, "estate", NOW - timedelta(days=2))
    under_way = start_round(desk)
    to_send = reach(desk, FindingState.open)
    to_check = reach(desk, FindingState.rectified)
    with desk.read() as ctx:
        items = [i for i in board.open_items(ctx) if i.register in PATROL_REGISTERS]
        sections = summary.open_sections(ctx)
        shift = summary.counts(ctx, NOW - timedelta(hours=8), NOW + timedelta(minutes=1))
    assert {(i.register, i.state) for i in items} >= {
        ("patrol_due", "missed"),
        ("patrol_due", "due"),
        ("patrols", "under_way"),
        ("findings", "open"),
        ("findings", "rectified"),
    }
    missed = [i for i in items if i.state == "missed"]
    assert [i.number for i in missed] == ["2026-11-22"] and missed[0].overdue(NOW)
    assert stored_round(desk, under_way).number in {i.number for i in sections["patrol_rounds"]}
    assert [i.state for i in sections["findings_recheck"]] == ["rectified"]
    assert "open" in {i.state for i in sections["findings_open"]}
    assert shift["patrols"] >= 3 and shift["findings"] == 2
    built = summary.Summary(
        site="翠湖花园管理处",
        site_en="Emerald Lake Gardens",
        shift_key="day",
        shift_zh="白班",
        shift_en="Day",
        shift_start=NOW - timedelta(hours=8),
        shift_end=NOW,
        built_at=NOW,
        counts=shift,
        sections=sections,
    )
    for lang in ("zh_CN", "en"):
        set_language(lang)
        lines = summary_lines(built, TZ)
        assert all(cell_len(line) <= 80 for line in lines), lang
        text = "\n".join(lines)
        assert stored(desk, to_send).number in text and stored(desk, to_check).number in text
        title = "整改：待复查验收" if lang == "zh_CN" else "Findings: awaiting re-inspection"
        assert title in text
    set_language("en")
