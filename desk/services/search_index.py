"""The lookup index: a search document per record, written in the same flush as the record.

`after_flush` is a listener every writing session of a `desk.db.Database` runs (registered on
its own session factory, as desk.changes.after_flush is; importing this module changes nothing):
each new or changed row of an indexed register (or a pass's item) has its document rewritten in
the same transaction, so the index never lags the registers and no service has to know about it.
A write made with core statements (the residents import, bench/generate.py, the migrations)
writes its documents itself (`write_many`, `reindex`). What each register puts in its documents
is desk.services.search_sources.

On SQLite the words go into the FTS5 table `search_fts` (contentless, `ascii` tokenizer, rowid =
the document's rank) as tokens made by desk.services.search_tokens: CJK text as a sequence of
overlapping bigrams (a query of n >= 2 characters is the phrase of its n-1 bigrams, so 漏水 and
水管破裂 are exact index lookups), the distinct single characters (for one-character queries
such as 水), ASCII words, and the first 1, 2 and 3 characters of each part of the person's name
(王 finds everyone surnamed 王, and 绿化 王师傅). On PostgreSQL they go into `search_token`, one
row per distinct token (characters, pairs, the starts of ASCII words, the name's starts) with the
document's rank and estate, in the same transaction. Rooms, numbers and phone suffixes are b-tree
look-ups on `search_doc` on both engines.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, inspect, select, text, update
from sqlalchemy.orm import Session

from desk.models import (
    Finding,
    PassItem,
    PatrolPoint,
    PatrolRound,
    ReleasePass,
    Renovation,
    Resident,
    Unit,
    WorkerPass,
)
from desk.models.search import SearchDoc
from desk.services.bulk import insert_many
from desk.services.residents import parse_room
from desk.services.search_sources import BY_MODEL, LATER_COMPLAINT_COLUMNS, SOURCES, Source
from desk.services.search_tokens import (
    bigrams,
    compact_number,
    estate_token,
    fts_row,
    is_cjk,
    pg_tokens,
    ranked,
    reversed_digits,
    runs,
)

__all__ = [
    "after_flush",
    "bigrams",
    "compact_number",
    "document",
    "fts_row",
    "is_cjk",
    "reindex",
    "reversed_digits",
    "runs",
    "write",
    "write_many",
]

BODY_MAX = 4000
_TABLE = SearchDoc.__table__  # type: ignore[attr-defined]
_FTS_INSERT = text(
    "INSERT INTO search_fts (rowid, reg, est, name, grams, unis) "
    "VALUES (:id, :reg, :est, :name, :grams, :unis)"
)
_FTS_DELETE = text(
    "INSERT INTO search_fts (search_fts, rowid, reg, est, name, grams, unis) "
    "VALUES ('delete', :id, :reg, :est, :name, :grams, :unis)"
)
# the FTS5 table before migration 0013 (no estate; rowid = the document's id): an older
# revision's rebuild writes it so
_FTS_INSERT_0005 = text(
    "INSERT INTO search_fts (rowid, reg, name, grams, unis) "
    "VALUES (:id, :reg, :name, :grams, :unis)"
)
_TOKEN_INSERT = text("INSERT INTO search_token (token, rank, estate_id) VALUES (:t, :r, :e)")
_TOKEN_DELETE = text("DELETE FROM search_token WHERE token = ANY(:tokens) AND rank = :r")
# more token rows than this are written with COPY (the index rebuild, a large import)
_COPY_FROM = 2000


def _extra_text(conn: Connection, source: Source, row: Any) -> list[str]:
    if source.model is ReleasePass:
        items = conn.execute(
            select(PassItem.description, PassItem.remark).where(  # type: ignore[call-overload]
                PassItem.pass_id == row.id
            )
        )
        return [part for item in items for part in item]
    if source.model is WorkerPass:
        works = conn.execute(
            select(Renovation.number, Renovation.permit_number).where(  # type: ignore[call-overload]
                Renovation.id == row.renovation_id
            )
        ).first()
        return [part for part in works or () if part]
    if source.model is PatrolRound:
        found = conn.execute(
            select(Finding.number, Finding.room, Finding.place, Finding.what).where(  # type: ignore[call-overload]
                Finding.owner == "patrol", Finding.owner_id == row.id
            )
        )
        return [part for finding in found for part in finding if part]
    return []


def _room_of(conn: Connection, source: Source, row: Any) -> str:
    if source.model is Resident:
        code = conn.execute(select(Unit.code).where(Unit.id == row.unit_id)).scalar()  # type: ignore[call-overload]
        return str(code or "")
    if source.model is WorkerPass:
        works = select(Renovation.room).where(Renovation.id == row.renovation_id)  # type: ignore[call-overload]
        room = conn.execute(works).scalar()
        return str(room or "")
    return str(getattr(row, "room", "") or "")


def document(conn: Connection, source: Source, row: Any, room: str | None = None) -> dict[str, Any]:
    """The search document of one record (an ORM object or a row with the same attributes);
    `room`, when the caller knows it, saves a resident's look-up of its unit."""
    if source.number_only:
        return _number_document(source, row)
    room = _room_of(conn, source, row) if room is None else room
    parsed = parse_room(room) if room else None
    body_parts = [str(getattr(row, name) or "") for name in source.body]
    body = " ".join(part for part in body_parts + _extra_text(conn, source, row) if part)
    number = str(getattr(row, source.number) or "") if source.number else ""
    # a resident's "state" is owner / tenant, or inactive once moved out
    resident = source.model is Resident
    state = (row.kind if row.active else "inactive") if resident else str(row.state)
    return {
        "register_name": source.register,
        "record_id": row.id,
        "number": number,
        "number_key": compact_number(number),
        "room": room,
        "room_no": parsed.room if parsed else "",
        "person": str(getattr(row, source.person) or "")[:60],
        "phone_rev": reversed_digits(str(getattr(row, source.phone) or "")) if source.phone else "",
        "body": body[:BODY_MAX],
        "state": state,
        "at": getattr(row, source.at),
        "due_at": source.due(row),
        "operator_id": getattr(row, "operator_id", None),
        # a row read by an older migration's rebuild (before 0012) has no estate
        **({"estate_id": row.estate_id} if hasattr(row, "estate_id") else {}),
    }


def _number_document(source: Source, row: Any) -> dict[str, Any]:
    """A record's second number as a document of its own: the number, nothing else to find."""
    number = str(getattr(row, source.number) or "")
    return {
        "register_name": source.register,
        "record_id": row.id,
        "number": number,
        "number_key": compact_number(number),
        "room": "",
        "room_no": "",
        "person": "",
        "phone_rev": "",
        "body": "",
        "state": str(row.state),
        "at": getattr(row, source.at),
        "due_at": None,
        "operator_id": getattr(row, "operator_id", None),
        **({"estate_id": row.estate_id} if hasattr(row, "estate_id") else {}),
    }


def _words_of(doc: dict[str, Any], tokens: dict[str, str] | None = None) -> dict[str, Any]:
    """A document's FTS5 row (SQLite): rowid = rank, the tokens of `fts_row`, its estate."""
    words = tokens or fts_row(doc["register_name"], doc["person"], doc["body"])
    return {**words, "id": doc["rank"], "est": estate_token(doc.get("estate_id"))}


def _token_rows(docs: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The `search_token` rows of documents (PostgreSQL)."""
    return [
        {"t": token, "r": doc["rank"], "e": doc.get("estate_id", 1)}
        for doc in docs
        for token in sorted(pg_tokens(doc["register_name"], doc["person"], doc["body"]))
    ]


def _add_words(
    conn: Connection,
    docs: list[dict[str, Any]],
    tokens: list[dict[str, str]] | None = None,
    *,
    before_0013: bool = False,
) -> None:
    """Index the words of ranked documents: FTS5 rows on SQLite, token rows on PostgreSQL."""
    if not docs:
        return
    if conn.dialect.name == "sqlite":
        made: list[dict[str, str] | None] = list(tokens) if tokens else [None] * len(docs)
        conn.execute(
            _FTS_INSERT_0005 if before_0013 else _FTS_INSERT,
            [_words_of(doc, words) for doc, words in zip(docs, made, strict=True)],
        )
    elif conn.dialect.name == "postgresql":
        rows = _token_rows(docs)
        if not rows:  # no words (a name in Latin letters, no text)
            return
        if len(rows) < _COPY_FROM:
            conn.execute(_TOKEN_INSERT, rows)
            return
        driver = conn.connection.driver_connection
        assert driver is not None
        with (
            driver.cursor() as cursor,
            cursor.copy("COPY search_token (token, rank, estate_id) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row((row["t"], row["r"], row["e"]))


def _drop_words(conn: Connection, docs: list[dict[str, Any]]) -> None:
    """Take ranked documents' words (as they were written) out of the index."""
    if not docs:
        return
    if conn.dialect.name == "sqlite":
        conn.execute(_FTS_DELETE, [_words_of(doc) for doc in docs])
    elif conn.dialect.name == "postgresql":
        conn.execute(
            _TOKEN_DELETE,
            [
                {
                    "tokens": sorted(pg_tokens(doc["register_name"], doc["person"], doc["body"])),
                    "r": doc["rank"],
                }
                for doc in docs
            ],
        )


_INDEXED = ("person", "body", "rank", "estate_id")


def _was(old: Any, register: str) -> dict[str, Any]:
    return {"register_name": register, **{name: getattr(old, name) for name in _INDEXED}}


def _reworded(old: Any, doc: dict[str, Any]) -> bool:
    """Whether a document's index rows change: its words, its rank or its estate."""
    return any(getattr(old, name) != doc.get(name, getattr(old, name)) for name in _INDEXED)


def write(conn: Connection, doc: dict[str, Any]) -> None:
    """Insert or update one document and its words (rewritten only when they or its rank
    changed)."""
    doc = ranked(doc)
    old = conn.execute(
        select(_TABLE.c.id, *(_TABLE.c[name] for name in _INDEXED)).where(
            _TABLE.c.register_name == doc["register_name"], _TABLE.c.record_id == doc["record_id"]
        )
    ).first()
    if old is None:
        conn.execute(insert(_TABLE).values(**doc))
        _add_words(conn, [doc])
        return
    doc.setdefault("estate_id", old.estate_id)  # a document made without it keeps its own
    conn.execute(update(_TABLE).where(_TABLE.c.id == old.id).values(**doc))
    if _reworded(old, doc):
        _drop_words(conn, [_was(old, doc["register_name"])])
        _add_words(conn, [doc])


def write_many(
    conn: Connection, docs: list[dict[str, Any]], tokens: list[dict[str, str]] | None = None
) -> None:
    """What `write` does, for many documents at once with a few executemany: for bulk writes
    (the residents import), which the after_flush listener does not see. `tokens`, when the
    caller made them beforehand, are each document's `fts_row`."""
    if not docs:
        return
    docs = [ranked(doc) for doc in docs]
    made: list[dict[str, str] | None] = list(tokens) if tokens else [None] * len(docs)
    old: dict[tuple[str, int], Any] = {}
    registers: dict[str, list[int]] = {}
    for doc in docs:
        registers.setdefault(doc["register_name"], []).append(doc["record_id"])
    for register, record_ids in registers.items():
        for first in range(0, len(record_ids), 500):
            query = select(
                _TABLE.c.id, _TABLE.c.record_id, *(_TABLE.c[name] for name in _INDEXED)
            ).where(
                _TABLE.c.register_name == register,
                _TABLE.c.record_id.in_(record_ids[first : first + 500]),
            )
            old.update({(register, row.record_id): row for row in conn.execute(query)})
    fresh = [
        (doc, words)
        for doc, words in zip(docs, made, strict=True)
        if (doc["register_name"], doc["record_id"]) not in old
    ]
    insert_many(conn, _TABLE, [doc for doc, _words in fresh])
    given = [words for _doc, words in fresh if words is not None]
    _add_words(conn, [doc for doc, _words in fresh], given if len(given) == len(fresh) else None)
    changed = []
    for doc in docs:
        was = old.get((doc["register_name"], doc["record_id"]))
        if was is not None:
            changed.append((was, {"estate_id": was.estate_id, **doc}))
    if not changed:
        return
    names = list(changed[0][1])
    conn.execute(
        update(_TABLE)
        .where(_TABLE.c.id == bindparam("doc_id"))
        .values({name: bindparam(f"new_{name}") for name in names}),
        [{"doc_id": was.id, **{f"new_{k}": v for k, v in doc.items()}} for was, doc in changed],
    )
    reworded = [(was, doc) for was, doc in changed if _reworded(was, doc)]
    _drop_words(conn, [_was(was, doc["register_name"]) for was, doc in reworded])
    _add_words(conn, [doc for _was, doc in reworded])


def _changed(session: Session) -> Iterable[Any]:
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, PassItem):
            with session.no_autoflush:
                parent = session.get(ReleasePass, obj.pass_id)
            if parent is not None:
                yield parent
        elif isinstance(obj, (Finding, PatrolPoint)):
            # a patrol round's findings and checkpoints are words of its document
            owner = obj.round_id if isinstance(obj, PatrolPoint) else obj.owner_id
            if isinstance(obj, PatrolPoint) or obj.owner == "patrol":
                with session.no_autoflush:
                    walked = session.get(PatrolRound, owner)
                if walked is not None:
                    yield walked
        elif type(obj) in BY_MODEL and (obj in session.new or session.is_modified(obj)):
            yield obj


def after_flush(session: Session, _context: Any) -> None:
    """Rewrite the lookup document of each indexed record `session` just flushed."""
    seen: set[tuple[str, int]] = set()
    targets = []
    for obj in _changed(session):
        for source in BY_MODEL[type(obj)]:
            if obj.id is None or (source.register, obj.id) in seen:
                continue
            seen.add((source.register, obj.id))
            targets.append((source, obj))
    if not targets:
        return
    conn = session.connection()
    for source, obj in targets:
        write(conn, document(conn, source, obj))


def reindex(conn: Connection, batch: int = 5000) -> int:
    """Rebuild the whole index from the registers; returns how many documents were written.

    Used by the migrations for databases that already hold records and by bench/generate.py.
    The documents are the same as `write` makes (`document`, `ranked`, their words), written a
    batch at a time. Only the columns the index needs are read, so a later migration adding
    columns does not break it; an older revision's index (no rank yet: the FTS5 rowid was the
    document's id) is rebuilt as that revision had it.
    """
    has_rank = "rank" in {column["name"] for column in inspect(conn).get_columns("search_doc")}
    tokens_table = conn.dialect.name == "postgresql" and inspect(conn).has_table("search_token")
    conn.execute(delete(_TABLE))
    if conn.dialect.name == "sqlite":
        conn.execute(text("INSERT INTO search_fts (search_fts) VALUES ('delete-all')"))
    if tokens_table:
        conn.execute(text("TRUNCATE search_token"))
    doc_id = 0
    for source in SOURCES:
        table = source.model.__table__
        if not inspect(conn).has_table(table.name):
            continue  # a register of a later revision than the one rebuilding the index
        needed = {"id", "state", "room", "operator_id", "active", "kind", "unit_id", "estate_id"}
        needed |= {source.person, source.at, source.number, source.phone, *source.body}
        needed |= {"reply_due_at", "dispatch_due_at", "appointment_at", "callback_due_at"}
        needed |= {"escalation_due_at", "escalated_at", "replied_at", "resolve_due_at"}
        needed |= {"due_at", "valid_until", "stub_returned_at", "on_site_due_at", "renovation_id"}
        needed |= set(LATER_COMPLAINT_COLUMNS) | set(source.due_columns)
        # a migration rebuilding the index reads the columns its revision has, not the model's
        present = {column["name"] for column in inspect(conn).get_columns(table.name)}
        columns = [
            table.c[name] for name in sorted(needed) if name and name in table.c and name in present
        ]
        last = 0
        while True:
            rows = list(
                conn.execute(
                    select(*columns).where(table.c.id > last).order_by(table.c.id).limit(batch)
                )
            )
            if not rows:
                break
            docs = []
            for row in rows:
                doc_id += 1
                doc = {"id": doc_id, **document(conn, source, row)}
                docs.append(ranked(doc) if has_rank else {**doc, "rank": doc_id})
            conn.execute(
                insert(_TABLE),
                docs if has_rank else [{k: v for k, v in d.items() if k != "rank"} for d in docs],
            )
            if conn.dialect.name == "sqlite" or tokens_table:
                _add_words(conn, docs, before_0013=not has_rank)
            last = rows[-1].id
    return doc_id
