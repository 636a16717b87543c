"""Bad input everywhere, register 2: repair orders registered with anything, then walked through
any sequence of dispatch, arrival, completion, callback, cancellation and referral, with any text,
any time and any money.

See tests/property_support.py for the property each call keeps.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hypothesis import event, example, given
from hypothesis import strategies as st

from desk.db import Database
from desk.models import Channel, Operator, RepairLocation, RepairOrder, RepairState
from desk.services import repair, repair_billing
from desk.services.repair import CallbackResult, RepairCompletion, RepairCreate
from desk.services.residents import normalise_room
from tests.conftest import NOW, Desk
from tests.property_support import (
    PROPERTY,
    WALK,
    any_text,
    attempt,
    maybe_times,
    mostly_nice,
    mostly_now,
    phones,
    read,
    rooms,
    variants,
)

money = st.one_of(
    st.integers(min_value=-5, max_value=200_000),
    st.sampled_from([0, 1, 100_000_000, 100_000_001, 2**31, 2**63, 10**30, -(2**63) - 1]),
)
categories = st.one_of(st.sampled_from(["water", "leak", "safety", "other"]), any_text)

REPAIR_NICE: dict[str, Any] = {
    "reported_at": None,
    "channel": Channel.phone,
    "resident_name": "李明",
    "room": "3-1202",
    "phone": "13812345678",
    "description": "厨房水龙头漏水",
    "location": RepairLocation.unit,
    "category": "water",
    "paid": False,
    "warranty": False,
    "appointment_at": None,
    "reception_id": None,
}
REPAIR_WILD: dict[str, Any] = {
    "reported_at": maybe_times,
    "channel": st.sampled_from(list(Channel)),
    "resident_name": any_text,
    "room": rooms,
    "phone": phones,
    "description": any_text,
    "location": st.sampled_from(list(RepairLocation)),
    "category": categories,
    "paid": st.booleans(),
    "warranty": st.booleans(),
    "appointment_at": maybe_times,
    "reception_id": st.sampled_from([None, 999_999]),
}


@PROPERTY
@given(fields=variants(REPAIR_NICE, REPAIR_WILD))
@example(fields={**REPAIR_NICE, "appointment_at": datetime.min.replace(tzinfo=NOW.tzinfo)})
@example(fields={**REPAIR_NICE, "reported_at": NOW.replace(tzinfo=None)})
@example(fields={**REPAIR_NICE, "reception_id": 999_999})
def test_registering_a_repair(desk: Desk, fields: dict[str, Any]) -> None:
    data = RepairCreate(**fields)
    registered = attempt(desk, lambda ctx: repair.register(ctx, data))
    if registered is None:
        return
    order = read(desk, RepairOrder, registered.id)
    assert order.reported_at == (data.reported_at or NOW)
    assert order.appointment_at == data.appointment_at
    assert (order.channel, order.location, order.category) == (
        data.channel,
        data.location,
        data.category,
    )
    assert (order.paid, order.warranty) == (data.paid, data.warranty)
    assert order.resident_name == data.resident_name.strip()
    assert order.room == normalise_room(data.room.strip())
    assert order.phone == data.phone.strip()
    assert order.description == data.description.strip()
    assert order.state == RepairState.registered


COMPLETION_NICE: dict[str, Any] = {
    "completed_at": None,
    "work_done": "换阀芯",
    "labour_fen": 0,
    "material_fen": 0,
    "resident_materials": "",
    "resident_signed": True,
    "leak_test_at": NOW,
}
COMPLETION_WILD: dict[str, Any] = {
    "completed_at": mostly_now,
    "work_done": any_text,
    "labour_fen": money,
    "material_fen": money,
    "resident_materials": any_text,
    "resident_signed": st.booleans(),
    "leak_test_at": maybe_times,
}
callbacks = st.builds(
    CallbackResult,
    reached=st.booleans(),
    satisfied=st.sampled_from([None, True, False]),
    note=mostly_nice,
    retry_at=maybe_times,
)
dispatch = st.tuples(st.just("dispatch"), mostly_nice, mostly_now)
arrive = st.tuples(st.just("arrive"), mostly_now)
complete = st.tuples(st.just("complete"), variants(COMPLETION_NICE, COMPLETION_WILD))
callback = st.tuples(st.just("callback"), callbacks)
STEPS: dict[str, Any] = {
    "dispatch": dispatch,
    "arrive": arrive,
    "complete": complete,
    "callback": callback,
    "cancel": st.tuples(st.just("cancel"), mostly_nice),
    "refer_out": st.tuples(st.just("refer_out"), mostly_nice, mostly_nice),
}
# the steps an order in each state ordinarily takes next (the walk also tries any other)
NEXT = {
    RepairState.registered: ["dispatch", "cancel", "refer_out"],
    RepairState.dispatched: ["arrive", "complete", "dispatch", "refer_out"],
    RepairState.on_site: ["complete", "cancel"],
    RepairState.completed: ["callback"],
    RepairState.closed: ["callback", "dispatch"],
    RepairState.cancelled: ["dispatch", "cancel"],
    RepairState.referred_out: ["dispatch", "refer_out"],
}


def _apply(ctx: Any, order_id: int, step: tuple[Any, ...]) -> RepairOrder:
    action = step[0]
    if action == "dispatch":
        return repair.dispatch(ctx, order_id, step[1], step[2])
    if action == "arrive":
        return repair.arrive(ctx, order_id, step[1])
    if action == "complete":
        return repair.complete(ctx, order_id, RepairCompletion(**step[1]))
    if action == "callback":
        return repair.call_back(ctx, order_id, step[1])
    if action == "cancel":
        return repair.cancel(ctx, order_id, step[1])
    return repair.refer_out(ctx, order_id, step[1], step[2])


def _check(before: RepairOrder, after: RepairOrder, step: tuple[Any, ...]) -> None:
    """A step that succeeded did what it says, from a state that allows it, in time order."""
    action = step[0]
    if action == "dispatch":
        assert before.state in (RepairState.registered, RepairState.dispatched)
        assert after.state == RepairState.dispatched
        assert after.technician == step[1].strip()
        assert after.dispatched_at == (step[2] or NOW)
        assert after.dispatched_at is not None and after.reported_at <= after.dispatched_at
    elif action == "arrive":
        assert before.state == RepairState.dispatched
        assert after.state == RepairState.on_site
        assert after.on_site_at == (step[1] or NOW)
        assert after.dispatched_at is not None and after.on_site_at is not None
        assert after.dispatched_at <= after.on_site_at
    elif action == "complete":
        data = RepairCompletion(**step[1])
        assert before.state in (RepairState.dispatched, RepairState.on_site)
        assert after.state == RepairState.completed
        assert after.completed_at == (data.completed_at or NOW)
        assert after.completed_at is not None and before.dispatched_at is not None
        assert before.dispatched_at <= after.completed_at
        if before.state == RepairState.on_site:
            assert before.on_site_at is not None and before.on_site_at <= after.completed_at
        assert after.work_done == data.work_done.strip()
        assert after.resident_materials == data.resident_materials.strip()
        # a reopened order's second completion adds to the charges of the first
        assert (after.labour_fen, after.material_fen) == (
            before.labour_fen + data.labour_fen,
            before.material_fen + data.material_fen,
        )
        assert after.labour_fen >= 0 and after.material_fen >= 0
        assert after.paid or after.labour_fen == after.material_fen == 0
        assert after.leak_test_at == data.leak_test_at
        assert after.callback_due_at is not None
    elif action == "callback":
        result: CallbackResult = step[1]
        assert before.state == RepairState.completed
        if not result.reached:
            assert after.callback_due_at == result.retry_at
        elif result.satisfied:
            assert after.state == RepairState.closed
        else:
            assert after.state == RepairState.registered
            assert after.reopen_count == before.reopen_count + 1
        if result.reached:
            assert after.callback_note == result.note.strip()
    elif action == "cancel":
        assert before.state in repair.OPEN_REPAIR_STATES
        assert (after.state, after.close_reason) == (RepairState.cancelled, step[1].strip())
    else:
        assert before.state in (RepairState.registered, RepairState.dispatched)
        assert after.state == RepairState.referred_out
        assert (after.referred_to, after.close_reason) == (step[1].strip(), step[2].strip())


START_STATES = ("registered", "dispatched", "on_site", "completed", "reopened", "closed")


def _drive(ctx: Any, order_id: int, state: str) -> None:
    """Take a new order, the ordinary way, to `state` (in the caller's transaction)."""
    if state == "registered":
        return
    repair.dispatch(ctx, order_id, "李建国", NOW - timedelta(days=1))
    if state == "dispatched":
        return
    if repair.get(ctx, order_id).paid:  # the price agreed before work (repair_billing)
        repair_billing.agree_price(ctx, order_id, 5000, "李明", NOW - timedelta(days=1))
    repair.arrive(ctx, order_id, NOW - timedelta(hours=20))
    if state == "on_site":
        return
    done = RepairCompletion(
        work_done="换阀芯", completed_at=NOW - timedelta(hours=18), leak_test_at=NOW
    )
    repair.complete(ctx, order_id, done)
    if state == "completed":
        return
    satisfied = state == "closed"
    repair.call_back(ctx, order_id, CallbackResult(satisfied=satisfied, note="还是漏"))


@WALK
@given(
    category=st.sampled_from(["water", "leak"]),
    paid=st.booleans(),
    start=st.sampled_from(START_STATES),
    length=st.integers(min_value=1, max_value=4),
    data=st.data(),
)
def test_any_sequence_of_lifecycle_steps(
    db: Database,
    supervisor: Operator,
    category: str,
    paid: bool,
    start: str,
    length: int,
    data: st.DataObject,
) -> None:
    desk = Desk(db, supervisor)  # cancelling is a supervisor's; everything else anyone's
    new = RepairCreate(
        reported_at=NOW - timedelta(days=2),
        room="3-1202",
        description="漏水",
        category=category,
        paid=paid,
    )
    with desk.write() as ctx:
        order_id = repair.register(ctx, new).id
        assert order_id is not None
        _drive(ctx, order_id, start)
    for _ in range(length):
        before = read(desk, RepairOrder, order_id)
        usual = data.draw(st.booleans())
        names = NEXT[RepairState(before.state)] if usual else sorted(STEPS)
        step = data.draw(st.sampled_from(names).flatmap(lambda name: STEPS[name]))
        done = attempt(desk, lambda ctx, step=step: _apply(ctx, order_id, step))
        event(f"{step[0]} from {before.state}: {'done' if done is not None else 'refused'}")
        if done is not None:
            _check(before, read(desk, RepairOrder, order_id), step)


# --- the wrong states and impossible values the brief names, one by one --------------------


def _order(desk: Desk, **changes: Any) -> int:
    fields = {"room": "3-1202", "description": "漏水", "category": "water", **changes}
    with desk.write() as ctx:
        order_id = repair.register(ctx, RepairCreate(**fields)).id
    assert order_id is not None
    return order_id


def test_completing_twice_is_refused(desk: Desk) -> None:
    order_id = _order(desk)
    assert attempt(desk, lambda ctx: repair.dispatch(ctx, order_id, "李建国")) is not None
    done = RepairCompletion(work_done="换阀芯")
    assert attempt(desk, lambda ctx: repair.complete(ctx, order_id, done)) is not None
    assert attempt(desk, lambda ctx: repair.complete(ctx, order_id, done)) is None


def test_dispatching_a_cancelled_order_is_refused(
    desk: Desk, db: Database, supervisor: Operator
) -> None:
    order_id = _order(desk)
    boss = Desk(db, supervisor)
    assert attempt(boss, lambda ctx: repair.cancel(ctx, order_id, "重复登记")) is not None
    assert attempt(desk, lambda ctx: repair.dispatch(ctx, order_id, "李建国")) is None


def test_times_out_of_order_are_refused(desk: Desk) -> None:
    order_id = _order(desk, reported_at=NOW - timedelta(hours=5))
    early = NOW - timedelta(hours=6)
    assert attempt(desk, lambda ctx: repair.dispatch(ctx, order_id, "李建国", early)) is None
    dispatched = NOW - timedelta(hours=3)
    assert (
        attempt(desk, lambda ctx: repair.dispatch(ctx, order_id, "李建国", dispatched)) is not None
    )
    before = NOW - timedelta(hours=4)
    assert attempt(desk, lambda ctx: repair.arrive(ctx, order_id, before)) is None
    done = RepairCompletion(work_done="换阀芯", completed_at=before)
    assert attempt(desk, lambda ctx: repair.complete(ctx, order_id, done)) is None
    assert (
        attempt(desk, lambda ctx: repair.arrive(ctx, order_id, NOW - timedelta(hours=2)))
        is not None
    )
    done = RepairCompletion(work_done="换阀芯", completed_at=NOW - timedelta(hours=2, minutes=30))
    assert attempt(desk, lambda ctx: repair.complete(ctx, order_id, done)) is None


def test_impossible_charges_are_refused(desk: Desk) -> None:
    for amount in (-1, 100_000_001, 2**63):
        order_id = _order(desk, paid=True)
        assert attempt(desk, lambda ctx, o=order_id: repair.dispatch(ctx, o, "李建国")) is not None
        done = RepairCompletion(work_done="换阀芯", labour_fen=amount)
        assert attempt(desk, lambda ctx, o=order_id, d=done: repair.complete(ctx, o, d)) is None


def test_far_away_times_are_refused(desk: Desk) -> None:
    for moment in (datetime.min.replace(tzinfo=NOW.tzinfo), NOW.replace(tzinfo=None)):
        data = RepairCreate(room="3-1202", description="漏水", reported_at=moment)
        assert attempt(desk, lambda ctx, d=data: repair.register(ctx, d)) is None
