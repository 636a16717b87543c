"""The demo's last nights and shift changes: a night log (handled, transferred in the morning,
closed, one still left for the morning) and acknowledged handovers with frozen summaries.

Planned on the demo's timeline (`desk.demo.timeline`), so every step runs through the real
services at its own moment.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from desk.demo.timeline import Room, Timeline
from desk.services import handover, nightlog
from desk.services.context import Ctx
from desk.services.handover import CheckCount, HandoverUpdate
from desk.services.nightlog import NightLogCreate

PINS = {"王芳": "1111", "刘洋": "2222", "张伟": "3333", "陈静": "9999"}
NIGHTS = 3
# what | what was done at night ("" = left for the morning) | emergency | morning: repair,
# complaint or close:<reason>
CALLS = [
    line.split("|")
    for line in """
卫生间水管爆裂，水漫到客厅|关闭入户总阀，清理积水，明早换管|yes|repair
楼上深夜聚会音乐声很大|||complaint
电梯困人，一位老人被困轿厢|通知电梯维保 15 分钟到场，已救出，电梯停用|yes|
家里整屋停电|检查为户内空开跳闸，已合闸恢复||
厨房水槽下水道堵塞||no|repair
地下车库有车辆报警器一直响|通知安管部联系车主处理||
单元门禁刷卡无反应||no|close:早上住户来电说已恢复正常
楼道声控灯不亮||no|repair
""".strip().splitlines()
]


def _at(line: Timeline, day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=line.settings.tz)


def _as(ctx: Ctx, line: Timeline, name: str) -> Ctx:
    return Ctx(ctx.session, line.ops[name], ctx.settings, ctx.now, ctx.calendar)


def _checks(line: Timeline, short: bool) -> HandoverUpdate:
    counts = [CheckCount(key=i.key, counted=i.expected) for i in line.settings.handover.checklist]
    if short and counts:
        first = line.settings.handover.checklist[0]
        counts[0] = CheckCount(key=first.key, counted=first.expected - 1, holder="李建国")
    return HandoverUpdate(
        checks=counts,
        desk_cleaned=True,
        log_read=True,
        notes="3栋2号电梯夜间异响，已报维保" if short else "",
        watch="周三 9:00-15:00 停水，注意来电解释" if short else "",
    )


def _plan_handover(line: Timeline, moment: datetime, incoming: str, short: bool) -> None:
    """The person on duty hands over at `moment`; `incoming` takes over eight minutes later."""
    key = f"handover-{moment.isoformat()}"

    def sign(ctx: Ctx) -> Any:
        opened = handover.open_handover(ctx)
        assert opened.id is not None and ctx.operator is not None
        handover.update(ctx, opened.id, _checks(line, short))
        line.ids[key] = opened.id
        return handover.sign_off(ctx, opened.id, PINS[ctx.operator.name])

    def take(ctx: Ctx) -> Any:
        return handover.acknowledge(
            _as(ctx, line, incoming), line.ids[key], incoming, PINS[incoming]
        )

    line.at(moment, sign)
    line.at(moment + timedelta(minutes=8), take)


def _plan_night(
    line: Timeline, rng: random.Random, night: date, directory: list[Room], last: bool
) -> None:
    calls = rng.sample(CALLS, k=4)
    if last:  # one call of the last night is still waiting for the morning clerk
        calls[-1] = [calls[-1][0], "", "", "leave"]
    for number, (what, done, emergency, morning) in enumerate(calls):
        room, caller, phone = rng.choice(directory)
        hour = (20, 23, 2, 6)[number % 4]
        logged = _at(line, night, time(hour, rng.randrange(60)))
        if hour < 12:  # after midnight
            logged += timedelta(days=1)
        key = f"night-{night.isoformat()}-{number}"
        data = NightLogCreate(
            caller=caller, room=room, phone=phone, what=what, action_taken=done,
            emergency=emergency == "yes",
        )  # fmt: skip

        def log(ctx: Ctx, data: NightLogCreate = data) -> Any:
            return nightlog.log(ctx, data)

        line.at(logged, line.keep(key, log))
        if done or morning in ("", "leave"):
            continue
        clerk_at = _at(line, night + timedelta(days=1), time(8, 45 + number))

        def transfer(ctx: Ctx, key: str = key, morning: str = morning) -> Any:
            entry_id = line.ids[key]
            if morning == "repair":
                return nightlog.transfer_to_repair(ctx, entry_id)
            if morning == "complaint":
                return nightlog.transfer_to_complaint(ctx, entry_id)
            return nightlog.close(ctx, entry_id, morning.removeprefix("close:"))

        line.at(clerk_at, transfer)


def plan_shifts(line: Timeline, rng: random.Random, directory: list[Room]) -> None:
    """The last few nights and every shift change between them, all acknowledged."""
    today = line.now.astimezone(line.settings.tz).date()
    for back in range(NIGHTS, 0, -1):
        night = today - timedelta(days=back)
        morning = night + timedelta(days=1)
        _plan_night(line, rng, night, directory, last=back == 1)
        # day -> night in the evening, night -> day the next morning
        evening_at = _at(line, night, time(17, 20))
        _plan_handover(line, evening_at, "张伟", short=back == 2)
        morning_at = _at(line, morning, time(8, 20))
        if morning_at + timedelta(minutes=10) < line.now:
            clerk = line.on_duty(_at(line, morning, time(9, 0))).name
            _plan_handover(line, morning_at, clerk, short=False)
