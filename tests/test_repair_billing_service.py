"""A paid repair's money: the price agreed before work, each completion kept, billed -> paid
with a receipt, corrections only by a supervisor or the clerk who wrote the charges, the unpaid
bills of the monthly report and the handover (003 「客户同意后才能开始维修」
「第三联交前台转财务」)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desk.db import Database
from desk.models import Operator, RepairState, Role
from desk.services import audit, repair, repair_billing, stats, summary
from desk.services.errors import DeskError, Forbidden
from desk.services.repair import CallbackResult, RepairCompletion, RepairCreate
from desk.services.repair_billing import ChargeCorrection
from tests.conftest import NOW, Desk, add_staff


def _paid_order(desk: Desk) -> int:
    data = RepairCreate(
        room="3-1202", resident_name="李明", description="热水器不打火", category="water", paid=True
    )
    with desk.write() as ctx:
        order_id = repair.register(ctx, data).id
        assert order_id is not None
        repair.dispatch(ctx, order_id, "李建国")
    return order_id


def test_price_before_work_then_billed_and_paid_with_a_receipt(db: Database, desk: Desk) -> None:
    order_id = _paid_order(desk)
    # the technician may not start before the resident agreed to the price
    with pytest.raises(DeskError) as refused, desk.write() as ctx:
        repair.arrive(ctx, order_id)
    assert refused.value.key == "repair.consent_required"
    assert "consent" in refused.value.message
    # nor may the clerk skip "on site" and record the work done without the consent
    with pytest.raises(DeskError) as skipped, desk.write() as ctx:
        repair.complete(ctx, order_id, RepairCompletion(work_done="换阀芯", labour_fen=3000))
    assert skipped.value.key == "repair.consent_required"
    with desk.write() as ctx, pytest.raises(DeskError) as nothing:
        repair_billing.agree_price(ctx, order_id, None, "李明")
    assert nothing.value.field == "quoted_fen"
    with desk.write() as ctx:
        assert "agree_price" in repair.allowed_actions(repair.get(ctx, order_id))
        repair_billing.agree_price(ctx, order_id, 12000, " 李明 ")
        order = repair.arrive(ctx, order_id)
    assert (order.quoted_fen, order.consent_by, order.consent_at) == (12000, "李明", NOW)
    assert order.state == RepairState.on_site
    # billed only after completion
    with desk.write() as ctx, pytest.raises(DeskError) as early:
        repair_billing.bill(ctx, order_id)
    assert early.value.key == "repair.bad_state"
    desk.now = NOW + timedelta(hours=1)
    with desk.write() as ctx:
        done = RepairCompletion(work_done="换点火针", labour_fen=5000, material_fen=3550)
        repair.complete(ctx, order_id, done)
        assert repair.allowed_actions(repair.get(ctx, order_id)) >= {"bill"}
        repair_billing.bill(ctx, order_id)
        with pytest.raises(DeskError) as twice:
            repair_billing.bill(ctx, order_id)
        assert twice.value.key == "repair.already_billed"
    # the unpaid bill is in the month's report and the handover's summary
    with desk.read() as ctx:
        month = stats.monthly(ctx, NOW - timedelta(days=20), NOW + timedelta(days=10))
        unpaid = summary.open_sections(ctx)["unpaid"]
    assert (month.repairs.unpaid, month.repairs.unpaid_fen) == (1, 8550)
    assert [(i.number, i.what) for i in unpaid] == [(order.number, "¥85.50 换点火针")]
    # paid needs the receipt's number
    with desk.write() as ctx, pytest.raises(DeskError) as no_receipt:
        repair_billing.pay(ctx, order_id, "  ")
    assert no_receipt.value.field == "receipt_number"
    with desk.write() as ctx:
        paid = repair_billing.pay(ctx, order_id, "SF000123")
        # after closing, the bill stays paid; paying again is refused
        repair.call_back(ctx, order_id, CallbackResult(satisfied=True, note="好"))
    assert (paid.paid_at, paid.receipt_number) == (desk.now, "SF000123")
    with desk.write() as ctx, pytest.raises(DeskError):
        repair_billing.pay(ctx, order_id, "SF000124")
    with desk.read() as ctx:
        month = stats.monthly(ctx, NOW - timedelta(days=20), NOW + timedelta(days=10))
        assert summary.open_sections(ctx)["unpaid"] == []
        actions = [e.action for e in audit.history(ctx, "repairs", order_id)]
    assert month.repairs.unpaid == 0
    assert actions[2:] == ["price_agreed", "on_site", "completed", "billed", "paid", "called_back"]


def test_a_free_order_needs_no_consent_and_takes_no_bill(desk: Desk) -> None:
    with desk.write() as ctx:
        order_id = repair.register(ctx, RepairCreate(room="3-1202", description="漏水")).id
        assert order_id is not None
        repair.dispatch(ctx, order_id, "李建国")
        with pytest.raises(DeskError) as quote:
            repair_billing.agree_price(ctx, order_id, 100, "李明")
        assert quote.value.key == "repair.quote_on_free"
        repair.arrive(ctx, order_id)
        repair.complete(ctx, order_id, RepairCompletion(work_done="换阀芯"))
        with pytest.raises(DeskError) as bill:
            repair_billing.bill(ctx, order_id)
        assert bill.value.key == "repair.bill_free"


def test_a_second_completion_adds_and_never_overwrites(desk: Desk) -> None:
    order_id = _paid_order(desk)
    with desk.write() as ctx:
        repair_billing.agree_price(ctx, order_id, 3000, "李明")
        repair.complete(ctx, order_id, RepairCompletion(work_done="换阀芯", labour_fen=3000))
        repair.call_back(ctx, order_id, CallbackResult(satisfied=False, note="还在滴水"))
    desk.now = NOW + timedelta(hours=3)
    with desk.write() as ctx:
        repair.dispatch(ctx, order_id, "孙文斌")
        second = RepairCompletion(work_done="换整个龙头", labour_fen=2000, material_fen=4500)
        order = repair.complete(ctx, order_id, second)
        rounds = repair_billing.completions(ctx, order_id)
    assert [(r.round, r.work_done, r.technician, r.labour_fen, r.material_fen) for r in rounds] == [
        (1, "换阀芯", "李建国", 3000, 0),
        (2, "换整个龙头", "孙文斌", 2000, 4500),
    ]
    assert (rounds[0].completed_at, rounds[1].completed_at) == (NOW, NOW + timedelta(hours=3))
    assert (order.labour_fen, order.material_fen) == (5000, 4500)
    # once billed, a further round takes no further charges: the bill stands
    with desk.write() as ctx:
        repair_billing.bill(ctx, order_id)
        repair.call_back(ctx, order_id, CallbackResult(satisfied=False, note="又漏了"))
        repair.dispatch(ctx, order_id, "孙文斌")
        with pytest.raises(DeskError) as more:
            repair.complete(ctx, order_id, RepairCompletion(work_done="再修", labour_fen=1))
        assert more.value.key == "repair.billed_no_more"
        assert repair.allowed_actions(repair.get(ctx, order_id)) >= {"pay"}


def test_charges_corrected_only_by_a_supervisor_or_the_clerk_who_wrote_them(
    db: Database, desk: Desk, supervisor: Operator
) -> None:
    order_id = _paid_order(desk)
    with desk.write() as ctx:
        repair_billing.agree_price(ctx, order_id, 3000, "李明")
        repair.complete(ctx, order_id, RepairCompletion(work_done="换阀芯", labour_fen=3000))
    other = Desk(db, add_staff(db, "刘洋", Role.clerk, "5678"), NOW + timedelta(minutes=5))
    wrong = ChargeCorrection(paid=True, labour_fen=300, material_fen=0, reason="少写了")
    with pytest.raises(Forbidden) as refused, other.write() as ctx:
        repair_billing.correct(ctx, order_id, wrong)
    assert "supervisor or the clerk who wrote them" in refused.value.message
    # the clerk who wrote them: a reason is required, then the correction stands
    with desk.write() as ctx, pytest.raises(DeskError) as why:
        repair_billing.correct(ctx, order_id, ChargeCorrection(True, 3500, 0))
    assert why.value.field == "reason"
    with desk.write() as ctx:
        repair_billing.correct(ctx, order_id, ChargeCorrection(True, 3500, 0, "人工费写错"))
    # a supervisor: the old and new values, who and why, in the audit
    boss = Desk(db, supervisor, NOW + timedelta(minutes=10))
    with boss.write() as ctx:
        with pytest.raises(DeskError) as free:
            repair_billing.correct(ctx, order_id, ChargeCorrection(False, 3500, 0, "保修"))
        assert free.value.key == "repair.charges_on_free"
        order = repair_billing.correct(
            ctx, order_id, ChargeCorrection(True, 3500, 1200, "漏记材料")
        )
    assert (order.paid, order.labour_fen, order.material_fen) == (True, 3500, 1200)
    with desk.read() as ctx:
        events = [e for e in audit.history(ctx, "repairs", order_id) if e.action.startswith("ch")]
        first = repair_billing.completions(ctx, order_id)[0]
    assert [(e.operator_id, e.reason) for e in events] == [
        (desk.operator.id if desk.operator else None, "人工费写错"),
        (supervisor.id, "漏记材料"),
    ]
    assert audit.event_data(events[1]) == {
        "old": {"paid": True, "labour_fen": 3500, "material_fen": 0},
        "new": {"paid": True, "labour_fen": 3500, "material_fen": 1200},
    }
    assert first.labour_fen == 3000  # the completion as it was written stays
    # paid: a correction is finance's, not the desk's
    with boss.write() as ctx:
        repair_billing.bill(ctx, order_id)
        repair_billing.pay(ctx, order_id, "SF9")
        with pytest.raises(DeskError) as late:
            repair_billing.correct(ctx, order_id, ChargeCorrection(True, 1, 0, "x"))
        assert late.value.key == "repair.correct_after_paid"


def test_the_charges_cannot_be_taken_over_made_up_or_rewritten_after_the_bill(
    db: Database, desk: Desk
) -> None:
    """Three insider's ways round the rules, each refused: a second clerk who completes a
    reopened round for nothing is not the writer of the first round's charges; a free order is
    not made paid after the work without the resident's agreement; a bill sent to finance is
    not rewritten at the desk."""
    order_id = _paid_order(desk)
    with desk.write() as ctx:
        repair_billing.agree_price(ctx, order_id, 10000, "李明")
        repair.complete(ctx, order_id, RepairCompletion(work_done="换点火针", labour_fen=10000))
    other = add_staff(db, "刘洋", Role.clerk, "5678")
    second = Desk(db, other, NOW + timedelta(hours=1))
    with second.write() as ctx:
        repair.call_back(ctx, order_id, CallbackResult(satisfied=False, note="还是不打火"))
        repair.dispatch(ctx, order_id, "孙文斌")
        repair.complete(ctx, order_id, RepairCompletion(work_done="再调试"))
    with pytest.raises(Forbidden), second.write() as ctx:
        repair_billing.correct(ctx, order_id, ChargeCorrection(True, 1, 0, "改一下"))
    with desk.read() as ctx:
        assert repair.get(ctx, order_id).labour_fen == 10000

    free = RepairCreate(
        room="3-1202", resident_name="李明", description="灯不亮", category="electric"
    )
    with desk.write() as ctx:
        free_id = repair.register(ctx, free).id or 0
        repair.dispatch(ctx, free_id, "周海")
        repair.arrive(ctx, free_id)
    with pytest.raises(DeskError) as unagreed, desk.write() as ctx:
        repair_billing.correct(ctx, free_id, ChargeCorrection(True, 50000, 0, "忘了收费"))
    assert unagreed.value.key == "repair.correct_paid_unagreed"

    desk.now = NOW + timedelta(hours=2)
    with desk.write() as ctx:
        repair_billing.bill(ctx, order_id)
    with pytest.raises(DeskError) as billed, desk.write() as ctx:
        repair_billing.correct(ctx, order_id, ChargeCorrection(True, 99_000_000, 0, "多收点"))
    assert billed.value.key == "repair.correct_after_billed"
    with desk.read() as ctx:
        assert repair.get(ctx, order_id).labour_fen == 10000
