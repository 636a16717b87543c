"""Bad input everywhere, registers 3 and 6: complaints registered with anything and walked through
any sequence of steps; night-log entries and their morning transfer; the shift handover.

See tests/property_support.py for the property each call keeps.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from hypothesis import event, example, given
from hypothesis import strategies as st

from desk.db import Database
from desk.models import (
    Channel,
    Complaint,
    ComplaintState,
    Handover,
    HandoverState,
    NightLogEntry,
    NightLogState,
    Operator,
    RepairOrder,
    Severity,
    Validity,
)
from desk.services import complaint, handover, nightlog
from desk.services.complaint import ComplaintCreate
from desk.services.handover import CheckCount, HandoverUpdate
from desk.services.nightlog import NightLogCreate
from desk.services.repair import CallbackResult, RepairCreate
from desk.services.residents import normalise_room
from tests.conftest import NIGHT_END, NOW, TZ, Desk
from tests.property_support import (
    FEW,
    PROPERTY,
    WALK,
    any_text,
    attempt,
    counts,
    maybe_times,
    mostly_nice,
    mostly_now,
    phones,
    read,
    rooms,
    variants,
)

departments = st.one_of(st.sampled_from(["", "engineering", "security"]), any_text)

COMPLAINT_NICE: dict[str, Any] = {
    "received_at": None,
    "channel": Channel.phone,
    "complainant": "李明",
    "room": "5-0801",
    "phone": "13812345678",
    "category": "environment",
    "department": "",
    "person_complained": "",
    "what_happened": "楼上装修噪音",
    "resident_asks": "",
    "severity": Severity.minor,
    "resident_deadline_at": None,
    "reception_id": None,
}
COMPLAINT_WILD: dict[str, Any] = {
    "received_at": maybe_times,
    "channel": st.sampled_from(list(Channel)),
    "complainant": any_text,
    "room": rooms,
    "phone": phones,
    "category": st.one_of(st.sampled_from(["service", "other"]), any_text),
    "department": departments,
    "person_complained": any_text,
    "what_happened": any_text,
    "resident_asks": any_text,
    "severity": st.sampled_from(list(Severity)),
    "resident_deadline_at": maybe_times,
    "reception_id": st.sampled_from([None, 999_999]),
}


@PROPERTY
@given(fields=variants(COMPLAINT_NICE, COMPLAINT_WILD))
@example(fields={**COMPLAINT_NICE, "reception_id": 999_999})
@example(fields={**COMPLAINT_NICE, "resident_deadline_at": datetime.max.replace(tzinfo=TZ)})
@example(fields={**COMPLAINT_NICE, "received_at": NOW.replace(tzinfo=None)})
def test_registering_a_complaint(desk: Desk, fields: dict[str, Any]) -> None:
    data = ComplaintCreate(**fields)
    registered = attempt(desk, lambda ctx: complaint.register(ctx, data))
    if registered is None:
        return
    stored = read(desk, Complaint, registered.id)
    assert stored.received_at == (data.received_at or NOW)
    assert stored.resident_deadline_at == data.resident_deadline_at
    assert stored.complainant == data.complainant.strip()
    assert stored.room == normalise_room(data.room.strip())
    assert stored.phone == data.phone.strip()
    assert (stored.category, stored.severity) == (data.category, data.severity)
    assert stored.department == data.department.strip()
    assert stored.person_complained == data.person_complained.strip()
    assert stored.what_happened == data.what_happened.strip()
    assert stored.resident_asks == data.resident_asks.strip()
    assert stored.state == ComplaintState.registered
    assert stored.resolve_due_at is not None


# the site's escalation roles as a clerk may name them -> the key kept
ESCALATE_TO = {
    "office_head": "office_head",
    "管理处主任": "office_head",
    " Department head ": "department_head",
}
callbacks = st.builds(
    CallbackResult,
    reached=st.booleans(),
    satisfied=st.sampled_from([None, True, False]),
    note=mostly_nice,
    retry_at=maybe_times,
)
STEPS: dict[str, Any] = {
    "judge": st.tuples(
        st.just("judge"),
        st.sampled_from(list(Validity)),
        mostly_nice,
        st.sampled_from([None, *Severity]),
    ),
    # to whom: a listed role (by key or label), or anything else, refused
    "escalate": st.tuples(
        st.just("escalate"),
        st.one_of(st.sampled_from(list(ESCALATE_TO)), mostly_nice),
        mostly_now,
    ),
    "assign": st.tuples(st.just("assign"), departments),
    "reply": st.tuples(st.just("reply"), mostly_nice),
    "resolve": st.tuples(st.just("resolve"), mostly_nice),
    "callback": st.tuples(st.just("callback"), callbacks),
    "reopen": st.tuples(st.just("reopen"), mostly_nice),
    "close": st.tuples(st.just("close"), mostly_nice),
    "merge": st.tuples(st.just("merge"), mostly_nice),
}
# the steps a complaint in each state ordinarily takes next (the walk also tries any other)
NEXT = {
    ComplaintState.registered: ["judge", "escalate", "merge"],
    ComplaintState.judged: ["assign", "reply", "resolve", "escalate", "judge"],
    ComplaintState.assigned: ["reply", "resolve", "escalate"],
    ComplaintState.replied: ["resolve", "reply"],
    ComplaintState.resolved: ["callback", "reopen"],
    ComplaintState.closed: ["reopen", "close"],
    ComplaintState.merged: ["reopen", "judge"],
}
START_STATES = ("registered", "judged", "assigned", "replied", "resolved", "closed", "dismissed")


def _drive(ctx: Any, complaint_id: int, state: str) -> None:
    """Take a new complaint, the ordinary way, to `state` (in the caller's transaction)."""
    if state == "registered":
        return
    if state == "dismissed":
        complaint.judge(ctx, complaint_id, Validity.invalid, "不属实")
        return
    complaint.judge(ctx, complaint_id, Validity.valid, "")
    if state == "judged":
        return
    complaint.assign(ctx, complaint_id, "engineering")
    if state == "assigned":
        return
    complaint.reply(ctx, complaint_id, "已安排")
    if state == "replied":
        return
    complaint.resolve(ctx, complaint_id, "已停工")
    if state == "resolved":
        return
    complaint.call_back(ctx, complaint_id, CallbackResult(satisfied=True, note="好"))


def _apply(ctx: Any, complaint_id: int, other_id: int, step: tuple[Any, ...]) -> Complaint:
    action = step[0]
    if action == "judge":
        return complaint.judge(ctx, complaint_id, step[1], step[2], step[3])
    if action == "escalate":
        return complaint.escalate(ctx, complaint_id, step[1], step[2])
    if action == "merge":
        return complaint.merge(ctx, complaint_id, other_id, step[1])
    if action == "callback":
        return complaint.call_back(ctx, complaint_id, step[1])
    call = {
        "assign": complaint.assign,
        "reply": complaint.reply,
        "resolve": complaint.resolve,
        "reopen": complaint.reopen,
        "close": complaint.close,
    }[action]
    return call(ctx, complaint_id, step[1])


def _check(before: Complaint, after: Complaint, step: tuple[Any, ...]) -> None:
    action = step[0]
    handling = (ComplaintState.judged, ComplaintState.assigned, ComplaintState.replied)
    if action == "judge":
        assert before.state in (ComplaintState.registered, ComplaintState.judged)
        assert after.validity == step[1] != Validity.pending
        assert after.validity_note == step[2].strip()
        expected = ComplaintState.judged if step[1] == Validity.valid else ComplaintState.closed
        assert after.state == expected
    elif action == "escalate":
        assert before.state in complaint.HANDLING_STATES
        assert after.escalated_to == ESCALATE_TO[step[1]]
        assert after.escalated_at == (step[2] or NOW)
        assert after.escalated_at is not None and after.received_at <= after.escalated_at
    elif action == "assign":
        assert before.validity == Validity.valid
        assert after.assigned_department == step[1].strip() != ""
    elif action == "reply":
        assert before.state in handling
        assert (after.state, after.reply_text) == (ComplaintState.replied, step[1].strip())
    elif action == "resolve":
        assert before.state in handling
        assert (after.state, after.resolution) == (ComplaintState.resolved, step[1].strip())
        assert after.callback_due_at is not None
    elif action == "callback":
        result: CallbackResult = step[1]
        assert before.state == ComplaintState.resolved
        if not result.reached:
            assert after.callback_due_at == result.retry_at
        elif result.satisfied:
            assert after.state == ComplaintState.closed
        else:
            assert after.reopen_count == before.reopen_count + 1
    elif action == "reopen":
        assert before.state in (ComplaintState.resolved, ComplaintState.closed)
        assert after.reopen_count == before.reopen_count + 1
    elif action == "close":
        assert before.callback_at is not None
        assert (after.state, after.close_reason) == (ComplaintState.closed, step[1].strip())
    else:
        assert (after.state, after.close_reason) == (ComplaintState.merged, step[1].strip())


@WALK
@given(
    start=st.sampled_from(START_STATES),
    severity=st.sampled_from(list(Severity)),
    length=st.integers(min_value=1, max_value=4),
    data=st.data(),
)
def test_any_sequence_of_complaint_steps(
    db: Database,
    supervisor: Operator,
    start: str,
    severity: Severity,
    length: int,
    data: st.DataObject,
) -> None:
    desk = Desk(db, supervisor)  # dismissing and closing are a supervisor's
    new = ComplaintCreate(
        received_at=NOW - timedelta(hours=3),
        room="5-0801",
        what_happened="楼上装修噪音",
        category="environment",
        severity=severity,
    )
    with desk.write() as ctx:
        complaint_id = complaint.register(ctx, new).id
        other_id = complaint.register(ctx, new).id
        assert complaint_id is not None and other_id is not None
        _drive(ctx, complaint_id, start)
    for _ in range(length):
        before = read(desk, Complaint, complaint_id)
        usual = data.draw(st.booleans())
        names = NEXT[ComplaintState(before.state)] if usual else sorted(STEPS)
        step = data.draw(st.sampled_from(names).flatmap(lambda name: STEPS[name]))
        done = attempt(desk, lambda ctx, step=step: _apply(ctx, complaint_id, other_id, step))
        event(f"{step[0]} from {before.state}: {'done' if done is not None else 'refused'}")
        if done is not None:
            _check(before, read(desk, Complaint, complaint_id), step)


def test_calling_back_a_complaint_not_resolved_is_refused(desk: Desk) -> None:
    with desk.write() as ctx:
        case = complaint.register(ctx, ComplaintCreate(room="5-0801", what_happened="噪音"))
    case_id = case.id
    assert case_id is not None
    result = CallbackResult(satisfied=True, note="好")
    assert attempt(desk, lambda ctx: complaint.call_back(ctx, case_id, result)) is None
    assert attempt(desk, lambda ctx: complaint.judge(ctx, case_id, Validity.valid, "")) is not None
    assert attempt(desk, lambda ctx: complaint.call_back(ctx, case_id, result)) is None


# --- the night log ------------------------------------------------------------------------

NIGHT_NICE: dict[str, Any] = {
    "logged_at": None,
    "caller": "刘",
    "room": "2-0301",
    "phone": "",
    "what": "卫生间漏水",
    "emergency": False,
    "action_taken": "",
    "left_for_morning": False,
}
NIGHT_WILD: dict[str, Any] = {
    "logged_at": maybe_times,
    "caller": any_text,
    "room": rooms,
    "phone": phones,
    "what": any_text,
    "emergency": st.booleans(),
    "action_taken": any_text,
    "left_for_morning": st.booleans(),
}


@PROPERTY
@given(fields=variants(NIGHT_NICE, NIGHT_WILD))
@example(fields={**NIGHT_NICE, "logged_at": datetime.min.replace(tzinfo=TZ)})
def test_logging_a_night_call(desk: Desk, fields: dict[str, Any]) -> None:
    data = NightLogCreate(**fields)
    logged = attempt(desk, lambda ctx: nightlog.log(ctx, data))
    if logged is None:
        return
    entry = read(desk, NightLogEntry, logged.id)
    assert entry.logged_at == (data.logged_at or NOW)
    assert entry.caller == data.caller.strip()
    assert entry.room == normalise_room(data.room.strip())
    assert entry.phone == data.phone.strip()
    assert entry.what == data.what.strip()
    assert entry.action_taken == data.action_taken.strip()
    left = data.left_for_morning or not data.action_taken.strip()
    assert entry.state == (NightLogState.left_for_morning if left else NightLogState.handled)


night_steps = st.one_of(
    st.tuples(st.just("close"), mostly_nice),
    st.tuples(st.just("repair"), st.booleans(), any_text),
    st.tuples(st.just("complaint"), st.booleans(), any_text),
)


@PROPERTY
@given(handled=st.booleans(), walk=st.lists(night_steps, min_size=1, max_size=3))
def test_any_morning_steps_on_a_night_entry(
    desk: Desk, handled: bool, walk: list[tuple[Any, ...]]
) -> None:
    data = NightLogCreate(what="卫生间漏水", room="2-0301", action_taken="关阀" if handled else "")
    with desk.write() as ctx:
        entry_id = nightlog.log(ctx, data).id
    assert entry_id is not None
    for step in walk:
        before = read(desk, NightLogEntry, entry_id)
        if step[0] == "close":
            done = attempt(desk, lambda ctx, why=step[1]: nightlog.close(ctx, entry_id, why))
        elif step[0] == "repair":
            order = RepairCreate(room="2-0301", description=step[2]) if step[1] else None
            done = attempt(desk, lambda ctx, o=order: nightlog.transfer_to_repair(ctx, entry_id, o))
        else:
            case = ComplaintCreate(room="2-0301", what_happened=step[2]) if step[1] else None
            done = attempt(
                desk, lambda ctx, c=case: nightlog.transfer_to_complaint(ctx, entry_id, c)
            )
        if done is None:
            continue
        # a handled entry may be closed (no repair); it becomes an order only by night_repair
        assert before.state == NightLogState.left_for_morning or (
            step[0] == "close" and before.state == NightLogState.handled
        )
        after = read(desk, NightLogEntry, entry_id)
        if step[0] == "close":
            assert (after.state, after.close_reason) == (NightLogState.closed, step[1].strip())
        else:
            assert after.state == NightLogState.transferred
            assert after.transferred_id == done
            if step[0] == "repair":
                order_row = read(desk, RepairOrder, done)
                assert not step[1] or order_row.description == step[2].strip()


# --- the shift handover -------------------------------------------------------------------

check_keys = st.one_of(st.sampled_from(["radio", "torch", "umbrella"]), any_text)
checks = st.lists(
    st.builds(
        CheckCount,
        key=check_keys,
        counted=st.one_of(st.none(), counts),
        holder=mostly_nice,
    ),
    max_size=4,
)
updates = st.builds(
    HandoverUpdate,
    checks=checks,
    desk_cleaned=st.booleans(),
    log_read=st.booleans(),
    notes=any_text,
    watch=any_text,
)


@FEW
@given(
    update=updates,
    pin=st.sampled_from(["1234", "0000", "", "\x00", "\ud800"]),
    incoming=st.one_of(st.sampled_from(["陈主管", "王芳", "nobody"]), any_text),
    incoming_pin=st.sampled_from(["9999", "1234", "\ud800"]),
    refusal=any_text,
)
def test_any_handover(
    db: Database,
    clerk: Operator,
    supervisor: Operator,
    update: HandoverUpdate,
    pin: str,
    incoming: str,
    incoming_pin: str,
    refusal: str,
) -> None:
    desk = Desk(db, clerk, NIGHT_END)
    with desk.write() as ctx:
        opened = handover.open_handover(ctx)
    handover_id = opened.id
    assert handover_id is not None
    saved = attempt(desk, lambda ctx: handover.update(ctx, handover_id, update))
    if saved is not None:
        stored = read(desk, Handover, handover_id)
        assert stored.notes == update.notes.strip()
        assert stored.watch == update.watch.strip()
        rows = json.loads(stored.checklist)
        assert [(r["key"], r["counted"]) for r in rows] == [
            (c.key, c.counted) for c in update.checks
        ]
        assert [r["holder"] for r in rows] == [c.holder.strip() for c in update.checks]
    attempt(desk, lambda ctx: handover.sign_off(ctx, handover_id, pin))
    for _ in range(2):  # a second acknowledgement (or refusal) is refused
        state = read(desk, Handover, handover_id).state
        took = attempt(
            desk, lambda ctx: handover.acknowledge(ctx, handover_id, incoming, incoming_pin)
        )
        if took is not None:
            assert state == HandoverState.signed_off
            assert read(desk, Handover, handover_id).state == HandoverState.acknowledged
        refused = attempt(
            desk,
            lambda ctx: handover.refuse(ctx, handover_id, incoming, incoming_pin, refusal),
        )
        if refused is not None:
            assert read(desk, Handover, handover_id).refusal_reason == refusal.strip()


def test_acknowledging_twice_is_refused(
    db: Database, clerk: Operator, supervisor: Operator
) -> None:
    desk = Desk(db, clerk, NIGHT_END)
    full = HandoverUpdate(
        checks=[CheckCount(key=i.key, counted=i.expected) for i in db.settings.handover.checklist],
        desk_cleaned=True,
        log_read=True,
    )
    with desk.write() as ctx:
        handover_id = handover.open_handover(ctx).id
        assert handover_id is not None
        handover.update(ctx, handover_id, full)
        handover.sign_off(ctx, handover_id, "1234")
    ack = attempt(desk, lambda ctx: handover.acknowledge(ctx, handover_id, "陈主管", "9999"))
    assert ack is not None
    assert (
        attempt(desk, lambda ctx: handover.acknowledge(ctx, handover_id, "陈主管", "9999")) is None
    )
