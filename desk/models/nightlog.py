"""Register 6 (night duty): the night log the electrician keeps at the desk (夜间值班记录)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String
from sqlmodel import Field

from desk.models.base import Record, partial_index, text, when
from desk.models.estate import InEstate, estate_column


class NightLogState(StrEnum):
    handled = "handled"
    left_for_morning = "left_for_morning"
    transferred = "transferred"
    closed = "closed"


class NightLogEntry(InEstate, Record, table=True):
    """One night call or visit; what was left for the morning stays open until transferred."""

    __tablename__ = "night_log_entry"
    __table_args__ = (
        Index("ix_night_log_state_at", "state", "logged_at"),
        partial_index("ix_night_log_left", "logged_at", "id", where="state = 'left_for_morning'"),
    )

    id: int | None = Field(default=None, primary_key=True)
    logged_at: datetime = when(nullable=False, index=True)
    caller: str = text(60)
    room: str = text(45, index=True)
    phone: str = text(30)
    what: str = text(2000)
    emergency: bool = False
    action_taken: str = text(2000)
    state: NightLogState = Field(sa_type=String(20), default=NightLogState.left_for_morning)
    # "repairs" or "complaints" once transferred, with the id of the record it became
    transferred_to: str = text(20)
    transferred_id: int | None = None
    transferred_at: datetime | None = when()
    closed_at: datetime | None = when()
    close_reason: str = text(500)
    operator_id: int = Field(foreign_key="operator.id")
    done_by_id: int | None = Field(default=None, foreign_key="operator.id")
    created_at: datetime = when(nullable=False)
    estate_id: int | None = estate_column()
