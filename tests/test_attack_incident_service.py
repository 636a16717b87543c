"""Ways an insider or a careless night duty would try to bend the incident rules: closing
without what closing needs, skipping a step silently, a step "not needed" without a reason,
times that did not happen, a closed incident changed, an incident of another estate. Each is
refused, and nothing of the attempt is saved."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desk.db import Database
from desk.models import IncidentState, Operator, StepState
from desk.services import incident
from desk.services.errors import DeskError, FieldErrors, NotFound
from desk.services.incident import StepIn
from tests.conftest import NOW, Desk
from tests.incident_seed import LIFT_STUCK, done, emergency_entry, open_lift, stored
from tests.test_estates_service import _open, _two_estates


def refused(desk: Desk, call: object) -> DeskError:
    with pytest.raises(DeskError) as err, desk.write() as ctx:
        call(ctx)  # type: ignore[operator]
    return err.value


def keys(error: DeskError) -> set[str]:
    return {e.key for e in error.errors} if isinstance(error, FieldErrors) else {error.key}


def _all_steps_but(desk: Desk, incident_id: int, *left: int) -> None:
    for step in range(1, 10):
        if step in left:
            continue
        if step == 8:
            with desk.write() as ctx:
                incident.record_cause(ctx, incident_id, "水泵控制柜短路")
        done(desk, incident_id, step, reference="119-2026-0042")


def test_closing_refuses_each_thing_still_missing(desk: Desk, boss: Desk) -> None:
    """Nothing done: cause, steps, follow-up and stand-in are all refused at once; then one by
    one, each still refused alone until it is put right."""
    incident_id = open_lift(desk)
    with desk.write() as ctx:
        follow = incident.open_repair(ctx, incident_id)
        incident.start_stand_in(ctx, incident_id, "保安赵六")
    error = refused(desk, lambda c: incident.close(c, incident_id))
    assert keys(error) == {
        "incident_error.cause_missing",
        "incident_error.steps_pending",
        "incident_error.follow_ups_open",
        "incident_error.stand_in_holding",
    }
    _all_steps_but(desk, incident_id, 9)  # the general manager not told: skipped "silently"
    with desk.write() as ctx:
        incident.end_stand_in(ctx, incident_id, incident.stand_ins_of(ctx, incident_id)[0].id or 0)
        incident.hand_on(ctx, incident_id, follow.id or 0, "交工程部")
    error = refused(desk, lambda c: incident.close(c, incident_id))
    assert keys(error) == {"incident_error.steps_pending"} and error.params["steps"] == "9"
    assert stored(desk, incident_id).state == IncidentState.open
    # the cause can't be skipped either: step 8 is never "not needed"
    other = open_lift(desk)
    error = refused(desk, lambda c: incident.not_needed(c, other, 8, "不重要"))
    assert error.key == "incident_error.cause_always"
    error = refused(desk, lambda c: incident.record_step(c, other, 8, StepIn(called="王工")))
    assert "incident_error.cause_first" in keys(error)


def test_a_step_is_done_or_not_needed_with_a_reason_never_blank(desk: Desk) -> None:
    incident_id = open_lift(desk)
    for reason in ("", "   "):
        error = refused(desk, lambda c, r=reason: incident.not_needed(c, incident_id, 5, r))
        assert error.field == "reason"
    # government help done needs the reference number the fire brigade, police or utility gave
    error = refused(
        desk,
        lambda c: incident.record_step(
            c, incident_id, 5, StepIn(called="119", called_at=NOW - timedelta(minutes=1))
        ),
    )
    assert error.field == "reference"
    # nobody, no time, a call before the incident, a call in the future, an arrival before the call
    error = refused(desk, lambda c: incident.record_step(c, incident_id, 2, StepIn()))
    assert {e.field for e in error.errors} == {"called", "called_at"}  # type: ignore[attr-defined]
    for at, field in (
        (NOW - timedelta(hours=2), "called_at"),
        (NOW + timedelta(minutes=5), "called_at"),
    ):
        error = refused(
            desk,
            lambda c, a=at: incident.record_step(
                c, incident_id, 2, StepIn(called="王工", called_at=a)
            ),
        )
        assert error.field == field
    error = refused(
        desk,
        lambda c: incident.record_step(
            c,
            incident_id,
            2,
            StepIn(
                called="王工",
                called_at=NOW - timedelta(minutes=5),
                arrived="王工",
                arrived_at=NOW - timedelta(minutes=9),
            ),
        ),
    )
    assert error.field == "arrived_at"
    for step in (0, 10, -1):
        error = refused(desk, lambda c, s=step: incident.not_needed(c, incident_id, s, "x"))
        assert error.key == "incident_error.no_such_step"
    # a step recorded once is not recorded again (nor turned into "not needed" afterwards)
    done(desk, incident_id, 2)
    error = refused(desk, lambda c: incident.not_needed(c, incident_id, 2, "搞错了"))
    assert error.key == "incident_error.step_recorded"
    with desk.read() as ctx:
        steps = incident.steps_of(ctx, incident_id)
    assert [s.state for s in steps].count(StepState.pending) == 8
    assert steps[4].reason == "" and steps[1].state == StepState.done


def test_a_closed_incident_is_not_changed(desk: Desk) -> None:
    incident_id = open_lift(desk)
    _all_steps_but(desk, incident_id)
    with desk.write() as ctx:
        incident.close(ctx, incident_id)
    calls = (
        lambda c: incident.record_step(c, incident_id, 1, StepIn(called="x", called_at=NOW)),
        lambda c: incident.not_needed(c, incident_id, 2, "x"),
        lambda c: incident.arrive(c, incident_id, 2, "x", NOW),
        lambda c: incident.record_cause(c, incident_id, "改写原因"),
        lambda c: incident.start_stand_in(c, incident_id, "保安"),
        lambda c: incident.open_repair(c, incident_id),
        lambda c: incident.open_complaint(c, incident_id),
        lambda c: incident.close(c, incident_id),
    )
    for call in calls:
        error = refused(desk, call)
        assert error.key == "incident_error.closed"
    found = stored(desk, incident_id)
    assert found.cause == "水泵控制柜短路" and found.state == IncidentState.closed
    with desk.read() as ctx:
        assert incident.follow_ups_of(ctx, incident_id) == []
        assert incident.allowed_actions(found) == frozenset()


def test_follow_ups_and_stand_ins_of_another_incident_are_refused(desk: Desk) -> None:
    first, second = open_lift(desk), open_lift(desk)
    with desk.write() as ctx:
        follow = incident.open_repair(ctx, first)
        stand_in = incident.start_stand_in(ctx, first, "保安赵六", NOW - timedelta(minutes=10))
    error = refused(desk, lambda c: incident.hand_on(c, second, follow.id or 0, "交早班"))
    assert error.key == "incident_error.no_follow_up"
    error = refused(desk, lambda c: incident.hand_on(c, first, follow.id or 0, " "))
    assert error.field == "note"
    error = refused(desk, lambda c: incident.end_stand_in(c, second, stand_in.id or 0))
    assert error.key == "incident_error.no_stand_in"
    error = refused(desk, lambda c: incident.start_stand_in(c, first, "保安钱七"))
    assert error.key == "incident_error.stand_in_holding"
    error = refused(
        desk, lambda c: incident.end_stand_in(c, first, stand_in.id or 0, NOW - timedelta(hours=1))
    )
    assert error.field == "until_at"
    with desk.write() as ctx:
        incident.hand_on(ctx, first, follow.id or 0, "交早班")
    error = refused(desk, lambda c: incident.hand_on(c, first, follow.id or 0, "再交一次"))
    assert error.key == "incident_error.follow_up_settled"


def test_an_incident_of_another_estate_is_out_of_reach(
    db: Database, boss: Desk, clerk: Operator
) -> None:
    """HG's incident is unseen from the default estate's desk, nor is its night-log entry
    linked from there; the call centre sees it."""
    _two_estates(boss)
    hg = _open(db, "HG")
    try:
        hg_desk = Desk(hg, clerk)
        hg_id = open_lift(hg_desk)
        entry_id = emergency_entry(hg_desk)
        assert stored(hg_desk, hg_id).number == "HG-TF-20261123-001"
    finally:
        hg.dispose()
    here = Desk(db, clerk)
    for call in (
        lambda c: incident.not_needed(c, hg_id, 5, "x"),
        lambda c: incident.close(c, hg_id),
    ):
        assert isinstance(refused(here, call), NotFound)
    with here.read() as ctx:
        assert incident.find(ctx, "HG-TF-20261123-001") is None
        assert incident.listing(ctx, everything=True) == []
    error = refused(
        here,
        lambda c: incident.open_incident(
            c, incident.IncidentCreate(**{**LIFT_STUCK, "night_log_id": entry_id})
        ),
    )
    assert error.key == "incident_error.no_night_entry"
    centre = _open(db, "*")
    try:
        with Desk(centre, boss.operator).read() as ctx:
            assert [f.id for f in incident.listing(ctx, everything=True)] == [hg_id]
    finally:
        centre.dispose()
