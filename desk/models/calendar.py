"""The site's own calendar: days the office closes, and extra working days."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import String
from sqlmodel import Field

from desk.models.base import Record, text, when
from desk.models.estate import InEstate


class DayKind(StrEnum):
    holiday = "holiday"
    workday = "workday"


class CalendarDay(InEstate, Record, table=True):
    __tablename__ = "calendar_day"

    day: date = Field(primary_key=True)
    kind: DayKind = Field(sa_type=String(20))
    note: str = text(200)
    operator_id: int | None = Field(default=None, foreign_key="operator.id")
    created_at: datetime = when(nullable=False)
    # a day once per estate: part of the key
    estate_id: int | None = Field(
        default=None,
        primary_key=True,
        sa_column_kwargs={"server_default": "1", "autoincrement": False},
    )
