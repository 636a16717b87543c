"""Durations as a site writes them ("30m", "2h", "2d", "3wd", "same_day") and due times."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

from desk.i18n import t
from desk.services.workdays import WorkCalendar

_SPEC = re.compile(r"^\s*(\d+)\s*(m|h|d|wd)\s*$")


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: str  # m, h, d, wd, same_day

    @classmethod
    def parse(cls, spec: str) -> Duration:
        if spec.strip() == "same_day":
            return cls(0, "same_day")
        match = _SPEC.match(spec)
        if not match:
            raise ValueError(f"not a duration: {spec!r} (use 30m, 2h, 2d, 3wd or same_day)")
        return cls(int(match.group(1)), match.group(2))

    def words(self) -> str:
        """This duration in the current language: 30 分钟 / 30 min, 3 个工作日 / 3 working days."""
        if self.unit == "same_day":
            return t("duration_spec.same_day")
        one = "_one" if self.amount == 1 and self.unit in ("d", "wd") else ""
        return t(f"duration_spec.{self.unit}{one}", n=self.amount)

    def after(self, start: datetime, tz: tzinfo, calendar: WorkCalendar | None = None) -> datetime:
        """When this duration, begun at `start`, runs out (working days keep the time of day)."""
        if self.unit == "m":
            return start + timedelta(minutes=self.amount)
        if self.unit == "h":
            return start + timedelta(hours=self.amount)
        local = start.astimezone(tz)
        if self.unit == "d":
            return (local + timedelta(days=self.amount)).astimezone(start.tzinfo)
        if self.unit == "same_day":
            end = datetime.combine(local.date(), time(23, 59, 59), tzinfo=tz)
            return end.astimezone(start.tzinfo)
        calendar = calendar or WorkCalendar()
        day = calendar.add_working_days(local.date(), self.amount)
        return datetime.combine(day, local.timetz()).astimezone(start.tzinfo)


def in_words(spec: str) -> str:
    """A duration as a site writes it ("30m", "2h", "2d", "3wd", "same_day"), in words in the
    current language; what is not a duration (a site's own word) is shown as written."""
    try:
        return Duration.parse(spec).words()
    except ValueError:
        return spec


def due(start: datetime, spec: str, tz: tzinfo, calendar: WorkCalendar | None = None) -> datetime:
    return Duration.parse(spec).after(start, tz, calendar)
