"""Working days: China's public holidays and make-up working days (调休), plus the site's own days.

The official calendar comes from the `holidays` package; a year the State Council has not yet
published is only the package's estimate, which the settings screen flags. The site's own closed
days and extra working days live in the `calendar_day` table (`desk calendar add-holiday`).
Reading the calendar is desk.services.workdays (below the Ctx); this module parses a typed day
and marks the site's own days.
"""

from __future__ import annotations

import re
from datetime import date

from sqlmodel import Session, col, select

from desk import estates as binding
from desk.models import CalendarDay, DayKind
from desk.services import audit, roles
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.limits import clean_column
from desk.services.workdays import WorkCalendar as WorkCalendar
from desk.services.workdays import calendar_years as calendar_years
from desk.services.workdays import estimated_after as estimated_after
from desk.services.workdays import is_estimated as is_estimated
from desk.services.workdays import published_years as published_years
from desk.services.workdays import site_calendar as site_calendar

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


def site_days(session: Session, since: date | None = None) -> list[CalendarDay]:
    statement = select(CalendarDay).order_by(col(CalendarDay.day))
    if since is not None:
        statement = statement.where(col(CalendarDay.day) >= since)
    return list(session.exec(statement))


def _marked(ctx: Ctx, day: date) -> CalendarDay | None:
    """The site's mark on `day` in this desk's estate (at the call-centre desk, refused until
    the estate is chosen: each estate has its own mark of a day)."""
    if binding.estate_of(ctx.session) is None:
        raise binding.EstateNotChosen()
    return ctx.session.exec(select(CalendarDay).where(col(CalendarDay.day) == day)).first()


def set_site_day(ctx: Ctx, day: date, kind: DayKind | str, note: str = "") -> CalendarDay:
    """Mark a date as the site's own closed day or extra working day (replaces an earlier mark).

    Only a supervisor: every working-day deadline is counted by the calendar.
    """
    roles.CALENDAR_EDIT.require(ctx)
    kind = DayKind(kind)
    note = clean_column(note, CalendarDay, "note", field="day_note")
    row = _marked(ctx, day)
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
    roles.CALENDAR_EDIT.require(ctx)
    row = _marked(ctx, day)
    if row is None:
        return False
    ctx.session.delete(row)
    audit.record(ctx, "calendar", int(day.strftime("%Y%m%d")), "cleared", {"day": day.isoformat()})
    return True
