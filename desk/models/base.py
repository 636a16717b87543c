"""Column types and field helpers shared by every register table."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, DateTime, Dialect, Index, TextClause, literal_column
from sqlalchemy import text as sql_text
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class Record(SQLModel):
    """The base of every table of the desk.

    Rows are read and written through SQLAlchemy; what a clerk types is validated by the forms'
    own models. So a table's pydantic validator is built the first time something asks for it
    (`defer_build`), not at every start: a quarter of the time the tables take to load.
    """

    model_config = {"defer_build": True}


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


# --- partial indexes of the open items ---------------------------------------------------
# A register holds years of closed records and a few hundred open ones. The board, the handover
# and the queues read only the open ones, through small partial indexes. SQLite uses a partial
# index only when the query's condition repeats the index's condition with the same literal
# values (a bound parameter does not match), so both are built from the same helpers below.


def _quoted(values: Iterable[str]) -> str:
    return ", ".join("'" + str(value).replace("'", "''") + "'" for value in values)


def in_sql(column: str, values: Iterable[str]) -> TextClause:
    """`column IN ('a', 'b')`: the condition of a partial index."""
    return sql_text(f"{column} IN ({_quoted(values)})")


def literal_in(column: Any, values: Iterable[str]) -> ColumnElement[bool]:
    """`column IN ('a', 'b')` with the values written into the SQL, matching `in_sql`."""
    found: ColumnElement[bool] = column.in_([literal_column(_quoted([value])) for value in values])
    return found


def literal_is(column: Any, value: str) -> ColumnElement[bool]:
    """`column = 'a'` with the value written into the SQL, matching `sql_text("column = 'a'")`."""
    found: ColumnElement[bool] = column == literal_column(_quoted([value]))
    return found


def literal_is_not(column: Any, value: str) -> ColumnElement[bool]:
    """`column != 'a'` with the value written into the SQL, matching `column != 'a'`."""
    found: ColumnElement[bool] = column != literal_column(_quoted([value]))
    return found


def partial_index(name: str, *columns: str, where: str | TextClause) -> Index:
    """An index of the rows matching `where` only.

    The migrations create it on SQLite and PostgreSQL alike; the model names only SQLite's
    condition, because a `postgresql_where` here would import SQLAlchemy's PostgreSQL dialect
    (and asyncpg's) at every start of the desk, a tenth of a second for nothing.
    """
    condition = sql_text(where) if isinstance(where, str) else where
    return Index(name, *columns, sqlite_where=condition)
