"""The demo patrols: the daily estate round walked most days of the last fortnight (two days
missed, today's under way), the weekly rounds, a heavy-rain round of the rooms in custody, and
findings in every state — to send, with a department (one of them late), rectified and awaiting
re-inspection, accepted first time, rejected and redone, rejected and back with the department,
a repair order for the repairs department, one withdrawn by the supervisor.

Planned on the demo's timeline (`desk.demo.timeline`), each step through the real services by
the operator on duty. It draws from its own copy of the demo's random state, so adding it
changed nothing the other registers drew.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from desk.demo.timeline import Room, Timeline
from desk.models import PointResult
from desk.services import findings, patrol, repair
from desk.services.context import Ctx
from desk.services.findings import FindingIn, RecheckIn
from desk.services.patrol import RoundIn
from desk.services.repair import RepairCompletion

WALKERS = ("周海", "郑刚")
# the estate round: days before today it was walked (today's is under way; 3 and 6 missed)
ESTATE_DAYS = (1, 2, 4, 5, 7, 8, 9, 10, 11, 12, 13)
# (key, day before today, checkpoint, what, where, department, what becomes of it)
FINDINGS: tuple[tuple[str, int, str, str, str, str, str], ...] = (
    ("lamp", 0, "facilities", "路灯不亮", "2栋门口", "repairs", "open"),
    ("litter", 1, "cleaning", "垃圾桶满溢未清运", "5栋东侧", "cleaning", "sent"),
    ("gate", 4, "security", "地库门禁故障常开", "地下车库入口", "security", "sent"),
    ("lawn", 5, "landscaping", "草坪枯黄一片", "中心花园", "landscaping", "rectified"),
    ("sign", 7, "signs", "消防通道标识脱落", "3栋北侧", "service", "accepted"),
    ("stain", 9, "cleaning", "大堂地面油渍", "1栋大堂", "cleaning", "redone"),
    ("parking", 10, "car_park", "车位划线模糊", "地面停车场", "security", "rejected"),
    ("tiles", 11, "fabric", "外墙瓷砖空鼓", "6栋外墙", "repairs", "repair_accepted"),
    ("fire", 12, "fire", "灭火器压力不足", "8栋二楼", "repairs", "withdrawn"),
)


def _office(line: Timeline, days_ago: int, hour: int, minute: int = 0) -> datetime:
    day = (line.now - timedelta(days=days_ago)).astimezone(line.settings.tz).date()
    return datetime.combine(day, time(hour, minute), tzinfo=line.settings.tz)


def plan_patrols(line: Timeline, rng: random.Random, directory: list[Room]) -> None:
    mine = random.Random()
    mine.setstate(rng.getstate())
    found_on = {item[1]: item for item in FINDINGS}
    for day in ESTATE_DAYS:
        _round(line, mine, f"patrol-estate-{day}", "estate", day, found_on.get(day))
    _round(line, mine, "patrol-estate-0", "estate", 0, found_on.get(0), finish=False)
    _round(line, mine, "patrol-fire", "fire", 8, None)
    _round(line, mine, "patrol-custody", "custody", 1, None)
    room = mine.choice(directory)[0]
    rain = ("rain", 5, "leaks", "窗边渗水", "", "repairs", "open")
    _round(line, mine, "patrol-rain", "custody_rain", 6, rain, room=room)


def _round(
    line: Timeline,
    rng: random.Random,
    key: str,
    route: str,
    days_ago: int,
    finding: tuple[str, int, str, str, str, str, str] | None,
    *,
    finish: bool = True,
    room: str = "",
) -> None:
    started = _office(line, days_ago, 8 if days_ago == 0 else rng.choice((9, 10, 14)), 10)
    started = min(started, line.now - timedelta(hours=1))  # built just after midnight, say
    walker = rng.choice(WALKERS)
    data = RoundIn(route=route, patrolled_by=walker, started_at=started)
    line.at(started, line.keep(key, lambda c: patrol.start(c, data)))

    def walk(ctx: Ctx) -> None:
        round_id = line.ids[key]
        for point in patrol.points_of(ctx, round_id):
            assert point.id is not None
            if finding is not None and point.checkpoint == finding[2]:
                name, _day, _spot, what, where, department, _end = finding
                raised = patrol.check_finding(
                    ctx,
                    round_id,
                    point.id,
                    FindingIn(
                        what=what,
                        place=where,
                        room=room,
                        department=department,
                        photo=f"IMG_{rng.randrange(1000, 9999)}",
                    ),
                )
                line.ids[f"finding-{name}"] = raised.id or 0
            elif finish or point.position < 4:
                patrol.check_ok(ctx, round_id, point.id)
        if finish and all(p.result != PointResult.pending for p in patrol.points_of(ctx, round_id)):
            patrol.finish(ctx, round_id)

    walked = line.at(started + timedelta(minutes=45), walk)
    if finding is not None:
        _follow(line, finding, walked, walker)


def _follow(
    line: Timeline, finding: tuple[str, int, str, str, str, str, str], at: datetime, walker: str
) -> None:
    """The finding's steps after it was raised, to its end state."""
    name, _day, _spot, _what, _where, _department, end = finding

    def fid() -> int:
        return line.ids[f"finding-{name}"]

    def step(moment: datetime, action: Callable[[Ctx, int], Any], boss: bool = False) -> datetime:
        run: Callable[[Ctx], Any] = lambda c: action(c, fid())  # noqa: E731
        return line.at(moment, line.by_supervisor(run) if boss else run)

    def recheck(accepted: bool, note: str = "") -> Callable[[Ctx, int], Any]:
        data = RecheckIn(accepted=accepted, checked_by=walker, note=note)
        return lambda c, i: findings.recheck(c, i, data)

    if end == "open":
        return
    if end == "withdrawn":
        step(
            at + timedelta(hours=1), lambda c, i: findings.withdraw(c, i, "复核为正常，误报"), True
        )
        return
    at = step(at + timedelta(minutes=30), lambda c, i: findings.send(c, i))
    if end == "sent":
        return
    if end == "repair_accepted":
        at = step(at + timedelta(hours=3), _complete_order)
    at = step(at + timedelta(hours=20), lambda c, i: findings.rectified(c, i, "已处理"))
    if end == "rectified":
        return
    if end in ("redone", "rejected"):
        at = step(at + timedelta(hours=2), recheck(False, "仍未处理干净"))
        if end == "rejected":
            return
        at = step(at + timedelta(hours=20), lambda c, i: findings.rectified(c, i, "重新处理"))
    step(at + timedelta(hours=2), recheck(True))


def _complete_order(ctx: Ctx, finding_id: int) -> None:
    """The repairs department's order of a finding: dispatched and completed."""
    order_id = findings.get(ctx, finding_id).repair_id
    assert order_id is not None
    repair.dispatch(ctx, order_id, "刘师傅")
    repair.complete(ctx, order_id, RepairCompletion(work_done="重新粘贴瓷砖"))
