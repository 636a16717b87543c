"""The demo key register: a cabinet of about 40 keys, loans over three weeks (some overdue, one
partly returned, one lost), entrusted keys in every state, and a count with a discrepancy.

Planned on the demo's timeline (`desk.demo.timeline`), so each step is done through the real
services by the operator on duty at that moment. It draws from its own copy of the demo's random
state, so adding it changed nothing the other registers drew.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Any

from sqlmodel import col, select

from desk.demo.timeline import Room, Timeline
from desk.models import RepairLocation, RepairOrder
from desk.services import keys, keys_entrusted
from desk.services.context import Ctx
from desk.services.keys import EntrustedCreate, KeyLoanCreate

# tag | opens | copies | hook
FACILITIES = [
    line.split("|")
    for line in """
K-PUMP-B2|地下二层水泵房|2|A-01
K-ELEC-1|1栋配电房|3|A-02
K-ELEC-2|2栋配电房|2|A-03
K-ROOF-3|3栋天台门|2|A-04
K-ROOF-5|5栋天台门|2|A-05
K-LIFT-2|2栋电梯机房|2|A-06
K-LIFT-3|3栋电梯机房|2|A-07
K-GARAGE|地下车库卷帘门控制箱|2|A-08
K-FIRE-1|消防控制室|2|A-09
K-GEN-B1|地下一层发电机房|1|A-10
K-TANK-R|屋顶生活水箱间|1|A-11
K-MAIL|大堂信报箱总钥匙|1|A-12
K-CLUB|会所活动室|2|A-13
K-GATE-S|南门岗亭|2|A-14
K-WELL-4|4栋管道井|2|A-15
""".strip().splitlines()
]
BORROWERS = ("保洁 刘阿姨", "绿化 王师傅", "秩序维护 陈刚")
ROUTINE = (
    "巡检水泵运行",
    "抄电表",
    "天台防水检查",
    "电梯月度保养",
    "消防设施月检",
    "更换车库灯管",
    "清理天台排水口",
    "会所活动布置",
)
# owner's key | reason | end state
ENTRUSTED = (
    ("入户门钥匙", "卫生间防水返修，业主上班不在家", "deposited"),
    ("入户门钥匙、阳台门钥匙", "厨房下水管漏水维修", "out"),
    ("入户门钥匙", "空调冷凝水管整改，需多次入户", "used"),
    ("入户门钥匙 2把", "木地板起拱整改", "work_done"),
    ("入户门钥匙", "窗户密封条更换", "collected"),
    ("入户门及信箱钥匙", "墙面渗水整改", "collected"),
)


def plan_keys(line: Timeline, rng: random.Random, directory: list[Room]) -> None:
    """Cabinet at the start of the three weeks, then loans, entrusted keys and a count."""
    mine = random.Random()
    mine.setstate(rng.getstate())
    mine.seed(mine.random())
    now, tz = line.now, line.settings.tz
    start = now - timedelta(days=21, hours=1)
    vacant = sorted({code for code, _, _ in mine.sample(directory, 26)})

    def stock(ctx: Ctx) -> Any:
        for tag, opens, copies, hook in FACILITIES:
            keys.add_key(ctx, tag, opens, "facility", "", int(copies), hook)
        for index, code in enumerate(vacant):
            hook = f"B-{index + 1:02d}"
            keys.add_key(ctx, f"K-{code}", f"{code} 空置房入户门", "unit", code, 1, hook)

    line.at(start, stock)
    staff = [member.name for member in line.settings.staff] or ["李建国"]
    routine = [f[0] for f in FACILITIES]
    for index in range(20):  # lent in the morning, back in the afternoon
        day = (now - timedelta(days=20 - index)).astimezone(tz).date()
        out = datetime.combine(day, time(9 + index % 3, mine.randint(0, 59)), tzinfo=tz)
        back = out + timedelta(hours=mine.randint(1, 5), minutes=mine.randint(0, 59))
        who = mine.choice(staff) if index % 5 else mine.choice(BORROWERS)
        _loan(line, f"loan-{index}", out, routine[index % len(routine)], who, back=back)
    overdue = [
        (now - timedelta(days=2, hours=3), f"K-{vacant[0]}", staff[0], "空置房查水表"),
        (now - timedelta(days=1, hours=2), f"K-{vacant[1]}", staff[-1], "空置房通风检查"),
        (now - timedelta(days=1, hours=5), "K-GEN-B1", staff[0], "发电机试运行"),
    ]
    for index, (out, tag, who, reason) in enumerate(overdue):
        _loan(line, f"loan-overdue-{index}", out, tag, who, reason=reason)
    # lent this morning, still in time
    _loan(line, "loan-now", now - timedelta(minutes=50), "K-LIFT-3", staff[-1])
    # two out, one back: the other is still out past its due time
    part = now - timedelta(days=1, hours=4)
    _loan(line, "loan-part", part, "K-ELEC-1", staff[0], count=2)
    line.at(
        part + timedelta(hours=3),
        lambda c: keys.take_back(c, line.ids["loan-part"], 1, staff[0], note="另一把明天还"),
    )
    # lost on the roof
    lost = now - timedelta(days=9, hours=2)
    _loan(line, "loan-lost", lost, "K-ROOF-3", BORROWERS[1])
    note = "在天台作业时遗失，借用人已写情况说明"
    line.at(
        lost + timedelta(hours=4), lambda c: keys.report_lost(c, line.ids["loan-lost"], 1, note)
    )
    for index, (what, reason, state) in enumerate(ENTRUSTED):
        _entrusted(line, mine, index, what, reason, state, directory, staff)
    line.at(now - timedelta(days=3, hours=6), _count)


def _loan(
    line: Timeline,
    key: str,
    out: datetime,
    tag: str,
    who: str,
    *,
    count: int = 1,
    reason: str = "",
    back: datetime | None = None,
) -> None:
    why = reason or ROUTINE[sum(map(ord, key + tag)) % len(ROUTINE)]
    data = KeyLoanCreate(key=tag, borrower=who, reason=why, count=count)
    out = line.at(out, line.keep(key, lambda c: keys.lend(c, data)))
    if back is not None:
        line.at(max(back, out + timedelta(minutes=10)), lambda c: _return_all(c, line.ids[key]))


def _return_all(ctx: Ctx, loan_id: int) -> Any:
    loan = keys.get_loan(ctx, loan_id)
    return keys.take_back(ctx, loan_id, keys.outstanding(loan), loan.borrower)


def _entrusted(
    line: Timeline,
    rng: random.Random,
    index: int,
    what: str,
    reason: str,
    state: str,
    directory: list[Room],
    staff: list[str],
) -> None:
    now, key = line.now, f"entrusted-{index}"
    days = {"deposited": 2, "out": 3, "used": 5, "work_done": 6, "collected": 9 + (index - 4) * 5}
    at = now - timedelta(days=days[state], hours=rng.randint(1, 5))
    code, owner, phone = rng.choice(directory)
    data = EntrustedCreate(
        owner_name=owner,
        room=code,
        phone=phone,
        description=what,
        count=2 if "2把" in what else 1,
        reason=reason,
        hook=f"C-{index + 1:02d}",
    )

    def deposit(ctx: Ctx) -> Any:
        if state == "out":  # this one came with a repair order
            order = _repair_order(ctx)
            if order is not None:
                data.repair_order_number = order.number
                data.room, data.owner_name = order.room, order.resident_name
                data.phone = order.phone
        return keys.deposit(ctx, data)

    at = line.at(at, line.keep(key, deposit))
    if state == "deposited":
        return
    worker = staff[index % len(staff)]
    if state == "out":
        purpose = "入户维修"
        line.at(
            now - timedelta(hours=1), lambda c: keys.take_out(c, line.ids[key], worker, purpose)
        )
        return
    for _ in range(2 if state in ("used", "work_done") else 1):
        at = line.at(
            at + timedelta(hours=rng.randint(2, 20)),
            lambda c: keys.take_out(c, line.ids[key], worker, "入户施工"),
        )
        at = line.at(at + timedelta(hours=rng.randint(1, 4)), lambda c: _back(c, line.ids[key]))
    if state == "used":
        return
    at = line.at(at + timedelta(minutes=30), lambda c: keys.work_done(c, line.ids[key], "已完工"))
    told = "电话通知业主来验收领钥匙"
    at = line.at(at + timedelta(minutes=20), lambda c: keys.notify_owner(c, line.ids[key], told))
    if state == "work_done":
        return

    def collect(ctx: Ctx) -> Any:
        record = keys_entrusted.get(ctx, line.ids[key])
        return keys.collect(ctx, line.ids[key], record.number, record.owner_name)

    line.at(at + timedelta(days=1, hours=rng.randint(0, 6)), collect)


def _back(ctx: Ctx, entrusted_id: int) -> Any:
    return keys.bring_back_key(ctx, entrusted_id)


def _repair_order(ctx: Ctx) -> RepairOrder | None:
    statement = (
        select(RepairOrder)
        .where(RepairOrder.location == RepairLocation.unit, col(RepairOrder.room) != "")
        .where(col(RepairOrder.reported_at) <= ctx.now)
        .order_by(col(RepairOrder.reported_at).desc())
    )
    return ctx.session.exec(statement).first()


def _count(ctx: Ctx) -> Any:
    """The weekly count: one key of the pump room could not be found on its hook."""
    found = {line.ref: line.expected for line in keys.expected_counts(ctx)}
    if found.get("K-PUMP-B2"):
        found["K-PUMP-B2"] -= 1
    return keys.count(ctx, found, "K-PUMP-B2 少一把，已问工程部")
