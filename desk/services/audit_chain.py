"""The audit chain: every event sealed, as its transaction commits, into one hash chain.

Each seal (`AuditSeal`) holds the event's place in the chain (`seq`), the hash of the seal
before it and its own hash over the event's whole content, that link and `row`: the event's
record as the transaction left it, written as the fields that changed since the record's last
seal (all of them the first time). So the chain can be re-computed from the file alone, and the
registers' rows can be replayed from it: `desk.services.audit_verify` does both. What of a
record the chain follows (phones masked, a PIN's hash digested) is desk.services.audit_rows.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import desc, insert, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from desk import changes
from desk.models import AuditEvent, AuditSeal
from desk.services.audit_rows import BY_NAME, CHUNK, Register, changed, current_rows, digest, fold
from desk.services.jsonable import plain

# The hash a chain starts from (the "seal before the first").
GENESIS = "0" * 64
# PostgreSQL: sealers take this transaction-scoped advisory lock, so two desks committing at
# once seal one after the other (SQLite's writers are already one at a time: BEGIN IMMEDIATE).
LOCK_KEY = 0x6465736B  # "desk"
_PENDING = "desk_audit_pending"


def canonical(value: Any) -> str:
    """The one text of a value that its hash is taken over."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def event_content(row: Mapping[Any, Any]) -> dict[str, Any]:
    """An audit_event row's fields, as they are hashed."""
    return {
        "id": row["id"],
        "at": plain(row["at"]),
        "operator_id": row["operator_id"],
        "register": row["register_name"],
        "record_id": row["record_id"],
        "action": row["action"],
        "data": row["data"],
        "reason": row["reason"],
    }


def link_hash(seq: int, prev_hash: str, content: Mapping[str, Any], row: str | None) -> str:
    """The hash of one seal: its place, the link before it, the event and the record's row."""
    return digest(canonical([seq, prev_hash, content, row]))


def track(session: Session, event: AuditEvent | int) -> None:
    """Have `event` (or the event of that id) sealed when `session` commits (called by
    desk.services.audit.record and record_many)."""
    pending = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = []
        from sqlalchemy import event as sa_event

        sa_event.listen(session, "before_commit", _seal_on_commit)
        sa_event.listen(session, "after_soft_rollback", _forget_on_rollback)
    pending.append(event)


def _seal_on_commit(session: Session) -> None:
    pending: list[AuditEvent | int] = session.info.get(_PENDING) or []
    if not pending:
        return
    session.info[_PENDING] = []
    session.flush()
    ids = [event if isinstance(event, int) else event.id for event in pending]
    written = changes.changes(session)
    changes.forget(session)
    seal_events(session, [event_id for event_id in ids if event_id is not None], written)


def _forget_on_rollback(session: Session, _previous: object) -> None:
    session.info[_PENDING] = []
    changes.forget(session)


def lock_chain(conn: Connection | Session) -> None:
    """Seal one transaction at a time (PostgreSQL; SQLite's writer already holds the file)."""
    if _dialect(conn) == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def _dialect(conn: Connection | Session) -> str:
    bind = conn.get_bind() if isinstance(conn, Session) else conn
    return bind.dialect.name


def head(conn: Connection | Session) -> tuple[int, str]:
    """The chain's last link: (seq, hash); (0, GENESIS) for an empty chain."""
    seals = AuditSeal.__table__  # type: ignore[attr-defined]
    last = conn.execute(
        select(seals.c.seq, seals.c.hash).order_by(desc(seals.c.seq)).limit(1)
    ).first()
    return (0, GENESIS) if last is None else (int(last[0]), str(last[1]))


def _previous_states(
    conn: Connection | Session, register: str, record_ids: Sequence[int]
) -> dict[int, dict[str, Any]]:
    """Each record's state as its seals so far describe it."""
    states: dict[int, dict[str, Any]] = {}
    events, seals = AuditEvent.__table__, AuditSeal.__table__  # type: ignore[attr-defined]
    for start in range(0, len(record_ids), CHUNK):
        part = record_ids[start : start + CHUNK]
        statement = (
            select(events.c.record_id, seals.c.row)
            .join(seals, seals.c.event_id == events.c.id)
            .where(events.c.register_name == register, events.c.record_id.in_(part))
            .where(seals.c.row.is_not(None))
            .order_by(seals.c.seq)
        )
        for record_id, row in conn.execute(statement):
            folded = fold(states.get(int(record_id)), row)
            if folded is not None:
                states[int(record_id)] = folded
    return states


def _touched(
    register: Register, record_id: int, written: Mapping[tuple[str, int], changes.Change]
) -> tuple[bool, set[str], dict[str, set[int]]]:
    """What the desk's own writes in this transaction changed of one record: whether it was
    written whole, the fields it wrote, and which rows of each of its parts it wrote."""
    change = written.get((register.table, record_id))
    whole = bool(change and change.whole)
    fields = set(change.columns) if change else set()
    parts: dict[str, set[int]] = {}
    for (table, row_id), part in written.items():
        for part_table, column in register.parts:
            if table == part_table and part.refs.get(column) == record_id:
                parts.setdefault(part_table, set()).add(row_id)
    return whole, fields, parts


def _merged_part(before: Any, now: Any, rows: set[int]) -> list[Any]:
    """A part as sealed so far, with only the rows the desk wrote now taken as they stand (a
    new return of a loan does not carry an edited older return into the chain)."""
    merged = {item["id"]: item for item in before or [] if isinstance(item, dict)}
    current = {item["id"]: item for item in now or [] if isinstance(item, dict)}
    for row_id in rows:
        if row_id in current:
            merged[row_id] = current[row_id]
        else:
            merged.pop(row_id, None)  # deleted by the desk
    return [merged[row_id] for row_id in sorted(merged)]


def seal_events(
    conn: Connection | Session,
    event_ids: Sequence[int],
    written: Mapping[tuple[str, int], changes.Change] | None = None,
) -> None:
    """Seal these events (already written, not yet sealed) in this order, at the chain's end.

    `written`: what the desk's transaction changed (desk.changes). Each event's seal then holds
    only those fields of its record (all of them for a record made now or never sealed before):
    a change made behind the desk's back stays unsealed, and verify keeps naming it. Without
    `written` (the migration that starts the chain, the bench's generated files) a record's
    whole row is sealed, as it stands, with its first event.
    """
    if not event_ids:
        return
    lock_chain(conn)
    seq, prev = head(conn)
    events = AuditEvent.__table__  # type: ignore[attr-defined]
    rows: dict[int, Mapping[Any, Any]] = {}
    for start in range(0, len(event_ids), CHUNK):
        part = list(event_ids[start : start + CHUNK])
        for row in conn.execute(select(events).where(events.c.id.in_(part))).mappings():
            rows[int(row["id"])] = row
    # the records these events are about, now and as their seals so far describe them
    by_register: dict[str, set[int]] = {}
    for event_row in rows.values():
        if event_row["register_name"] in BY_NAME:
            register_ids = by_register.setdefault(event_row["register_name"], set())
            register_ids.add(int(event_row["record_id"]))
    now: dict[tuple[str, int], dict[str, Any]] = {}
    before: dict[tuple[str, int], dict[str, Any]] = {}
    for register, ids in by_register.items():
        for record_id, fields in current_rows(conn, register, ids).items():
            now[(register, record_id)] = fields
        for record_id, state in _previous_states(conn, register, sorted(ids)).items():
            before[(register, record_id)] = state
    seals: list[dict[str, Any]] = []
    for event_id in event_ids:
        event = rows[event_id]
        key = (str(event["register_name"]), int(event["record_id"]))
        row_text: str | None = None
        if key in now:
            prior = before.get(key)
            fields = changed(prior, now[key])
            if prior is not None and written is not None:
                whole, touched, parts = _touched(BY_NAME[key[0]], key[1], written)
                if not whole:
                    fields = {name: value for name, value in fields.items() if name in touched}
                    for part_table, part_rows in parts.items():
                        merged = _merged_part(
                            prior.get(part_table), now[key].get(part_table), part_rows
                        )
                        if merged != prior.get(part_table):
                            fields[part_table] = merged
            row_text = canonical(fields)
            before[key] = {**(prior or {}), **fields}
        seq += 1
        sealed = link_hash(seq, prev, event_content(event), row_text)
        seals.append(
            {"seq": seq, "event_id": event_id, "prev_hash": prev, "hash": sealed, "row": row_text}
        )
        prev = sealed
    conn.execute(insert(AuditSeal.__table__), seals)  # type: ignore[attr-defined]


def seal_unsealed(conn: Connection | Session) -> int:
    """Seal every event not yet in the chain, oldest first (the migration that starts the chain,
    and the bench's generated files). Each record's whole row, as it stands, is sealed with its
    first event sealed here; its later ones seal no change."""
    events, seals = AuditEvent.__table__, AuditSeal.__table__  # type: ignore[attr-defined]
    ids = [
        int(event_id)
        for (event_id,) in conn.execute(
            select(events.c.id)
            .outerjoin(seals, seals.c.event_id == events.c.id)
            .where(seals.c.seq.is_(None))
            .order_by(events.c.id)
        )
    ]
    for start in range(0, len(ids), 20_000):
        seal_events(conn, ids[start : start + 20_000])
    return len(ids)
