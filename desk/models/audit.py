"""The append-only audit trail (the database refuses UPDATE and DELETE on it) and counters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Field

from desk.models.base import Record, when


class AuditEvent(Record, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_record", "register_name", "record_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = when(nullable=False, index=True)
    operator_id: int | None = Field(default=None, foreign_key="operator.id")
    register_name: str = Field(max_length=30)
    record_id: int
    action: str = Field(max_length=30)
    # JSON: the fields this event set (and, for corrections, what they were before)
    data: str = Field(default="{}", sa_type=Text)
    reason: str = Field(default="", max_length=500)


class Counter(Record, table=True):
    """Per-day sequence numbers for record numbers such as WX-20261123-007."""

    key: str = Field(primary_key=True, max_length=40)
    value: int = 0


class AuditSeal(Record, table=True):
    """One link of the audit chain: an event, its place in the chain and what its record was.

    Sealed as its transaction commits (desk.services.audit_chain): `hash` covers the event's
    whole content, the link before it and `row`; `row` is the record's row as that transaction
    left it, written as the fields that differ from its previous seal (all of them the first
    time), phone numbers masked. Append-only, like the events.
    """

    __tablename__ = "audit_seal"

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    event_id: int = Field(foreign_key="audit_event.id", unique=True)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)
    row: str | None = Field(default=None, sa_type=Text)
