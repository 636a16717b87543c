"""Build a realistic desk database of N records over ten years (prints how long each phase took).

    .venv/bin/python bench/generate.py --records 1000000 --out bench/data/desk-1000000.db [--seed 7]

Migrates with desk.db.open_database, then bulk-inserts rows straight into the real models' tables
(SQLAlchemy Core executemany in large batches; the ORM per-row path is far too slow for a
million), then builds the lookup index with desk.services.search_index.reindex. Reproducible: the
same --seed and --end give the same database.

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
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Table, event, insert

from desk.config import load_settings
from desk.db import open_database
from desk.demo import ENQUIRIES, GIVEN, PHONE_PREFIXES, SURNAMES
from desk.demo.complaints import CASES
from desk.demo.keys import FACILITIES, ROUTINE
from desk.demo.passes import GOODS
from desk.demo.repairs import REPAIR_JOBS
from desk.demo.shifts import CALLS
from desk.models import (
    AuditEvent,
    Complaint,
    Counter,
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


def defaults(table: Table) -> dict[str, Any]:
    """Every column of `table` with its scalar default (or None): uniform executemany rows."""
    row: dict[str, Any] = {}
    for column in table.c:
        default = column.default
        row[column.name] = getattr(default, "arg", None) if default is not None else None
    if "estate_id" in row:
        row["estate_id"] = 1  # the default estate
    return row


class Writer:
    """Buffers rows per table and flushes them with one executemany per batch."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.tables: dict[str, Table] = {}
        self.bases: dict[str, dict[str, Any]] = {}
        self.count: dict[str, int] = {}

    def add(self, model: Any, row: dict[str, Any]) -> None:
        table = model.__table__
        name = table.name
        if name not in self.tables:
            self.tables[name] = table
            self.bases[name] = defaults(table)
            self.rows[name] = []
        buffer = self.rows[name]
        buffer.append({**self.bases[name], **row})
        if len(buffer) >= BATCH:
            self.flush()  # every table, parents first (in the order they were first seen)

    def flush(self, name: str | None = None) -> None:
        for key in [name] if name else list(self.rows):
            if self.rows[key]:
                self.conn.execute(insert(self.tables[key]), self.rows[key])
                self.count[key] = self.count.get(key, 0) + len(self.rows[key])
                self.rows[key] = []


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

    def number(self, prefix: str, at: datetime) -> str:
        day = at.astimezone(self.tz).strftime("%Y%m%d")
        key = f"{prefix}-{day}"
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


def directory(
    w: Writer, g: Gen, now: datetime
) -> tuple[list[str], list[tuple[str, str, str]], list[int]]:
    """Operators, units, residents and the key cabinet; returns codes, residents, operator ids."""
    pin = hash_pin("1111")
    for i, (name, role) in enumerate(OPERATORS, start=1):
        w.add(Operator, {"id": i, "name": name, "role": role, "pin_hash": pin, "created_at": now})
    codes = []
    for i, (building, room, code) in enumerate(rooms(), start=1):
        codes.append(code)
        w.add(Unit, {"id": i, "building": building, "room": room, "code": code, "created_at": now})
    people = []
    for i in range(1, RESIDENTS + 1):
        unit_id = (i - 1) % UNITS + 1 if i <= UNITS else g.rng.randrange(1, UNITS + 1)
        name, phone = g.person(), g.phone()
        people.append((name, phone, codes[unit_id - 1]))
        w.add(
            Resident,
            {
                "id": i,
                "unit_id": unit_id,
                "name": name,
                "phone": phone,
                "kind": "owner" if i <= UNITS or g.rng.random() < 0.4 else "tenant",
                "active": g.rng.random() > 0.05,
                "operator_id": 1,
                "created_at": g.start,
            },
        )
    key_id = 0
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
                "hook": f"B-{key_id:02d}",
                "created_at": g.start,
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
        },
    )
    return codes, people, list(range(1, len(OPERATORS) + 1))


def record_rows(
    g: Gen, register: str, rid: int, at: datetime, ops: list[int], people: list[Any]
) -> Iterator[tuple[Any, dict[str, Any]]]:
    """The rows of one record (and its pass items): (model, row) pairs."""
    rng = g.rng
    op = rng.choice(ops)
    name, phone, room = rng.choice(people)
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
                "number": g.number("JD", at),
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
                "number": g.number("WX", at),
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
                "number": g.number("TS", at),
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
        key_id = rng.randrange(1, len(FACILITIES) + 46)
        yield (
            KeyLoan,
            {
                "id": rid,
                "number": g.number("JY", at),
                "key_id": key_id,
                "borrower": rng.choice((*TECHNICIANS, "保洁 刘阿姨", "绿化 王师傅")),
                "department": rng.choice(("engineering", "cleaning", "security")),
                "reason": g.text(rng.choice(ROUTINE)),
                "room": room if key_id > len(FACILITIES) else "",
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
                "number": g.number("FX", at),
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


def generate(
    records: int,
    out: Path,
    seed: int = 7,
    end: datetime | None = None,
) -> None:
    end = end or datetime.now(UTC).replace(microsecond=0)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{out}{suffix}").unlink(missing_ok=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    total = time.perf_counter()
    print(f"generating {records:,} records into {out} (seed {seed}, ending {end:%Y-%m-%d %H:%M})")
    began = time.perf_counter()
    database = open_database(out, settings=load_settings())
    g = Gen(seed, end, records, database.settings.tz)
    began = phase("migrate (open_database)", began)
    engine = database.engine
    # a bulk load: the file is rebuilt from the seed if the machine dies half-way
    engine.dispose()
    event.listen(engine, "connect", _unsafe_but_fast)
    with engine.begin() as conn:
        w = Writer(conn)
        _codes, people, ops = directory(w, g, end)
        w.flush()
        began = phase("directory (units, residents, keys)", began, UNITS + RESIDENTS)
        moments = g.moments()
        registers = [name for name, _share in SHARES]
        weights = [share for _name, share in SHARES]
        chosen = g.rng.choices(registers, weights=weights, k=len(moments))
        began = phase("timeline", began)
        ids = dict.fromkeys(registers, 0)
        names = {
            "reception": "reception",
            "repairs": "repairs",
            "complaints": "complaints",
            "key_loans": "key_loans",
            "passes": "passes",
            "nightlog": "nightlog",
        }
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
            for model, row in record_rows(g, register, rid, at, ops, people):
                w.add(model, row)
                op = row.get("operator_id", op)
            w.add(
                AuditEvent,
                {
                    "at": at,
                    "operator_id": op,
                    "register_name": names[register],
                    "record_id": rid,
                    "action": actions[register],
                    "data": json.dumps({"room": row.get("room", "")}, ensure_ascii=False),
                },
            )
        for key, value in g.counters.items():
            w.add(Counter, {"key": key, "value": value})
        w.flush()
        rows = sum(w.count.values())
        began = phase("records + audit + counters", began, rows)
    print("  rows: " + ", ".join(f"{name} {count:,}" for name, count in sorted(w.count.items())))
    with engine.begin() as conn:
        written = search_index.reindex(conn)
    began = phase("lookup index (search_index.reindex)", began, written)
    with engine.begin() as conn:
        sealed = audit_chain.seal_unsealed(conn)
    began = phase("audit chain (audit_chain.seal_unsealed)", began, sealed)
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    raw = engine.raw_connection()
    try:
        raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
    finally:
        raw.close()
    phase("analyze + checkpoint", began)
    database.dispose()
    took = time.perf_counter() - total
    size = out.stat().st_size / 1e6
    rate = records / took
    print(f"done: {records:,} records in {took:.1f} s ({rate:,.0f} records/s), {size:.0f} MB")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--end", type=datetime.fromisoformat, default=None, help="ISO time, UTC")
    args = parser.parse_args(argv)
    end = args.end.replace(tzinfo=args.end.tzinfo or UTC) if args.end else None
    generate(args.records, args.out, args.seed, end)


if __name__ == "__main__":
    sys.exit(main())
