"""F3 on a record's page: a new repair for that record's room, its person and phone carried over.

On a register's list F3 opens the repairs register; on a record's page (a repair, a complaint,
a reception entry, a pass) the clerk is already looking at a room, so F3 starts the new repair
there instead of doing nothing. The key is declared once (desk.commands, place "record_new")."""

from __future__ import annotations

from typing import Any

from desk.services.repair import RepairCreate

# the record attribute each page keeps, and its fields for the room, the person and the phone
_FIELDS = (
    ("order", "room", "resident_name", "phone"),
    ("complaint", "room", "complainant", "phone"),
    ("entry", "room", "person", "phone"),
    ("found", "room", "applicant", "owner_phone_called"),
    ("renovation", "room", "applicant", "applicant_phone"),
)


class NewRepairHere:
    """Mixed into a record's page (a Screen of the desk app)."""

    app: Any

    def repair_prefill(self) -> RepairCreate:
        """The new repair as this page's record starts it (empty when it has none)."""
        for attribute, room, person, phone in _FIELDS:
            record = getattr(self, attribute, None)
            if record is not None and hasattr(record, room):
                return RepairCreate(
                    room=getattr(record, room) or "",
                    resident_name=getattr(record, person, "") or "",
                    phone=getattr(record, phone, "") or "",
                )
        return RepairCreate()

    def action_new_repair_here(self) -> None:
        from desk.screens.repair_entry import RepairFormScreen

        self.app.push_screen(RepairFormScreen(self.repair_prefill()))
