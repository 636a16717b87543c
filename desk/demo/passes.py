"""The demo release passes: three weeks of goods going out, in every state a pass can reach.

Planned on the demo's timeline (`desk.demo.timeline`): the desk issues and takes stubs back as
the operator on duty; the gate checks without a signed-in operator, as the guard does; a
supervisor voids.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Any

from desk.demo.timeline import Room, Timeline
from desk.services import passes
from desk.services.context import Ctx
from desk.services.passes import PassCreate, PassItemIn

# description | remark
GOODS = [
    line.split("|")
    for line in """
双人沙发|布艺 灰色
三门冰箱|
滚筒洗衣机|
床垫|1.8 米
书柜|拆散打包
纸箱（书籍）|
纸箱（衣物）|
液晶电视|55 寸
空调室外机|
实木餐桌|
餐椅|
儿童自行车|
电脑主机|
办公桌|
行李箱|
微波炉|
旧地毯|
钢琴|需四人搬运
""".strip().splitlines()
]
# the end state of each planned pass
PLAN = (
    ["used_returned"] * 14
    + ["used_missing"] * 3
    + ["partly_returned", "partly_missing"]
    + ["refused", "refused"]
    + ["expired"] * 3
    + ["voided", "voided"]
    + ["today"] * 2
    + ["tomorrow"]  # issued today for tomorrow's move: not valid yet
    + ["no_gate_check"]
)
GUARDS = ("周建军", "马卫东", "吴海")
PARTLY = ("钢琴太重今天未搬，改日另开放行条", "床垫留下，其余已放行")
REFUSED = ("车上物品与清单不符，多出两台空调", "申请人不是放行条上的人，联系不上业主")
VOIDS = ("业主改期搬家", "清单写错，重新开具")
DAYS = 21


def _items(rng: random.Random, long_list: bool) -> list[PassItemIn]:
    count = 24 if long_list else rng.randint(1, 5)
    chosen = [rng.choice(GOODS) for _ in range(count)]
    return [
        PassItemIn(description=description, quantity=rng.randint(1, 4), remark=remark)
        for description, remark in chosen
    ]


def _issued_at(line: Timeline, rng: random.Random, state: str, index: int) -> datetime:
    now, tz = line.now, line.settings.tz
    if state in ("today", "tomorrow"):
        return now - timedelta(minutes=rng.randint(10, 90))
    ago = 2 + index % (DAYS - 3)
    day = (now - timedelta(days=ago)).astimezone(tz).date()
    return datetime.combine(day, time(rng.randint(8, 16), rng.randint(0, 59)), tzinfo=tz)


def _as_gate(ctx: Ctx) -> Ctx:
    """The guard is not an operator: gate events carry no operator, the guard's name in data."""
    return Ctx(ctx.session, None, ctx.settings, ctx.now)


def plan_passes(line: Timeline, rng: random.Random, directory: list[Room]) -> None:
    """About 30 passes; tenants' and agents' passes carry the owner's confirmation by phone."""
    for index, state in enumerate(PLAN):
        code, owner, phone = rng.choice(directory)
        relationship = ("owner", "owner", "tenant", "agent")[index % 4]
        at = _issued_at(line, rng, state, index)
        data = PassCreate(
            room=code,
            applicant=owner if relationship == "owner" else _someone(rng),
            relationship=relationship,
            id_type=rng.choice(("id_card", "id_card", "owner_card")),
            id_last4=f"{rng.randrange(10**4):04d}",
            vehicle_plate=rng.choice(("", f"沪A{rng.randrange(10**5):05d}")),
            valid_on=at.astimezone(line.settings.tz).date()
            + timedelta(days=1 if state == "tomorrow" else 0),
            items=_items(rng, long_list=index == 0),
        )
        if relationship != "owner":
            data.owner_phone_called = phone
            data.owner_confirmed_by = owner
            data.owner_confirmed = True
            data.owner_confirmed_at = at - timedelta(minutes=3)
        _plan_one(line, rng, f"pass-{index}", state, at, data)


def _someone(rng: random.Random) -> str:
    """A tenant or an agent: not in the owners' directory."""
    return rng.choice("赵钱孙周吴郑冯陈") + rng.choice(("小军", "海涛", "丽娟", "建新", "师傅"))


def _plan_one(
    line: Timeline, rng: random.Random, key: str, state: str, at: datetime, data: PassCreate
) -> None:
    at = line.at(at, line.keep(key, lambda c: passes.issue(c, data)))
    guard = rng.choice(GUARDS)

    def number(ctx: Ctx) -> str:
        return passes.get(ctx, line.ids[key]).number

    def check(result: str, note: str = "") -> Any:
        return lambda c: passes.gate_check(_as_gate(c), number(c), result, guard, note)

    def stub(c: Ctx) -> Any:
        return passes.return_stub(c, number(c))

    gate_at = at + timedelta(minutes=rng.randint(20, 180))
    back_at = at + timedelta(days=rng.randint(1, 2), hours=rng.randint(0, 3))
    if state in ("today", "tomorrow", "expired"):
        return
    if state == "voided":
        boss = line.ops["陈静"]
        reason = VOIDS[rng.randrange(len(VOIDS))]
        line.at(
            at + timedelta(minutes=40),
            lambda c: passes.void(Ctx(c.session, boss, c.settings, c.now), line.ids[key], reason),
        )
        return
    if state == "no_gate_check":
        # the guard let the goods out unchecked and brought the pass back the same day
        line.at(gate_at, stub)
        return
    if state.startswith("used"):
        line.at(gate_at, check("all_out"))
    elif state.startswith("partly"):
        line.at(gate_at, check("partly", rng.choice(PARTLY)))
    else:
        line.at(gate_at, check("refused", rng.choice(REFUSED)))
    if state.endswith("returned") or state == "refused":
        line.at(back_at, stub)
