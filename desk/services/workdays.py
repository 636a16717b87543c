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


@lru_cache(maxsize=1)
def published_years() -> frozenset[int]:
    """Years whose holidays and make-up days the library has from the official notice.

    Loading the library takes a noticeable moment (about 0.15 s): the board asks
    `calendar_loaded` and loads it after its first frame (desk.screens.board).
    """
    from holidays.countries.china import ChinaStaticHolidays

    return frozenset(getattr(ChinaStaticHolidays, "special_public_holidays", {}))


def calendar_loaded() -> bool:
    """Whether the official calendar's published years have been read in this process."""
    return published_years.cache_info().currsize > 0


def is_estimated(year: int) -> bool:
    """Whether `year`'s holidays and make-up days are only the library's estimate."""
    return year not in published_years()


# The calendar years the desk shows (settings, `desk calendar list`): this year and the next
# two. A deadline counted late in a year falls in the next one, and reading a year's calendar
# reads the year after it too (its first days may be a holiday's make-up days).
YEARS_AHEAD = 2


def calendar_years(this_year: int) -> list[int]:
    """The years the desk shows the calendar of, each to be flagged when estimated."""
    return list(range(this_year, this_year + YEARS_AHEAD + 1))


def estimated_after(this_year: int) -> int | None:
    """The last year shown when it is an estimate (every later year is one too), else None."""
    last = calendar_years(this_year)[-1]
    return last if is_estimated(last) else None


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
