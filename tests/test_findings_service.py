"""Findings at fixed clocks: raised, sent (a repair order for the repairs department, the
department's own task otherwise), rectified, re-inspected (rejected and sent back, then
accepted), every deadline on the working-day engine, every refusal, and the ways an insider or a
careless clerk would try to close one without its acceptance."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from desk.db import Database
from desk.models import FindingState, Operator, RepairLocation, RepairState
from desk.services import audit, findings, repair
from desk.services.callback_step import CallbackResult
from desk.services.errors import DeskError, FieldErrors, Forbidden, NotFound
from desk.services.findings import RecheckIn
from tests.conftest import NOW, TZ, Desk
from tests.finding_seed import (
    add_room,
    complete_order,
    finding_in,
    raised,
    reach,
    recheck,
    rectify,
    send,
    start_round,
    stored,
)
from tests.test_estates_service import _open, _two_estates

S = FindingState


def at(month: int, day: int, hour: int = 9, minute: int = 30) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


def refused(desk: Desk, call: object) -> DeskError:
    with pytest.raises(DeskError) as err, desk.write() as ctx:
        call(ctx)  # type: ignore[operator]
    return err.value


def fields_of(error: DeskError) -> set[str | None]:
    errors = error.errors if isinstance(error, FieldErrors) else [error]
    return {each.field for each in errors}


def test_a_department_task_is_rejected_once_then_accepted(desk: Desk) -> None:
    """Cleaning's finding: sent (rectify by 1 working day), rectified (re-inspect within 1
    working day), rejected with what is still wrong (back to cleaning, a new rectify-by), then
    accepted on the second round; each round a FindingCheck, each step audited."""
    finding_id = raised(desk, start_round(desk))
    found = stored(desk, finding_id)
    assert found.number == "ZG-20261123-001" and found.state == S.open
    assert (found.owner, found.department, found.repair_id) == ("patrol", "cleaning", None)
    with desk.read() as ctx:
        assert findings.due_at(ctx, found) == NOW + timedelta(hours=4)  # send_within
        assert [f.id for f in findings.open_findings(ctx)] == [finding_id]
        assert findings.allowed_actions(found) == {"send", "withdraw"}
    found = send(desk, finding_id)
    assert found.state == S.sent and found.repair_id is None
    assert found.rectify_due_at == at(11, 24)  # cleaning: 1wd
    desk.now = at(11, 24, 8)
    found = rectify(desk, finding_id, "已清理")
    assert found.state == S.rectified and found.recheck_due_at == at(11, 25, 8)
    with desk.read() as ctx:
        assert [f.id for f in findings.awaiting_recheck(ctx)] == [finding_id]
    desk.now = at(11, 24, 10)
    error = refused(
        desk,
        lambda c: findings.recheck(c, finding_id, RecheckIn(accepted=False, checked_by="周海")),
    )
    assert fields_of(error) == {"note"}  # a rejection says what is still wrong
    recheck(desk, finding_id, False, "仍有污渍")
    found = stored(desk, finding_id)
    assert found.state == S.sent and found.rounds == 1 and found.rectify_due_at == at(11, 25, 10)
    assert found.rectified_at is None and found.first_rectified_at == at(11, 24, 8)
    desk.now = at(11, 25, 9)
    rectify(desk, finding_id, "重新清洗")
    recheck(desk, finding_id, True)
    found = stored(desk, finding_id)
    assert found.state == S.accepted and found.rounds == 2
    assert (found.accepted_by, found.accepted_at) == ("周海", at(11, 25, 9))
    with desk.read() as ctx:
        rounds = findings.checks_of(ctx, finding_id)
        assert [(c.round, c.accepted, c.note) for c in rounds] == [
            (1, False, "仍有污渍"),
            (2, True, ""),
        ]
        assert findings.open_findings(ctx) == [] and findings.due_at(ctx, found) is None
        actions = [e.action for e in audit.history(ctx, findings.REGISTER, finding_id)]
    assert actions == ["raised", "sent", "rectified", "rejected", "rectified", "accepted"]
    assert findings.allowed_actions(found) == frozenset()


def test_a_repair_finding_is_a_repair_order_and_waits_for_its_completion(desk: Desk) -> None:
    """Sent to repairs it becomes a repair order (the finding's number in its description);
    "rectified" is refused until the order is completed; the re-inspection is the order's
    callback: rejected sends that same order back to maintenance, accepted closes it."""
    add_room(desk)
    finding_id = raised(desk, start_round(desk), department="repairs", room="3-1202", place="")
    found = send(desk, finding_id)
    assert found.repair_id is not None and found.rectify_due_at == at(11, 26)  # 3wd
    order_id = found.repair_id
    with desk.read() as ctx:
        order = repair.get(ctx, order_id)
        assert order.number == "WX-20261123-001" and order.state == RepairState.registered
        assert order.room == "3-1202" and order.location == RepairLocation.unit
        assert order.description.startswith(f"[{found.number}]")
    error = refused(desk, lambda c: findings.rectified(c, finding_id))
    assert error.key == "finding_error.order_not_done" and "WX-20261123-001" in error.message
    assert stored(desk, finding_id).state == S.sent
    complete_order(desk, order_id)
    rectify(desk, finding_id)
    recheck(desk, finding_id, False, "仍渗水")
    found = stored(desk, finding_id)
    assert found.state == S.sent and found.repair_id == order_id
    with desk.read() as ctx:
        assert findings.checks_of(ctx, finding_id)[0].repair_id == order_id
        order = repair.get(ctx, order_id)
        assert (order.state, order.reopen_count) == (RepairState.registered, 1)
        assert audit.history(ctx, repair.REGISTER, order_id)[-1].reason == "仍渗水"
    error = refused(desk, lambda c: findings.rectified(c, finding_id))
    assert error.key == "finding_error.order_not_done"
    complete_order(desk, order_id)
    rectify(desk, finding_id)
    recheck(desk, finding_id, True)
    assert stored(desk, finding_id).state == S.accepted
    with desk.read() as ctx:
        order = repair.get(ctx, order_id)
        assert order.state == RepairState.closed and order.satisfied is True


def test_an_order_already_called_back_gets_a_new_order_for_the_rework(desk: Desk) -> None:
    """The resident (or a clerk) closed the order on its callback before the patrol's
    re-inspection rejected the work: the rework is another order."""
    finding_id = reach(desk, S.rectified, department="repairs")
    first = stored(desk, finding_id).repair_id
    assert first is not None
    with desk.write() as ctx:
        repair.call_back(ctx, first, CallbackResult(reached=True, satisfied=True))
    recheck(desk, finding_id, False, "仍有裂缝")
    found = stored(desk, finding_id)
    assert found.repair_id not in (None, first) and found.state == S.sent
    with desk.read() as ctx:
        again = repair.get(ctx, found.repair_id or 0)
    assert again.description.startswith(f"[{found.number} (1)]")


def test_a_public_area_finding_makes_a_public_repair_order(desk: Desk) -> None:
    finding_id = reach(desk, S.sent, department="repairs")
    found = stored(desk, finding_id)
    assert found.repair_id is not None
    with desk.read() as ctx:
        order = repair.get(ctx, found.repair_id)
    assert order.location == RepairLocation.public and order.room == ""
    assert "3栋大堂" in order.description


def test_deadlines_count_working_days_over_a_weekend_and_the_site_times(desk: Desk) -> None:
    """Sent on Friday 27 November: repairs' 3 working days end on Wednesday 2 December; a
    rectification on Friday evening is re-inspected by Monday evening (1wd); the overdue list
    names a finding whose step is past due."""
    round_id = start_round(desk)
    desk.now = at(11, 27, 17)
    finding_id = raised(desk, round_id, department="repairs")
    other = raised(desk, round_id, department="security")
    found = send(desk, finding_id)
    assert found.rectify_due_at == at(12, 2, 17)
    found = send(desk, other)
    assert found.rectify_due_at == at(11, 30, 17)  # security: 1wd, over the weekend
    desk.now = at(11, 27, 18)
    found = rectify(desk, other)
    assert found.recheck_due_at == at(11, 30, 18)
    desk.now = at(11, 30, 19)
    with desk.read() as ctx:
        late = {f.id for f in findings.overdue(ctx)}
        items = {i.record_id: i.due_kind for i in findings.open_items(ctx)}
    assert late == {other}
    assert items == {finding_id: "rectify", other: "recheck"}


def test_a_late_rectification_is_recorded_late(desk: Desk) -> None:
    finding_id = reach(desk, S.sent)
    desk.now = at(11, 25)
    rectify(desk, finding_id)
    with desk.read() as ctx:
        event = audit.history(ctx, findings.REGISTER, finding_id)[-1]
    assert audit.event_data(event)["late"] is True


def test_raising_checks_every_field_at_once(desk: Desk) -> None:
    round_id = start_round(desk)
    error = refused(
        desk,
        lambda c: findings.raise_finding(
            c,
            "patrol",
            round_id,
            finding_in(what="", department="plumbing", raised_by="", room="9-9999"),
        ),
    )
    assert fields_of(error) == {"what", "department", "raised_by", "room"}
    error = refused(
        desk, lambda c: findings.raise_finding(c, "patrol", round_id, finding_in(place=""))
    )
    assert error.key == "finding_error.where_needed"
    error = refused(
        desk,
        lambda c: findings.raise_finding(
            c, "patrol", round_id, finding_in(raised_at=NOW + timedelta(hours=1))
        ),
    )
    assert fields_of(error) == {"raised_at"}
    for owner, owner_id in (("patrol", 999), ("kitchen", round_id), ("move_in", round_id)):
        with pytest.raises(DeskError), desk.write() as ctx:
            findings.raise_finding(ctx, owner, owner_id, finding_in())
    with desk.read() as ctx:
        assert findings.of_owner(ctx, "patrol", round_id) == []


# --- attacks -------------------------------------------------------------------------------


def test_a_finding_is_never_closed_out_of_order(desk: Desk) -> None:
    """Accepting what was never sent or rectified, rectifying what was never sent, sending
    twice, re-inspecting an accepted finding again, withdrawing a rectified one: each refused,
    nothing saved."""
    opened = reach(desk, S.open)
    sent = reach(desk, S.sent)
    accepted = reach(desk, S.accepted)
    yes = RecheckIn(accepted=True, checked_by="周海")
    for finding_id, call, key in (
        (opened, lambda c, i: findings.recheck(c, i, yes), "cannot_recheck"),
        (opened, lambda c, i: findings.rectified(c, i), "cannot_rectify"),
        (sent, lambda c, i: findings.recheck(c, i, yes), "cannot_recheck"),
        (sent, lambda c, i: findings.send(c, i), "cannot_send"),
        (accepted, lambda c, i: findings.recheck(c, i, yes), "cannot_recheck"),
        (accepted, lambda c, i: findings.send(c, i), "cannot_send"),
        (accepted, lambda c, i: findings.rectified(c, i), "cannot_rectify"),
    ):
        error = refused(desk, lambda c, f=finding_id, k=call: k(c, f))
        assert error.key == f"finding_error.{key}", (finding_id, key)
    assert [stored(desk, i).state for i in (opened, sent, accepted)] == [S.open, S.sent, S.accepted]
    rectified = reach(desk, S.rectified)
    error = refused(desk, lambda c: findings.withdraw(c, rectified, "误报"))
    assert isinstance(error, Forbidden)  # the role is asked before the state
    assert stored(desk, rectified).state == S.rectified


def test_a_rectification_is_not_before_it_was_sent_nor_a_recheck_before_it(desk: Desk) -> None:
    finding_id = reach(desk, S.sent)
    error = refused(desk, lambda c: findings.rectified(c, finding_id, at=NOW - timedelta(hours=1)))
    assert error.key == "finding_error.before_last_step"
    rectify(desk, finding_id)
    early = RecheckIn(accepted=True, checked_by="周海", checked_at=NOW - timedelta(minutes=1))
    error = refused(desk, lambda c: findings.recheck(c, finding_id, early))
    assert fields_of(error) == {"checked_at"}
    assert stored(desk, finding_id).state == S.rectified


def test_only_a_supervisor_withdraws_a_finding_and_says_why(
    db: Database, desk: Desk, night: Operator, boss: Desk
) -> None:
    finding_id = reach(desk, S.sent)
    for clerk in (desk, Desk(db, night, NOW)):
        error = refused(clerk, lambda c: findings.withdraw(c, finding_id, "误报"))
        assert isinstance(error, Forbidden)
        assert error.message.startswith("only a supervisor may withdraw a finding")
    error = refused(boss, lambda c: findings.withdraw(c, finding_id, " "))
    assert fields_of(error) == {"reason"}
    with boss.write() as ctx:
        findings.withdraw(ctx, finding_id, "巡查人看错位置")
    found = stored(desk, finding_id)
    assert found.state == S.withdrawn and found.withdraw_reason == "巡查人看错位置"
    error = refused(boss, lambda c: findings.withdraw(c, finding_id, "again"))
    assert error.key == "finding_error.cannot_withdraw"


def test_another_estates_finding_is_out_of_reach(db: Database, boss: Desk, clerk: Operator) -> None:
    """A finding of estate HG (HG-ZG-…): unseen at the default estate's desk, no step can be
    taken on it from there, and no finding can be raised there on HG's round."""
    _two_estates(boss)
    hg = _open(db, "HG")
    try:
        hg_desk = Desk(hg, clerk)
        round_id = start_round(hg_desk)
        theirs = raised(hg_desk, round_id)
        assert stored(hg_desk, theirs).number.startswith("HG-ZG-")
        main = Desk(db, clerk)
        with main.read() as ctx:
            assert findings.by_number(ctx, stored(hg_desk, theirs).number) is None
            assert findings.open_findings(ctx) == []
            with pytest.raises(NotFound):
                findings.get(ctx, theirs)
        for call in (
            lambda c: findings.send(c, theirs),
            lambda c: findings.raise_finding(c, "patrol", round_id, finding_in()),
        ):
            with pytest.raises(NotFound), main.write() as ctx:
                call(ctx)
        assert stored(hg_desk, theirs).state == S.open
    finally:
        hg.dispose()
