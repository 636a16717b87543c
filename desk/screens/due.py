"""The one due cell of every register: a due time (or a countdown) coloured by its urgency
(desk.services.urgency) in the app's current theme -- `$error` once overdue, `$warning` when due
within the hour -- so a change of theme recolours the board and every list."""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.text import Text

from desk.i18n import t
from desk.screens.tones import ALARM, WARNING
from desk.services.urgency import Urgency, estimated_year, urgency

__all__ = [
    "Urgency",
    "age_text",
    "countdown",
    "due_cell",
    "estimated_hint",
    "estimated_mark",
    "urgency",
    "urgency_style",
]


def age_text(delta_seconds: float) -> str:
    minutes = int(abs(delta_seconds) // 60)
    if minutes < 60:
        return t("duration.minutes", n=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return t("duration.hours", n=hours, m=minutes)
    days, hours = divmod(hours, 24)
    return t("duration.days", n=days, h=hours)


def countdown(due: datetime, now: datetime) -> str:
    """ "overdue 5 min" or "due in 2 h 10 min", in the current language."""
    seconds = (due - now).total_seconds()
    key = "board.overdue" if seconds < 0 else "board.due_in"
    return t(key, age=age_text(seconds))


def urgency_style(level: Urgency, *, soon: bool = True) -> str:
    """The theme's `$error` (bold) for overdue, its `$warning` for due soon (unless `soon` is
    False: a list that marks only what is late), nothing for the rest (desk.screens.tones)."""
    if level == Urgency.overdue:
        return ALARM
    if level == Urgency.due_soon and soon:
        return WARNING
    return ""


def due_cell(
    due: datetime | None,
    now: datetime,
    text: str,
    *,
    late_mark: str = "",
    soon: bool = True,
) -> Text:
    """`text` (what the screen says about the deadline, or the state it marks) in the colour
    of the deadline's urgency, followed by `late_mark` once overdue; no deadline, no colour."""
    level = urgency(due, now)
    if level == Urgency.overdue and late_mark:
        text = f"{text} {late_mark}"
    return Text(text, style=urgency_style(level, soon=soon))


def estimated_mark(due: datetime | None, tz: tzinfo) -> str:
    """The mark beside a due time in a year whose holidays are estimated (the service says
    which, desk.services.urgency.estimated_year), with a space before it; else ""."""
    return f" {t('calendar.estimated_mark')}" if estimated_year(due, tz) else ""


def estimated_hint(due: datetime | None, tz: tzinfo) -> str:
    """A record's line saying its due time is an estimate, and why; "" when it is not."""
    year = estimated_year(due, tz)
    return t("calendar.estimated_due", year=year) if year else ""
