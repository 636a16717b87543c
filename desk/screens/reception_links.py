"""A reception entry that is a repair call or a complaint becomes a repair order or a complaint.

Offered by the reception log as the entry is saved, and on the entry's page (ctrl+l) for one
that was not turned into its record then. Saving the form links the two records.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.screen import Screen

from desk.models import ReceptionCategory, ReceptionEntry

# The categories that turn into a record of another register.
BECOMES = {ReceptionCategory.repair: "repairs", ReceptionCategory.complaint: "complaints"}


def may_become(entry: ReceptionEntry) -> bool:
    """A repair call or complaint not yet turned into its record (and not voided)."""
    return (
        entry.category in BECOMES
        and not (entry.linked_register and entry.linked_id is not None)
        and entry.state != "voided"
    )


def open_linked_form(screen: Screen[Any], entry: ReceptionEntry, done: Callable[[], None]) -> None:
    """The repair form or the complaint form, filled in from the entry; `done` runs after it
    closes, saved or not."""
    if entry.category == ReceptionCategory.repair:
        from desk.screens.repair_form import RepairFormScreen
        from desk.services.repair import RepairCreate

        repair = RepairCreate(
            reported_at=entry.received_at,
            channel=entry.channel,
            resident_name=entry.person,
            room=entry.room,
            phone=entry.phone,
            description=entry.request,
            reception_id=entry.id,
        )
        screen.app.push_screen(RepairFormScreen(repair), callback=lambda _: done())
    elif entry.category == ReceptionCategory.complaint:
        from desk.screens.complaint_form import ComplaintFormScreen
        from desk.services.complaint import ComplaintCreate

        complaint = ComplaintCreate(
            received_at=entry.received_at,
            channel=entry.channel,
            complainant=entry.person,
            room=entry.room,
            phone=entry.phone,
            what_happened=entry.request,
            reception_id=entry.id,
        )
        screen.app.push_screen(ComplaintFormScreen(complaint), callback=lambda _: done())
