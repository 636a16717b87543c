"""The quick lookup: one query over every register and the residents directory.

The query's forms (desk.services.lookup_query: a record number, a room, a phone fragment, words)
are each an index look-up (see desk.services.search_index; a night-log number, made from the
night and the id, is a range of the night's documents); results come back grouped by register,
newest first, at most `limit` per register, each hit as a results row shows it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import select

from desk import estates as binding
from desk.i18n import current_language
from desk.models.search import SearchDoc
from desk.services import estates, nightlog
from desk.services.context import Ctx
from desk.services.lookup_query import NIGHT_NUMBER, NUMBER_PREFIXES, classify, night_days
from desk.services.lookup_words import in_list, words_docs
from desk.services.residents import mask_name, parse_room
from desk.services.search_index import compact_number, reversed_digits
from desk.services.search_sources import REGISTERS

# Residents first: a name or a room is most often asked to find the person.
ORDER = ("residents", *(r for r in REGISTERS if r != "residents"))
# Core rows, not ORM objects: hydrating 160 SearchDoc objects cost more than every query.
DOCS = SearchDoc.__table__  # type: ignore[attr-defined]
SUMMARY_WIDTH = 60
# The columns a results row needs, as plain SQL: no per-row type processing (times are turned
# into datetimes only for the rows shown). The body is cut to what a summary shows, except for
# a words query, whose matches are checked against the whole body. `rank` is the one order of
# every group (desk.services.search_tokens.rank): newest first, to the second, then by record.
FIELDS = (
    "id",
    "register_name",
    "record_id",
    "number",
    "room",
    "person",
    "state",
    "at",
    "due_at",
    "operator_id",
    "body",
    "rank",
)
_SHOWN = ", ".join(FIELDS[:-2])
COLUMNS = f"{_SHOWN}, substr(body, 1, {SUMMARY_WIDTH * 2}) AS body, rank"
COLUMNS_WHOLE = f"{_SHOWN}, body, rank"


@dataclass(slots=True)
class Hit:
    """One record found: what a results row shows (the person's name masked)."""

    register: str
    record_id: int
    number: str
    at: datetime
    room: str
    person: str
    summary: str
    state: str
    due_at: datetime | None
    operator_id: int | None

    def overdue(self, now: datetime) -> bool:
        return self.due_at is not None and self.due_at < now


@dataclass(frozen=True)
class Group:
    register: str
    hits: list[Hit]


@dataclass(frozen=True)
class Results:
    query: str
    kinds: tuple[str, ...]
    groups: list[Group]

    @property
    def total(self) -> int:
        return sum(len(group.hits) for group in self.groups)


def number_of(ctx: Ctx, register: str, record_id: int, number: str, at: datetime) -> str:
    """The record number shown; a night-log entry is named by its night and id."""
    if number:
        return number
    if register == nightlog.REGISTER:
        return nightlog.number_at(at, record_id, ctx.tz)
    return ""


def utc(value: datetime | str | None) -> datetime | None:
    """A stored time as an aware UTC datetime (SQLite hands plain SQL its text)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def hit_of(ctx: Ctx, doc: Any) -> Hit:
    """A result row of a search document (an ORM object or any row with its fields)."""
    return _hit(ctx, tuple(getattr(doc, name) for name in FIELDS))


# Registers whose documents hold the department a matter went to by its key ("engineering").
_WITH_DEPARTMENT = ("reception", "key_loans")


def _department_names(ctx: Ctx, summary: str) -> str:
    """The summary with a department's key shown as the department's name (工程维修部)."""
    lang = current_language()
    names = {d.key: d.label(lang) for d in ctx.settings.departments}
    return " ".join(names.get(word, word) for word in summary.split(" "))


def _hit(ctx: Ctx, doc: tuple[Any, ...]) -> Hit:
    """A result row from a document's fields in FIELDS order (read by position: the lookup's
    own statements return them so, and a name look-up per field per row cost more than SQL)."""
    _id, register, record_id, number, room, person, state, at_value, due, operator_id, body = doc[
        :11
    ]
    at = utc(at_value)
    assert at is not None
    number = number_of(ctx, register, record_id, number, at)
    # the start of the body is enough for a one-line summary (bodies run to 4000 characters)
    summary = " ".join(body[: SUMMARY_WIDTH * 2].split())
    if register in _WITH_DEPARTMENT:
        summary = _department_names(ctx, summary)
    return Hit(
        register,
        record_id,
        number,
        at,
        room,
        mask_name(person),
        summary if len(summary) <= SUMMARY_WIDTH else summary[: SUMMARY_WIDTH - 1] + "…",
        state,
        utc(due),
        operator_id,
    )


def _estates(ctx: Ctx) -> tuple[int, ...] | None:
    """The estates a lookup is within: the desk's own, or at the call-centre desk those its
    operator may work on (None: every estate)."""
    return binding.estates_of(ctx.session)


def _rows(ctx: Ctx, sql: str, params: dict[str, Any]) -> list[Any]:
    """Run one of the lookup's own statements straight on the driver's connection (same
    transaction): SQLAlchemy's handling of a statement's parameters cost more than running it
    (a tenth of a millisecond of a lookup that finds one record on SQLite, more with the dozens
    of parameters of a words query on PostgreSQL, whose driver takes `%(name)s`)."""
    conn = ctx.session.connection()
    driver = conn.connection.driver_connection
    assert driver is not None
    if conn.dialect.name == "sqlite":
        return list(driver.execute(sql, params).fetchall())
    return list(driver.execute(_pyformat(sql), params).fetchall())


@cache
def _pyformat(sql: str) -> str:
    """A statement's `:name` parameters as psycopg's `%(name)s` (the lookup's SQL has no `%`)."""
    assert "%" not in sql
    return re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", sql)


@dataclass(frozen=True)
class _Runner:
    """What desk.services.lookup_words needs of a Ctx: its engine and a way to run SQL."""

    ctx: Ctx

    @property
    def dialect(self) -> str:
        return str(self.ctx.session.get_bind().dialect.name)

    def rows(self, sql: str, params: dict[str, Any]) -> list[Any]:
        return _rows(self.ctx, sql, params)


def _in_estates(estates: tuple[int, ...] | None) -> str:
    return "" if estates is None else f"AND estate_id IN {in_list(estates)} "


@cache
def _range_statement(column: str, estates: tuple[int, ...] | None, per_register: bool) -> str:
    """Documents whose `column` (number_key or phone_rev) is in [:low, :high): the newest :n of
    each register (phone) or the :n highest numbers (a number names its register)."""
    assert column in ("number_key", "phone_rev")
    where = f"{column} >= :low AND {column} < :high {_in_estates(estates)}"
    if not per_register:
        return (
            f"SELECT {COLUMNS} FROM search_doc WHERE {where}"
            f"ORDER BY {column} DESC, rank DESC LIMIT :n"
        )
    return (
        f"SELECT {', '.join(FIELDS)} FROM (SELECT {COLUMNS}, row_number() OVER "
        f"(PARTITION BY register_name ORDER BY rank DESC) AS k FROM search_doc WHERE {where}) "
        "AS found WHERE k <= :n"
    )


def _range_docs(ctx: Ctx, column: str, low: str, high: str, limit: int) -> list[Any]:
    params: dict[str, Any] = {"low": low, "high": high, "n": limit}
    per_register = column == "phone_rev"
    return _rows(ctx, _range_statement(column, _estates(ctx), per_register), params)


def _number_docs(ctx: Ctx, query: str, limit: int) -> list[Any]:
    key = compact_number(query)
    if key.startswith(NUMBER_PREFIXES) and estates.chosen(ctx):
        # typed without its estate's code, at a desk of an estate that puts one first
        code = compact_number(estates.number_prefix(ctx))
        found = _range_docs(ctx, "number_key", code + key, code + key + "~", limit) if code else []
        if found:
            return found
    return _range_docs(ctx, "number_key", key, key + "~", limit)


def _night_docs(ctx: Ctx, query: str, limit: int) -> list[Any]:
    """Night-log entries by number: their number is made from the night's date and the id,
    not indexed, so the date is a range of `at` and the id part is checked on the night's rows."""
    key = compact_number(query)
    match = NIGHT_NUMBER.match(key)
    span = night_days(match.group(1), ctx.tz) if match else None
    if match is None or span is None:
        return []
    statement = (
        select(*(DOCS.c[name] for name in FIELDS))
        .where(
            DOCS.c.register_name == nightlog.REGISTER,
            DOCS.c.at >= span[0],
            DOCS.c.at < span[1],
        )
        .order_by(DOCS.c.rank.desc())
    )
    estates = _estates(ctx)
    if estates is not None:
        statement = statement.where(DOCS.c.estate_id.in_(estates))
    if not match.group(2):  # the night's date (or its start) alone: every entry of it
        return list(ctx.session.execute(statement.limit(limit)))
    # an id typed: one night's entries (a few dozen at most), the number's start compared
    found = []
    for row in ctx.session.execute(statement):
        at = utc(row.at)
        assert at is not None
        if compact_number(number_of(ctx, row.register_name, row.record_id, "", at)).startswith(key):
            found.append(row)
    return found[:limit]


def _phone_docs(ctx: Ctx, query: str, limit: int) -> list[Any]:
    rev = reversed_digits(query)
    # digits reversed: "ends with 5678" is the indexed range 8765 <= x < 8765:
    return _range_docs(ctx, "phone_rev", rev, rev + ":", limit)


@cache
def _room_statement(column: str, registers: int, estates: tuple[int, ...] | None) -> str:
    """The newest :n documents of each register whose `column` (room or room_no) is :v."""
    assert column in ("room", "room_no")
    part = (
        f"SELECT * FROM (SELECT {COLUMNS} FROM search_doc WHERE {column} = :v "
        f"AND register_name = :r{{i}} {_in_estates(estates)}"
        "ORDER BY rank DESC LIMIT :n) AS part{i}"
    )
    return " UNION ALL ".join(part.format(i=i) for i in range(registers))


def _room_docs(ctx: Ctx, column: str, value: str, registers: list[str], limit: int) -> list[Any]:
    if not registers:
        return []
    params: dict[str, Any] = {"v": value, "n": limit}
    params.update({f"r{i}": register for i, register in enumerate(registers)})
    return _rows(ctx, _room_statement(column, len(registers), _estates(ctx)), params)


def search(
    ctx: Ctx, query: str, *, limit: int = 20, registers: Sequence[str] | None = None
) -> Results:
    """Everything matching `query`, grouped by register, newest first, `limit` per register."""
    kinds = classify(query)
    wanted = [r for r in ORDER if registers is None or r in registers]
    found: dict[str, dict[int, Any]] = {register: {} for register in wanted}

    def keep(rows: Iterable[Any]) -> None:
        for row in rows:
            doc = tuple(row)  # FIELDS order
            bucket = found.get(doc[1])
            if bucket is not None and doc[0] is not None:
                bucket[doc[0]] = doc

    if "number" in kinds and NIGHT_NUMBER.match(compact_number(query)):
        if nightlog.REGISTER in wanted:
            keep(_night_docs(ctx, query, limit))
    elif "number" in kinds:
        keep(_number_docs(ctx, query, limit * len(wanted)))
    if "phone" in kinds:
        keep(_phone_docs(ctx, query, limit))
    if "room" in kinds:
        parsed = parse_room(query)
        assert parsed is not None
        if parsed.building:
            keep(_room_docs(ctx, "room", parsed.code, wanted, limit))
        else:
            keep(_room_docs(ctx, "room_no", parsed.room, wanted, limit))
    if "text" in kinds:
        name = "name" in kinds
        estates = _estates(ctx)
        keep(
            words_docs(
                _Runner(ctx),
                query,
                wanted,
                limit,
                name=name,
                estates=estates,
                columns=COLUMNS_WHOLE,
            )
        )
    groups = []
    for register in wanted:
        docs = sorted(found[register].values(), key=lambda d: d[11], reverse=True)  # rank
        if docs:
            groups.append(Group(register, [_hit(ctx, doc) for doc in docs[:limit]]))
    return Results(query=query.strip(), kinds=kinds, groups=groups)


STATE_SECTIONS = {
    "reception": "reception_state",
    "repairs": "repair_state",
    "complaints": "complaint_state",
    "key_loans": "key_loan_state",
    "entrusted_keys": "entrusted_state",
    "passes": "pass_state",
    "cards": "card_state",
    "nightlog": "nightlog_state",
    "renovations": "renovation_state",
    "incidents": "incident_state",
    "renovation_permits": "renovation_state",
    "worker_passes": "worker_pass_state",
    "residents": "resident_kind",
    "owner_changes": "owner_change_state",
    "patrols": "patrol_state",
    "patrol_due": "patrol_due_state",
    "services": "services_state",
    "findings": "finding_state",
    "fees": "fee_balance_state",
    "move_ins": "move_in_state",
}


def state_key(register: str, state: str) -> str:
    """The catalogue key of a state's label in `register`."""
    if state == "inactive":
        return "lookup.inactive"
    return f"{STATE_SECTIONS.get(register, register)}.{state}"
