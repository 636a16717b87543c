"""The callback queue: repairs and complaints awaiting a call, recording calls, completion rate."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from desk.db import Database
from desk.models import Channel, Complaint, ComplaintState, Operator, RepairState, Validity
from desk.services import audit, callbacks, repair
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.repair import CallbackResult, RepairCompletion, RepairCreate
from tests.conftest import NOW, TZ, Desk
from tests.seed import complete_repair


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


def _completed(db: Database, clerk: Operator, done_at: datetime, room: str = "5-301") -> int:
    """A repair registered, dispatched and completed at `done_at`."""
    return complete_repair(Desk(db, clerk, done_at), "换阀芯", description="水龙头漏水", room=room)


def _call(db: Database, clerk: Operator, when: datetime, order_id: int, **result: object) -> None:
    with Desk(db, clerk, when).write() as ctx:
        callbacks.record(ctx, "repairs", order_id, CallbackResult(**result))


def _complaint(db: Database, clerk: Operator, number: str, **fields: object) -> int:
    """A complaint row written directly (this suite tests the queue, not the complaint rules)."""
    assert clerk.id is not None
    values: dict[str, Any] = {
        "number": number,
        "received_at": at(11, 1),
        "channel": Channel.phone,
        "complainant": "李娜",
        "room": "2-802",
        "phone": "13700002222",
        "category": "environment",
        "what_happened": "楼道垃圾没有清理",
        "owner_id": clerk.id,
        "operator_id": clerk.id,
        "created_at": at(11, 1),
        "validity": Validity.valid,
        "state": ComplaintState.resolved,
        "resolution": "已清理",
        **fields,
    }
    with db.writing() as session:
        complaint = Complaint(**values)
        session.add(complaint)
        session.flush()
        assert complaint.id is not None
        # as the service would have: a record is never without the event that made it
        audit.record(Ctx(session, None, db.settings, NOW), "complaints", complaint.id, "registered")
        return complaint.id


def test_queue_merges_repairs_and_complaints_soonest_due_first(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    due_tomorrow = _completed(db, clerk, NOW - timedelta(days=1))
    due_later = _completed(db, clerk, NOW)
    overdue = _completed(db, clerk, NOW - timedelta(days=3))
    complaint_id = _complaint(
        db, clerk, "TS-20261122-001", resolved_at=NOW, callback_due_at=NOW + timedelta(hours=12)
    )
    _complaint(db, clerk, "TS-20261122-002", state=ComplaintState.closed, callback_at=NOW)
    with desk.write() as ctx:  # still open, not awaiting a callback
        repair.register(ctx, RepairCreate(room="1-101", description="灯不亮", category="electric"))
    with desk.read() as ctx:
        items = callbacks.queue(ctx)
    assert [(i.register, i.record_id) for i in items] == [
        ("repairs", overdue),
        ("complaints", complaint_id),
        ("repairs", due_tomorrow),
        ("repairs", due_later),
    ]
    first, second = items[0], items[1]
    assert first.overdue(NOW) and not second.overdue(NOW)
    assert (first.phone, first.resident, first.room) == ("13900001111", "张伟", "5-301")
    assert (second.number, second.phone, second.summary) == (
        "TS-20261122-001",
        "13700002222",
        "楼道垃圾没有清理",
    )
    with desk.read() as ctx:
        assert len(callbacks.queue(ctx, limit=2)) == 2


def test_not_reached_stays_in_the_queue_at_the_retry_time(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    first = _completed(db, clerk, NOW - timedelta(days=1))  # due tomorrow 09:30
    second = _completed(db, clerk, NOW - timedelta(hours=36))  # due tonight 21:30
    retry = NOW + timedelta(days=2)
    _call(db, clerk, NOW, second, reached=False, retry_at=retry, note="无人接听")
    with desk.read() as ctx:
        items = callbacks.queue(ctx)
        order = repair.get(ctx, second)
    assert [i.record_id for i in items] == [first, second]
    assert items[1].due_at == retry and items[1].attempts == 1 and items[0].attempts == 0
    assert order.state == RepairState.completed and order.callback_at is None
    with pytest.raises(DeskError) as refused:
        _call(db, clerk, NOW, second, reached=False, retry_at=NOW - timedelta(minutes=5))
    assert refused.value.field == "retry_at"


def test_satisfied_leaves_the_queue_and_not_satisfied_reopens(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    happy = _completed(db, clerk, NOW - timedelta(days=1))
    unhappy = _completed(db, clerk, NOW - timedelta(days=1), room="6-101")
    _call(db, clerk, NOW, happy, reached=True, satisfied=True)
    _call(db, clerk, NOW, unhappy, reached=True, satisfied=False, note="还在滴水")
    with desk.read() as ctx:
        assert callbacks.queue(ctx) == []
        assert repair.get(ctx, happy).state == RepairState.closed
        reopened = repair.get(ctx, unhappy)
    assert reopened.state == RepairState.registered and reopened.reopen_count == 1


def test_record_dispatches_complaints_to_their_register(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    if callbacks._complaint_service() is None:
        pytest.skip("the complaint register is not installed")
    complaint_id = _complaint(
        db, clerk, "TS-20261122-003", resolved_at=NOW, callback_due_at=NOW + timedelta(days=1)
    )
    with desk.write() as ctx:
        saved = callbacks.record(
            ctx, "complaints", complaint_id, CallbackResult(reached=True, satisfied=True)
        )
    assert isinstance(saved, Complaint) and saved.state == ComplaintState.closed
    with desk.read() as ctx:
        assert callbacks.queue(ctx) == []


def test_an_unknown_register_is_refused(desk: Desk) -> None:
    with pytest.raises(DeskError) as refused, desk.write() as ctx:
        callbacks.record(ctx, "keys", 1, CallbackResult(reached=True, satisfied=True))
    assert refused.value.key == "callbacks.unknown_register"


def test_completion_rate_of_a_month_counted_by_hand(db: Database, clerk: Operator) -> None:
    november = (at(11, 1, 0), at(12, 1, 0))
    # 1. due 11-04, called back 11-03: due and done
    r1 = _completed(db, clerk, at(11, 2))
    _call(db, clerk, at(11, 3), r1, reached=True, satisfied=True)
    # 2. due 11-12, never called: due, not done
    _completed(db, clerk, at(11, 10))
    # 3. due 11-22, missed on 11-21 (retry 11-25), reached unhappy 11-23: due and done
    r3 = _completed(db, clerk, at(11, 20))
    _call(db, clerk, at(11, 21), r3, reached=False, retry_at=at(11, 25))
    _call(db, clerk, at(11, 23), r3, reached=True, satisfied=False, note="还漏")
    # 4. due in October, called in November: not in November's count
    r4 = _completed(db, clerk, at(10, 20))
    _call(db, clerk, at(11, 5), r4, reached=True, satisfied=True)
    # 5. due 12-01: December's
    _completed(db, clerk, at(11, 29, 10))
    # 6. reopened 11-06, completed again 11-15 (due 11-17), not called since: due, not done
    r6 = _completed(db, clerk, at(11, 5))
    _call(db, clerk, at(11, 6), r6, reached=True, satisfied=False, note="没修好")
    with Desk(db, clerk, at(11, 15)).write() as ctx:
        repair.dispatch(ctx, r6, "赵师傅")
        repair.complete(ctx, r6, RepairCompletion(work_done="重新更换"))
    # 7. complaint due 11-10, called back 11-09: due and done
    _complaint(
        db,
        clerk,
        "TS-20261108-001",
        state=ComplaintState.closed,
        resolved_at=at(11, 8),
        callback_due_at=at(11, 10),
        callback_at=at(11, 9),
        satisfied=True,
    )
    # 8. complaint due 11-30 23:00, not yet called: due, not done
    _complaint(db, clerk, "TS-20261128-001", resolved_at=at(11, 28), callback_due_at=at(11, 30, 23))
    with Desk(db, clerk, at(11, 30)).read() as ctx:
        assert callbacks.completion_rate(ctx, *november) == (3, 6, 0.5)
        assert callbacks.completion_rate(ctx, at(10, 1, 0), at(11, 1, 0)) == (1, 1, 1.0)
        assert callbacks.completion_rate(ctx, at(9, 1, 0), at(10, 1, 0)) == (0, 0, None)
