"""Build a realistic desk database of N records over ten years (prints how long each phase took).

    .venv/bin/python bench/generate.py --records 1000000 --out bench/data/desk-1000000.db [--seed 7]
    .venv/bin/python bench/generate.py --records 100000 --estates 20 \
        --db postgresql+psycopg://USER:PW@HOST/bench_company     20 estates E01..E20 on PostgreSQL

Migrates with desk.db.open_database, then bulk-inserts rows straight into the real models' tables
(on SQLite SQLAlchemy Core executemany in large batches, on PostgreSQL psycopg's COPY; the ORM
per-row path is far too slow for a million), then builds the lookup index with
desk.services.search_index.reindex. Reproducible: the same --seed and --end give the same database.
A PostgreSQL database named by --db is created when missing and emptied first (only one whose name
starts with "bench_", so no other database on the server is ever touched).

A company (--estates N, 20 when given without a number) has N estates E01..EN besides the default
one (which stays empty), each with its own units (1,200), residents (3,200) and key cabinet; every
record belongs to one estate drawn at random, and its number starts with the estate's code, as
the desk writes them outside the default estate (E07-WX-20261207-001).

Shape: 3,000 units in 10 buildings, 8,000 residents, 12 operators, 60 keys; N records spread over
ten years ending at --end (default: now) across the registers — reception 35 %, repairs 30 %,
complaints 8 %, key loans 12 %, passes 10 % (1-5 items each), night log 5 % — each with one audit
event. Almost everything is closed; the last day's records are often still open and about 200
older ones were never closed (a few hundred open items, as at a real desk).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import Table, create_engine, event, insert, inspect
from sqlalchemy.engine import make_url

from desk.config import load_settings
from desk.db import make_engine
from desk.db_file import database_url
from desk.demo import ENQUIRIES, GIVEN, PHONE_PREFIXES, SURNAMES
from desk.demo.complaints import CASES
from desk.demo.keys import FACILITIES, ROUTINE
from desk.demo.passes import GOODS
from desk.demo.repairs import REPAIR_JOBS
from desk.demo.shifts import CALLS
from desk.migrations import upgrade
from desk.models import (
    AuditEvent,
    Complaint,
    Counter,
    Estate,
    Key,
    KeyLoan,
    NightLogEntry,
    Operator,
    PassItem,
    ReceptionEntry,
    ReleasePass,
    RepairOrder,
    Resident,
    Unit,
)
from desk.services import audit_chain, search_index
from desk.services.operators import hash_pin

UNITS = 3000
# a company's estate is smaller than the single estate of the one-desk bench
COMPANY_UNITS = 1200
COMPANY_RESIDENTS = 3200
BUILDINGS = 10
FLOORS = 30
PER_FLOOR = 10
RESIDENTS = 8000
YEARS_DAYS = 3650
BATCH = 20_000
# register, share of the records
SHARES = (
    ("reception", 35),
    ("repairs", 30),
    ("complaints", 8),
    ("key_loans", 12),
    ("passes", 10),
    ("nightlog", 5),
)
OPERATORS = (
    ("王芳", "clerk"),
    ("刘洋", "clerk"),
    ("张伟", "night"),
    ("陈静", "supervisor"),
    ("李娜", "clerk"),
    ("赵敏", "clerk"),
    ("孙强", "night"),
    ("周丽", "clerk"),
    ("吴磊", "clerk"),
    ("郑军", "night"),
    ("黄艳", "clerk"),
    ("何杰", "supervisor"),
)
TECHNICIANS = ("李师傅", "王师傅", "陈师傅", "刘师傅", "张师傅", "杨师傅")
# added to a description now and then, so that texts are not a handful of repeated lines
EXTRAS = (
    "",
    "",
    "",
    "住户下午在家",
    "请维修前电话联系",
    "老人独居，请尽快处理",
    "已是第二次反映",
    "楼下住户也受影响",
    "晚上七点后方便",
    "家里有小孩",
    "周末在家",
    "希望今天处理",
    "业主出差，家人在家",
    "邻居代为报修",
)
OPEN_RECENT = timedelta(days=1)
# old records never closed (forgotten at the desk): about this many in the whole database
OLD_OPEN = 200


def defaults(table: Table, present: set[str] | None = None) -> dict[str, Any]:
    """Every column of `table` with its scalar default (or None): uniform executemany rows.
    `present`: the columns the database's table has (an older revision has fewer)."""
    row: dict[str, Any] = {}
    for column in table.c:
        if present is not None and column.name not in present:
            continue
        default = column.default
        row[column.name] = getattr(default, "arg", None) if default is not None else None
    if "estate_id" in row:
        row["estate_id"] = 1  # the default estate
    return row


def _copy_value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


class Writer:
    """Buffers rows per table and flushes them with one executemany per batch (SQLite) or one
    COPY (PostgreSQL, psycopg's cursor.copy)."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.copy = conn.dialect.name == "postgresql"
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.tables: dict[str, Table] = {}
        self.bases: dict[str, dict[str, Any]] = {}
        self.count: dict[str, int] = {}
        self.present: dict[str, set[str]] = {}

    def add(self, model: Any, row: dict[str, Any]) -> None:
        table = model.__table__
        name = table.name
        if name not in self.tables:
            self.tables[name] = table
            found = {column["name"] for column in inspect(self.conn).get_columns(name)}
            self.present[name] = found
            self.bases[name] = defaults(table, found)
            self.rows[name] = []
        buffer = self.rows[name]
        if len(row) != len(self.bases[name]) or not row.keys() <= self.present[name]:
            row = {key: value for key, value in row.items() if key in self.present[name]}
        buffer.append({**self.bases[name], **row})
        if len(buffer) >= BATCH:
            self.flush()  # every table, parents first (in the order they were first seen)

    def flush(self, name: str | None = None) -> None:
        for key in [name] if name else list(self.rows):
            if self.rows[key]:
                if self.copy:
                    self._copy(key, self.rows[key])
                else:
                    self.conn.execute(insert(self.tables[key]), self.rows[key])
                self.count[key] = self.count.get(key, 0) + len(self.rows[key])
                self.rows[key] = []

    def _copy(self, name: str, rows: list[dict[str, Any]]) -> None:
        table = self.tables[name]
        columns = list(rows[0])
        # a key the database numbers itself (the audit events' ids) is left to it
        columns = [
            column
            for column in columns
            if not (
                (table.c[column].primary_key or table.c[column].server_default is not None)
                and all(row[column] is None for row in rows)
            )
        ]
        quoted = ", ".join(f'"{column}"' for column in columns)
        cursor = self.conn.connection.driver_connection.cursor()
        with cursor.copy(f'COPY "{name}" ({quoted}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([_copy_value(row[column]) for column in columns])
        cursor.close()


@dataclass
class Place:
    """One estate of the generated database: its id, its numbers' prefix, its residents and the
    ids of its key cabinet."""

    estate_id: int
    prefix: str
    people: list[tuple[str, str, str]]
    key_base: int


class Gen:
    """The random choices of one database (one seeded generator, used in a fixed order)."""

    def __init__(self, seed: int, end: datetime, records: int, tz: Any) -> None:
        self.rng = random.Random(seed)
        self.end = end
        self.start = end - timedelta(days=YEARS_DAYS)
        self.records = records
        self.tz = tz
        self.old_open = OLD_OPEN / max(records, 1)
        self.counters: dict[str, int] = {}

    def person(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)

    def phone(self) -> str:
        return self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def moments(self) -> list[datetime]:
        """N moments over ten years, mostly in office hours, in time order."""
        rng = self.rng
        span = (self.end - self.start).total_seconds()
        days = int(span // 86400)
        hours = list(range(24))
        weights = [1, 1, 1, 1, 1, 1, 2, 4, 9, 10, 10, 9, 6, 8, 10, 10, 9, 8, 6, 5, 4, 3, 2, 1]
        chosen = rng.choices(hours, weights=weights, k=self.records)
        local0 = self.start.astimezone(self.tz).replace(hour=0, minute=0, second=0, microsecond=0)
        seconds = []
        for hour in chosen:
            day = rng.randrange(days + 1)
            seconds.append(day * 86400 + hour * 3600 + rng.randrange(3600))
        seconds.sort()
        base = local0.astimezone(UTC)
        out = [base + timedelta(seconds=s) for s in seconds]
        return [moment for moment in out if moment <= self.end] or [self.end]

    def is_open(self, at: datetime) -> bool:
        if self.end - at < OPEN_RECENT:
            return self.rng.random() < 0.6
        return self.rng.random() < self.old_open

    def number(self, prefix: str, at: datetime, estate: str = "") -> str:
        day = at.astimezone(self.tz).strftime("%Y%m%d")
        key = f"{estate}{prefix}-{day}"
        value = self.counters.get(key, 0) + 1
        self.counters[key] = value
        return f"{key}-{value:03d}"

    def text(self, base: str) -> str:
        extra = self.rng.choice(EXTRAS)
        return f"{base}，{extra}" if extra else base


def rooms() -> list[tuple[str, str, str]]:
    out = []
    for building in range(1, BUILDINGS + 1):
        for floor in range(1, FLOORS + 1):
            for unit in range(1, PER_FLOOR + 1):
                room = f"{floor}{unit:02d}"
                out.append((str(building), room, f"{building}-{room}"))
    return out[:UNITS]


def operators(w: Writer, now: datetime) -> list[int]:
    pin = hash_pin("1111")
    for i, (name, role) in enumerate(OPERATORS, start=1):
        w.add(Operator, {"id": i, "name": name, "role": role, "pin_hash": pin, "created_at": now})
    return list(range(1, len(OPERATORS) + 1))


@dataclass
class Ids:
    """The next free id of each directory table (the estates' directories follow one another)."""

    unit: int = 0
    resident: int = 0
    key: int = 0


def directory(
    w: Writer,
    g: Gen,
    now: datetime,
    estate_id: int = 1,
    units: int = UNITS,
    residents: int = RESIDENTS,
    ids: Ids | None = None,
) -> tuple[list[str], list[tuple[str, str, str]], int]:
    """One estate's units, residents and key cabinet; returns its codes, its residents and the
    id before its first key."""
    ids = ids or Ids()
    first_unit, key_base = ids.unit, ids.key
    codes = []
    for i, (building, room, code) in enumerate(rooms()[:units], start=first_unit + 1):
        codes.append(code)
        w.add(
            Unit,
            {
                "id": i,
                "building": building,
                "room": room,
                "code": code,
                "created_at": now,
                "estate_id": estate_id,
            },
        )
    ids.unit += len(codes)
    people = []
    for n in range(1, residents + 1):
        unit_no = (n - 1) % units + 1 if n <= units else g.rng.randrange(1, units + 1)
        name, phone = g.person(), g.phone()
        people.append((name, phone, codes[unit_no - 1]))
        w.add(
            Resident,
            {
                "id": ids.resident + n,
                "unit_id": first_unit + unit_no,
                "name": name,
                "phone": phone,
                "kind": "owner" if n <= units or g.rng.random() < 0.4 else "tenant",
                "active": g.rng.random() > 0.05,
                "operator_id": 1,
                "created_at": g.start,
                "estate_id": estate_id,
            },
        )
    ids.resident += residents
    key_id = key_base
    for tag, opens, copies, hook in FACILITIES:
        key_id += 1
        w.add(
            Key,
            {
                "id": key_id,
                "tag": tag,
                "opens": opens,
                "copies": int(copies),
                "hook": hook,
                "created_at": g.start,
                "estate_id": estate_id,
            },
        )
    for code in codes[:45]:
        key_id += 1
        w.add(
            Key,
            {
                "id": key_id,
                "tag": f"K-{code}",
                "kind": "unit",
                "opens": f"{code} 入户门",
                "room": code,
                "copies": 2,
                "hook": f"B-{key_id - key_base:02d}",
                "created_at": g.start,
                "estate_id": estate_id,
            },
        )
    # a key with copies to spare for bench/run.py's save measurements
    w.add(
        Key,
        {
            "id": key_id + 1,
            "tag": "K-BENCH",
            "opens": "测量用",
            "copies": 100000,
            "created_at": g.start,
            "estate_id": estate_id,
        },
    )
    ids.key = key_id + 1
    return codes, people, key_base


def company(w: Writer, g: Gen, now: datetime, count: int) -> list[Place]:
    """`count` estates E01.. (ids 2..count+1, each on the audit trail as `desk estate add`
    leaves it) and each one's directory."""
    places = []
    ids = Ids()
    for n in range(1, count + 1):
        estate_id, code = n + 1, f"E{n:02d}"
        w.add(
            Estate,
            {
                "id": estate_id,
                "code": code,
                "name": f"第{n}小区",
                "name_en": f"Estate {n}",
                "settings": "",
                "active": True,
                "created_at": g.start,
            },
        )
        w.add(
            AuditEvent,
            {
                "at": g.start,
                "operator_id": 4,
                "register_name": "estates",
                "record_id": estate_id,
                "action": "created",
                "data": json.dumps({"code": code, "name": f"第{n}小区"}, ensure_ascii=False),
            },
        )
    w.flush()
    for n in range(1, count + 1):
        _codes, people, key_base = directory(
            w, g, now, n + 1, COMPANY_UNITS, COMPANY_RESIDENTS, ids
        )
        places.append(Place(n + 1, f"E{n:02d}-", people, key_base))
    return places


def record_rows(
    g: Gen, register: str, rid: int, at: datetime, ops: list[int], place: Place
) -> Iterator[tuple[Any, dict[str, Any]]]:
    """The rows of one record (and its pass items): (model, row) pairs."""
    rng = g.rng
    op = rng.choice(ops)
    name, phone, room = rng.choice(place.people)
    pre = place.prefix
    still_open = g.is_open(at)
    h = timedelta(hours=1)
    if register == "reception":
        category, request, action, department = rng.choice(ENQUIRIES)
        state = rng.choice(("open", "referred")) if still_open else "closed"
        referred = bool(department)
        yield (
            ReceptionEntry,
            {
                "id": rid,
                "number": g.number("JD", at, pre),
                "received_at": at,
                "channel": rng.choice(("visit", "phone", "phone", "phone", "online")),
                "person": name,
                "room": room,
                "phone": phone,
                "category": category,
                "request": g.text(request),
                "action_taken": action,
                "department": department,
                "reply_due_at": at + 24 * h if referred or still_open else None,
                "state": state,
                "answered_at": None if still_open else at + 2 * h,
                "answer": "" if still_open else "已电话回复住户",
                "operator_id": op,
                "created_at": at,
            },
        )
    elif register == "repairs":
        category, location, description, work = rng.choice(REPAIR_JOBS)
        state = "closed"
        if still_open:
            state = rng.choice(("registered", "dispatched", "on_site", "completed"))
        done = state in ("completed", "closed")
        yield (
            RepairOrder,
            {
                "id": rid,
                "number": g.number("WX", at, pre),
                "reported_at": at,
                "channel": rng.choice(("visit", "phone", "phone", "online")),
                "resident_name": name,
                "room": room if location == "unit" else f"{room.split('-')[0]}栋公共区域",
                "phone": phone,
                "description": g.text(description),
                "location": location,
                "category": category,
                "paid": rng.random() < 0.2,
                "state": state,
                "dispatch_due_at": at + timedelta(minutes=30),
                "dispatched_at": None if state == "registered" else at + timedelta(minutes=20),
                "technician": "" if state == "registered" else rng.choice(TECHNICIANS),
                "on_site_at": at + h if done or state == "on_site" else None,
                "completed_at": at + 2 * h if done else None,
                "work_done": work if done else "",
                "callback_due_at": at + 50 * h if done else None,
                "callback_at": at + 30 * h if state == "closed" else None,
                "callback_note": "住户表示满意" if state == "closed" else "",
                "satisfied": True if state == "closed" else None,
                "closed_at": at + 30 * h if state == "closed" else None,
                "operator_id": op,
                "created_at": at,
            },
        )
    elif register == "complaints":
        cat, severity, dept, who, what, asks, reply, result = rng.choice(CASES)
        state = rng.choice(("registered", "assigned", "replied")) if still_open else "closed"
        closed = state == "closed"
        yield (
            Complaint,
            {
                "id": rid,
                "number": g.number("TS", at, pre),
                "received_at": at,
                "channel": rng.choice(("visit", "phone", "letter", "online")),
                "complainant": name,
                "room": room,
                "phone": phone,
                "category": cat,
                "department": dept,
                "person_complained": who,
                "what_happened": g.text(what),
                "resident_asks": asks,
                "owner_id": op,
                "validity": "pending" if state == "registered" else "valid",
                "severity": severity,
                "deadline_table": "standard",
                "escalation_due_at": at + 2 * h if severity == "major" else None,
                "escalated_at": at + h if severity == "major" and state != "registered" else None,
                "assigned_department": dept if state != "registered" else "",
                "assigned_at": at + h if state != "registered" else None,
                "reply_due_at": at + 24 * h,
                "replied_at": at + 20 * h if state in ("replied", "closed") else None,
                "reply_text": reply if state in ("replied", "closed") else "",
                "resolve_due_at": at + 72 * h,
                "resolved_at": at + 60 * h if closed else None,
                "resolution": result if closed else "",
                "callback_due_at": at + 96 * h if closed else None,
                "callback_at": at + 80 * h if closed else None,
                "satisfied": True if closed else None,
                "state": state,
                "closed_at": at + 80 * h if closed else None,
                "operator_id": op,
                "created_at": at,
            },
        )
    elif register == "key_loans":
        key_no = rng.randrange(1, len(FACILITIES) + 46)
        yield (
            KeyLoan,
            {
                "id": rid,
                "number": g.number("JY", at, pre),
                "key_id": place.key_base + key_no,
                "borrower": rng.choice((*TECHNICIANS, "保洁 刘阿姨", "绿化 王师傅")),
                "department": rng.choice(("engineering", "cleaning", "security")),
                "reason": g.text(rng.choice(ROUTINE)),
                "room": room if key_no > len(FACILITIES) else "",
                "out_at": at,
                "due_at": at + 4 * h,
                "returned_count": 0 if still_open else 1,
                "state": "out" if still_open else "returned",
                "closed_at": None if still_open else at + 3 * h,
                "operator_id": op,
                "created_at": at,
            },
        )
    elif register == "passes":
        local = at.astimezone(g.tz)
        valid_on = date(local.year, local.month, local.day)
        valid_until = (local.replace(hour=23, minute=59, second=0, microsecond=0)).astimezone(UTC)
        state = "issued" if still_open else rng.choice(("used",) * 18 + ("voided", "refused"))
        yield (
            ReleasePass,
            {
                "id": rid,
                "number": g.number("FX", at, pre),
                "room": room,
                "applicant": name,
                "relationship": rng.choice(("owner", "owner", "tenant", "agent")),
                "id_type": "id_card",
                "id_last4": f"{rng.randrange(10000):04d}",
                "owner_phone_called": phone,
                "vehicle_plate": f"粤B{rng.randrange(100000):05d}",
                "valid_on": valid_on,
                "valid_until": valid_until,
                "state": state,
                "gate_result": {"used": "all_out", "refused": "refused"}.get(state, ""),
                "gate_checked_at": at + h if state in ("used", "refused") else None,
                "guard_name": "周建军" if state in ("used", "refused") else "",
                "gate_note": "物品与放行条不符" if state == "refused" else "",
                "voided_at": at + h if state == "voided" else None,
                "void_reason": "业主改期搬家" if state == "voided" else "",
                "stub_returned_at": None if still_open else at + 2 * h,
                "stub_received_by": None if still_open else op,
                "operator_id": op,
                "created_at": at,
            },
        )
        for line in range(1, rng.choice((1, 2, 2, 3, 3, 4, 5)) + 1):
            description, remark = rng.choice(GOODS)
            yield (
                PassItem,
                {
                    "pass_id": rid,
                    "line_no": line,
                    "description": description,
                    "quantity": rng.randrange(1, 4),
                    "remark": remark,
                },
            )
    else:
        what, action, _emergency, _then = rng.choice(CALLS)
        yield (
            NightLogEntry,
            {
                "id": rid,
                "logged_at": at,
                "caller": name,
                "room": room,
                "phone": phone,
                "what": g.text(what),
                "emergency": bool(_emergency == "yes"),
                "action_taken": action,
                "state": "left_for_morning" if still_open else "handled",
                "operator_id": op,
                "created_at": at,
            },
        )


def _unsafe_but_fast(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.execute("PRAGMA synchronous=OFF")
    dbapi_conn.execute("PRAGMA cache_size=-200000")


def phase(label: str, began: float, count: int | None = None) -> float:
    took = time.perf_counter() - began
    rate = f"  ({count / took:,.0f} rows/s)" if count and took > 0 else ""
    print(f"  {label:46} {took:8.1f} s{rate}", flush=True)
    return time.perf_counter()


def fresh_server_database(url: str) -> None:
    """Create the PostgreSQL database `url` names, emptied first (a name starting with "bench_"
    only: the bench never touches any other database on the server)."""
    name = make_url(url).database or ""
    if not name.startswith("bench_"):
        raise SystemExit(
            f"generate: a server database for the bench is named bench_..., not {name!r}"
        )
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        admin.dispose()


@contextmanager
def _known_rooms_and_items(conn: Any) -> Iterator[None]:
    """search_index.reindex reads each resident's unit and each pass's items with a query of its
    own (right for a migration, 150,000 round trips to a server at a million records): here
    they are read once, in the same order, and handed to it from memory."""
    if not (hasattr(search_index, "_room_of") and hasattr(search_index, "_extra_text")):
        yield  # the index is built some other way now: nothing to hand it
        return
    rooms = {int(row[0]): str(row[1]) for row in conn.exec_driver_sql("SELECT id, code FROM unit")}
    items: dict[int, list[str]] = {}
    for pass_id, description, remark in conn.exec_driver_sql(
        "SELECT pass_id, description, remark FROM pass_item ORDER BY id"
    ):
        items.setdefault(int(pass_id), []).extend((description, remark))
    room_of, extra_text = search_index._room_of, search_index._extra_text

    def cached_room(conn: Any, source: Any, row: Any) -> str:
        if source.model is Resident:
            return rooms.get(row.unit_id, "")
        return room_of(conn, source, row)

    def cached_items(conn: Any, source: Any, row: Any) -> list[str]:
        if source.model is ReleasePass:
            return items.get(row.id, [])
        return extra_text(conn, source, row)

    search_index._room_of, search_index._extra_text = cached_room, cached_items  # type: ignore[assignment]
    try:
        yield
    finally:
        search_index._room_of, search_index._extra_text = room_of, extra_text  # type: ignore[assignment]


def _sequences_past_ids(conn: Any) -> None:
    """PostgreSQL: each table's id sequence past the ids written here (the generator, the
    lookup index and the seals name their ids themselves)."""
    for name in inspect(conn).get_table_names():
        if "id" in {column["name"] for column in inspect(conn).get_columns(name)}:
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), max(id)) "
                f'FROM "{name}" HAVING max(id) IS NOT NULL'
            )


def _bulk_session(conn: Any) -> None:
    """PostgreSQL, for this load only: no fsync wait per commit, and (a superuser) no foreign-key
    trigger per row (the generator writes parents first; the rows are rebuilt from the seed)."""
    conn.exec_driver_sql("SET LOCAL synchronous_commit TO off")
    superuser = conn.exec_driver_sql(
        "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
    ).scalar()
    if superuser:
        conn.exec_driver_sql("SET LOCAL session_replication_role TO replica")


def generate(
    records: int,
    out: Path | str,
    seed: int = 7,
    end: datetime | None = None,
    estates: int = 1,
) -> None:
    end = end or datetime.now(UTC).replace(microsecond=0)
    server = isinstance(out, str) and "://" in out and not out.startswith("sqlite")
    if server:
        fresh_server_database(str(out))
        url = str(out)
    else:
        out = Path(out)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{out}{suffix}").unlink(missing_ok=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        url = database_url(out)
    total = time.perf_counter()
    where = make_url(url).render_as_string(hide_password=True)
    print(
        f"generating {records:,} records in {estates} estate(s) into {where} "
        f"(seed {seed}, ending {end:%Y-%m-%d %H:%M})"
    )
    began = time.perf_counter()
    engine = make_engine(url)
    upgrade(engine)
    settings = load_settings()
    g = Gen(seed, end, records, settings.tz)
    began = phase("migrate", began)
    if not server:
        # a bulk load: the file is rebuilt from the seed if the machine dies half-way
        engine.dispose()
        event.listen(engine, "connect", _unsafe_but_fast)
    with engine.begin() as conn:
        if server:
            _bulk_session(conn)
        w = Writer(conn)
        ops = operators(w, end)
        if estates > 1:
            places = company(w, g, end, estates)
            w.flush()
            units, residents = COMPANY_UNITS * estates, COMPANY_RESIDENTS * estates
        else:
            _codes, people, _base = directory(w, g, end)
            places = [Place(1, "", people, 0)]
            w.flush()
            units, residents = UNITS, RESIDENTS
        began = phase("directory (units, residents, keys)", began, units + residents)
        moments = g.moments()
        registers = [name for name, _share in SHARES]
        weights = [share for _name, share in SHARES]
        chosen = g.rng.choices(registers, weights=weights, k=len(moments))
        began = phase("timeline", began)
        ids = dict.fromkeys(registers, 0)
        actions = {
            "reception": "created",
            "repairs": "registered",
            "complaints": "registered",
            "key_loans": "lent",
            "passes": "issued",
            "nightlog": "logged",
        }
        for at, register in zip(moments, chosen, strict=True):
            ids[register] += 1
            rid = ids[register]
            op = 1
            place = places[0] if len(places) == 1 else g.rng.choice(places)
            for model, row in record_rows(g, register, rid, at, ops, place):
                row["estate_id"] = place.estate_id
                w.add(model, row)
                op = row.get("operator_id", op)
            w.add(
                AuditEvent,
                {
                    "at": at,
                    "operator_id": op,
                    "register_name": register,
                    "record_id": rid,
                    "action": actions[register],
                    "data": json.dumps({"room": row.get("room", "")}, ensure_ascii=False),
                },
            )
        for key, value in g.counters.items():
            w.add(Counter, {"key": key, "value": value})
        w.flush()
        rows = sum(w.count.values())
        began = phase("records + audit + counters" + (" (COPY)" if server else ""), began, rows)
    print("  rows: " + ", ".join(f"{name} {count:,}" for name, count in sorted(w.count.items())))
    with engine.begin() as conn:
        if server:
            conn.exec_driver_sql("SET LOCAL synchronous_commit TO off")
        with _known_rooms_and_items(conn):
            written = search_index.reindex(conn)
    began = phase("lookup index (search_index.reindex)", began, written)
    with engine.begin() as conn:
        if server:
            conn.exec_driver_sql("SET LOCAL synchronous_commit TO off")
        sealed = audit_chain.seal_unsealed(conn)
        if server:
            _sequences_past_ids(conn)
    began = phase("audit chain (audit_chain.seal_unsealed)", began, sealed)
    if server:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
            size = conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar()
        phase("vacuum analyze", began)
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        raw = engine.raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
        finally:
            raw.close()
        phase("analyze + checkpoint", began)
        size = Path(out).stat().st_size
    engine.dispose()
    took = time.perf_counter() - total
    rate = records / took
    print(f"done: {records:,} records in {took:.1f} s ({rate:,.0f} records/s), {size / 1e6:.0f} MB")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", type=Path, help="a SQLite file")
    target.add_argument("--db", help="a database URL (PostgreSQL: a database named bench_...)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--end", type=datetime.fromisoformat, default=None, help="ISO time, UTC")
    parser.add_argument(
        "--estates", type=int, nargs="?", const=20, default=1, help="a company (20 if no number)"
    )
    args = parser.parse_args(argv)
    end = args.end.replace(tzinfo=args.end.tzinfo or UTC) if args.end else None
    generate(args.records, args.db or args.out, args.seed, end, args.estates)


if __name__ == "__main__":
    sys.exit(main())
