"""Ways an insider or a careless clerk would try to bend the renovation rules: each is refused,
and nothing of the attempt is saved."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from desk.db import Database
from desk.models import Operator, RenovationState, Role
from desk.services import operators, renovation
from desk.services.errors import DeskError, Forbidden, NotFound
from desk.services.renovation import InspectionIn, Papers, VisitIn
from tests.conftest import NOW, Desk, add_staff
from tests.renovation_seed import PAID, add_owner, application, reach, scope_breach, stored
from tests.test_estates_service import _open, _two_estates

S = RenovationState


@pytest.fixture
def site(desk: Desk) -> Desk:
    add_owner(desk)
    return desk


def refused(desk: Desk, call: object) -> DeskError:
    with pytest.raises(DeskError) as err, desk.write() as ctx:
        call(ctx)  # type: ignore[operator]
    return err.value


def test_only_a_supervisor_keeps_back_any_of_a_deposit(
    db: Database, site: Desk, night: Operator, boss: Desk
) -> None:
    """A clerk (or the night duty) who "refunds" 1 yuan less keeps the owner's money: refused,
    saying who may; the supervisor demoted while signed in loses the right at once."""
    renovation_id = reach(site, S.passed)
    due = stored(site, renovation_id).refund_due_on
    assert due is not None
    moment = datetime.combine(due, NOW.timetz())
    for operator in (site.operator, night):
        desk = Desk(db, operator, moment)
        error = refused(desk, lambda c: renovation.refund(c, renovation_id, 299900, "x", "y"))
        assert isinstance(error, Forbidden)
        assert error.message.startswith("only a supervisor may keep back part of a renovation")
    second = add_staff(db, "赵主管", Role.supervisor, "8888")
    with boss.write() as ctx:
        operators.set_role(ctx, "赵主管", Role.clerk)
    error = refused(
        Desk(db, second, moment), lambda c: renovation.refund(c, renovation_id, 1, "x", "y")
    )
    assert isinstance(error, Forbidden)
    found = stored(site, renovation_id)
    assert found.state == S.passed and found.refund_fen is None


def test_a_suspension_is_lifted_by_a_supervisor_only(
    db: Database, site: Desk, night: Operator
) -> None:
    renovation_id = reach(site, S.suspended)
    for desk in (site, Desk(db, night, site.now)):
        error = refused(desk, lambda c: renovation.resume(c, renovation_id, "已整改"))
        assert isinstance(error, Forbidden)
    assert stored(site, renovation_id).state == S.suspended


def test_skipping_a_step_is_refused(site: Desk) -> None:
    """A permit without the engineering department's approval, works without a permit, a
    refund without an inspection, an inspection of works not finished: each refused."""
    applied = reach(site, S.applied)
    for call, key in (
        (lambda c: renovation.issue_permit(c, applied), "cannot_issue_permit"),
        (lambda c: renovation.to_engineering(c, applied, PAID), "cannot_to_engineering"),
        (lambda c: renovation.approve(c, applied, "李建国"), "cannot_approve"),
        (lambda c: renovation.start_works(c, applied), "cannot_start_works"),
        (lambda c: renovation.refund(c, applied), "cannot_refund"),
        (lambda c: renovation.archive(c, applied), "cannot_archive"),
        (lambda c: renovation.visit(c, applied, scope_breach()), "cannot_visit"),
    ):
        assert refused(site, call).key == f"renovation_error.{key}"
    site.now = NOW
    works = reach(site, S.in_works)
    error = refused(site, lambda c: renovation.inspect(c, works, InspectionIn(inspector="李")))
    assert error.key == "renovation_error.cannot_inspect"
    assert stored(site, applied).state == S.applied and stored(site, works).state == S.in_works


def test_a_deposit_back_with_interest_or_below_nothing_is_refused(site: Desk, boss: Desk) -> None:
    renovation_id = reach(site, S.passed)
    due = stored(site, renovation_id).refund_due_on
    assert due is not None
    boss.now = datetime.combine(due, NOW.timetz())
    for amount, key in ((300050, "renovation_error.refund_above_deposit"), (-1, "")):
        error = refused(boss, lambda c, a=amount: renovation.refund(c, renovation_id, a, "x", "y"))
        assert error.field == "refund" and (not key or error.key == key)
    assert stored(site, renovation_id).refund_fen is None


def test_money_taken_without_a_receipt_does_not_go_to_engineering(site: Desk) -> None:
    renovation_id = reach(site, S.documents_complete)
    unpaid = Papers(deposit_fen=300000, debris_fee_fen=30000)
    error = refused(site, lambda c: renovation.to_engineering(c, renovation_id, unpaid))
    assert {each.field for each in getattr(error, "errors", [error])} == {
        "deposit_receipt",
        "debris_fee_receipt",
    }
    assert stored(site, renovation_id).state == S.documents_complete


def test_backdated_or_future_times_are_refused(site: Desk) -> None:
    """An owner "confirmed" tomorrow, a visit logged before the works began (to suspend a
    permit), an inspection passed before the works were finished."""
    agent = {
        "applicant": "赵代办",
        "applicant_kind": "agent",
        "applicant_phone": "13900009999",
        "owner_phone_called": "13812345678",
        "owner_confirmed_by": "李明",
        "owner_confirmed_at": NOW + timedelta(days=1),
    }
    error = refused(site, lambda c: renovation.apply(c, application(**agent)))
    assert error.field == "owner_confirmed_at"
    works = reach(site, S.in_works)
    began = stored(site, works).works_started_at
    assert began is not None
    early = scope_breach(visited_at=began - timedelta(days=1))
    assert refused(site, lambda c: renovation.visit(c, works, early)).field == "visited_at"
    with site.write() as ctx:
        renovation.finish(ctx, works, ctx.now + timedelta(days=1))
    finished = stored(site, works).works_finished_at
    assert finished is not None
    before = InspectionIn(inspector="李建国", inspected_at=finished - timedelta(hours=3))
    assert refused(site, lambda c: renovation.inspect(c, works, before)).field == "inspected_at"
    assert stored(site, works).state == S.finished


def test_works_seen_in_the_permitted_hours_cannot_be_suspended_for_hours(site: Desk) -> None:
    renovation_id = reach(site, S.in_works)
    site.now = datetime.combine(site.now.date(), datetime.min.time(), NOW.tzinfo) + timedelta(
        hours=15
    )
    hours = scope_breach(suspend_for="hours")
    error = refused(site, lambda c: renovation.visit(c, renovation_id, hours))
    assert error.key == "renovation_error.within_hours"
    # nor is a suspension slipped in on a visit with an unknown follow-up
    odd = VisitIn(visitor="周海", findings="x", follow_up="fine")
    assert refused(site, lambda c: renovation.visit(c, renovation_id, odd)).field == "follow_up"
    assert stored(site, renovation_id).state == S.in_works


def test_another_estates_renovation_is_out_of_reach(
    db: Database, boss: Desk, clerk: Operator
) -> None:
    """A renovation of estate HG: its id and its numbers reach nothing at the default estate's
    desk, and no step can be taken on it from there."""
    _two_estates(boss)
    hg = _open(db, "HG")
    try:
        hg_desk = Desk(hg, clerk)
        add_owner(hg_desk)
        theirs = reach(hg_desk, S.permit_issued)
        with hg_desk.read() as ctx:
            found = renovation.get(ctx, theirs)
        assert found.number.startswith("HG-ZX-") and found.permit_number.startswith("HG-XK-")
        main = Desk(db, clerk)
        with main.read() as ctx:
            assert renovation.find(ctx, found.number) is None
            assert renovation.find(ctx, found.permit_number) is None
            with pytest.raises(NotFound):
                renovation.get(ctx, theirs)
        with pytest.raises(NotFound), main.write() as ctx:
            renovation.withdraw(ctx, theirs, "撤掉别人的")
        with hg_desk.read() as ctx:
            assert renovation.get(ctx, theirs).state == S.permit_issued
    finally:
        hg.dispose()
