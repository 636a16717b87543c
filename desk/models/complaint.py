"""Register 3: the complaint register (客户投诉登记表)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String
from sqlmodel import Field

from desk.models.base import Record, in_sql, partial_index, text, when
from desk.models.estate import InEstate, estate_column
from desk.models.reception import Channel


class Validity(StrEnum):
    pending = "pending"
    valid = "valid"
    invalid = "invalid"
    out_of_scope = "out_of_scope"


class Severity(StrEnum):
    major = "major"
    important = "important"
    minor = "minor"


class ComplaintState(StrEnum):
    registered = "registered"
    judged = "judged"
    assigned = "assigned"
    replied = "replied"
    resolved = "resolved"
    closed = "closed"
    merged = "merged"


OPEN_COMPLAINT_STATES = (
    ComplaintState.registered,
    ComplaintState.judged,
    ComplaintState.assigned,
    ComplaintState.replied,
    ComplaintState.resolved,
)


class Complaint(InEstate, Record, table=True):
    __table_args__ = (
        Index("ix_complaint_state_received", "state", "received_at"),
        Index("ix_complaint_room_category", "room", "category"),
        partial_index(
            "ix_complaint_open", "received_at", where=in_sql("state", OPEN_COMPLAINT_STATES)
        ),
        partial_index(
            "ix_complaint_awaiting_callback", "callback_due_at", "id", where="state = 'resolved'"
        ),
        Index("ix_complaint_closed_at", "closed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=30, unique=True)
    received_at: datetime = when(nullable=False, index=True)
    channel: Channel = Field(sa_type=String(20))
    complainant: str = text(60)
    room: str = text(45)
    phone: str = text(30)
    category: str = Field(max_length=30)
    department: str = text(40)
    person_complained: str = text(60)
    what_happened: str = text(2000)
    resident_asks: str = text(1000)
    # 首接负责制: whoever first received it owns it until it is handed over
    owner_id: int = Field(foreign_key="operator.id")
    validity: Validity = Field(sa_type=String(20), default=Validity.pending)
    validity_note: str = text(1000)
    severity: Severity = Field(sa_type=String(20), default=Severity.minor)
    deadline_table: str = text(30)
    resident_deadline_at: datetime | None = when()
    escalation_due_at: datetime | None = when()
    escalated_to: str = text(60)
    escalated_at: datetime | None = when()
    assigned_department: str = text(40)
    assign_due_at: datetime | None = when()  # dispatch to the department: the same day (004)
    assigned_at: datetime | None = when()
    department_answered_at: datetime | None = when()  # the department's own answer
    told_due_at: datetime | None = when()  # the resident is told the same day
    told_at: datetime | None = when()
    # past the normal limit (002) the resident is sent a late notice; past "at most", overdue
    late_notice_due_at: datetime | None = when()
    late_notice_at: datetime | None = when()
    late_notice_note: str = text(500)
    # a complaint about harm still going on is stopped first (004 「先制止」)
    harm_ongoing: bool = False
    harm_stopped_at: datetime | None = when()
    reply_due_at: datetime | None = when()
    replied_at: datetime | None = when()
    reply_text: str = text(2000)
    resolve_due_at: datetime | None = when()
    resolved_at: datetime | None = when()
    resolution: str = text(2000)
    callback_due_at: datetime | None = when(index=True)
    callback_at: datetime | None = when()
    callback_note: str = text(1000)
    satisfied: bool | None = None
    state: ComplaintState = Field(sa_type=String(20), default=ComplaintState.registered)
    reopen_count: int = 0
    merged_into_id: int | None = Field(default=None, foreign_key="complaint.id")
    closed_at: datetime | None = when()
    close_reason: str = text(500)
    reception_id: int | None = Field(default=None, foreign_key="reception_entry.id")
    operator_id: int = Field(foreign_key="operator.id")
    created_at: datetime = when(nullable=False)
    estate_id: int | None = estate_column()
