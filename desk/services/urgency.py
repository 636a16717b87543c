"""How pressing a deadline is, the same for every register: overdue, due soon (within the hour),
or fine. Screens colour a due time by it (desk.screens.due); the rule lives here only."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

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
