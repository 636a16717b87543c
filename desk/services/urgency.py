"""How pressing a deadline is, the same for every register: overdue, due soon (within the hour),
or fine. Screens colour a due time by it (desk.screens.due); the rule lives here only."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from enum import StrEnum

from desk.services.workdays import is_estimated

# a deadline this close is "due soon"
DUE_SOON = timedelta(hours=1)


class Urgency(StrEnum):
    overdue = "overdue"
    due_soon = "due_soon"
    fine = "fine"


def urgency(due: datetime | None, now: datetime) -> Urgency:
    """Overdue once `due` has passed, due soon within `DUE_SOON` of it; no deadline is fine."""
    if due is None:
        return Urgency.fine
    left = due - now
    if left < timedelta(0):
        return Urgency.overdue
    if left < DUE_SOON:
        return Urgency.due_soon
    return Urgency.fine


def estimated_year(due: datetime | None, tz: tzinfo) -> int | None:
    """The year of `due` (at the site) when its holidays are only estimated, else None: a due
    time counted in such a year may move once the State Council publishes that year's
    holidays, so the board and the record mark it (desk.screens.due)."""
    if due is None:
        return None
    year = due.astimezone(tz).year
    return year if is_estimated(year) else None
