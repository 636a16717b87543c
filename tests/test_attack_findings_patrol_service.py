"""Ways an insider or a careless clerk would try to bend the findings, patrol and incident rules
beyond what tests/test_attack_incident_service.py and tests/test_findings_service.py already
try: a finding put on a round already finished or an incident already closed, a finding that
failed its re-inspection withdrawn instead of redone, a repair finding accepted while its order
is back with maintenance, steps recorded twice or in the future, follow-ups and findings of
another estate, another estate's rows in an estate's export. Each is refused, nothing of the
attempt is saved, and the audit trail (`desk audit verify`) still checks out."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from typer.testing import CliRunner

from desk.cli import app
from desk.db import Database
from desk.models import FindingState, Operator, PatrolState, RepairState, StepState
from desk.services import findings, incident, patrol, repair
from desk.services.callback_step import CallbackResult
from desk.services.errors import DeskError, FieldErrors, NotFound
from desk.services.findings import RecheckIn
from desk.services.incident import StepIn
from desk.services.patrol import RoundIn
from tests.conftest import NOW, Desk, verify_audit
from tests.finding_seed import (
    complete_order,
    finding_in,
    raised,
    reach,
    recheck,
    rectify,
    start_round,
    stored,
    stored_round,
    walked,
)
from tests.incident_seed import done, open_lift
from tests.seed import register_repair
from tests.test_estates_service import _open, _two_estates

S = FindingState
runner = CliRunner()


def refused(desk: Desk, call: object) -> DeskError:
    with pytest.raises(DeskError) as err, desk.write() as ctx:
        call(ctx)  # type: ignore[operator]
    return err.value


def keys(error: DeskError) -> set[str]:
    return {e.key for e in error.errors} if isinstance(error, FieldErrors) else {error.key}


def fields_of(error: DeskError) -> set[str | None]:
    return {e.field for e in error.errors} if isinstance(error, FieldErrors) else {error.field}


def _closed_incident(desk: Desk) -> int:
    incident_id = open_lift(desk)
    with desk.write() as ctx:
        incident.record_cause(ctx, incident_id, "停电后电梯未平层")
    for step in range(1, 10):
        done(desk, incident_id, step, reference="110-2026-0007")
    with desk.write() as ctx:
        incident.close(ctx, incident_id)
    return incident_id


def test_a_finished_round_and_a_closed_incident_take_no_new_finding(desk: Desk) -> None:
    """The round is written down and the incident is history: no finding is added to either
    afterwards through the shared service (the findings panel's raise key on a round's page
    calls it), as none is through the incident's own."""
    round_id = walked(desk)
    closed = _closed_incident(desk)
    for owner, owner_id, number in (
        ("patrol", round_id, stored_round(desk, round_id).number),
        ("incident", closed, "TF-20261123-001"),
    ):
        error = refused(
            desk, lambda c, o=owner, i=owner_id: findings.raise_finding(c, o, i, finding_in())
        )
        assert error.key == "finding_error.owner_finished", owner
        assert error.message.startswith(f"{number} is "), error.message
    error = refused(desk, lambda c: incident.raise_finding(c, closed, finding_in()))
    assert error.key == "incident_error.closed"
    with desk.read() as ctx:
        assert findings.of_owner(ctx, "patrol", round_id) == []
        assert findings.of_owner(ctx, "incident", closed) == []
    # a round under way still takes one, off its checkpoints too (the panel's raise key)
    under_way = start_round(desk)
    raised(desk, under_way)
    assert stored_round(desk, under_way).state == PatrolState.under_way
    assert verify_audit(desk.db).ok


def test_a_finding_is_not_found_before_its_round_or_incident_began(desk: Desk) -> None:
    """Raised through the shared service (the panel's raise key), as through a checkpoint or
    the incident's own: never dated before the round started or the incident happened."""
    round_id = start_round(desk, at=NOW - timedelta(hours=1))
    incident_id = open_lift(desk)  # happened 20 minutes before NOW
    early = finding_in(raised_at=NOW - timedelta(hours=2))
    for owner, owner_id in (("patrol", round_id), ("incident", incident_id)):
        error = refused(desk, lambda c, o=owner, i=owner_id: findings.raise_finding(c, o, i, early))
        assert error.key == "finding_error.before_last_step", owner
        assert error.field == "raised_at"
    with desk.read() as ctx:
        point = patrol.points_of(ctx, round_id)[0].id or 0
    error = refused(desk, lambda c: patrol.check_finding(c, round_id, point, early))
    assert error.field == "raised_at"
    error = refused(desk, lambda c: incident.raise_finding(c, incident_id, early))
    assert error.field == "raised_at"
    with desk.read() as ctx:
        assert findings.of_owner(ctx, "patrol", round_id) == []
        assert incident.findings_of(ctx, incident_id) == []


def test_a_finding_that_failed_its_reinspection_is_redone_not_withdrawn(
    desk: Desk, boss: Desk
) -> None:
    """Rejected on re-inspection it is back with its department: even a supervisor may not
    withdraw it as "raised in error" — only a new acceptance closes it."""
    finding_id = reach(desk, S.rectified)
    recheck(desk, finding_id, False, "仍有污渍")
    assert stored(desk, finding_id).state == S.sent
    error = refused(boss, lambda c: findings.withdraw(c, finding_id, "算了"))
    assert error.key == "finding_error.rework_not_withdrawn"
    # nor accepted without being rectified again, nor rectified before the rejection
    yes = RecheckIn(accepted=True, checked_by="周海")
    error = refused(desk, lambda c: findings.recheck(c, finding_id, yes))
    assert error.key == "finding_error.cannot_recheck"
    error = refused(
        desk, lambda c: findings.rectified(c, finding_id, at=NOW - timedelta(minutes=1))
    )
    assert error.key == "finding_error.before_last_step"
    found = stored(desk, finding_id)
    assert (found.state, found.rounds, found.accepted_at) == (S.sent, 1, None)
    rectify(desk, finding_id)
    recheck(desk, finding_id, True)
    assert stored(desk, finding_id).state == S.accepted
    # one never rectified, raised in error, is still withdrawn by a supervisor
    mistaken = reach(desk, S.sent)
    with boss.write() as ctx:
        findings.withdraw(ctx, mistaken, "巡查人看错位置")
    assert stored(desk, mistaken).state == S.withdrawn
    assert verify_audit(desk.db).ok


def test_a_reworked_finding_whose_order_was_referred_out_is_not_left_stuck(
    desk: Desk, boss: Desk
) -> None:
    """Rejected, its order back with maintenance, then referred out by a clerk (not the
    property's to fix): it can never be rectified through that order, so a supervisor may
    withdraw it, saying why — the one way out, as for a finding never rectified."""
    finding_id = reach(desk, S.rectified, department="repairs")
    order_id = stored(desk, finding_id).repair_id or 0
    recheck(desk, finding_id, False, "仍渗水")
    error = refused(boss, lambda c: findings.withdraw(c, finding_id, "算了"))
    assert error.key == "finding_error.rework_not_withdrawn"  # its order is still open
    with desk.write() as ctx:
        repair.refer_out(ctx, order_id, "自来水公司", "市政管道问题")
    error = refused(desk, lambda c: findings.rectified(c, finding_id))
    assert error.key == "finding_error.order_not_done"
    with boss.write() as ctx:
        findings.withdraw(ctx, finding_id, "市政管道，转自来水公司处理")
    assert stored(desk, finding_id).state == S.withdrawn
    assert verify_audit(desk.db).ok


def test_a_repair_finding_is_not_accepted_while_its_order_is_back_with_maintenance(
    desk: Desk,
) -> None:
    """The order completed, the finding said rectified; then the resident's callback sends the
    order back to maintenance: the patrol's acceptance waits for the order again."""
    finding_id = reach(desk, S.rectified, department="repairs")
    order_id = stored(desk, finding_id).repair_id
    assert order_id is not None
    with desk.write() as ctx:
        repair.call_back(ctx, order_id, CallbackResult(reached=True, satisfied=False, note="还漏"))
    yes = RecheckIn(accepted=True, checked_by="周海")
    error = refused(desk, lambda c: findings.recheck(c, finding_id, yes))
    assert error.key == "finding_error.order_not_done"
    assert stored(desk, finding_id).state == S.rectified
    # a rejection is still taken (the same order stays with maintenance)
    recheck(desk, finding_id, False, "仍渗水")
    assert stored(desk, finding_id).repair_id == order_id
    complete_order(desk, order_id)
    rectify(desk, finding_id)
    recheck(desk, finding_id, True)
    with desk.read() as ctx:
        assert repair.get(ctx, order_id).state == RepairState.closed
    assert stored(desk, finding_id).state == S.accepted
    assert verify_audit(desk.db).ok


def test_a_repair_finding_is_not_rectified_while_its_order_is_open(desk: Desk) -> None:
    """Dispatched and on site is not done: only completed counts."""
    finding_id = reach(desk, S.sent, department="repairs")
    order_id = stored(desk, finding_id).repair_id or 0
    with desk.write() as ctx:
        repair.dispatch(ctx, order_id, "刘师傅")
    error = refused(desk, lambda c: findings.rectified(c, finding_id, "已修"))
    assert error.key == "finding_error.order_not_done"
    assert stored(desk, finding_id).rectified_at is None


def test_steps_are_not_recorded_twice_nor_in_the_future(desk: Desk) -> None:
    incident_id = open_lift(desk)
    done(desk, incident_id, 2)
    error = refused(
        desk, lambda c: incident.record_step(c, incident_id, 2, StepIn(called="x", called_at=NOW))
    )
    assert error.key == "incident_error.step_recorded"
    with desk.write() as ctx:
        incident.not_needed(ctx, incident_id, 5, "无人受伤")
    # a step marked not needed is not then recorded done, nor anyone arriving for it
    error = refused(desk, lambda c: incident.record_step(c, incident_id, 5, StepIn(called="x")))
    assert error.key == "incident_error.step_recorded"
    error = refused(desk, lambda c: incident.arrive(c, incident_id, 5, "王工", NOW))
    assert error.key == "incident_error.cannot_arrive"
    # an arrival in the future, or before the call; the step itself with a future arrival
    error = refused(
        desk, lambda c: incident.arrive(c, incident_id, 2, "王工", NOW + timedelta(minutes=5))
    )
    assert error.field == "arrived_at"
    later = StepIn(
        called="王工",
        called_at=NOW - timedelta(minutes=5),
        arrived="王工",
        arrived_at=NOW + timedelta(minutes=30),
    )
    error = refused(desk, lambda c: incident.record_step(c, incident_id, 3, later))
    assert fields_of(error) == {"arrived_at"}
    # security holding the desk from a time still to come
    error = refused(
        desk,
        lambda c: incident.start_stand_in(c, incident_id, "保安赵六", NOW + timedelta(hours=1)),
    )
    assert error.field == "from_at"
    with desk.write() as ctx:
        incident.arrive(ctx, incident_id, 2, "王工", NOW)
    error = refused(desk, lambda c: incident.arrive(c, incident_id, 2, "李工", NOW))
    assert error.key == "incident_error.cannot_arrive"
    with desk.read() as ctx:
        steps = incident.steps_of(ctx, incident_id)
        assert incident.stand_ins_of(ctx, incident_id) == []
    assert (steps[1].arrived, steps[2].state, steps[4].reason) == (
        "王工",
        StepState.pending,
        "无人受伤",
    )
    assert verify_audit(desk.db).ok


def test_a_closed_incident_takes_no_follow_up_nor_hand_on(desk: Desk) -> None:
    """A follow-up is a repair order or a complaint; left open it holds the incident until
    handed on; once closed the incident takes no follow-up, hand-on or stand-in change."""
    incident_id = open_lift(desk)
    error = refused(desk, lambda c: incident.link(c, incident_id, "night_log", 1))
    assert error.key == "incident_error.no_follow_up"
    with desk.write() as ctx:
        follow = incident.open_repair(ctx, incident_id)
        incident.record_cause(ctx, incident_id, "停电后电梯未平层")
    for step in range(1, 10):
        done(desk, incident_id, step, reference="110-2026-0007")
    error = refused(desk, lambda c: incident.close(c, incident_id))
    assert keys(error) == {"incident_error.follow_ups_open"}
    with desk.write() as ctx:
        incident.hand_on(ctx, incident_id, follow.id or 0, "交工程部跟进")
        incident.close(ctx, incident_id)
    order = register_repair(desk)
    for call in (
        lambda c: incident.link(c, incident_id, "repairs", order),
        lambda c: incident.hand_on(c, incident_id, follow.id or 0, "再交"),
        lambda c: incident.end_stand_in(c, incident_id, 1),
    ):
        assert refused(desk, call).key == "incident_error.closed"
    with desk.read() as ctx:
        assert len(incident.follow_ups_of(ctx, incident_id)) == 1
    assert verify_audit(desk.db).ok


def test_another_estates_records_are_out_of_reach_of_findings_patrols_and_incidents(
    db: Database, boss: Desk, clerk: Operator
) -> None:
    """From the default estate's desk: HG's repair order is not linked to an incident here,
    HG's finding is not rectified, re-inspected nor withdrawn, HG's round is not walked, no
    finding is raised on HG's incident. The call-centre desk takes a step on HG's finding in HG
    and links no main repair order to HG's incident."""
    _two_estates(boss)
    here = Desk(db, clerk)
    mine = open_lift(here)
    main_order = register_repair(here)
    hg = _open(db, "HG")
    try:
        there = Desk(hg, clerk)
        hg_order = register_repair(there)
        hg_incident = open_lift(there)
        hg_round = start_round(there)
        hg_finding = reach(there, S.rectified)
        with there.read() as ctx:
            point = patrol.points_of(ctx, hg_round)[0].id or 0
    finally:
        hg.dispose()
    yes = RecheckIn(accepted=True, checked_by="周海")
    boss_here = Desk(db, boss.operator)
    for desk, call in (
        (here, lambda c: incident.link(c, mine, "repairs", hg_order)),
        (here, lambda c: incident.raise_finding(c, hg_incident, finding_in())),
        (here, lambda c: findings.raise_finding(c, "incident", hg_incident, finding_in())),
        (here, lambda c: findings.recheck(c, hg_finding, yes)),
        (here, lambda c: findings.rectified(c, hg_finding)),
        (boss_here, lambda c: findings.withdraw(c, hg_finding, "误报")),
        (here, lambda c: patrol.check_ok(c, hg_round, point)),
        (here, lambda c: patrol.check_finding(c, hg_round, point, finding_in())),
    ):
        assert isinstance(refused(desk, call), NotFound)
    with here.read() as ctx:
        assert incident.follow_ups_of(ctx, mine) == []
        assert findings.open_findings(ctx) == []
    centre = _open(db, "*")
    try:
        at_centre = Desk(centre, boss.operator)
        error = refused(at_centre, lambda c: incident.link(c, hg_incident, "repairs", main_order))
        assert isinstance(error, NotFound)
        # a round is started in the estate of the call, never in whichever the database gives
        error = refused(
            at_centre, lambda c: patrol.start(c, RoundIn(route="estate", patrolled_by="周海"))
        )
        assert error.key == "estate.not_chosen"
        with at_centre.write() as ctx:
            findings.recheck(ctx, hg_finding, yes)
        with at_centre.read() as ctx:
            found = findings.get(ctx, hg_finding)
            assert found.state == S.accepted and found.estate_id != 1
            assert incident.follow_ups_of(ctx, hg_incident) == []
    finally:
        centre.dispose()
    assert verify_audit(db).ok


def _export(db: Database, estate: str, registers: str) -> dict[str, list[dict[str, Any]]]:
    result = runner.invoke(
        app, ["--db", db.url, "--estate", estate, "export", "--register", registers]
    )
    assert result.exit_code == 0, result.output
    found: dict[str, list[dict[str, Any]]] = json.loads(result.output)
    return found


def test_an_estates_export_holds_none_of_another_estates_rows(
    db: Database, boss: Desk, clerk: Operator
) -> None:
    """`desk --estate main export` of incidents, patrols and findings: the default estate's rows
    only, their steps, checkpoints and re-inspections included; HG's desk exports HG's."""
    _two_estates(boss)
    here = Desk(db, clerk)
    mine = open_lift(here)
    my_finding = reach(here, S.accepted)
    hg = _open(db, "HG")
    try:
        there = Desk(hg, clerk)
        theirs = open_lift(there)
        with there.write() as ctx:
            incident.start_stand_in(ctx, theirs, "保安赵六")
            incident.open_repair(ctx, theirs)
        their_finding = reach(there, S.accepted)
        with there.write() as ctx:
            incident.raise_finding(ctx, theirs, finding_in())
    finally:
        hg.dispose()
    names = "incidents,patrols,findings"
    data = _export(db, "main", names)
    assert [r["id"] for r in data["incidents"]] == [mine]
    incident_row = data["incidents"][0]
    assert len(incident_row["steps"]) == 9
    assert incident_row["stand_ins"] == [] and incident_row["follow_ups"] == []
    assert [r["id"] for r in data["findings"]] == [my_finding]
    assert [len(r["checks"]) for r in data["findings"]] == [1]
    (round_row,) = data["patrols"]
    assert [f["id"] for f in round_row["findings"]] == [my_finding]
    assert {p["estate_id"] for p in round_row["points"]} == {1}
    text = json.dumps(data, ensure_ascii=False)
    assert "HG-" not in text and "保安赵六" not in text
    data = _export(db, "HG", names)
    assert [r["id"] for r in data["incidents"]] == [theirs]
    assert {r["id"] for r in data["findings"]} > {their_finding}
    assert my_finding not in {r["id"] for r in data["findings"]}
    assert verify_audit(db).ok


def test_a_round_typed_in_days_later_cannot_clear_a_missed_one(desk: Desk) -> None:
    """An insider covers yesterday's missed round by typing it in today, dated then: refused
    past `record_within_hours`, and the round stays missed; within the hours it is taken."""
    with desk.write() as ctx:
        hours = ctx.settings.patrol.record_within_hours
        late = RoundIn(
            route="estate", patrolled_by="郑刚", started_at=ctx.now - timedelta(hours=hours + 1)
        )
        with pytest.raises(DeskError, match="within 24 hours") as refused:
            patrol.start(ctx, late)
        assert refused.value.field == "started_at"
        recent = RoundIn(
            route="estate", patrolled_by="郑刚", started_at=ctx.now - timedelta(hours=hours - 1)
        )
        assert patrol.start(ctx, recent).started_at == recent.started_at
