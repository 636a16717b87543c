"""The quick lookup: one query over every register and the residents directory.

The query's forms (desk.services.lookup_query: a record number, a room, a phone fragment, words)
are each an index look-up (see desk.services.search_index; a night-log number, made from the
night and the id, is a range of the night's documents); results come back grouped by register,
newest first, at most `limit` per register, each hit as a results row shows it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import and_, or_, select, text, union_all

from desk.i18n import current_language
from desk.models.search import SearchDoc
from desk.services import nightlog
from desk.services.context import Ctx
from desk.services.lookup_query import NIGHT_NUMBER, classify, fts_expression, night_days, terms
from desk.services.residents import mask_name, parse_room
from desk.services.search_index import compact_number, is_cjk, reversed_digits
from desk.services.search_sources import REGISTERS

# Residents first: a name or a room is most often asked to find the person.
ORDER = ("residents", *(r for r in REGISTERS if r != "residents"))
# Core rows, not ORM objects: hydrating 160 SearchDoc objects cost more than every query.
DOCS = SearchDoc.__table__  # type: ignore[attr-defined]
SUMMARY_WIDTH = 60
# The columns a results row needs, as plain SQL: no per-row type processing (times are turned
# into datetimes only for the rows shown). The body is cut to what a summary shows, except for
# a words query, whose matches are checked against the whole body.
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
)
_SHOWN = ", ".join(FIELDS[:-1])
COLUMNS = f"{_SHOWN}, substr(body, 1, {SUMMARY_WIDTH * 2}) AS body"
COLUMNS_WHOLE = f"{_SHOWN}, body"


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
    _id, register, record_id, number, room, person, state, at_value, due, operator_id, body = doc
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


def _per_register(ctx: Ctx, condition: Any, registers: list[str], limit: int) -> list[Any]:
    """The newest `limit` rows of each register meeting `condition`: one UNION ALL statement
    of index range scans (one round trip costs less than the per-statement overhead x 8)."""
    parts = [
        select(*(DOCS.c[name] for name in FIELDS))
        .where(condition, DOCS.c.register_name == register)
        .order_by(DOCS.c.at.desc())
        .limit(limit)
        .subquery()
        .select()
        for register in registers
    ]
    if not parts:
        return []
    return list(ctx.session.execute(union_all(*parts)))


def _rows(ctx: Ctx, sql: str, params: dict[str, Any]) -> list[Any]:
    """Run one of the lookup's own statements; on SQLite straight on the driver's connection
    (same transaction), which costs a tenth of a millisecond less per query than through
    SQLAlchemy: most of the time of a lookup that finds one record."""
    conn = ctx.session.connection()
    if conn.dialect.name == "sqlite":
        driver = conn.connection.driver_connection
        assert driver is not None
        return list(driver.execute(sql, params).fetchall())
    return list(conn.execute(text(sql), params))


_BY_NUMBER = (
    f"SELECT {COLUMNS} FROM search_doc WHERE number_key >= :low AND number_key < :high "
    "ORDER BY number_key DESC LIMIT :n"
)
_BY_PHONE = (
    f"SELECT {COLUMNS} FROM search_doc WHERE phone_rev >= :low AND phone_rev < :high "
    "ORDER BY at DESC LIMIT :n"
)


def _number_docs(ctx: Ctx, query: str, limit: int) -> list[Any]:
    key = compact_number(query)
    return _rows(ctx, _BY_NUMBER, {"low": key, "high": key + "~", "n": limit})


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
        .order_by(DOCS.c.at.desc(), DOCS.c.id.desc())
    )
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
    return _rows(ctx, _BY_PHONE, {"low": rev, "high": rev + ":", "n": limit})


def _verified(docs: Iterable[Any], query: str, name: bool) -> list[Any]:
    """FTS5 finds candidates; this drops the rare one that matched across punctuation."""
    needed = [run for term in terms(query) for run in term if is_cjk(run)]
    prefix = query.strip()
    rows = (tuple(doc) for doc in docs)  # FIELDS order: person 5, body 10
    return [
        row
        for row in rows
        if (name and row[5].startswith(prefix)) or all(run in row[10] for run in needed)
    ]


@cache
def _fts_statement(registers: int) -> str:
    """One statement for every register: the newest :n rowids of each MATCH, then their docs.

    Written as SQL text once per register count: building it from Core constructs on every
    keystroke cost more than running it.
    """
    part = (
        "SELECT * FROM (SELECT rowid FROM search_fts WHERE search_fts MATCH :q{i} "
        "ORDER BY rowid DESC LIMIT :n)"
    )
    union = " UNION ALL ".join(part.format(i=i) for i in range(registers))
    return f"SELECT {COLUMNS_WHOLE} FROM search_doc WHERE id IN ({union})"


@cache
def _room_statement(column: str, registers: int) -> str:
    """The newest :n documents of each register whose `column` (room or room_no) is :v."""
    assert column in ("room", "room_no")
    part = (
        f"SELECT * FROM (SELECT {COLUMNS} FROM search_doc WHERE {column} = :v "
        "AND register_name = :r{i} ORDER BY at DESC LIMIT :n) AS part{i}"
    )
    return " UNION ALL ".join(part.format(i=i) for i in range(registers))


def _room_docs(ctx: Ctx, column: str, value: str, registers: list[str], limit: int) -> list[Any]:
    if not registers:
        return []
    params: dict[str, Any] = {"v": value, "n": limit}
    params.update({f"r{i}": register for i, register in enumerate(registers)})
    return _rows(ctx, _room_statement(column, len(registers)), params)


def _words_docs(ctx: Ctx, query: str, registers: list[str], limit: int, *, name: bool) -> list[Any]:
    if not registers:
        return []
    if ctx.session.get_bind().dialect.name == "sqlite":
        params: dict[str, Any] = {"n": limit + 5}
        for i, register in enumerate(registers):
            params[f"q{i}"] = fts_expression(query, name=name, register=register)
        found = _rows(ctx, _fts_statement(len(registers)), params)
        return _verified(found, query.lower(), name)
    # Portable fallback (PostgreSQL): a newest-first scan of each register that stops at
    # `limit` hits. Fine for common words; at a million records pg_trgm would be the next step.
    conditions = [
        DOCS.c.body.ilike(f"%{_escape(run)}%", escape="\\") for term in terms(query) for run in term
    ]
    words = and_(*conditions)
    if name:
        words = or_(words, DOCS.c.person.startswith(query.strip(), autoescape=True))
    return _per_register(ctx, words, registers, limit)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


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
        keep(_phone_docs(ctx, query, limit * len(wanted)))
    if "room" in kinds:
        parsed = parse_room(query)
        assert parsed is not None
        if parsed.building:
            keep(_room_docs(ctx, "room", parsed.code, wanted, limit))
        else:
            keep(_room_docs(ctx, "room_no", parsed.room, wanted, limit))
    if "text" in kinds:
        keep(_words_docs(ctx, query, wanted, limit, name="name" in kinds))
    groups = []
    for register in wanted:
        docs = sorted(found[register].values(), key=lambda d: (d[7], d[0]), reverse=True)
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
    "nightlog": "nightlog_state",
    "residents": "resident_kind",
}


def state_key(register: str, state: str) -> str:
    """The catalogue key of a state's label in `register`."""
    if state == "inactive":
        return "lookup.inactive"
    return f"{STATE_SECTIONS.get(register, register)}.{state}"
