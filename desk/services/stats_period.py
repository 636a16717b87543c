"""The period of a report: a month (2026-11) or a range of days (2026-11-01..2026-11-15)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from desk.services.errors import DeskError

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
_RANGE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})\s*$")
MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    """Local days `first`..`last` (inclusive) and their instants [start, end)."""

    first: date
    last: date
    start: datetime
    end: datetime

    @property
    def label(self) -> str:
        """`2026-11` for a whole month, otherwise `2026-11-01..2026-11-15`."""
        whole = self.first.day == 1 and (self.last + timedelta(days=1)).day == 1
        if whole and (self.first.year, self.first.month) == (self.last.year, self.last.month):
            return f"{self.first.year:04d}-{self.first.month:02d}"
        return f"{self.first.isoformat()}..{self.last.isoformat()}"


def days(first: date, last: date, tz: tzinfo) -> Period:
    """The period of local days `first` to `last`, both included."""
    start = datetime.combine(first, time(0, 0), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time(0, 0), tzinfo=tz)
    return Period(first, last, start, end)


def month(year: int, number: int, tz: tzinfo) -> Period:
    first = date(year, number, 1)
    following = date(year + 1, 1, 1) if number == 12 else date(year, number + 1, 1)
    return days(first, following - timedelta(days=1), tz)


def this_month(now: datetime, tz: tzinfo) -> Period:
    local = now.astimezone(tz).date()
    return month(local.year, local.month, tz)


def parse(text: str, tz: tzinfo) -> Period:
    """`2026-11` or `2026-11-01..2026-11-15`; anything else is refused with a DeskError."""
    found = _MONTH.match(text)
    try:
        if found:
            return month(int(found[1]), int(found[2]), tz)
        ranged = _RANGE.match(text)
        if ranged:
            first, last = date.fromisoformat(ranged[1]), date.fromisoformat(ranged[2])
            if last < first or (last - first).days >= MAX_DAYS:
                raise DeskError("report.bad_range", value=text.strip(), days=MAX_DAYS)
            return days(first, last, tz)
    except ValueError:
        pass
    raise DeskError("report.bad_period", value=text.strip())
