"""Repair work orders through their whole lifecycle, at fixed clocks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desk.db import Database
from desk.models import Operator, RepairState
from desk.services import audit, board, repair, repair_billing
from desk.services.errors import DeskError, FieldErrors, Forbidden
from desk.services.repair import CallbackResult, RepairCompletion, RepairCreate
from tests.conftest import NOW, TZ, Desk
from tests.seed import register_repair


def test_register_numbers_by_day_and_sets_dispatch_due(desk: Desk) -> None:
    first = register_repair(desk)
    second = register_repair(desk)
    with desk.read() as ctx:
        a, b = repair.get(ctx, first), repair.get(ctx, second)
    assert a.number == "WX-20261123-001"
    assert b.number == "WX-20261123-002"
    assert a.dispatch_due_at == NOW + timedelta(minutes=30)
    assert a.state == RepairState.registered


def test_full_lifecycle_closes_on_satisfied_callback(desk: Desk) -> None:
    order_id = register_repair(desk)
    with desk.write() as ctx:
        repair.dispatch(ctx, order_id, "李建国")
    desk.now = NOW + timedelta(hours=1)
    with desk.write() as ctx:
        repair.arrive(ctx, order_id)
        done = repair.complete(ctx, order_id, RepairCompletion(work_done="换阀芯"))
        assert done.callback_due_at == desk.now + timedelta(days=2)
    with desk.write() as ctx:
        closed = repair.call_back(ctx, order_id, CallbackResult(satisfied=True, note="好"))
    assert closed.state == RepairState.closed
    with desk.read() as ctx:
        actions = [e.action for e in audit.history(ctx, "repairs", order_id)]
    assert actions == ["registered", "dispatched", "on_site", "completed", "called_back"]


def test_not_satisfied_reopens_to_maintenance(desk: Desk) -> None:
    order_id = register_repair(desk)
    with desk.write() as ctx:
        repair.dispatch(ctx, order_id, "李建国")
        repair.complete(ctx, order_id, RepairCompletion(work_done="换阀芯"))
        with pytest.raises(DeskError):
            repair.call_back(ctx, order_id, CallbackResult(satisfied=False, note=""))
    with desk.write() as ctx:
        order = repair.call_back(ctx, order_id, CallbackResult(satisfied=False, note="还在滴水"))
    assert order.state == RepairState.registered
    assert order.reopen_count == 1
    # the new round starts clean; the one that did not satisfy stays in the history
    assert (order.dispatched_at, order.on_site_at, order.completed_at) == (None, None, None)
    with desk.read() as ctx:
        actions = [e.action for e in audit.history(ctx, "repairs", order_id)]
    assert actions[-3:] == ["dispatched", "completed", "reopened"]


def test_leak_callback_counts_from_leak_test(desk: Desk) -> None:
    order_id = register_repair(desk, category="leak")
    with desk.write() as ctx:
        repair.dispatch(ctx, order_id, "李建国")
        with pytest.raises(DeskError) as err:
            repair.complete(ctx, order_id, RepairCompletion(work_done="补漏"))
        assert err.value.field == "leak_test_at"
    test_at = NOW - timedelta(hours=1)
    with desk.write() as ctx:
        order = repair.complete(
            ctx, order_id, RepairCompletion(work_done="补漏", leak_test_at=test_at)
        )
    assert order.callback_due_at == test_at + timedelta(days=3)


def test_completing_twice_is_refused(desk: Desk) -> None:
    order_id = register_repair(desk)
    with desk.write() as ctx:
        repair.dispatch(ctx, order_id, "李建国")
        repair.complete(ctx, order_id, RepairCompletion(work_done="ok"))
    with pytest.raises(DeskError) as err, desk.write() as ctx:
        repair.complete(ctx, order_id, RepairCompletion(work_done="again"))
    assert "not in a state" in err.value.message


def test_board_shows_undispatched_order_overdue_after_30_minutes(desk: Desk) -> None:
    register_repair(desk)
    desk.now = NOW + timedelta(minutes=31)
    with desk.read() as ctx:
        items = board.open_items(ctx)
    assert [i.due_kind for i in items] == ["dispatch"]
    assert items[0].overdue(desk.now)
    assert not items[0].overdue(NOW)


def test_failed_save_writes_nothing(desk: Desk) -> None:
    with pytest.raises(DeskError), desk.write() as ctx:
        repair.register(ctx, RepairCreate(room="3-1202", description="", category="water"))
    with desk.read() as ctx:
        assert repair.recent(ctx) == []
    assert TZ is not None


def test_only_a_supervisor_cancels_and_the_reason_is_in_the_history(
    db: Database, desk: Desk, supervisor: Operator
) -> None:
    order_id = register_repair(desk)
    with desk.write() as ctx:
        repair.dispatch(ctx, order_id, "李建国")
    with pytest.raises(Forbidden) as refused, desk.write() as ctx:
        repair.cancel(ctx, order_id, "住户已自行修好")
    message = refused.value.message
    assert message.startswith("only a supervisor may cancel a repair order, because cancelling")
    with desk.read() as ctx:
        assert repair.get(ctx, order_id).state == RepairState.dispatched
        assert [e.action for e in audit.history(ctx, "repairs", order_id)][-1] == "dispatched"
    boss = Desk(db, supervisor, NOW + timedelta(minutes=20))
    with pytest.raises(DeskError) as no_reason, boss.write() as ctx:
        repair.cancel(ctx, order_id, "  ")
    assert no_reason.value.field == "reason"
    with boss.write() as ctx:
        cancelled = repair.cancel(ctx, order_id, "住户已自行修好")
    assert cancelled.state == RepairState.cancelled and cancelled.closed_at == boss.now
    with desk.read() as ctx:
        event = audit.history(ctx, "repairs", order_id)[-1]
    assert (event.action, event.reason) == ("cancelled", "住户已自行修好")
    assert (event.operator_id, event.at) == (supervisor.id, boss.now)
    # not the property's to fix stays the clerk's
    other = register_repair(desk)
    with desk.write() as ctx:
        referred = repair.refer_out(ctx, other, "燃气公司 96777", "燃气表不归物业")
    assert referred.state == RepairState.referred_out


def test_the_agreed_visit_comes_after_the_call(desk: Desk) -> None:
    with pytest.raises(DeskError) as refused:
        register_repair(desk, appointment_at=NOW - timedelta(days=4))
    assert (refused.value.key, refused.value.field) == ("repair.before_reported", "appointment_at")
    # an order written up late may carry a visit agreed after the call, even if it is past now
    order_id = register_repair(
        desk, reported_at=NOW - timedelta(hours=5), appointment_at=NOW - timedelta(hours=1)
    )
    later = register_repair(desk, appointment_at=NOW + timedelta(days=1))
    with desk.read() as ctx:
        assert repair.get(ctx, order_id).appointment_at == NOW - timedelta(hours=1)
        assert repair.get(ctx, later).appointment_at == NOW + timedelta(days=1)


def _fields(error: FieldErrors) -> list[tuple[str | None, str]]:
    return [(e.field, e.key) for e in error.errors]


def test_every_step_says_all_its_bad_fields_at_once(desk: Desk) -> None:
    """Dispatch, complete and refer out: every field refused together, beside its own."""
    order_id = register_repair(desk, paid=True)
    later = NOW + timedelta(hours=1)
    with pytest.raises(FieldErrors) as refused, desk.write() as ctx:
        repair.dispatch(ctx, order_id, " ", at=later)
    assert _fields(refused.value) == [
        ("technician", "field.required"),
        ("dispatched_at", "field.in_future"),
    ]
    with desk.write() as ctx:
        repair.dispatch(ctx, order_id, "李建国")
        repair_billing.agree_price(ctx, order_id, 5000, "王")  # a paid order: before the work
    data = RepairCompletion(completed_at=later, work_done="", labour_fen=-1, material_fen=10**12)
    with pytest.raises(FieldErrors) as refused, desk.write() as ctx:
        repair.complete(ctx, order_id, data)
    assert _fields(refused.value) == [
        ("completed_at", "field.in_future"),
        ("work_done", "field.required"),
        ("labour_fen", "field.negative_money"),
        ("material_fen", "repair.charge_too_large"),
    ]
    with pytest.raises(FieldErrors) as refused, desk.write() as ctx:
        repair.refer_out(ctx, order_id, "", " ")
    assert _fields(refused.value) == [
        ("referred_to", "field.required"),
        ("reason", "field.required"),
    ]
    with desk.read() as ctx:
        order = repair.get(ctx, order_id)
    assert (order.state, order.work_done, order.referred_to) == (RepairState.dispatched, "", "")


def test_a_leak_is_told_its_test_time_with_the_other_refusals(desk: Desk) -> None:
    order_id = register_repair(desk, category="leak")
    with desk.write() as ctx:
        repair.dispatch(ctx, order_id, "周海")
    with pytest.raises(FieldErrors) as refused, desk.write() as ctx:
        repair.complete(ctx, order_id, RepairCompletion(work_done=""))
    assert _fields(refused.value) == [
        ("work_done", "field.required"),
        ("leak_test_at", "repair.leak_test_required"),
    ]


def test_a_callback_says_its_note_and_what_it_found_at_once(desk: Desk) -> None:
    order_id = register_repair(desk)
    with desk.write() as ctx:
        repair.dispatch(ctx, order_id, "李建国")
        repair.complete(ctx, order_id, RepairCompletion(work_done="换阀芯"))
    missed = CallbackResult(reached=False, note="字" * 10_000)
    with pytest.raises(FieldErrors) as refused, desk.write() as ctx:
        repair.call_back(ctx, order_id, missed)
    assert _fields(refused.value) == [
        ("note", "field.too_long"),
        ("retry_at", "callback.retry_required"),
    ]
    undecided = CallbackResult(reached=True, satisfied=None, note="字" * 10_000)
    with pytest.raises(FieldErrors) as refused, desk.write() as ctx:
        repair.call_back(ctx, order_id, undecided)
    assert _fields(refused.value) == [
        ("note", "field.too_long"),
        ("satisfied", "callback.satisfaction_required"),
    ]
    with pytest.raises(DeskError) as said, desk.write() as ctx:
        repair.call_back(ctx, order_id, CallbackResult(satisfied=False))
    assert (said.value.field, said.value.key) == ("note", "callback.reason_required")
