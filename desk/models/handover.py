"""Register 6: shift handovers (交接班) with their checklist and frozen summary, and printouts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String, Text
from sqlmodel import Field

from desk.models.base import Record, text, when
from desk.models.estate import InEstate, estate_column


class HandoverState(StrEnum):
    open = "open"
    signed_off = "signed_off"
    acknowledged = "acknowledged"
    refused = "refused"


class Handover(InEstate, Record, table=True):
    """One shift handed from the outgoing operator to the incoming one.

    `checklist` is JSON: a list of {key, expected, counted, holder}. `summary` is the JSON of
    the shift-change summary, frozen at sign-off and again at acknowledgement: later changes to
    the registers never change what was handed over.
    """

    __table_args__ = (Index("ix_handover_state_opened", "state", "opened_at"),)

    id: int | None = Field(default=None, primary_key=True)
    shift_key: str = Field(max_length=30)
    shift_start: datetime = when(nullable=False, index=True)
    shift_end: datetime = when(nullable=False)
    state: HandoverState = Field(sa_type=String(20), default=HandoverState.open)
    outgoing_id: int = Field(foreign_key="operator.id")
    incoming_id: int | None = Field(default=None, foreign_key="operator.id")
    opened_at: datetime = when(nullable=False)
    signed_off_at: datetime | None = when()
    acknowledged_at: datetime | None = when()
    refused_at: datetime | None = when()
    refusal_reason: str = text(500)
    checklist: str = Field(default="[]", sa_type=Text)
    desk_cleaned: bool = False
    log_read: bool = False
    notes: str = text(4000)
    watch: str = text(4000)
    summary: str = Field(default="", sa_type=Text)
    created_at: datetime = when(nullable=False)
    estate_id: int | None = estate_column()


class HandoverPrint(InEstate, Record, table=True):
    """A printed (or written) copy of a handover's summary, archived beside the database."""

    __tablename__ = "handover_print"

    id: int | None = Field(default=None, primary_key=True)
    handover_id: int = Field(foreign_key="handover.id", index=True)
    format: str = Field(max_length=10)
    path: str = text(1000)
    printer: str = text(100)
    printed_at: datetime = when(nullable=False)
    operator_id: int | None = Field(default=None, foreign_key="operator.id")
    estate_id: int | None = estate_column()
