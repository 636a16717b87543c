"""One record's full name and phone, shown on purpose: an audited view.

Lists mask names and phones (王**, 138****5678): a resident may be standing at the counter and
read the screen. When the clerk must tell two 王 apart, one key shows the selected record's
name and phone in full, and the audit trail keeps who looked at whose, when ("revealed").
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import SQLModel

from desk.models import (
    Complaint,
    NightLogEntry,
    ReceptionEntry,
    ReleasePass,
    Renovation,
    RepairOrder,
    Resident,
)
from desk.services import audit
from desk.services.context import Ctx
from desk.services.errors import DeskError, NotFound

ACTION = "revealed"
# each register whose lists mask a person: its model, the name and the phone column
REVEALABLE: dict[str, tuple[type[SQLModel], str, str]] = {
    "repairs": (RepairOrder, "resident_name", "phone"),
    "complaints": (Complaint, "complainant", "phone"),
    "reception": (ReceptionEntry, "person", "phone"),
    "residents": (Resident, "name", "phone"),
    "passes": (ReleasePass, "applicant", "owner_phone_called"),
    "nightlog": (NightLogEntry, "caller", "phone"),
    "renovations": (Renovation, "applicant", "applicant_phone"),
}


@dataclass(frozen=True)
class Revealed:
    name: str
    phone: str


def reveal(ctx: Ctx, register: str, record_id: int) -> Revealed:
    """The record's name and phone in full; written to the audit trail as it is shown."""
    if ctx.operator is None:
        raise DeskError("app.not_signed_in")
    spec = REVEALABLE.get(register)
    if spec is None:
        raise DeskError("reveal.not_here")
    model, name, phone = spec
    record = ctx.session.get(model, record_id)
    if record is None:
        raise NotFound("reveal.not_found", id=record_id)
    audit.record(ctx, register, record_id, ACTION, {"fields": [name, phone]})
    return Revealed(str(getattr(record, name) or ""), str(getattr(record, phone) or ""))
