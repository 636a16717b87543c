"""The demo renovations: applications in every state a renovation reaches, the oldest taken in
four months ago (a deposit falls due three months after the first inspection that passed).

Planned on the demo's timeline (`desk.demo.timeline`): each step through the real services by
the operator on duty; a suspension lifted and a deposit kept back in part by the supervisor. It
draws from its own copy of the demo's random state, so adding it changed nothing the other
registers drew.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from desk.demo.timeline import Room, Timeline
from desk.models import InspectionResult, VisitDepartment
from desk.services import renovation
from desk.services.context import Ctx
from desk.services.renovation import Documents, InspectionIn, Papers, RenovationCreate, VisitIn

CONTRACTORS = (
    ("安居装饰工程有限公司", "91310115MA1H7K2X3Q", "周建平"),
    ("美家装潢有限公司", "91310112MA1G5N8Y1R", "吴国强"),
    ("匠心室内设计工程部", "92310104MA1LD3QK6P", "钱师傅"),
    ("华庭建筑装饰有限公司", "91310230MA1JX9UH8T", "孙海波"),
)
SCOPES = (
    "厨房、卫生间翻新，更换地砖和橱柜",
    "全屋墙面重新粉刷，更换木地板",
    "阳台封闭，更换塑钢窗",
    "卫生间重做防水，更换洁具",
    "客厅吊顶，改造灯光线路",
    "儿童房改造，加装衣柜",
)
ALL_PAPERS = Documents(
    doc_floor_plan=True,
    doc_drawings=True,
    doc_licence=True,
    doc_qualification=True,
    agreement_signed=True,
    fire_pledge_signed=True,
)
ENGINEERS = ("李建国", "赵师傅")
# (end state, days before now it was applied for); the steps after the application follow
PLAN: tuple[tuple[str, int], ...] = (
    ("applied", 0),
    ("documents_complete", 1),
    ("with_engineering", 1),
    ("with_engineering", 8),  # overdue: engineering has not answered
    ("approved", 5),
    ("refused", 9),
    ("permit_issued", 6),
    ("in_works", 40),  # its permit ends within the week
    ("in_works", 15),
    ("suspended", 20),
    ("finished", 50),
    ("rectifying", 55),
    ("passed", 45),
    ("refund_soon", 118),  # the deposit falls due within the week
    ("refund_overdue", 135),
    ("refunded", 130),
    ("withheld", 128),
    ("archived", 140),
    ("withdrawn", 6),
)
PASSED = ("passed", "refund_soon", "refund_overdue", "refunded", "withheld", "archived")
# days from passing the inspection to now: the deposit due (3 months) soon, overdue, or paid
PASSED_AGO = {
    "refund_soon": 88,
    "refund_overdue": 110,
    "refunded": 100,
    "withheld": 98,
    "archived": 105,
}


def plan_renovations(line: Timeline, rng: random.Random, directory: list[Room]) -> None:
    """About twenty renovations, each taken through its steps to its end state."""
    mine = random.Random()
    mine.setstate(rng.getstate())
    rooms = mine.sample(directory, len(PLAN))
    for index, ((state, ago), room) in enumerate(zip(PLAN, rooms, strict=True)):
        _plan_one(line, mine, f"renovation-{index}", state, ago, room)


def _office(line: Timeline, moment: datetime, hour: int) -> datetime:
    local = moment.astimezone(line.settings.tz).date()
    return datetime.combine(local, time(hour, 0), tzinfo=line.settings.tz)


def _plan_one(
    line: Timeline, rng: random.Random, key: str, state: str, ago: int, room: Room
) -> None:
    code, owner, phone = room
    contractor, licence, person = rng.choice(CONTRACTORS)
    applied = _office(line, line.now - timedelta(days=ago), rng.choice((9, 10, 14, 15)))
    if ago == 0:
        applied = line.now - timedelta(hours=2)
    day = applied.astimezone(line.settings.tz).date()
    start = day + timedelta(days=7)
    end = _works_end(line, state, start, rng)
    agent = index_of(key) % 5 == 3
    data = RenovationCreate(
        room=code,
        applicant=f"{rng.choice('赵钱孙周')}代办" if agent else owner,
        applicant_kind="agent" if agent else "owner",
        applicant_phone=f"139{rng.randrange(10**8):08d}" if agent else phone,
        contractor=contractor,
        contractor_licence=licence,
        contractor_person=person,
        contractor_phone=f"137{rng.randrange(10**8):08d}",
        planned_start=start,
        planned_end=end,
        scope=rng.choice(SCOPES),
        touches_lines=rng.random() < 0.4,
        touches_walls=rng.random() < 0.15,
        undertaking_signed=False,
    )
    if agent:
        data.owner_phone_called = phone
        data.owner_confirmed_by = owner
        data.owner_confirmed_at = applied - timedelta(minutes=10)
    at = line.at(applied, line.keep(key, lambda c: renovation.apply(c, data)))

    def rid() -> int:
        return line.ids[key]

    def step(moment: datetime, action: Callable[[Ctx, int], Any], boss: bool = False) -> datetime:
        run: Callable[[Ctx], Any] = lambda c: action(c, rid())  # noqa: E731
        return line.at(moment, line.by_supervisor(run) if boss else run)

    if state == "applied":
        return
    at = step(at + timedelta(minutes=20), lambda c, i: renovation.complete(c, i, ALL_PAPERS))
    if state == "documents_complete":
        return
    if state == "withdrawn":
        step(at + timedelta(days=3), lambda c, i: renovation.withdraw(c, i, "业主改变装修计划"))
        return
    fees = line.settings.renovation
    papers = Papers(
        undertaking_signed=bool(data.touches_lines or data.touches_walls),
        deposit_fen=fees.deposit * 100,
        deposit_receipt=f"SJ{rng.randrange(10**6):06d}",
        debris_fee_fen=fees.debris_fee * 100,
        debris_fee_receipt=f"SJ{rng.randrange(10**6):06d}",
    )
    at = step(at + timedelta(minutes=30), lambda c, i: renovation.to_engineering(c, i, papers))
    if state == "with_engineering":
        return
    engineer = rng.choice(ENGINEERS)
    decided = _office(line, at + timedelta(days=2), 16)
    if state == "refused":
        reason = "拟拆除承重墙，不符合房屋安全规定"
        step(decided, lambda c, i: renovation.refuse(c, i, engineer, reason))
        return
    at = step(decided, lambda c, i: renovation.approve(c, i, engineer))
    if state == "approved":
        return
    at = step(_office(line, at + timedelta(days=1), 10), renovation.issue_permit)
    if state == "permit_issued":
        return
    began = _office(line, datetime.combine(start, time(8), line.settings.tz), 8)
    at = step(began + timedelta(minutes=30), lambda c, i: renovation.start_works(c, i))
    _visits(line, step, at, state, rng)
    if state == "suspended":
        lunch = _office(line, line.now - timedelta(days=2), 12) + timedelta(minutes=40)
        noise = VisitIn(
            department=VisitDepartment.security,
            visitor="周海",
            visited_at=lunch,
            findings="午休时间电锤作业，邻居投诉",
            suspend=True,
            suspend_for="hours",
        )
        step(lunch, lambda c, i: renovation.visit(c, i, noise))
        return
    if state == "in_works":
        return
    finished = (
        _office(line, line.now - timedelta(days=PASSED_AGO.get(state, 30) + 3), 17)
        if state in PASSED
        else _office(line, line.now - timedelta(days=6 if state == "rectifying" else 1), 17)
    )
    booked = finished + timedelta(days=2, hours=-7)
    at = step(finished, lambda c, i: renovation.finish(c, i, booked))
    if state == "finished":
        return
    inspector = rng.choice(ENGINEERS)
    if state == "rectifying":
        fix = InspectionIn(
            inspector=inspector, result=InspectionResult.rectify, findings="卫生间闭水试验渗漏"
        )
        step(booked, lambda c, i: renovation.inspect(c, i, fix))
        return
    passed = _office(line, line.now - timedelta(days=PASSED_AGO.get(state, 20)), 10)
    step(passed, lambda c, i: renovation.inspect(c, i, InspectionIn(inspector=inspector)))
    if state in ("passed", "refund_soon", "refund_overdue"):
        return
    due = passed.astimezone(line.settings.tz).date()
    due = renovation.refund_due_on(due, line.settings.renovation.refund_months)
    paid = _office(line, datetime.combine(due, time(10), line.settings.tz), 11)
    if state == "withheld":
        kept = line.settings.renovation.deposit * 100 // 5
        amount = line.settings.renovation.deposit * 100 - kept
        step(
            paid,
            lambda c, i: renovation.refund(
                c, i, amount, "修复公共走廊墙面", "搬运材料划伤走廊墙面约 2 米"
            ),
            boss=True,
        )
        return
    at = step(paid, renovation.refund)
    if state == "archived":
        step(at + timedelta(hours=2), renovation.archive)


def index_of(key: str) -> int:
    return int(key.rsplit("-", 1)[1])


def _works_end(line: Timeline, state: str, start: date, rng: random.Random) -> date:
    today = line.now.astimezone(line.settings.tz).date()
    if state == "in_works" and start < today - timedelta(days=20):
        return today + timedelta(days=4)  # ends within the week: on the board
    return start + timedelta(days=rng.randint(30, 60))


def _visits(
    line: Timeline,
    step: Callable[[datetime, Callable[[Ctx, int], Any]], datetime],
    began: datetime,
    state: str,
    rng: random.Random,
) -> None:
    """A visit in order a few days into the works; the first works under way see a leak that
    opens a repair order, the second a noise the neighbour complains of."""
    first = _office(line, began + timedelta(days=3), 10)
    if first >= line.now:
        return
    fine = VisitIn(department=rng.choice(list(VisitDepartment)), visitor="周海", visited_at=first)
    step(first, lambda c, i: renovation.visit(c, i, fine))
    second = _office(line, began + timedelta(days=5), 15)
    if state != "in_works" or second >= line.now:
        return
    if rng.random() < 0.5:
        found = VisitIn(
            department=VisitDepartment.engineering,
            visitor="李建国",
            visited_at=second,
            findings="楼下天花板渗水，疑为卫生间防水破坏",
            follow_up="repair",
            repair_category="leak",
        )
    else:
        found = VisitIn(
            department=VisitDepartment.security,
            visitor="周海",
            visited_at=second,
            findings="楼道堆放装修垃圾，邻居投诉",
            follow_up="complaint",
        )
    step(second, lambda c, i: renovation.visit(c, i, found))
