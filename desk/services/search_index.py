"""The lookup index: a search document per record, written in the same flush as the record.

`after_flush` is a listener every writing session of a `desk.db.Database` runs (registered on
its own session factory, as desk.changes.after_flush is; importing this module changes nothing):
each new or changed row of an indexed register (or a pass's item) has its document rewritten in
the same transaction, so the index never lags the registers and no service has to know about it.
A write made with core statements (the residents import, bench/generate.py, the migrations)
writes its documents itself (`write_many`, `reindex`). What each register puts in its documents
is desk.services.search_sources.

On SQLite the words go into the FTS5 table `search_fts` (contentless, `ascii` tokenizer) as
tokens made here: CJK text as a sequence of overlapping bigrams (a query of n >= 2 characters is
the phrase of its n-1 bigrams, so 漏水 and 水管破裂 are exact index lookups), the distinct single
characters (for one-character queries such as 水), ASCII words, and the first 1, 2 and 3
characters of the person's name (王 finds everyone surnamed 王). Rooms, numbers and phone
suffixes are b-tree look-ups on `search_doc`. PostgreSQL has no `search_fts`; the lookup falls
back to ILIKE there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, inspect, select, text, update
from sqlalchemy.orm import Session

from desk.models import (
    PassItem,
    ReleasePass,
    Resident,
    Unit,
)
from desk.models.search import SearchDoc
from desk.services.bulk import insert_many
from desk.services.residents import parse_room
from desk.services.search_sources import (
    BY_MODEL,
    LATER_COMPLAINT_COLUMNS,
    REG_TOKENS,
    SOURCES,
    Source,
)

BODY_MAX = 4000
_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[0-9A-Za-z]+")
_TABLE = SearchDoc.__table__  # type: ignore[attr-defined]
_FTS_INSERT = text(
    "INSERT INTO search_fts (rowid, reg, name, grams, unis) "
    "VALUES (:id, :reg, :name, :grams, :unis)"
)
_FTS_DELETE = text(
    "INSERT INTO search_fts (search_fts, rowid, reg, name, grams, unis) "
    "VALUES ('delete', :id, :reg, :name, :grams, :unis)"
)

# --- tokens ----------------------------------------------------------------------------------


def runs(value: str) -> list[str]:
    """Runs of CJK characters and of ASCII letters/digits, lower-cased; the rest separates."""
    return [match.group(0).lower() for match in _RUN.finditer(value)]


def is_cjk(run: str) -> bool:
    return not run[0].isascii()


def bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def name_tokens(person: str) -> str:
    tokens: list[str] = []
    for run in runs(person):
        for size in (1, 2, 3) if is_cjk(run) else (len(run),):
            if len(run) >= size and run[:size] not in tokens:
                tokens.append(run[:size])
    return " ".join(tokens)


def fts_row(register: str, person: str, body: str) -> dict[str, str]:
    """The FTS5 column values of a document (deterministic: a delete re-derives them).

    Every token carries its register's prefix (`rec漏水`, `rep水`): a lookup reads one doclist
    per register, newest first, instead of intersecting a common character's list with the
    register's (which walked both lists to the end when the register had few matches).
    """
    prefix = REG_TOKENS[register]
    grams: list[str] = []
    unis: dict[str, None] = {}
    for run in runs(body):
        if is_cjk(run):
            grams.extend(bigrams(run))
            unis.update(dict.fromkeys(run))
        else:
            grams.append(run)
    return {
        "reg": prefix,
        "name": " ".join(prefix + token for token in name_tokens(person).split()),
        "grams": " ".join(prefix + gram for gram in grams),
        "unis": " ".join(prefix + uni for uni in unis),
    }


def compact_number(value: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", value.upper())


def reversed_digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())[::-1]


def _extra_text(conn: Connection, source: Source, row: Any) -> list[str]:
    if source.model is ReleasePass:
        items = conn.execute(
            select(PassItem.description, PassItem.remark).where(  # type: ignore[call-overload]
                PassItem.pass_id == row.id
            )
        )
        return [part for item in items for part in item]
    return []


def _room_of(conn: Connection, source: Source, row: Any) -> str:
    if source.model is Resident:
        code = conn.execute(select(Unit.code).where(Unit.id == row.unit_id)).scalar()  # type: ignore[call-overload]
        return str(code or "")
    return str(row.room or "")


def document(conn: Connection, source: Source, row: Any, room: str | None = None) -> dict[str, Any]:
    """The search document of one record (an ORM object or a row with the same attributes);
    `room`, when the caller knows it, saves a resident's look-up of its unit."""
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


def write(conn: Connection, doc: dict[str, Any]) -> None:
    """Insert or update one document and its FTS5 tokens (only when its words changed)."""
    fts = conn.dialect.name == "sqlite"
    old = conn.execute(
        select(_TABLE.c.id, _TABLE.c.person, _TABLE.c.body).where(
            _TABLE.c.register_name == doc["register_name"], _TABLE.c.record_id == doc["record_id"]
        )
    ).first()
    if old is None:
        doc_id = conn.execute(insert(_TABLE).values(**doc)).inserted_primary_key[0]  # type: ignore[index]
        if fts:
            conn.execute(
                _FTS_INSERT,
                {"id": doc_id, **fts_row(doc["register_name"], doc["person"], doc["body"])},
            )
        return
    conn.execute(update(_TABLE).where(_TABLE.c.id == old.id).values(**doc))
    if fts and (old.person, old.body) != (doc["person"], doc["body"]):
        conn.execute(
            _FTS_DELETE, {"id": old.id, **fts_row(doc["register_name"], old.person, old.body)}
        )
        conn.execute(
            _FTS_INSERT, {"id": old.id, **fts_row(doc["register_name"], doc["person"], doc["body"])}
        )


def write_many(
    conn: Connection, docs: list[dict[str, Any]], tokens: list[dict[str, str]] | None = None
) -> None:
    """What `write` does, for many documents at once with a few executemany: for bulk writes
    (the residents import), which the after_flush listener does not see. `tokens`, when the
    caller made them beforehand, are each document's `fts_row`."""
    if not docs:
        return
    made = tokens or [{} for _doc in docs]
    fts = conn.dialect.name == "sqlite"
    old: dict[tuple[str, int], Any] = {}
    registers: dict[str, list[int]] = {}
    for doc in docs:
        registers.setdefault(doc["register_name"], []).append(doc["record_id"])
    for register, record_ids in registers.items():
        for first in range(0, len(record_ids), 500):
            query = select(_TABLE.c.id, _TABLE.c.record_id, _TABLE.c.person, _TABLE.c.body).where(
                _TABLE.c.register_name == register,
                _TABLE.c.record_id.in_(record_ids[first : first + 500]),
            )
            old.update({(register, row.record_id): row for row in conn.execute(query)})
    fresh = [
        (doc, words)
        for doc, words in zip(docs, made, strict=True)
        if (doc["register_name"], doc["record_id"]) not in old
    ]
    ids = insert_many(conn, _TABLE, [doc for doc, _words in fresh])
    if fts and ids:
        conn.execute(
            _FTS_INSERT,
            [
                {
                    "id": doc_id,
                    **(words or fts_row(doc["register_name"], doc["person"], doc["body"])),
                }
                for doc_id, (doc, words) in zip(ids, fresh, strict=True)
            ],
        )
    changed = [
        (old[(d["register_name"], d["record_id"])], d)
        for d in docs
        if (d["register_name"], d["record_id"]) in old
    ]
    if not changed:
        return
    names = list(changed[0][1])
    conn.execute(
        update(_TABLE)
        .where(_TABLE.c.id == bindparam("doc_id"))
        .values({name: bindparam(f"new_{name}") for name in names}),
        [{"doc_id": was.id, **{f"new_{k}": v for k, v in doc.items()}} for was, doc in changed],
    )
    reworded = [
        (was, doc) for was, doc in changed if (was.person, was.body) != (doc["person"], doc["body"])
    ]
    if fts and reworded:
        register_of = [doc["register_name"] for _was, doc in reworded]
        conn.execute(
            _FTS_DELETE,
            [
                {"id": was.id, **fts_row(register, was.person, was.body)}
                for (was, _doc), register in zip(reworded, register_of, strict=True)
            ],
        )
        conn.execute(
            _FTS_INSERT,
            [
                {"id": was.id, **fts_row(doc["register_name"], doc["person"], doc["body"])}
                for was, doc in reworded
            ],
        )


def _changed(session: Session) -> Iterable[Any]:
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, PassItem):
            with session.no_autoflush:
                parent = session.get(ReleasePass, obj.pass_id)
            if parent is not None:
                yield parent
        elif type(obj) in BY_MODEL and (obj in session.new or session.is_modified(obj)):
            yield obj


def after_flush(session: Session, _context: Any) -> None:
    """Rewrite the lookup document of each indexed record `session` just flushed."""
    seen: set[tuple[str, int]] = set()
    targets = []
    for obj in _changed(session):
        source = BY_MODEL[type(obj)]
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

    Used by the migration for databases that already hold records and by bench/generate.py.
    The documents are the same as `write` makes (`document`, `fts_row`), written a batch at a
    time with one executemany each. Only the columns the index needs are read, so a later
    migration adding columns does not break it.
    """
    fts = conn.dialect.name == "sqlite"
    conn.execute(delete(_TABLE))
    if fts:
        conn.execute(text("INSERT INTO search_fts (search_fts) VALUES ('delete-all')"))
    doc_id = 0
    for source in SOURCES:
        table = source.model.__table__
        needed = {"id", "state", "room", "operator_id", "active", "kind", "unit_id", "estate_id"}
        needed |= {source.person, source.at, source.number, source.phone, *source.body}
        needed |= {"reply_due_at", "dispatch_due_at", "appointment_at", "callback_due_at"}
        needed |= {"escalation_due_at", "escalated_at", "replied_at", "resolve_due_at"}
        needed |= {"due_at", "valid_until", "stub_returned_at", "on_site_due_at"}
        needed |= set(LATER_COMPLAINT_COLUMNS)
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
            docs, tokens = [], []
            for row in rows:
                doc_id += 1
                doc = {"id": doc_id, **document(conn, source, row)}
                docs.append(doc)
                tokens.append(
                    {"id": doc_id, **fts_row(source.register, doc["person"], doc["body"])}
                )
            conn.execute(insert(_TABLE), docs)
            if fts:
                conn.execute(_FTS_INSERT, tokens)
            last = rows[-1].id
    return doc_id
