"""The demo fee desk: finance's balances imported five months ago and again two months ago (a
balance changed, one cleared: superseded), a room in 托管 at the site's share, and rooms at every
step of the reminder ladder — owing, reminded, the letter due, the letter sent, visited, handed
to legal — with payments taken at the counter (part and in full) and home collections booked,
done and missed.

Planned on the demo's timeline through the real services; its own copy of the random state.
"""

from __future__ import annotations

import random
import zlib
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from desk.demo.timeline import Room, Timeline
from desk.models import FeeChannel
from desk.services import fees, fees_import
from desk.services.context import Ctx
from desk.services.fees import AppointmentIn, PaymentIn, StepIn

# (what the room shows, months owed ending last month, yuan a month)
PLAN: tuple[tuple[str, int, int], ...] = (
    ("owing", 2, 180),
    ("owing", 4, 210),
    ("reminded", 3, 180),
    ("letter_due", 7, 240),
    ("lettered", 9, 180),
    ("visited", 13, 210),
    ("legal", 16, 260),
    ("part_paid", 5, 180),
    ("paid", 3, 200),
    ("booked", 4, 180),
    ("collected", 3, 220),
    ("missed", 5, 200),
    ("custody", 6, 300),
    ("cleared", 2, 180),
)


def _month(day: date, back: int) -> str:
    found = day - relativedelta(months=back)
    return f"{found.year:04d}-{found.month:02d}"


def _office(line: Timeline, days_ago: int, hour: int = 10) -> datetime:
    local = (line.now - timedelta(days=days_ago)).astimezone(line.settings.tz).date()
    return datetime.combine(local, time(hour, 0), tzinfo=line.settings.tz)


def plan_fees(line: Timeline, rng: random.Random, directory: list[Room]) -> None:
    mine = random.Random()
    mine.setstate(rng.getstate())
    rooms = mine.sample(directory, len(PLAN))
    first_import = _office(line, 150, 9)
    today = first_import.astimezone(line.settings.tz).date()
    custody_room = rooms[[p[0] for p in PLAN].index("custody")][0]
    line.at(
        first_import - timedelta(days=2),
        lambda c: fees.mark_custody(c, custody_room, today - timedelta(days=30), "业主长期在外"),
    )
    head = "room,kind,from,to,amount_fen\n"
    first = head + "".join(
        f"{room[0]},management,{_month(today, months)},{_month(today, 1)},"
        f"{monthly * 100 * months}\n"
        for (_state, months, monthly), room in zip(PLAN, rooms, strict=True)
    )
    first += f"{rooms[0][0]},water,{_month(today, 2)},{_month(today, 1)},8650\n"

    def load(text: str) -> object:
        def run(ctx: Ctx) -> object:
            return fees_import.write(ctx, fees_import.check(ctx, text))

        return run

    line.at(first_import, line.by_supervisor(load(first)))  # type: ignore[arg-type]
    # two months ago: finance's next file — a month more for the first room, one room cleared
    second_at = _office(line, 60, 9)
    later = second_at.astimezone(line.settings.tz).date()
    second = head
    for (state, months, monthly), room in zip(PLAN, rooms, strict=True):
        if state == "cleared":
            continue
        if state == "owing" and room == rooms[0]:
            second += f"{room[0]},management,{_month(today, months)},{_month(later, 1)},"
            second += f"{monthly * 100 * (months + 3)}\n"
            second += f"{room[0]},water,{_month(today, 2)},{_month(today, 1)},8650\n"
            continue
        second += f"{room[0]},management,{_month(today, months)},{_month(today, 1)},"
        second += f"{monthly * 100 * months}\n"
    line.at(second_at, line.by_supervisor(load(second)))  # type: ignore[arg-type]
    for (state, _months, _monthly), room in zip(PLAN, rooms, strict=True):
        _plan_room(line, state, room)


def _remind(line: Timeline, room: Room, days_ago: int) -> None:
    code, owner, phone = room
    data = StepIn(
        room=code,
        channel=FeeChannel.phone,
        by="王芳",
        spoke_to=owner,
        said="提醒业主尽快缴纳物业管理费，业主表示近期来缴",
        phone=phone,
    )
    line.at(_office(line, days_ago), lambda c: fees.remind(c, data))


def _step(line: Timeline, room: Room, days_ago: int, which: str, boss: bool = False) -> None:
    code, owner, _phone = room
    data = StepIn(
        room=code,
        by="陈静" if boss else "王芳",
        spoke_to=owner,
        said={"visit": "上门催缴，业主答应月底前缴清", "legal": "多次催缴无果，交法务部处理"}.get(
            which, ""
        ),
        tracking=f"SF{zlib.crc32(code.encode()):010d}" if which == "letter" else "",
    )
    action = {"letter": fees.letter, "visit": fees.visit, "legal": fees.legal}[which]

    def run(c: Ctx) -> object:
        return action(c, data)

    line.at(_office(line, days_ago, 11), line.by_supervisor(run) if boss else run)


def _pay(line: Timeline, room: Room, days_ago: int, part: bool, receipt: str) -> None:
    code, owner, _phone = room

    def run(c: Ctx) -> object:
        found = fees.debt(c, code)
        balance = found.balances[0]
        owing = balance.amount_fen - balance.paid_fen
        amount = owing // 2 if part else owing
        data = PaymentIn(
            balance_id=balance.id or 0,
            amount_fen=amount,
            receipt=receipt,
            payer=owner,
            confirmed=True,
        )
        return fees.pay(c, data)

    line.at(_office(line, days_ago, 15), run)


def _book(line: Timeline, room: Room, days_ago: int, ahead_days: int, key: str) -> None:
    code, owner, _phone = room

    def run(c: Ctx) -> object:
        data = AppointmentIn(
            room=code,
            owner=owner,
            address=f"{code} 室",
            collector="刘洋",
            at=c.now + timedelta(days=ahead_days),
            amount_fen=fees.debt(c, code).owing_fen,
            receipts_prepared=True,
        )
        return fees.book(c, data)

    line.at(_office(line, days_ago, 9), line.keep(key, run))


def _plan_room(line: Timeline, state: str, room: Room) -> None:
    code = room[0]
    if state == "reminded":
        _remind(line, room, 20)
    elif state == "letter_due":
        _remind(line, room, 100)
    elif state == "lettered":
        _remind(line, room, 120)
        _step(line, room, 20, "letter")
    elif state == "visited":
        _remind(line, room, 140)
        _step(line, room, 45, "letter")
        _step(line, room, 10, "visit")
    elif state == "legal":
        _remind(line, room, 145)
        _step(line, room, 50, "letter")
        _step(line, room, 35, "visit")
        _step(line, room, 3, "legal", boss=True)
    elif state == "part_paid":
        _remind(line, room, 30)
        _pay(line, room, 12, True, f"CW-{code}-1")
    elif state == "paid":
        _remind(line, room, 40)
        _pay(line, room, 8, False, f"CW-{code}-1")
    elif state == "booked":
        _book(line, room, 1, 1, f"fee-booked-{code}")
    elif state in ("collected", "missed"):
        key = f"fee-{state}-{code}"
        _book(line, room, 6, 2, key)
        if state == "collected":
            _pay(line, room, 4, False, f"CW-{code}-S")
        line.at(
            _office(line, 4, 16),
            lambda c: fees.close_appointment(
                c,
                line.ids[key],
                "done" if state == "collected" else "missed",
                "" if state == "collected" else "业主不在家，改日再约",
            ),
        )
