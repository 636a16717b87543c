"""The demo incidents (突发事故): two still running (one just opened, one opened last night from
a night-log entry flagged emergency, security at the desk meanwhile, a repair order open) and
three closed (every step done or not needed, the cause recorded, a follow-up handed on).

Planned on the demo's timeline (`desk.demo.timeline`) through the real services. It draws from
its own copy of the demo's random state, so adding it changed nothing the other registers drew.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, time, timedelta
from functools import partial
from typing import Any

from desk.demo.timeline import Room, Timeline
from desk.models import NightLogEntry, PlaceKind
from desk.services import findings, incident, nightlog
from desk.services.context import Ctx
from desk.services.findings import FindingIn
from desk.services.incident import IncidentCreate, StepIn
from desk.services.nightlog import NightLogCreate

# who each of the nine steps calls (001 突发事故), and who comes
CALLED = (
    ("张伟（夜班电工）", ""),
    ("工程部值班 王工", "王工"),
    ("工程部 刘主管", "刘主管"),
    ("维修技术员 赵师傅、钱师傅", "赵师傅"),
    ("119", "消防中队"),
    ("监控中心通知工程部经理", ""),
    ("王工", ""),
    ("刘主管", ""),
    ("物业总经理", ""),
)


def _step_in(step: int, at: datetime, reference: str = "") -> StepIn:
    called, arrived = CALLED[step - 1]
    return StepIn(
        called=called,
        called_at=at,
        arrived=arrived,
        arrived_at=at + timedelta(minutes=8) if arrived else None,
        reference=reference,
    )


def plan_incidents(line: Timeline, rng: random.Random, directory: list[Room]) -> None:
    """Five incidents in every state an incident reaches."""
    mine = random.Random()
    mine.setstate(rng.getstate())
    rooms = mine.sample(directory, 3)
    tz = line.settings.tz
    today = line.now.astimezone(tz).date()

    def night(days_ago: int, hour: int, minute: int = 0) -> datetime:
        day = today - timedelta(days=days_ago)
        return datetime.combine(day, time(hour, minute), tzinfo=tz)

    def steps(key: str, start: datetime, plan: dict[int, str], every: int = 6) -> datetime:
        """Each step of `plan` done ("" or a reference) or not needed ("-reason")."""
        at = start
        for step, said in plan.items():
            at = at + timedelta(minutes=every)
            # recorded once whoever was called has come
            line.at(at + timedelta(minutes=9), _record(line, key, step, said, at))
        return at

    # 1. just opened: the lift of building 2 stopped between floors, nothing done yet
    line.at(
        line.now - timedelta(minutes=12),
        line.keep(
            "incident-lift",
            lambda c: incident.open_incident(
                c,
                IncidentCreate(
                    happened_at=c.now - timedelta(minutes=3),
                    place_kind=PlaceKind.equipment,
                    place="2栋1号电梯",
                    what="电梯停在5楼与6楼之间，轿厢内一人",
                    reported_by="监控中心",
                    first_judgement="电梯控制柜故障",
                    kind="lift",
                    severity="serious",
                ),
            ),
        ),
    )

    # 2. last night: a pipe burst in a flat, logged in the night log as an emergency and
    # opened from it; security held the desk; a repair order still open
    code, owner, phone = rooms[0]
    burst = min(night(0, 2, 10), line.now - timedelta(hours=3))  # built before 05:10, say
    line.at(
        burst,
        line.keep(
            "incident-night-entry",
            lambda c: nightlog.log(
                c,
                NightLogCreate(
                    logged_at=c.now,
                    caller=owner,
                    room=code,
                    phone=phone,
                    what="厨房水管爆裂，水漫到客厅",
                    emergency=True,
                ),
            ),
        ),
    )

    def from_entry(c: Ctx) -> Any:
        entry = c.session.get(NightLogEntry, line.ids["incident-night-entry"])
        assert entry is not None
        data = incident.from_night_entry(entry)
        data.kind, data.severity, data.first_judgement = "water", "serious", "水管老化爆裂"
        return incident.open_incident(c, data)

    line.at(burst + timedelta(minutes=2), line.keep("incident-pipe", from_entry))
    line.at(
        burst + timedelta(minutes=4),
        _on(line, "incident-pipe", lambda c, i: incident.start_stand_in(c, i, "保安 周海")),
    )
    at = steps("incident-pipe", burst + timedelta(minutes=2), {1: "", 2: "", 3: "", 4: ""})
    line.at(at + timedelta(minutes=2), _on(line, "incident-pipe", _end_stand_in))
    line.at(
        at + timedelta(minutes=5),
        _on(
            line,
            "incident-pipe",
            lambda c, i: incident.not_needed(c, i, 5, "关闭总阀后已止水，无需报警"),
        ),
    )
    steps("incident-pipe", at + timedelta(minutes=5), {7: ""})
    line.at(at + timedelta(minutes=40), _on(line, "incident-pipe", incident.open_repair))

    # 3-5. closed: a power cut (government help: the utility's reference), a fire alarm set off
    # by cooking smoke (most steps not needed), a flooded car park (a complaint handed on)
    closed = (
        ("outage", 6, 20, PlaceKind.common, "", "配电房", "整栋停电", "electricity", "serious"),
        ("smoke", 11, 19, PlaceKind.room, rooms[1][0], "", "烟感报警，厨房油烟", "fire", "minor"),
        (
            "flood",
            15,
            23,
            PlaceKind.common,
            "",
            "地下车库B2",
            "暴雨倒灌，车库积水",
            "flood",
            "major",
        ),
    )
    for key, days_ago, hour, kind_of, room, place, what, kind, severity in closed:
        name = f"incident-{key}"
        start = night(days_ago, hour)
        data = IncidentCreate(
            happened_at=start - timedelta(minutes=5),
            place_kind=kind_of,
            room=room,
            place=place,
            what=what,
            reported_by=rooms[2][1] if room == "" else rooms[1][1],
            kind=kind,
            severity=severity,
        )
        line.at(start, line.keep(name, partial(_open, data)))
        if key == "smoke":
            plan = {1: "", 2: "", 3: "-误报，值班电工到场已确认", 4: "-误报", 5: "-误报，无需报警"}
            plan |= {6: "-误报", 7: "-无需抢修"}
        else:
            plan = {
                1: "",
                2: "",
                3: "",
                4: "",
                5: "95598-2026-118" if key == "outage" else "119-0042",
            }
            plan |= {6: "", 7: ""}
        at = steps(name, start, plan)
        cause = {"outage": "供电局线路检修", "smoke": "住户煎炸油烟", "flood": "排水泵堵塞"}[key]
        line.at(
            at + timedelta(minutes=30),
            _on(line, name, partial(_cause, cause)),
        )
        at = steps(name, at + timedelta(minutes=30), {8: "", 9: ""}, every=10)
        if key == "flood":
            line.at(at + timedelta(minutes=5), _on(line, name, incident.open_complaint))
            line.at(at + timedelta(minutes=10), _on(line, name, _hand_on))
            # the mud left in the car park: a finding for cleaning, sent (accepted later there)
            line.at(at + timedelta(minutes=15), _on(line, name, _finding))
            line.at(at + timedelta(minutes=20), _on(line, name, _send_findings))
        line.at(
            at + timedelta(hours=1),
            _on(line, name, lambda c, i: incident.close(c, i, "已恢复正常")),
        )


def _on(line: Timeline, key: str, action: Callable[[Ctx, int], Any]) -> Callable[[Ctx], Any]:
    """`action` on the incident saved under `key` (its id known once the timeline ran to it)."""
    return lambda ctx: action(ctx, line.ids[key])


def _record(line: Timeline, key: str, step: int, said: str, at: datetime) -> Callable[[Ctx], Any]:
    """Step `step` done (`said`: "" or the government's reference) or not needed ("-reason")."""

    def run(ctx: Ctx, incident_id: int) -> Any:
        if said.startswith("-"):
            return incident.not_needed(ctx, incident_id, step, said[1:])
        return incident.record_step(ctx, incident_id, step, _step_in(step, at, said))

    return _on(line, key, run)


def _open(data: IncidentCreate, ctx: Ctx) -> Any:
    return incident.open_incident(ctx, data)


def _cause(cause: str, ctx: Ctx, incident_id: int) -> Any:
    return incident.record_cause(ctx, incident_id, cause)


def _end_stand_in(ctx: Ctx, incident_id: int) -> Any:
    holding = [s for s in incident.stand_ins_of(ctx, incident_id) if s.until_at is None]
    return incident.end_stand_in(ctx, incident_id, holding[0].id or 0)


def _finding(ctx: Ctx, incident_id: int) -> Any:
    data = FindingIn(
        place="地下车库B2", what="积水退后地面淤泥", department="cleaning", raised_by="刘主管"
    )
    return incident.raise_finding(ctx, incident_id, data)


def _send_findings(ctx: Ctx, incident_id: int) -> Any:
    for each in incident.findings_of(ctx, incident_id):
        findings.send(ctx, each.id or 0)


def _hand_on(ctx: Ctx, incident_id: int) -> Any:
    (follow,) = incident.follow_ups_of(ctx, incident_id)
    return incident.hand_on(ctx, incident_id, follow.id or 0, "交客服主管跟进车库排水改造")
