"""Taking a complaint in: what the desk fills in (or a desk entry brings), registering it under
the next TS number with its deadlines started, and finding an open one it repeats.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select

from desk.config import Labelled
from desk.models import OPEN_COMPLAINT_STATES, Channel, Complaint, ReceptionEntry, Severity
from desk.services import audit, reception
from desk.services.complaint_deadlines import REGISTER, deadline_data, set_deadlines
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.limits import clean_column
from desk.services.numbering import next_number
from desk.services.residents import clean_phone, normalise_room, storable
from desk.services.submission import Submission, gather
from desk.services.when import happened, plausible

PREFIX = "TS"


class ComplaintCreate(Submission):
    received_at: datetime | None = None
    channel: Channel = Channel.phone
    complainant: str = ""
    room: str = ""
    phone: str = ""
    category: str = "other"
    department: str = ""
    person_complained: str = ""
    what_happened: str = ""
    resident_asks: str = ""
    severity: Severity = Severity.minor
    resident_deadline_at: datetime | None = None
    # harm still going on (a leak, works at night): stopped first (004 「先制止」)
    harm_ongoing: bool = False
    reception_id: int | None = None


def from_reception(entry: ReceptionEntry) -> ComplaintCreate:
    """The complaint a complaint made at the desk becomes, filled in from the entry."""
    return ComplaintCreate(
        received_at=entry.received_at,
        channel=entry.channel,
        complainant=entry.person,
        room=entry.room,
        phone=entry.phone,
        what_happened=entry.request,
        reception_id=entry.id,
    )


def department_key(ctx: Ctx, key: str, field: str) -> str:
    """A department as the site lists it (its key), or "" for none; an unknown one refused."""
    key = key.strip()
    if key and ctx.settings.department(key) is None:
        raise DeskError("field.unknown_department", field=field, value=key)
    return key


def checked_category(ctx: Ctx, key: str) -> Labelled:
    category = ctx.settings.complaint_category(key)
    if category is None:
        raise DeskError("complaint.unknown_category", field="category", value=key)
    return category


def register(ctx: Ctx, data: ComplaintCreate) -> Complaint:
    """Register a complaint; whoever takes it owns it (首接负责制) and its deadlines start now."""
    # every field is checked, and every refusal shown at once beside its field
    checked = gather(
        {
            "received_at": lambda: happened(data.received_at, ctx.now, "received_at"),
            "category": lambda: checked_category(ctx, data.category),
            "complainant": lambda: clean_column(data.complainant, Complaint, "complainant"),
            "room": lambda: normalise_room(clean_column(data.room, Complaint, "room")),
            "phone": lambda: clean_phone(data.phone),
            "department": lambda: department_key(ctx, data.department, "department"),
            "person_complained": lambda: clean_column(
                data.person_complained, Complaint, "person_complained"
            ),
            "what_happened": lambda: clean_column(
                data.what_happened, Complaint, "what_happened", required=True
            ),
            "resident_asks": lambda: clean_column(data.resident_asks, Complaint, "resident_asks"),
        }
    )
    received = checked["received_at"]
    deadline = data.resident_deadline_at
    if deadline is not None and plausible(deadline, "resident_deadline_at") <= received:
        raise DeskError("complaint.deadline_before_received", field="resident_deadline_at")
    if data.reception_id is not None:
        reception.linkable(ctx, data.reception_id)  # refused before anything refers to it
    owner = ctx.acting()
    complaint = Complaint(
        number=next_number(ctx, PREFIX),
        received_at=received,
        channel=Channel(data.channel),
        complainant=checked["complainant"],
        room=checked["room"],
        phone=checked["phone"],
        category=checked["category"].key,
        department=checked["department"],
        person_complained=checked["person_complained"],
        what_happened=checked["what_happened"],
        resident_asks=checked["resident_asks"],
        owner_id=owner,
        severity=Severity(data.severity),
        deadline_table=ctx.settings.complaints.deadline_table,
        resident_deadline_at=data.resident_deadline_at,
        harm_ongoing=data.harm_ongoing,
        reception_id=data.reception_id,
        operator_id=owner,
        created_at=ctx.now,
    )
    set_deadlines(ctx, complaint, received)
    ctx.session.add(complaint)
    ctx.session.flush()
    audit.record(
        ctx,
        REGISTER,
        complaint.id,
        "registered",
        {**data.model_dump(exclude_none=True), **deadline_data(complaint)},
    )
    if data.reception_id is not None:
        assert complaint.id is not None
        reception.link(ctx, data.reception_id, REGISTER, complaint.id)
    return complaint


def find_repeat(
    ctx: Ctx, room: str, category: str, exclude_id: int | None = None
) -> Complaint | None:
    """An open complaint from the same room about the same category (the newest), if any."""
    code = normalise_room(room)
    if not code or not storable(code):
        return None
    statement = select(Complaint).where(
        Complaint.room == code,
        Complaint.category == category,
        col(Complaint.state).in_(OPEN_COMPLAINT_STATES),
    )
    if exclude_id is not None:
        statement = statement.where(Complaint.id != exclude_id)
    return ctx.session.exec(statement.order_by(col(Complaint.received_at).desc())).first()
