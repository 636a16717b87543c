"""The small November the monthly report is counted against: every register's records, each
commented with what it counts for (tests/test_stats_service.py checks every figure)."""

from __future__ import annotations

from datetime import datetime

from desk.db import Database
from desk.models import Channel, Operator, RepairLocation, Severity
from desk.services import (
    complaint,
    reception,
    repair,
    repair_billing,
    residents,
    stats,
    stats_period,
)
from desk.services.reception import ReceptionCreate
from desk.services.repair import CallbackResult, RepairCompletion
from tests.conftest import NOW, TZ, Desk
from tests.seed import register_complaint, register_repair

try:
    from desk.services import keys, passes
except ImportError:  # registers still being written: their figures are then zero
    keys = passes = None  # type: ignore[assignment]


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


def _repair(desk: Desk, when: datetime, **fields: object) -> int:
    desk.now = when
    return register_repair(desk, {"description": "故障", "resident_name": "王"}, **fields)


def _do(desk: Desk, when: datetime, action: object, *args: object) -> None:
    desk.now = when
    with desk.write() as ctx:
        action(ctx, *args)  # type: ignore[operator]


def _done(labour: int = 0, material: int = 0) -> RepairCompletion:
    return RepairCompletion(work_done="修好", labour_fen=labour, material_fen=material)


SATISFIED = CallbackResult(reached=True, satisfied=True)
UNSATISFIED = CallbackResult(reached=True, satisfied=False, note="还在漏")


def _repairs(desk: Desk) -> None:
    # R6: reported in October (outside), paid, completed 1 Nov (in the paid register),
    # callback due 3 Nov, done 2 Nov.
    r6 = _repair(desk, at(30, 9, month=10), room="3-1202", category="water", paid=True)
    _do(desk, at(30, 9, 10, month=10), repair.dispatch, r6, "李建国")
    _do(desk, at(30, 9, 11, month=10), repair_billing.agree_price, r6, 1000, "王")
    _do(desk, at(1, 10), repair.complete, r6, _done(labour=1000))
    _do(desk, at(2, 10), repair.call_back, r6, SATISFIED)
    # R1: water 3-1202, phone; dispatched 20 min after; done; satisfied.
    r1 = _repair(desk, at(2, 9), room="3-1202", category="water", channel=Channel.phone)
    _do(desk, at(2, 9, 20), repair.dispatch, r1, "李建国")
    _do(desk, at(2, 11), repair.complete, r1, _done())
    _do(desk, at(3, 10), repair.call_back, r1, SATISFIED)
    # R2: water 3-1202 again (a repeat), visit; dispatched late (50 min); unsatisfied ->
    # reopened, back to registered, never re-dispatched (overdue since 6 Nov 10:30).
    r2 = _repair(
        desk,
        at(5, 9),
        room="3-1202",
        category="water",
        channel=Channel.visit,
        appointment_at=at(5, 14),
    )
    _do(desk, at(5, 9, 50), repair.dispatch, r2, "李建国")
    _do(desk, at(5, 14, 5), repair.arrive, r2)
    _do(desk, at(5, 15), repair.complete, r2, _done())
    _do(desk, at(6, 10), repair.call_back, r2, UNSATISFIED)
    # R3: electric 5-801, online, paid 50.00 + 23.50; dispatched in time, but on site 15:20
    # for a 15:00 appointment (more than 10 min late); satisfied.
    r3 = _repair(
        desk,
        at(10, 10),
        room="5-801",
        category="electric",
        channel=Channel.online,
        paid=True,
        appointment_at=at(10, 15),
    )
    _do(desk, at(10, 10, 15), repair.dispatch, r3, "孙文斌")
    _do(desk, at(10, 10, 20), repair_billing.agree_price, r3, 7000, "刘")
    _do(desk, at(10, 15, 20), repair.arrive, r3)
    _do(desk, at(10, 16), repair.complete, r3, _done(labour=5000, material=2350))
    _do(desk, at(11, 10), repair.call_back, r3, SATISFIED)
    # R4: door 2-303, phone, paid 30.00; in time, on site 10:05 for 10:00; no callback yet
    # (due 14 Nov: counts against the callback completion rate).
    r4 = _repair(
        desk,
        at(12, 9),
        room="2-303",
        category="door",
        channel=Channel.phone,
        paid=True,
        appointment_at=at(12, 10),
    )
    _do(desk, at(12, 9, 10), repair.dispatch, r4, "赵师傅")
    _do(desk, at(12, 9, 15), repair_billing.agree_price, r4, 3000, "赵")
    _do(desk, at(12, 10, 5), repair.arrive, r4)
    _do(desk, at(12, 11), repair.complete, r4, _done(labour=3000))
    # R5: public facilities, no room, phone; never dispatched (overdue since 08:30).
    _repair(
        desk,
        at(15, 8),
        category="public",
        location=RepairLocation.public,
        channel=Channel.phone,
    )


def _complaint(desk: Desk, when: datetime, **fields: object) -> int:
    desk.now = when
    return register_complaint(desk, {"what_happened": "情况", "complainant": "刘"}, **fields)


def _complaints(desk: Desk, supervisor: Operator) -> None:
    # C1 major, service, 3-1202, phone: escalated, replied, resolved in time; satisfied.
    c1 = _complaint(desk, at(3, 9), severity=Severity.major, category="service", room="3-1202")
    _do(desk, at(3, 9, 30), complaint.judge, c1, "valid", "")
    _do(desk, at(3, 10), complaint.escalate, c1, "管理处主任")
    _do(desk, at(4, 10), complaint.reply, c1, "答复")
    _do(desk, at(6, 10), complaint.resolve, c1, "已处理")
    _do(desk, at(7, 10), complaint.call_back, c1, SATISFIED)
    # C2 important, facilities, 5-801, visit: escalated at 12:00 (due 11:00, missed),
    # resolved 12 Nov (due 11 Nov); unsatisfied 13 Nov -> reopened, resolve restarts (due
    # 16 Nov) and is still not done: missed.
    c2 = _complaint(
        desk,
        at(8, 10),
        severity=Severity.important,
        category="facilities",
        room="5-801",
        channel=Channel.visit,
    )
    _do(desk, at(8, 10, 30), complaint.judge, c2, "valid", "")
    _do(desk, at(8, 12), complaint.escalate, c2, "部门负责人")
    _do(desk, at(12, 9), complaint.resolve, c2, "已处理")
    _do(desk, at(13, 10), complaint.call_back, c2, UNSATISFIED)
    # C4 minor, environment, 2-303, online: judged invalid by the supervisor (no deadlines).
    c4 = _complaint(desk, at(10, 9), category="environment", room="2-303", channel="online")
    _do(Desk(desk.db, supervisor), at(10, 9, 30), complaint.judge, c4, "invalid", "不属实")
    # C5 minor, environment, 3-1202: resolved 21 Nov 15:00 (due 23 Nov 09:00: met);
    # callback due 23 Nov 15:00, after the report's moment: not yet due.
    c5 = _complaint(desk, at(21, 9), category="environment", room="3-1202")
    _do(desk, at(21, 9, 30), complaint.judge, c5, "valid", "")
    _do(desk, at(21, 15), complaint.resolve, c5, "已清理")
    # C3 minor, environment, 3-1202 again (a repeat): resolve due 24 Nov: pending.
    c3 = _complaint(desk, at(22, 15), category="environment", room="3-1202")
    _do(desk, at(22, 15, 30), complaint.judge, c3, "valid", "")
    # C6 minor, other, no room, not judged yet: resolve due 24 Nov: pending.
    _complaint(desk, at(22, 16), category="other")


def _reception(desk: Desk) -> None:
    for when, channel, room in (
        (at(31, 10, month=10), Channel.phone, "3-1202"),  # October: outside
        (at(2, 8), Channel.visit, "3-1202"),
        (at(4, 8), Channel.phone, "3-1202"),
        (at(9, 8), Channel.phone, "5-801"),
        (at(16, 8), Channel.online, ""),
        (at(18, 8), Channel.letter, "2-303"),
    ):
        desk.now = when
        with desk.write() as ctx:
            data = ReceptionCreate(channel=channel, room=room, person="张", request="咨询")
            reception.log(ctx, data)


def _keys(desk: Desk) -> None:
    if keys is None:
        return
    desk.now = at(1, 8)
    with desk.write() as ctx:
        keys.add_key(ctx, "K-PUMP", "水泵房", copies=5)

    def lend(day: int, hour: int, due: datetime) -> int:
        desk.now = at(day, hour)
        with desk.write() as ctx:
            loan = keys.lend(
                ctx,
                keys.KeyLoanCreate(key="K-PUMP", borrower="李建国", reason="检修", due_at=due),
            )
        assert loan.id is not None
        return loan.id

    k1 = lend(4, 9, at(4, 12))  # back 11:00: on time
    _do(desk, at(4, 11), keys.take_back, k1, 1, "李建国")
    k2 = lend(6, 9, at(6, 12))  # back 14:00: late
    _do(desk, at(6, 14), keys.take_back, k2, 1, "李建国")
    lend(20, 9, at(20, 17))  # still out, overdue
    k4 = lend(22, 9, at(22, 12))  # lost at 11:00 (closed before due)
    _do(desk, at(22, 11), keys.report_lost, k4, 1)
    lend(23, 9, at(23, 17))  # still out, not yet due


def _passes(desk: Desk, supervisor: Operator) -> None:
    if passes is None:
        return
    from desk.services.passes import PassCreate, PassItemIn

    desk.now = at(1, 8)
    with desk.write() as ctx:
        residents.add_resident(ctx, "3", "1202", "李明", "13812345678", "owner")

    def issue(day: int, hour: int) -> str:
        desk.now = at(day, hour)
        with desk.write() as ctx:
            data = PassCreate(
                room="3-1202",
                applicant="李明",
                id_last4="1234",
                items=[PassItemIn(description="沙发")],
            )
            return passes.issue(ctx, data).number

    p1 = issue(5, 10)  # all out, stub back
    _do(desk, at(5, 11), passes.gate_check, p1, "all_out", "周海")
    _do(desk, at(6, 9), passes.return_stub, p1)
    p2 = issue(7, 10)  # partly out, stub missing
    _do(desk, at(7, 12), passes.gate_check, p2, "partly", "周海", "冰箱留下")
    issue(9, 10)  # never used: expired, stub missing
    p4 = issue(12, 10)  # voided by the supervisor
    boss = Desk(desk.db, supervisor, at(12, 11))
    with boss.write() as ctx:
        found = passes.find(ctx, p4)
        assert found is not None and found.id is not None
        pass_id = found.id
        passes.void(ctx, pass_id, "不搬了")
    p6 = issue(14, 10)  # refused at the gate, stub back
    _do(desk, at(14, 11), passes.gate_check, p6, "refused", "周海", "物品不符")
    _do(desk, at(15, 9), passes.return_stub, p6)
    issue(23, 9)  # still valid today


def build_month(db: Database, clerk: Operator, supervisor: Operator) -> Desk:
    """Every register's November; the report is then counted at NOW (23 Nov 09:30)."""
    desk = Desk(db, clerk)
    _repairs(desk)
    _complaints(desk, supervisor)
    _reception(desk)
    _keys(desk)
    _passes(desk, supervisor)
    desk.now = NOW
    return desk


def november(desk: Desk) -> stats.Report:
    with desk.read() as ctx:
        return stats.monthly(ctx, stats_period.parse("2026-11", TZ))
