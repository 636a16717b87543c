"""Working days: China's public holidays and make-up working days (调休), plus the site's own days.

The official calendar comes from the `holidays` package; a year the State Council has not yet
published is only the package's estimate, which the settings screen flags. The site's own closed
days and extra working days live in the `calendar_day` table (`desk calendar add-holiday`).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from desk.models import CalendarDay, DayKind
from desk.services.errors import DeskError

if TYPE_CHECKING:
    from desk.services.context import Ctx


_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_day(text: str, *, field: str | None = None) -> date:
    """A day as typed for the calendar (YYYY-MM-DD); a day that does not exist is told so."""
    typed = text.strip()
    if not _DAY.match(typed):
        raise DeskError("calendar.bad_day", field=field, value=typed)
    try:
        return date.fromisoformat(typed)
    except ValueError:
        raise DeskError("calendar.no_such_day", field=field, value=typed) from None


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


def site_days(session: Session, since: date | None = None) -> list[CalendarDay]:
    statement = select(CalendarDay).order_by(col(CalendarDay.day))
    if since is not None:
        statement = statement.where(col(CalendarDay.day) >= since)
    return list(session.exec(statement))


def set_site_day(ctx: Ctx, day: date, kind: DayKind | str, note: str = "") -> CalendarDay:
    """Mark a date as the site's own closed day or extra working day (replaces an earlier mark).

    Only a supervisor: every working-day deadline is counted by the calendar.
    """
    from desk.services import audit, roles
    from desk.services.residents import clean_text

    roles.CALENDAR_EDIT.require(ctx)
    kind = DayKind(kind)
    note = clean_text(note, 200, field="day_note")
    row = ctx.session.get(CalendarDay, day)
    if row is None:
        row = CalendarDay(
            day=day, kind=kind, note=note, operator_id=ctx.operator_id, created_at=ctx.now
        )
    else:
        row.kind, row.note = kind, note
    ctx.session.add(row)
    audit.record(
        ctx,
        "calendar",
        int(day.strftime("%Y%m%d")),
        kind.value,
        {"day": day.isoformat(), "note": note},
    )
    return row


def clear_site_day(ctx: Ctx, day: date) -> bool:
    """Remove the site's mark on a date; the official calendar applies again (a supervisor)."""
    from desk.services import audit, roles

    roles.CALENDAR_EDIT.require(ctx)
    row = ctx.session.get(CalendarDay, day)
    if row is None:
        return False
    ctx.session.delete(row)
    audit.record(ctx, "calendar", int(day.strftime("%Y%m%d")), "cleared", {"day": day.isoformat()})
    return True
