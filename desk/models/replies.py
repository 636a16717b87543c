"""Standard replies (统一说辞): approved answers to recurring questions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String
from sqlmodel import Field

from desk.models.base import Record, text, when


class ReplyState(StrEnum):
    draft = "draft"
    approved = "approved"
    retired = "retired"


class StandardReply(Record, table=True):
    __tablename__ = "standard_reply"

    id: int | None = Field(default=None, primary_key=True)
    topic: str = text(60, index=True)
    # words a clerk would type when the question comes up, space-separated
    keywords: str = text(200)
    body: str = text(2000)
    state: ReplyState = Field(sa_type=String(20), default=ReplyState.draft)
    drafted_by: int = Field(foreign_key="operator.id")
    approved_by: int | None = Field(default=None, foreign_key="operator.id")
    approved_at: datetime | None = when()
    created_at: datetime = when(nullable=False)
