"""The demo's simulated clock: actions at moments of it, replayed in time order, each done by
the operator on duty at that moment (desk.demo)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from sqlmodel import Session

from desk.config import Settings
from desk.models import Operator
from desk.services.calendar import WorkCalendar
from desk.services.context import Ctx

DAYS = 21  # the demo's three weeks

Action = Callable[[Ctx], Any]
Room = tuple[str, str, str]  # room code, a resident's name, their phone


@dataclass(order=True)
class _Step:
    at: datetime
    seq: int
    action: Action = field(compare=False)


class Timeline:
    """Actions at moments of the simulated clock, replayed in time order as the operator on duty."""

    def __init__(self, settings: Settings, now: datetime, ops: dict[str, Operator]):
        self.settings, self.now, self.ops = settings, now, ops
        self.steps: list[_Step] = []
        self.ids: dict[str, int] = {}
        self.calendar = WorkCalendar()

    def at(self, moment: datetime, action: Action) -> datetime:
        """Schedule `action`; services refuse the future, so nothing goes past a minute ago."""
        moment = min(moment, self.now - timedelta(minutes=1))
        self.steps.append(_Step(moment, len(self.steps), action))
        return moment

    def keep(self, key: str, action: Callable[[Ctx], Any]) -> Action:
        """An action whose saved record's id is remembered under `key`."""

        def run(ctx: Ctx) -> None:
            self.ids[key] = action(ctx).id

        return run

    def by_supervisor(self, action: Action) -> Action:
        """An action only a supervisor may take (a cancellation, a dismissal): done by 陈静."""
        boss = self.ops["陈静"]
        return lambda ctx: action(Ctx(ctx.session, boss, ctx.settings, ctx.now, self.calendar))

    def on_duty(self, moment: datetime) -> Operator:
        local = moment.astimezone(self.settings.tz)
        if time(8, 30) <= local.time() < time(17, 30):
            return self.ops["王芳" if local.toordinal() % 2 else "刘洋"]
        return self.ops["张伟"]

    def run(self, session: Session) -> None:
        for step in sorted(self.steps):
            step.action(Ctx(session, self.on_duty(step.at), self.settings, step.at, self.calendar))


def moment(rng: random.Random, line: Timeline, day: int) -> datetime:
    """A moment on simulated day `day` (0 = three weeks ago): mostly office hours."""
    tz = line.settings.tz
    local_day = (line.now - timedelta(days=DAYS - day)).astimezone(tz).date()
    minute = rng.choice(
        (rng.randint(8 * 60, 18 * 60), rng.randint(8 * 60, 21 * 60), rng.randint(0, 1439))
    )
    return datetime.combine(local_day, time(0, 0), tzinfo=tz) + timedelta(minutes=minute)
