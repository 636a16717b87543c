"""The demo's paid convenience services (便民服务 / 有偿服务): bookings in every state a booking
reaches — to send to the head, due today, late, done, redone, accepted, paid with the callback
due and overdue, called back, closed, cancelled.

Planned on the demo's timeline (`desk.demo.timeline`), each step through the real service by the
operator on duty. It draws from its own copy of the demo's random state, so adding it changed
nothing the other registers drew.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from desk.demo.timeline import Room, Timeline
from desk.services import paid_service
from desk.services.callback_step import CallbackResult
from desk.services.context import Ctx
from desk.services.paid_service import BookingIn, DoneIn

WORKERS = ("刘阿姨", "王阿姨", "张师傅", "赵师傅")
HEADS = {"housekeeping": "孙主管", "engineering": "李建国"}
RESULTS = {
    "move_in_clean": "全屋无灰尘、无污渍，玻璃明亮",
    "carpet_wash": "地毯无污渍，当天晾干",
    "carpet_care": "地毯蓬松无异味",
    "floor_wax": "地板光亮均匀，无漏打",
    "sofa_clean": "沙发无污渍，皮面保养到位",
    "furniture_care": "家具表面光洁",
    "glass_clean": "玻璃内外无水痕",
    "stone_crystal": "石材地面光亮如镜",
    "unblock_drain": "排水通畅，无返味",
    "lock_core": "新锁芯开关顺畅，交钥匙三把",
}
# (end state, days before now it was booked, the agreed time's day from the booking)
PLAN: tuple[tuple[str, int, int], ...] = (
    ("agreed", 0, 1),  # just booked: to send to the head
    ("agreed_late", 1, 2),  # booked yesterday, never sent: overdue
    ("sent", 1, 1),  # due today, still in time
    ("sent_late", 2, 2),  # due this morning, nobody came: late
    ("done", 3, 2),
    ("redo", 4, 2),
    ("accepted", 3, 1),
    ("paid", 2, 1),  # the callback due
    ("paid_overdue", 9, 2),  # the callback overdue
    ("called_back", 6, 1),
    ("closed", 12, 2),
    ("closed", 20, 1),
    ("closed_late", 25, 3),  # the work late, then redone, then accepted
    ("cancelled", 5, 3),
)


def plan_paid_services(line: Timeline, rng: random.Random, directory: list[Room]) -> None:
    """About fifteen bookings, each taken through its steps to its end state."""
    mine = random.Random()
    mine.setstate(rng.getstate())
    mine.random()  # not the renovations' draws: another sequence of rooms
    rooms = mine.sample(directory, len(PLAN))
    items = [item.key for item in line.settings.services.items]
    if not items:
        return
    for index, ((state, ago, ahead), room) in enumerate(zip(PLAN, rooms, strict=True)):
        _plan_one(line, mine, f"service-{index}", state, ago, ahead, room, mine.choice(items))


def _at(line: Timeline, moment: datetime, hour: int, minute: int = 0) -> datetime:
    local = moment.astimezone(line.settings.tz).date()
    return datetime.combine(local, time(hour, minute), tzinfo=line.settings.tz)


def _plan_one(
    line: Timeline,
    rng: random.Random,
    key: str,
    state: str,
    ago: int,
    ahead: int,
    room: Room,
    service: str,
) -> None:
    code, owner, phone = room
    now = line.now
    booked = _at(line, now - timedelta(days=ago), rng.choice((9, 10, 14, 15)))
    if state == "agreed":
        booked = now - timedelta(minutes=30)
    agreed_for = _at(line, booked + timedelta(days=ahead), rng.choice((9, 10, 14)))
    if state == "sent":  # later today
        agreed_for = max(now + timedelta(hours=2), agreed_for)
    if state == "sent_late":  # this morning
        agreed_for = min(now - timedelta(hours=1), _at(line, now, 8, 30))
        booked = agreed_for - timedelta(days=2)
    if state == "agreed":
        agreed_for = _at(line, now + timedelta(days=1), 10)
    item = line.settings.services.item(service)
    assert item is not None
    unit_area = item.unit_en == "m²"
    quantity = str(rng.choice((45, 60, 85, 120)) if unit_area else rng.choice((1, 2)))
    data = BookingIn(
        room=code,
        resident=owner,
        phone=phone,
        service=service,
        quantity=quantity,
        agreed_for=agreed_for,
        expected_result=RESULTS.get(service, "按约定完成"),
    )
    line.at(booked, line.keep(key, lambda c: paid_service.book(c, data)))

    def step(moment: datetime, action: Callable[[Ctx, int], Any]) -> datetime:
        return line.at(moment, lambda c: action(c, line.ids[key]))

    if state in ("agreed", "agreed_late"):
        return
    if state == "cancelled":
        step(
            booked + timedelta(hours=3),
            lambda c, i: paid_service.cancel(c, i, "业主临时出差，改日再约"),
        )
        return
    head = HEADS.get(item.department, "孙主管")
    step(booked + timedelta(minutes=40), lambda c, i: paid_service.send(c, i, head))
    if state in ("sent", "sent_late"):
        return
    worker = rng.choice(WORKERS)
    late = state == "closed_late"
    finished = agreed_for + timedelta(hours=3 if late else 2)
    step(finished, lambda c, i: paid_service.done(c, i, DoneIn(worker=worker)))
    if state == "done":
        return
    if state in ("redo", "closed_late"):
        redo_for = _at(line, finished + timedelta(days=1), 10)
        if state == "redo":
            redo_for = _at(line, now + timedelta(days=1), 10)
        step(
            finished + timedelta(minutes=30),
            lambda c, i: paid_service.redo(c, i, "边角未清理干净，业主要求返工", redo_for),
        )
        if state == "redo":
            return
        finished = redo_for + timedelta(hours=1)
        step(finished, lambda c, i: paid_service.done(c, i, DoneIn(worker=worker)))
    step(finished + timedelta(minutes=10), lambda c, i: paid_service.accept(c, i, owner))
    if state == "accepted":
        return
    receipt = f"SJ{rng.randrange(10**6):06d}"
    price = paid_service.list_price(item, paid_service.quantity_of(quantity))
    paid_at = finished + timedelta(minutes=20)
    step(paid_at, lambda c, i: paid_service.pay(c, i, price, receipt))
    if state in ("paid", "paid_overdue"):
        return
    called = paid_at + timedelta(days=1, hours=1)
    happy = CallbackResult(satisfied=True, note="服务满意")
    step(called, lambda c, i: paid_service.call_back(c, i, happy))
    if state == "called_back":
        return
    step(called + timedelta(minutes=5), lambda c, i: paid_service.close(c, i))
