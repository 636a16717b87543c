"""Which days the office works: China's official calendar plus the site's own days.

The reading half of desk.services.calendar, below the Ctx (which counts working-day deadlines
with it); marking the site's own days, an audited supervisor's act, stays in calendar.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from sqlmodel import Session, select

from desk.models import CalendarDay, DayKind


@lru_cache(maxsize=8)
def _china(years: tuple[int, ...]) -> Any:
    import holidays

    return holidays.country_holidays("CN", years=list(years))


def published_years() -> set[int]:
    """Years whose holidays and make-up days the library has from the official notice."""
    from holidays.countries.china import ChinaStaticHolidays

    return set(getattr(ChinaStaticHolidays, "special_public_holidays", {}))


def is_estimated(year: int) -> bool:
    return year not in published_years()


class WorkCalendar:
    """Which days the office works. Weekends are off unless a make-up working day."""

    def __init__(
        self, extra_holidays: set[date] | None = None, extra_workdays: set[date] | None = None
    ):
        self.extra_holidays = extra_holidays or set()
        self.extra_workdays = extra_workdays or set()

    def _official(self, day: date) -> Any:
        return _china((day.year - 1, day.year, day.year + 1))

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        return bool(self._official(day).is_working_day(day))

    def add_working_days(self, start: date, count: int) -> date:
        """The date `count` working days after `start` (start itself is not counted)."""
        day = start
        remaining = count
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day


def site_calendar(session: Session) -> WorkCalendar:
    """The official calendar with the site's own days on top."""
    rows = list(session.exec(select(CalendarDay)))
    return WorkCalendar(
        extra_holidays={r.day for r in rows if r.kind == DayKind.holiday},
        extra_workdays={r.day for r in rows if r.kind == DayKind.workday},
    )
