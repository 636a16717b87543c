"""Working days: China's public holidays and make-up working days (调休), from `holidays`."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=8)
def _china(years: tuple[int, ...]) -> Any:
    import holidays

    return holidays.country_holidays("CN", years=list(years))


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
