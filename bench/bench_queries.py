"""What bench/run.py measures, shared with its child processes: the queries and the desk's reads."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from desk.db import Database
from desk.models import Handover, Operator
from desk.services import board, handover, lookup, lookup_query
from desk.services.context import Ctx
from desk.services.residents import parse_room
from desk.services.search_index import compact_number, reversed_digits


def queries(database: Database) -> list[tuple[str, str]]:
    """One query of each form the lookup issue names, with values that exist in the database."""
    estate = database.estate_id or 1
    with database.engine.connect() as conn:
        phone = conn.execute(
            text("SELECT phone FROM resident WHERE estate_id = :e ORDER BY id LIMIT 1"),
            {"e": estate},
        ).scalar()
        numbers = conn.execute(
            text("SELECT count(*), max(id) FROM repair_order WHERE estate_id = :e"), {"e": estate}
        ).one()
        # the middle order of the estate (the whole register's middle one in a single estate)
        number = conn.execute(
            text(
                "SELECT number FROM repair_order WHERE estate_id = :e AND id >= :id "
                "ORDER BY id LIMIT 1"
            ),
            {"e": estate, "id": max(1, (numbers[1] or 1) // 2)},
        ).scalar()
    return [
        ("room 3-1202", "3-1202"),
        ("room 3栋1202", "3栋1202"),
        ("room 1202 (all buildings)", "1202"),
        ("surname 王", "王"),
        ("phone last 4", str(phone or "")[-4:]),
        ("record number", str(number or "WX-20200105-001")),
        ("3-char text 水龙头", "水龙头"),
        ("2-char 漏水", "漏水"),
        ("1-char 水", "水"),
    ]


def ctx_of(session: Any, database: Database, operator: Operator | None) -> Ctx:
    return Ctx(session, operator, database.settings, datetime.now(UTC))


def board_refresh(database: Database, operator: Operator | None) -> int:
    """What the board screen reads on every refresh."""
    with database.reading() as session:
        ctx = ctx_of(session, database, operator)
        board.today_counts(ctx)
        return len(board.open_items(ctx))


def shift_summary(database: Database, operator: Operator | None) -> int:
    """The shift-change summary of the current shift, built now (a transient handover)."""
    with database.reading() as session:
        ctx = ctx_of(session, database, operator)
        shift, start, end = handover.current(ctx)
        draft = Handover(
            shift_key=shift.key,
            shift_start=start,
            shift_end=end,
            outgoing_id=operator.id if operator and operator.id else 1,
            opened_at=ctx.now,
            created_at=ctx.now,
        )
        built = handover.build(ctx, draft)
        return sum(len(items) for items in built.sections.values())


def raw_lookup(conn: sqlite3.Connection, query: str, limit: int = 20) -> int:
    """The same first page fetched by hand-written SQL on the same index tables (raw sqlite3)."""
    kinds = lookup_query.classify(query)
    registers = list(lookup.ORDER)
    rows: list[Any] = []
    if "number" in kinds:
        key = compact_number(query)
        rows += conn.execute(
            "SELECT * FROM search_doc WHERE number_key >= ? AND number_key < ? "
            "ORDER BY number_key DESC LIMIT ?",
            (key, key + "~", limit * len(registers)),
        ).fetchall()
    if "phone" in kinds:
        rev = reversed_digits(query)
        rows += conn.execute(
            "SELECT * FROM search_doc WHERE phone_rev >= ? AND phone_rev < ? "
            "ORDER BY rank DESC LIMIT ?",
            (rev, rev + ":", limit * len(registers)),
        ).fetchall()
    if "room" in kinds:
        parsed = parse_room(query)
        assert parsed is not None
        column, value = ("room", parsed.code) if parsed.building else ("room_no", parsed.room)
        sql = " UNION ALL ".join(
            f"SELECT * FROM (SELECT * FROM search_doc WHERE {column} = ? AND register_name = ? "
            "ORDER BY rank DESC LIMIT ?)"
            for _ in registers
        )
        params: list[Any] = []
        for register in registers:
            params += [value, register, limit]
        rows += conn.execute(sql, params).fetchall()
    if "text" in kinds:
        sql = " UNION ALL ".join(
            "SELECT * FROM (SELECT rowid FROM search_fts WHERE search_fts MATCH ? "
            "ORDER BY rowid DESC LIMIT ?)"
            for _ in registers
        )
        params = []
        for register in registers:
            params += [
                lookup_query.fts_expression(query, name="name" in kinds, register=register),
                limit,
            ]
        rows += conn.execute(f"SELECT * FROM search_doc WHERE rank IN ({sql})", params).fetchall()
    return len(rows)


def exercise(database: Database, operator: Operator | None) -> None:
    """Everything a desk does in a session: the board, every lookup, the shift summary."""
    board_refresh(database, operator)
    with database.reading() as session:
        ctx = ctx_of(session, database, operator)
        for _label, query in queries(database):
            lookup.search(ctx, query)
    shift_summary(database, operator)
