"""Register 1: the reception log of calls and visits."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String
from sqlmodel import Field

from desk.models.base import Record, in_sql, partial_index, text, when
from desk.models.estate import InEstate, estate_column


class Channel(StrEnum):
    visit = "visit"
    phone = "phone"
    letter = "letter"
    fax = "fax"
    online = "online"


class ReceptionCategory(StrEnum):
    enquiry = "enquiry"
    repair = "repair"
    complaint = "complaint"
    application = "application"
    suggestion = "suggestion"
    other = "other"


class ReceptionState(StrEnum):
    open = "open"
    referred = "referred"
    answered = "answered"
    closed = "closed"
    voided = "voided"


# An entry still owing the resident a reply.
OWING_STATES = (ReceptionState.open, ReceptionState.referred)


class ReceptionEntry(InEstate, Record, table=True):
    __tablename__ = "reception_entry"
    __table_args__ = (
        Index("ix_reception_open_due", "state", "reply_due_at"),
        partial_index("ix_reception_owing", "reply_due_at", where=in_sql("state", OWING_STATES)),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=30, unique=True)
    received_at: datetime = when(nullable=False, index=True)
    channel: Channel = Field(sa_type=String(20))
    person: str = text(60)
    room: str = text(45, index=True)
    phone: str = text(30)
    category: ReceptionCategory = Field(sa_type=String(20))
    request: str = text(2000)
    action_taken: str = text(2000)
    department: str = text(40)
    reply_due_at: datetime | None = when()
    state: ReceptionState = Field(sa_type=String(20), default=ReceptionState.open)
    answered_at: datetime | None = when()
    answer: str = text(2000)
    close_reason: str = text(500)
    linked_register: str = text(30)
    linked_id: int | None = None
    operator_id: int = Field(foreign_key="operator.id")
    created_at: datetime = when(nullable=False)
    estate_id: int | None = estate_column()
