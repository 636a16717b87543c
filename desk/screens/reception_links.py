"""A reception entry that is a repair call or a complaint becomes a repair order or a complaint.

Offered by the reception log as the entry is saved, and on the entry's page (ctrl+l) for one
that was not turned into its record then (desk.services.reception.may_become_record). Saving
the form links the two records.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.screen import Screen

from desk.models import ReceptionCategory, ReceptionEntry
from desk.services import complaint, repair


def open_linked_form(screen: Screen[Any], entry: ReceptionEntry, done: Callable[[], None]) -> None:
    """The repair form or the complaint form, filled in from the entry; `done` runs after it
    closes, saved or not."""
    form: Screen[Any]
    if entry.category == ReceptionCategory.repair:
        from desk.screens.repair_entry import RepairFormScreen

        form = RepairFormScreen(repair.from_reception(entry))
    else:
        from desk.screens.complaint_entry import ComplaintFormScreen

        form = ComplaintFormScreen(complaint.from_reception(entry))
    screen.app.push_screen(form, callback=lambda _: done())
