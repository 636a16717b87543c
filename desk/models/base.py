"""Column types and field helpers shared by every register table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes, stored as UTC (naive UTC text on SQLite, timestamptz elsewhere)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a timezone-aware column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def when(*, index: bool = False, nullable: bool = True) -> Any:
    """A timezone-aware datetime field."""
    return Field(default=None, sa_type=UTCDateTime, index=index, nullable=nullable)


def text(max_length: int = 200, *, default: str = "", index: bool = False) -> Any:
    """A bounded text field (lengths are enforced on PostgreSQL and by the services)."""
    return Field(default=default, max_length=max_length, index=index)
