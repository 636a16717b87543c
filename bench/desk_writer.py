"""A desk writing records through the real services, and the checks that every saved one is there.

    .venv/bin/python bench/desk_writer.py --db FILE [--seed N] [--mix all|clerk|gate]

opens the desk database (desk.db.open_database) and writes until it is killed: reception entries,
a call that becomes a repair order (two records and a link in one transaction), repair orders,
dispatches, key loans and returns, release passes with their items and gate checks. Each write is
one `Database.writing()` transaction (BEGIN IMMEDIATE). Lines of JSON go to stdout, each with a
single `os.write` (whole or absent when the process dies): {"begin": op} before a transaction and,
right after it committed, {"op": op, "records": [...]} naming what was saved (register, id,
number, the values written).

Used by bench/crash_loop.py (this writer killed at random moments) and bench/two_desks.py (two
writers and a reader on one file). `prepare` makes a fresh database for them; `check_saved` and
`check_whole` read it back with plain sqlite3 (independent of the ORM) and list every problem.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import select

from desk.config import load_settings
from desk.db import Database, open_database
from desk.models import GateResult, Operator, Role
from desk.services import keys, operators, passes, reception, repair, residents
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.keys import KeyLoanCreate
from desk.services.passes import PassCreate, PassItemIn
from desk.services.reception import ReceptionCreate
from desk.services.repair import RepairCreate

CLERKS = ("王芳", "刘洋")
UNITS = [(str(b), f"{f}0{u}") for b in (1, 2, 3) for f in (3, 8, 12) for u in (1, 2)]
OWNERS = ("张伟", "李娜", "陈静", "赵敏", "孙强", "周丽")
KEY_TAGS = [f"K-{n:02d}" for n in range(1, 11)]
KEY_COPIES = 99
TECHNICIANS = ("李师傅", "王师傅", "陈师傅")
GOODS = ("沙发", "纸箱", "冰箱", "床垫", "书柜", "洗衣机")
REQUESTS = ("咨询停车费", "问物业费发票", "门禁卡补办", "快递代收", "装修申请")
REPAIRS = ("厨房水龙头漏水", "卫生间下水堵塞", "客厅灯不亮", "防盗门锁坏", "空调滴水")

# one record a committed transaction saved or changed: register, id, number, audit action, values
Saved = dict[str, Any]


def now() -> datetime:
    return datetime.now(UTC)


def prepare(path: Path) -> None:
    """A fresh, migrated desk database: two clerks, units with owners, a key cabinet."""
    database = open_database(path, settings=load_settings())
    try:
        with database.writing() as session:
            ctx = Ctx(session, None, database.settings, now())
            # the first operator of a database is a supervisor; she adds the clerks
            boss = operators.add_operator(ctx, "陈主管", Role.supervisor, "9999")
            adding = Ctx(session, boss, database.settings, ctx.now)
            for name in CLERKS:
                operators.add_operator(adding, name, Role.clerk, "1111")
            for i, (building, room) in enumerate(UNITS):
                residents.add_resident(
                    ctx, building, room, OWNERS[i % len(OWNERS)], f"1381234{i:04d}", "owner"
                )
            for tag in KEY_TAGS:
                keys.add_key(ctx, tag, f"设备房 {tag}", copies=KEY_COPIES)
    finally:
        database.dispose()


def clerk(database: Database, name: str) -> Operator:
    with database.reading() as session:
        return session.exec(select(Operator).where(Operator.name == name)).one()


# --- the writes -------------------------------------------------------------------------------


@dataclass
class Writes:
    """The writes of one desk: each op runs in the caller's transaction and says what it saved."""

    rng: random.Random
    tag: str
    seq: int = 0

    def label(self) -> str:
        self.seq += 1
        return f"[{self.tag}-{self.seq}]"

    def unit(self) -> tuple[str, str]:
        i = self.rng.randrange(len(UNITS))
        building, room = UNITS[i]
        return f"{building}-{room}", OWNERS[i % len(OWNERS)]

    def reception(self, ctx: Ctx) -> list[Saved]:
        room, person = self.unit()
        data = ReceptionCreate(
            person=person,
            room=room,
            phone="13812345678",
            request=f"{self.rng.choice(REQUESTS)} {self.label()}",
            action_taken="已答复",
        )
        entry = reception.log(ctx, data)
        expect = {"request": data.request, "person": person, "room": room}
        return [saved("reception", entry.id, entry.number, "logged", expect)]

    def call_to_repair(self, ctx: Ctx) -> list[Saved]:
        """A call about a repair: the reception entry, the order and the link, one transaction."""
        room, person = self.unit()
        what = f"{self.rng.choice(REPAIRS)} {self.label()}"
        entry = reception.log(
            ctx,
            ReceptionCreate(person=person, room=room, request=what, category="repair"),
        )
        order = repair.register(
            ctx,
            RepairCreate(resident_name=person, room=room, description=what, reception_id=entry.id),
        )
        return [
            saved(
                "reception",
                entry.id,
                entry.number,
                "linked",
                {"request": what, "linked_register": "repairs", "linked_id": order.id},
            ),
            saved(
                "repairs",
                order.id,
                order.number,
                "registered",
                {"description": what, "reception_id": entry.id, "room": room},
            ),
        ]

    def repair(self, ctx: Ctx) -> list[Saved]:
        room, person = self.unit()
        data = RepairCreate(
            resident_name=person,
            room=room,
            description=f"{self.rng.choice(REPAIRS)} {self.label()}",
        )
        order = repair.register(ctx, data)
        expect = {"description": data.description, "resident_name": person, "room": room}
        return [saved("repairs", order.id, order.number, "registered", expect)]

    def dispatch(self, ctx: Ctx) -> list[Saved]:
        ids = pick(ctx, "SELECT id FROM repair_order WHERE state = 'registered' ORDER BY id DESC")
        if not ids:
            return self.repair(ctx)
        technician = f"{self.rng.choice(TECHNICIANS)}{self.label()}"
        order = repair.dispatch(ctx, self.rng.choice(ids), technician)
        expect = {"technician": technician, "state": "dispatched"}
        return [saved("repairs", order.id, order.number, "dispatched", expect)]

    def lend(self, ctx: Ctx) -> list[Saved]:
        key = keys.by_tag(ctx, self.rng.choice(KEY_TAGS))
        assert key is not None
        if keys.available(ctx, key) < 2:
            return self.take_back(ctx)
        count = self.rng.randint(1, 2)
        reason = f"检修 {self.label()}"
        loan = keys.lend(
            ctx,
            KeyLoanCreate(
                key=key.tag, borrower=self.rng.choice(TECHNICIANS), reason=reason, count=count
            ),
        )
        expect = {"reason": reason, "count": count, "key_id": key.id}
        return [saved("key_loans", loan.id, loan.number, "lent", expect)]

    def take_back(self, ctx: Ctx) -> list[Saved]:
        ids = pick(ctx, "SELECT id FROM key_loan WHERE state IN ('out', 'partly_returned')")
        if not ids:
            return self.lend(ctx)
        loan = keys.get_loan(ctx, self.rng.choice(ids))
        left = keys.outstanding(loan)
        back = self.rng.randint(1, left)
        who = f"{loan.borrower}{self.label()}"
        loan = keys.take_back(ctx, loan.id or 0, back, who)
        back_row = {"returned_by": who, "count": back}
        return [saved("key_loans", loan.id, loan.number, "returned", {}, returned=back_row)]

    def issue_pass(self, ctx: Ctx) -> list[Saved]:
        room, owner = self.unit()
        label = self.label()
        items = [
            {"description": f"{self.rng.choice(GOODS)}{label}", "quantity": self.rng.randint(1, 3)}
            for _ in range(self.rng.randint(1, 4))
        ]
        issued = passes.issue(
            ctx,
            PassCreate(
                room=room,
                applicant=owner,
                id_last4="1234",
                items=[PassItemIn(**item) for item in items],
            ),
        )
        expect = {"room": room, "applicant": owner, "id_last4": "1234"}
        return [saved("passes", issued.id, issued.number, "issued", expect, items=items)]

    def gate(self, ctx: Ctx) -> list[Saved]:
        numbers = pick(
            ctx, "SELECT number FROM release_pass WHERE state = 'issued' ORDER BY id DESC"
        )
        if not numbers:
            return self.issue_pass(ctx)
        guard = f"门岗{self.label()}"
        result, note = self.rng.choice(((GateResult.all_out, ""), (GateResult.partly, "冰箱留下")))
        checked = passes.gate_check(ctx, self.rng.choice(numbers), result, guard, note)
        state = "used" if result == GateResult.all_out else "partly_used"
        expect = {"guard_name": guard, "state": state, "gate_note": note}
        return [saved("passes", checked.id, checked.number, "gate_checked", expect)]


def saved(
    register: str,
    record_id: int | None,
    number: str,
    action: str,
    expect: dict[str, Any],
    **more: Any,
) -> Saved:
    assert record_id is not None
    return {
        "register": register,
        "id": record_id,
        "number": number,
        "action": action,
        "expect": expect,
        **more,
    }


def pick(ctx: Ctx, sql: str, limit: int = 20) -> list[Any]:
    """Up to `limit` candidates (the newest), read inside the write transaction."""
    return list(ctx.session.connection().exec_driver_sql(f"{sql} LIMIT {limit}").scalars())


# name, share of the writes, op
MIXES: dict[str, list[tuple[str, int]]] = {
    "all": [
        ("reception", 25),
        ("call_to_repair", 15),
        ("repair", 10),
        ("dispatch", 12),
        ("lend", 12),
        ("take_back", 10),
        ("issue_pass", 10),
        ("gate", 6),
    ],
    # the clerk at the desk
    "clerk": [
        ("reception", 30),
        ("call_to_repair", 20),
        ("repair", 10),
        ("dispatch", 15),
        ("lend", 13),
        ("take_back", 12),
    ],
    # the second desk: passes at the counter and their check at the gate, the odd visitor
    "gate": [("issue_pass", 40), ("gate", 35), ("reception", 25)],
}


def chooser(rng: random.Random, mix: str) -> Callable[[], str]:
    names = [name for name, _ in MIXES[mix]]
    weights = [share for _, share in MIXES[mix]]
    return lambda: rng.choices(names, weights=weights)[0]


@dataclass
class Outcome:
    """One attempted write: what was saved (empty when refused) and how long it waited."""

    op: str
    records: list[Saved]
    wait_s: float
    total_s: float
    refused: str = ""


def write_once(database: Database, operator: Operator, writes: Writes, op: str) -> Outcome:
    """One write transaction. A DeskError (the other desk got there first) rolls it back."""
    began = time.perf_counter()
    records: list[Saved] = []
    refused = ""
    wait = 0.0
    try:
        with database.writing() as session:
            session.connection()  # BEGIN IMMEDIATE: the wait for the write lock is here
            wait = time.perf_counter() - began
            ctx = Ctx(session, operator, database.settings, now())
            records = getattr(writes, op)(ctx)
    except DeskError as error:
        records, refused = [], error.key
    return Outcome(op, records, wait, time.perf_counter() - began, refused)


def emit(fd: int, payload: dict[str, Any]) -> None:
    """One whole line with one write(2): a reader sees all of it or none of it."""
    line = (json.dumps(payload, ensure_ascii=False) + "\n").encode()
    assert len(line) < 4096, "a line must fit in one atomic pipe write"
    written = os.write(fd, line)
    assert written == len(line)


def run(path: Path, seed: int, mix: str = "all", out_fd: int = 1, who: str = CLERKS[0]) -> None:
    """Write until killed: "ready" once the database is open, then a line before each
    transaction ({"begin": op}) and one after it committed (what it saved)."""
    rng = random.Random(seed)
    database = open_database(path, settings=load_settings())
    operator = clerk(database, who)
    writes = Writes(rng, f"s{seed}")
    choose = chooser(rng, mix)
    emit(out_fd, {"ready": os.getpid()})
    while True:
        op = choose()
        emit(out_fd, {"begin": op})
        outcome = write_once(database, operator, writes, op)
        emit(out_fd, {"op": op, "records": outcome.records, "refused": outcome.refused})


# --- the checks -------------------------------------------------------------------------------

TABLES = {
    "reception": "reception_entry",
    "repairs": "repair_order",
    "key_loans": "key_loan",
    "passes": "release_pass",
}
PREFIXES = {"reception": "JD", "repairs": "WX", "key_loans": "JY", "passes": "FX"}


@dataclass
class Check:
    """What a read-back found."""

    confirmed: int = 0
    found: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def lost(self) -> int:
        return self.confirmed - self.found


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30)
    conn.row_factory = sqlite3.Row
    return conn


def check_saved(conn: sqlite3.Connection, lines: Iterable[dict[str, Any]]) -> Check:
    """Every record a writer said it saved is in the database, with what was written."""
    result = Check()
    for line in lines:
        for record in line["records"]:
            result.confirmed += 1
            problem = _saved_problem(conn, record)
            if problem:
                result.problems.append(f"{record['register']} {record['number']}: {problem}")
            else:
                result.found += 1
    return result


def _saved_problem(conn: sqlite3.Connection, record: Saved) -> str:
    register, record_id = record["register"], record["id"]
    row = conn.execute(f"SELECT * FROM {TABLES[register]} WHERE id = ?", (record_id,)).fetchone()
    if row is None:
        return f"id {record_id} missing"
    if row["number"] != record["number"]:
        return f"id {record_id} has number {row['number']}"
    for name, value in record["expect"].items():
        if row[name] != value:
            return f"{name} is {row[name]!r}, written {value!r}"
    events = conn.execute(
        "SELECT count(*) FROM audit_event WHERE register_name = ? AND record_id = ? AND action = ?",
        (register, record_id, record["action"]),
    ).fetchone()[0]
    if not events:
        return f"no '{record['action']}' audit event"
    if "items" in record:
        items = [
            {"description": d, "quantity": q}
            for d, q in conn.execute(
                "SELECT description, quantity FROM pass_item WHERE pass_id = ? ORDER BY line_no",
                (record_id,),
            )
        ]
        if items != record["items"]:
            return f"items {items}, written {record['items']}"
    if "returned" in record:
        back = record["returned"]
        rows = conn.execute(
            "SELECT count(*) FROM key_return WHERE loan_id = ? AND returned_by = ? AND count = ?",
            (record_id, back["returned_by"], back["count"]),
        ).fetchone()[0]
        if rows != 1:
            return f"{rows} key_return rows of {back}"
    return ""


# (what is wrong, SQL returning one row per offending record)
WHOLE = [
    (
        "repair order without its 'registered' event",
        "SELECT number FROM repair_order r WHERE NOT EXISTS (SELECT 1 FROM audit_event a "
        "WHERE a.register_name = 'repairs' AND a.record_id = r.id AND a.action = 'registered')",
    ),
    (
        "dispatched repair order without its 'dispatched' event",
        "SELECT number FROM repair_order r WHERE r.technician != '' AND NOT EXISTS (SELECT 1 "
        "FROM audit_event a WHERE a.register_name = 'repairs' AND a.record_id = r.id "
        "AND a.action = 'dispatched')",
    ),
    (
        "reception entry without its 'logged' event",
        "SELECT number FROM reception_entry r WHERE NOT EXISTS (SELECT 1 FROM audit_event a "
        "WHERE a.register_name = 'reception' AND a.record_id = r.id AND a.action = 'logged')",
    ),
    (
        "repair order from a call whose reception entry is not linked to it",
        "SELECT r.number FROM repair_order r LEFT JOIN reception_entry e ON e.id = r.reception_id "
        "WHERE r.reception_id IS NOT NULL AND (e.id IS NULL OR e.linked_id IS NOT r.id "
        "OR NOT EXISTS (SELECT 1 FROM audit_event a WHERE a.register_name = 'reception' "
        "AND a.record_id = e.id AND a.action = 'linked'))",
    ),
    (
        "reception entry linked to a repair order that does not point back",
        "SELECT e.number FROM reception_entry e LEFT JOIN repair_order r ON r.id = e.linked_id "
        "WHERE e.linked_register = 'repairs' AND (r.id IS NULL OR r.reception_id IS NOT e.id)",
    ),
    (
        "pass without items",
        "SELECT number FROM release_pass p WHERE NOT EXISTS "
        "(SELECT 1 FROM pass_item i WHERE i.pass_id = p.id)",
    ),
    (
        "pass whose items differ from its 'issued' event",
        "SELECT p.number FROM release_pass p LEFT JOIN audit_event a ON a.register_name = "
        "'passes' AND a.record_id = p.id AND a.action = 'issued' WHERE a.id IS NULL OR "
        "json_array_length(a.data, '$.items') != (SELECT count(*) FROM pass_item i "
        "WHERE i.pass_id = p.id)",
    ),
    (
        "pass checked at the gate without its 'gate_checked' event",
        "SELECT number FROM release_pass p WHERE p.gate_checked_at IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM audit_event a WHERE a.register_name = 'passes' AND a.record_id = p.id "
        "AND a.action = 'gate_checked')",
    ),
    (
        "key loan without its 'lent' event",
        "SELECT number FROM key_loan l WHERE NOT EXISTS (SELECT 1 FROM audit_event a "
        "WHERE a.register_name = 'key_loans' AND a.record_id = l.id AND a.action = 'lent')",
    ),
    (
        "key loan whose returned count is not the sum of its returns and their events",
        "SELECT number FROM key_loan l WHERE l.returned_count != (SELECT coalesce(sum(count), 0) "
        "FROM key_return k WHERE k.loan_id = l.id) OR (SELECT count(*) FROM key_return k "
        "WHERE k.loan_id = l.id) != (SELECT count(*) FROM audit_event a WHERE a.register_name "
        "= 'key_loans' AND a.record_id = l.id AND a.action = 'returned')",
    ),
    (
        "more keys out than the cabinet holds",
        "SELECT k.tag FROM key k WHERE k.copies < (SELECT coalesce(sum(count - returned_count "
        "- lost_count), 0) FROM key_loan l WHERE l.key_id = k.id AND l.state IN "
        "('out', 'partly_returned'))",
    ),
    *[
        (
            f"audit event of a {register} record that does not exist",
            f"SELECT a.id FROM audit_event a WHERE a.register_name = '{register}' AND NOT EXISTS "
            f"(SELECT 1 FROM {table} t WHERE t.id = a.record_id)",
        )
        for register, table in TABLES.items()
    ],
    *[
        (
            f"{register} record without its lookup document",
            f"SELECT t.number FROM {table} t WHERE NOT EXISTS (SELECT 1 FROM search_doc d "
            f"WHERE d.register_name = '{register}' AND d.record_id = t.id)",
        )
        for register, table in TABLES.items()
    ],
    *[
        (
            f"{prefix} day counter not equal to the {register} records numbered that day",
            f"SELECT c.key FROM counter c WHERE c.key LIKE '{prefix}-%' AND c.value != "
            f"(SELECT count(*) FROM {TABLES[register]} t WHERE t.number LIKE c.key || '-%')",
        )
        for register, prefix in PREFIXES.items()
    ],
]


def check_whole(conn: sqlite3.Connection, integrity: bool = True) -> list[str]:
    """No half-written record anywhere; `PRAGMA integrity_check` and the foreign keys hold."""
    problems = []
    for what, sql in WHOLE:
        rows = [str(row[0]) for row in conn.execute(sql).fetchmany(5)]
        if rows:
            problems.append(f"{what}: {', '.join(rows)}")
    if integrity:
        verdict = [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]
        if verdict != ["ok"]:
            problems.append(f"integrity_check: {'; '.join(verdict[:5])}")
    broken = conn.execute("PRAGMA foreign_key_check").fetchmany(5)
    if broken:
        problems.append(f"foreign_key_check: {[tuple(row) for row in broken]}")
    return problems


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {
        register: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for register, table in TABLES.items()
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mix", choices=sorted(MIXES), default="all")
    parser.add_argument("--prepare", action="store_true", help="make a fresh database and stop")
    args = parser.parse_args(argv)
    if args.prepare:
        prepare(args.db)
        return
    run(args.db, args.seed, args.mix)


if __name__ == "__main__":
    sys.exit(main())
