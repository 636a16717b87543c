"""Many desks on one company database at a clerk's pace: save and lookup times, lock waits, errors.

    .venv/bin/python bench/many_desks.py --db postgresql+psycopg://USER:PW@HOST/bench_company
    .venv/bin/python bench/many_desks.py --db bench/data/company-100000.db --seconds 60

The database is a company made by `bench/generate.py --estates 20` (estates E01..E20). One
process per desk, forked from this one once desk is imported (no engine is shared): one desk in
each estate (`open_database(url, estate=code)`, up to --desks) and one call-centre desk
(`estate="*"`) that takes a call for a random estate, enters it
(desk.services.estates.enter) and registers a repair order there. A desk's clerk works in
cycles: one save through the services (a reception entry, the next time a repair order), then
two lookups (--lookups: a room, a surname, phone digits, a record number, 漏水 / 水龙头 / 水), each
action after a pause of --pause seconds on average (1-3 s by default): a save every 4-5 s per
desk (--lookups 0: saves alone, every 1-3 s, to see them apart from the lookups' load).
Every desk has done one save and one lookup before the clock starts (the first of a process
builds its caches) and then all are let go together for --seconds.

Reported: p50 / p95 / worst of saves (each one committed `Database.writing()` transaction) and
of lookups (`desk.services.lookup.search`, first page), per kind; errors (any exception, by
message, no traceback); lock waits. On PostgreSQL this process samples the server every 100 ms
while the desks run: sessions of the database waiting on a lock (pg_stat_activity wait_event_type
'Lock'), ungranted locks (pg_locks) and the connections the desks hold. On SQLite each desk
times its BEGIN IMMEDIATE (the wait for the file's write lock, retried by the busy handler) and
counts the saves that waited more than 5 ms. Exit status 1 on any error.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from sqlalchemy import create_engine, event, text  # noqa: E402

from desk.config import load_settings  # noqa: E402
from desk.db import Database, open_database  # noqa: E402
from desk.db_file import database_url, sqlite_path  # noqa: E402
from desk.models import Operator  # noqa: E402
from desk.services import estates, lookup, reception, repair  # noqa: E402
from desk.services.context import Ctx  # noqa: E402
from desk.services.reception import ReceptionCreate  # noqa: E402
from desk.services.repair import RepairCreate  # noqa: E402

WORDS = ("漏水", "水龙头", "水")
REQUESTS = ("咨询停车月卡办理", "快递代收时间", "门禁卡补办", "装修申请流程", "物业费账单疑问")
REPAIRS = ("厨房水龙头漏水", "卫生间地漏堵塞", "客厅灯不亮", "入户门锁坏了", "阳台漏水")
LOAD = "machine load (1-min average, before / after)"
# a wait for the write lock longer than this counts as a lock wait (SQLite)
WAIT_MS = 5.0


def ms(seconds: float) -> float:
    return seconds * 1000


def pct(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, round(len(ordered) * share) - 1)]


def spread(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0, "p50": 0.0, "p95": 0.0, "worst": 0.0}
    return {
        "n": len(values),
        "p50": statistics.median(values),
        "p95": pct(values, 0.95),
        "worst": max(values),
    }


# --- one desk (a child process) ---------------------------------------------------------------


class Desk:
    """One desk's database, operator, what it looks up, and its measurements."""

    def __init__(self, url: str, code: str, seed: int) -> None:
        self.code = code
        self.rng = random.Random(seed)
        self.database: Database = open_database(url, estate=code, settings=load_settings())
        self.begin_waits: list[float] = []
        self.save_cpu: list[float] = []  # the desk process's own CPU time in each save
        if self.database.is_sqlite:
            self._time_begin()
        with self.database.reading() as session:
            self.operator = session.get(Operator, 1 + seed % 12)
        self.places = self._places()
        self.saves: dict[str, list[float]] = {}
        self.lookups: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.turn = 0

    def _time_begin(self) -> None:
        """Time each BEGIN IMMEDIATE: the wait for SQLite's write lock (the busy handler's
        retries happen inside it)."""
        began: dict[int, float] = {}

        @event.listens_for(self.database.engine, "before_cursor_execute")
        def _before(conn: Any, _c: Any, statement: str, *_a: Any) -> None:
            if statement == "BEGIN IMMEDIATE":
                began[id(conn)] = time.perf_counter()

        @event.listens_for(self.database.engine, "after_cursor_execute")
        def _after(conn: Any, _c: Any, statement: str, *_a: Any) -> None:
            if statement == "BEGIN IMMEDIATE" and id(conn) in began:
                self.begin_waits.append(ms(time.perf_counter() - began.pop(id(conn))))

    def _places(self) -> dict[int, dict[str, list[str]]]:
        """Per estate this desk works in: rooms, names, phones and record numbers to use."""
        found: dict[int, dict[str, list[str]]] = {}
        ids = self.database.estates
        with self.database.engine.connect() as conn:
            if ids is None:
                ids = tuple(conn.execute(text("SELECT id FROM estate WHERE id > 1")).scalars())
            for estate_id in ids:
                people = conn.execute(
                    text(
                        "SELECT r.name, r.phone, u.code FROM resident r JOIN unit u "
                        "ON u.id = r.unit_id WHERE r.estate_id = :e ORDER BY r.id LIMIT 300"
                    ),
                    {"e": estate_id},
                ).all()
                numbers = conn.execute(
                    text(
                        "SELECT number FROM repair_order WHERE estate_id = :e "
                        "ORDER BY id DESC LIMIT 50"
                    ),
                    {"e": estate_id},
                ).scalars()
                found[estate_id] = {
                    "people": [f"{n}\t{p}\t{c}" for n, p, c in people],
                    "numbers": list(numbers) or ["WX-20260101-001"],
                }
        return found

    def ctx(self, session: Any) -> Ctx:
        return Ctx(session, self.operator, self.database.settings, datetime.now(UTC))

    def _count_error(self, what: str, exc: BaseException) -> None:
        line = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
        key = f"{what}: {type(exc).__name__}: {line}"
        self.errors[key] = self.errors.get(key, 0) + 1

    def save(self) -> None:
        self.turn += 1
        estate_id = self.rng.choice(list(self.places))
        name, phone, room = self.rng.choice(self.places[estate_id]["people"]).split("\t")
        kind = "repair order" if self.turn % 2 == 0 else "reception entry"
        if self.database.call_centre:
            kind = "call centre: repair in an estate"
        began = time.perf_counter()
        cpu = time.process_time()
        try:
            with self.database.writing() as session:
                ctx = self.ctx(session)
                if self.database.call_centre:
                    site = self.database.site_settings or self.database.settings
                    ctx = estates.enter(ctx, estate_id, site)
                if kind == "reception entry":
                    reception.log(
                        ctx,
                        ReceptionCreate(
                            person=name,
                            room=room,
                            phone=phone,
                            request=self.rng.choice(REQUESTS),
                            action_taken="已当场答复",
                        ),
                    )
                else:
                    repair.register(
                        ctx,
                        RepairCreate(
                            resident_name=name,
                            room=room,
                            phone=phone,
                            description=self.rng.choice(REPAIRS),
                        ),
                    )
        except Exception as exc:  # counted and named; a desk never dies of one
            self._count_error(kind, exc)
            return
        self.saves.setdefault(kind, []).append(ms(time.perf_counter() - began))
        self.save_cpu.append(ms(time.process_time() - cpu))

    def look(self) -> None:
        estate_id = self.rng.choice(list(self.places))
        place = self.places[estate_id]
        name, phone, room = self.rng.choice(place["people"]).split("\t")
        form, query = self.rng.choice(
            (
                ("room", room),
                ("surname", name[0]),
                ("phone last 4", phone[-4:]),
                ("record number", self.rng.choice(place["numbers"])),
                ("word", self.rng.choice(WORDS)),
            )
        )
        began = time.perf_counter()
        try:
            with self.database.reading() as session:
                lookup.search(self.ctx(session), query)
        except Exception as exc:
            self._count_error(f"lookup {form}", exc)
            return
        took = ms(time.perf_counter() - began)
        self.lookups.setdefault(form, []).append(took)
        if form == "word":
            self.lookups.setdefault(f"word {query}", []).append(took)

    def report(self) -> dict[str, Any]:
        return {
            "desk": self.code,
            "saves": self.saves,
            "lookups": self.lookups,
            "errors": self.errors,
            "begin_waits": self.begin_waits,
            "save_cpu": self.save_cpu,
        }


def run_desk(
    url: str,
    code: str,
    seed: int,
    seconds: float,
    pause: float,
    lookups: int,
    ready: Any,
    go: Any,
    out: Any,
) -> None:
    try:
        desk = Desk(url, code, seed)
        desk.save()  # the first save and lookup of a process build its caches: not counted
        desk.look()
        desk.saves.clear()
        desk.lookups.clear()
        desk.begin_waits.clear()
        desk.save_cpu.clear()
    except Exception as exc:
        out.put({"desk": code, "failed": f"{type(exc).__name__}: {exc}".splitlines()[0]})
        ready.put(code)
        return
    ready.put(code)
    go.wait()
    end = time.monotonic() + seconds
    while True:
        for action in (desk.save, *[desk.look] * lookups):
            time.sleep(desk.rng.uniform(pause * 0.5, pause * 1.5))
            if time.monotonic() >= end:
                break
            action()
        else:
            continue
        break
    desk.database.dispose()
    out.put(desk.report())


# --- the server, sampled while the desks run ----------------------------------------------------


class Sampler(threading.Thread):
    """PostgreSQL: every 100 ms, who waits on a lock and how many connections the desks hold."""

    SQL = text(
        "SELECT "
        "(SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "  AND wait_event_type = 'Lock'), "
        "(SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
        "  WHERE d.datname = current_database() AND NOT l.granted), "
        "(SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "  AND backend_type = 'client backend' AND pid <> pg_backend_pid()), "
        "(SELECT string_agg(DISTINCT wait_event, ',') FROM pg_stat_activity "
        "  WHERE datname = current_database() AND wait_event_type = 'Lock')"
    )

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.engine = create_engine(url)
        self.stop = threading.Event()
        self.samples = 0
        self.waiting: list[int] = []
        self.ungranted: list[int] = []
        self.connections: list[int] = []
        self.events: set[str] = set()

    def run(self) -> None:
        with self.engine.connect() as conn:
            while not self.stop.wait(0.1):
                waiting, ungranted, connections, events = conn.execute(self.SQL).one()
                conn.rollback()
                self.samples += 1
                self.waiting.append(int(waiting))
                self.ungranted.append(int(ungranted))
                self.connections.append(int(connections))
                if events:
                    self.events.update(str(events).split(","))
        self.engine.dispose()

    def summary(self) -> dict[str, Any]:
        with_wait = sum(1 for n in self.waiting if n)
        return {
            "samples": self.samples,
            "samples with a session waiting on a lock": with_wait,
            "most sessions waiting at once": max(self.waiting, default=0),
            "most ungranted locks at once": max(self.ungranted, default=0),
            "lock wait events": sorted(self.events),
            "desk connections (median / most)": (
                statistics.median(self.connections) if self.connections else 0,
                max(self.connections, default=0),
            ),
        }


# --- the run ------------------------------------------------------------------------------------


def codes_of(url: str, desks: int) -> list[str]:
    database = open_database(url, estate="*", settings=load_settings())
    try:
        with database.engine.connect() as conn:
            codes = list(
                conn.execute(
                    text("SELECT code FROM estate WHERE id > 1 AND active ORDER BY id")
                ).scalars()
            )
            records = conn.execute(text("SELECT count(*) FROM audit_event")).scalar()
    finally:
        database.dispose()
    if not codes:
        raise SystemExit("many_desks: no estate besides the default one (generate --estates 20)")
    print(f"{len(codes)} estates, about {records:,} records")
    return codes[:desks]


def run(
    url: str, desks: int, seconds: float, pause: float, seed: int, lookups: int = 2
) -> dict[str, Any]:
    codes = codes_of(url, desks)
    fork = multiprocessing.get_context("fork")
    ready, out, go = fork.Queue(), fork.Queue(), fork.Event()
    children = [
        fork.Process(
            target=run_desk, args=(url, code, seed + i, seconds, pause, lookups, ready, go, out)
        )
        for i, code in enumerate([*codes, "*"])
    ]
    for child in children:
        child.start()
    for _ in children:
        ready.get(timeout=300)
    sampler = None if sqlite_path(url) else Sampler(url)
    if sampler is not None:
        sampler.start()
    print(f"{len(codes)} estate desks + 1 call-centre desk, {seconds:.0f} s, pause ~{pause} s")
    before = os.getloadavg()[0]
    go.set()
    reports = [out.get(timeout=seconds + 300) for _ in children]
    after = os.getloadavg()[0]
    for child in children:
        child.join(timeout=60)
    if sampler is not None:
        sampler.stop.set()
        sampler.join(timeout=10)
    result = summarise(reports, sampler, seconds)
    result[LOAD] = [before, after]
    return result


def summarise(
    reports: list[dict[str, Any]], sampler: Sampler | None, seconds: float
) -> dict[str, Any]:
    saves: dict[str, list[float]] = {}
    lookups: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    begin_waits: list[float] = []
    save_cpu: list[float] = []
    failed = [f"{r['desk']}: {r['failed']}" for r in reports if "failed" in r]
    for r in reports:
        if "failed" in r:
            continue
        for kind, values in r["saves"].items():
            saves.setdefault(kind, []).extend(values)
        for kind, values in r["lookups"].items():
            lookups.setdefault(kind, []).extend(values)
        for message, count in r["errors"].items():
            errors[message] = errors.get(message, 0) + count
        begin_waits.extend(r["begin_waits"])
        save_cpu.extend(r["save_cpu"])
    every_save = [v for values in saves.values() for v in values]
    every_lookup = [
        v for kind, values in lookups.items() if not kind.startswith("word ") for v in values
    ]
    result: dict[str, Any] = {
        "seconds": seconds,
        "desks": len(reports),
        "save": spread(every_save),
        "save by kind": {k: spread(v) for k, v in sorted(saves.items())},
        "save, the desk's own CPU": spread(save_cpu),
        "lookup": spread(every_lookup),
        "lookup by form": {k: spread(v) for k, v in sorted(lookups.items())},
        "errors": sum(errors.values()) + len(failed),
        "error messages": {**errors, **dict.fromkeys(failed, 1)},
    }
    if sampler is not None:
        result["lock waits (PostgreSQL, sampled)"] = sampler.summary()
    else:
        waited = [w for w in begin_waits if w > WAIT_MS]
        result["lock waits (SQLite, BEGIN IMMEDIATE)"] = {
            "writes": len(begin_waits),
            f"waited > {WAIT_MS:.0f} ms": len(waited),
            "p95 ms": pct(begin_waits, 0.95),
            "worst ms": max(begin_waits, default=0.0),
        }
    return result


def show(result: dict[str, Any]) -> None:
    def line(label: str, s: dict[str, float], target: str = "") -> None:
        print(
            f"  {label:36} {s['n']:6} {s['p50']:9.1f} {s['p95']:9.1f} {s['worst']:9.1f}  {target}"
        )

    print(f"  {'':36} {'n':>6} {'p50 ms':>9} {'p95 ms':>9} {'worst':>9}")
    line("save (all)", result["save"], "target p95 < 50 ms")
    for kind, s in result["save by kind"].items():
        line(f"  {kind}", s)
    line("  the desk process's own CPU", result["save, the desk's own CPU"])
    line("lookup (all)", result["lookup"], "target p95 < 20 ms")
    for kind, s in result["lookup by form"].items():
        line(f"  {kind}", s)
    for key in ("lock waits (PostgreSQL, sampled)", "lock waits (SQLite, BEGIN IMMEDIATE)"):
        if key in result:
            print(f"  {key}: " + json.dumps(result[key], ensure_ascii=False))
    print(f"  machine load (1-min average, before / after): {result[LOAD]}")
    print(f"  errors: {result['errors']}")
    for message, count in result["error messages"].items():
        print(f"    {count} x {message}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True, help="a company database: SQLite file or URL")
    parser.add_argument("--desks", type=int, default=20, help="estate desks (one per estate)")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--pause", type=float, default=2.0, help="mean seconds between actions")
    parser.add_argument("--lookups", type=int, default=2, help="lookups after each save")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    url = database_url(args.db)
    result = run(url, args.desks, args.seconds, args.pause, args.seed, args.lookups)
    show(result)
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
