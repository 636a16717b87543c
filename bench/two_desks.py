"""Two desks on one database: two writers and a reader at once, no "database is locked", no loss.

    .venv/bin/python bench/two_desks.py                    60 s (the long form)
    .venv/bin/python bench/two_desks.py --seconds 4        the short form (make test)

Three processes on one SQLite file (forked from this one, desk already imported, once the file is
prepared; `--spawn` starts three fresh interpreters), let go together once all three opened it:
the clerk (reception entries, calls that become repair orders, dispatches, key loans and returns),
a second desk (release passes with their items, their checks at the gate, the odd visitor) and a
supervisor's lookup (desk.services.lookup for rooms, surnames, phone digits, numbers and words,
and the board's open items and counts, in read sessions; now and then it opens the file afresh
and looks up, like `desk lookup` started while the desks write). Every write goes through the
services in one `Database.writing()` transaction (BEGIN IMMEDIATE); a writer pauses 0-`--pause-ms`
between writes. Each process counts what it did, every "database is locked" / "busy" error that
reached it (there must be none), and its waits: for a writer the time to get the write transaction,
for the reader the time of each lookup and board refresh. Afterwards every write a writer reported
is read back with plain sqlite3 (bench/desk_writer.py's checks) and `PRAGMA integrity_check` runs.
Exit status 1 on a lock error, any other error, a lost write or a half-written record.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import desk_writer  # noqa: E402

ROLES = {"clerk": ("clerk", desk_writer.CLERKS[0]), "gate": ("gate", desk_writer.CLERKS[1])}
QUERIES = ("1-301", "3栋1202", "802", "张", "陈静", "5678", "0003", "漏水", "水龙头", "沙发", "水")


def ms(seconds: float) -> float:
    return seconds * 1000


def p95(values: list[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, round(len(ordered) * 0.95) - 1)]


def spread(values: list[float]) -> dict[str, float]:
    """Median, p95 and worst, in milliseconds."""
    if not values:
        return {"n": 0, "median": 0.0, "p95": 0.0, "worst": 0.0}
    return {
        "n": len(values),
        "median": ms(statistics.median(values)),
        "p95": ms(p95(values)),
        "worst": ms(max(values)),
    }


def is_lock_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def say(out: IO[str], payload: dict[str, Any]) -> None:
    out.write(json.dumps(payload, ensure_ascii=False) + "\n")
    out.flush()


# --- the three desks (child processes) -------------------------------------------------------


def writer(
    db: Path, role: str, seconds: float, seed: int, pause_ms: float, out: IO[str], go: IO[str]
) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from desk.config import load_settings
    from desk.db import open_database

    mix, name = ROLES[role]
    rng = random.Random(seed)
    database = open_database(db, settings=load_settings())
    operator = desk_writer.clerk(database, name)
    writes = desk_writer.Writes(rng, role)
    choose = desk_writer.chooser(rng, mix)
    say(out, {"ready": role})
    go.readline()
    waits: list[float] = []
    totals: list[float] = []
    lock_errors = refused = 0
    errors: list[str] = []
    ops: dict[str, int] = {}
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        op = choose()
        try:
            outcome = desk_writer.write_once(database, operator, writes, op)
        except SQLAlchemyError as exc:
            if is_lock_error(exc):
                lock_errors += 1
            errors.append(f"{op}: {str(exc).splitlines()[0]}")
            continue
        waits.append(outcome.wait_s)
        totals.append(outcome.total_s)
        if outcome.records:
            ops[op] = ops.get(op, 0) + 1
            say(out, {"op": op, "records": outcome.records})
        else:
            refused += 1
        time.sleep(rng.uniform(0, pause_ms / 1000))
    database.dispose()
    say(
        out,
        {
            "done": role,
            "writes": len(waits) - refused,
            "refused": refused,
            "ops": ops,
            "lock_errors": lock_errors,
            "errors": errors[:10],
            "error_count": len(errors),
            "wait": spread(waits),
            "write": spread(totals),
        },
    )


def reader(db: Path, seconds: float, seed: int, out: IO[str], go: IO[str]) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from desk.config import load_settings
    from desk.db import open_database
    from desk.services import board, lookup
    from desk.services.context import Ctx

    rng = random.Random(seed)
    database = open_database(db, settings=load_settings())
    operator = desk_writer.clerk(database, desk_writer.CLERKS[0])
    say(out, {"ready": "reader"})
    go.readline()
    times: dict[str, list[float]] = {"lookup": [], "board": [], "open": []}
    hits = lock_errors = 0
    errors: list[str] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        roll = rng.random()
        what = "open" if roll < 0.03 else "board" if roll < 0.3 else "lookup"
        began = time.perf_counter()
        try:
            if what == "open":  # `desk lookup` started while the desks write: open, look, close
                fresh = open_database(db, settings=load_settings())
                with fresh.reading() as session:
                    ctx = Ctx(session, operator, fresh.settings, datetime.now(UTC))
                    hits += lookup.search(ctx, rng.choice(QUERIES)).total
                fresh.dispose()
                times[what].append(time.perf_counter() - began)
                continue
            with database.reading() as session:
                ctx = Ctx(session, operator, database.settings, datetime.now(UTC))
                if what == "board":
                    board.today_counts(ctx)
                    hits += len(board.open_items(ctx))
                else:
                    hits += lookup.search(ctx, rng.choice(QUERIES)).total
        except SQLAlchemyError as exc:
            if is_lock_error(exc):
                lock_errors += 1
            errors.append(f"{what}: {str(exc).splitlines()[0]}")
            continue
        times[what].append(time.perf_counter() - began)
        time.sleep(rng.uniform(0, 0.005))
    database.dispose()
    say(
        out,
        {
            "done": "reader",
            "lookups": len(times["lookup"]),
            "boards": len(times["board"]),
            "opens": len(times["open"]),
            "hits": hits,
            "lock_errors": lock_errors,
            "errors": errors[:10],
            "error_count": len(errors),
            "lookup": spread(times["lookup"]),
            "board": spread(times["board"]),
            "open": spread(times["open"]),
        },
    )


# --- the run (parent) ------------------------------------------------------------------------


def desk(
    role: str, args: argparse.Namespace, db: Path, seed: int, out: IO[str], go: IO[str]
) -> None:
    if role == "reader":
        reader(db, args.seconds, seed, out, go)
    else:
        writer(db, role, args.seconds, seed, args.pause_ms, out, go)


class Desk:
    """One desk's process and the lines it printed (read by a thread: its pipe never fills).

    Forked from this process (desk already imported, no database connection open), or with
    `--spawn` a fresh interpreter running this script with --child.
    """

    def __init__(self, role: str, args: argparse.Namespace, db: Path, seed: int) -> None:
        self.role = role
        self.lines: list[dict[str, Any]] = []
        self.ready = threading.Event()
        self.proc: subprocess.Popen[str] | None = None
        self.pid = 0
        if args.spawn:
            command = [sys.executable, str(Path(__file__).resolve()), "--child", role]
            command += ["--db", str(db), "--seconds", str(args.seconds), "--seed", str(seed)]
            command += ["--pause-ms", str(args.pause_ms)]
            self.proc = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
            )
            assert self.proc.stdout is not None and self.proc.stdin is not None
            self.out, self.go_line = self.proc.stdout, self.proc.stdin
            return
        out_r, out_w = os.pipe()
        go_r, go_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the desk: never returns into the parent's code
            status = 1
            try:
                os.close(out_r)
                os.close(go_w)
                with os.fdopen(out_w, "w") as out, os.fdopen(go_r) as go:
                    desk(role, args, db, seed, out, go)
                status = 0
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(status)
        os.close(out_w)
        os.close(go_r)
        self.pid = pid
        self.out, self.go_line = os.fdopen(out_r), os.fdopen(go_w, "w")

    def listen(self) -> None:
        """Start reading its lines (after every desk was forked: no thread is forked with one)."""
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        for raw in self.out:
            line = json.loads(raw)
            if "ready" in line:
                self.ready.set()
            self.lines.append(line)

    def go(self) -> None:
        self.go_line.write("go\n")
        self.go_line.flush()

    def finish(self, timeout: float) -> dict[str, Any]:
        if self.proc is not None:
            self.proc.wait(timeout=timeout)
            status = self.proc.returncode
        else:
            status = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        self.thread.join(timeout=10)
        done = [line for line in self.lines if "done" in line]
        if status != 0 or not done:
            return {"failed": f"{self.role} exited with {status}"}
        return done[-1]

    @property
    def saved(self) -> list[dict[str, Any]]:
        return [line for line in self.lines if line.get("records")]


def run(args: argparse.Namespace, db: Path) -> bool:
    desk_writer.prepare(db)
    rng = random.Random(args.seed)
    desks = [Desk(role, args, db, rng.randrange(2**31)) for role in ("clerk", "gate", "reader")]
    for one in desks:
        one.listen()
    for one in desks:
        if not one.ready.wait(timeout=120):
            raise SystemExit(f"{one.role} did not start")
    for one in desks:
        one.go()
    results = {one.role: one.finish(timeout=args.seconds + 120) for one in desks}
    conn = desk_writer.connect(db)
    try:
        saved = [line for one in desks for line in one.saved]
        check = desk_writer.check_saved(conn, saved)
        whole = desk_writer.check_whole(conn)
        in_file = desk_writer.counts(conn)
    finally:
        conn.close()
    return report(args, db, results, check, whole, in_file)


def report(
    args: argparse.Namespace,
    db: Path,
    results: dict[str, dict[str, Any]],
    check: desk_writer.Check,
    whole: list[str],
    in_file: dict[str, int],
) -> bool:
    print(f"two desks and a reader on one file: {args.seconds:g} s, seed {args.seed}, {db}")
    problems = [r["failed"] for r in results.values() if "failed" in r]
    lock_errors = sum(r.get("lock_errors", 0) for r in results.values())
    print(
        f"  {'desk':8} {'writes':>7} {'refused':>8} {'locked':>7} {'errors':>7}"
        f"   {'wait for the write lock (median / p95 / worst)':48} {'write, commit included':>24}"
    )
    for role in ("clerk", "gate"):
        found = results[role]
        if "failed" in found:
            continue
        wait, write = found["wait"], found["write"]
        print(
            f"  {role:8} {found['writes']:>7} {found['refused']:>8} {found['lock_errors']:>7} "
            f"{found['error_count']:>7}   "
            f"{wait['median']:>8.1f} / {wait['p95']:>7.1f} / {wait['worst']:>7.1f} ms"
            f"{'':20} {write['median']:>6.1f} / {write['p95']:>6.1f} / {write['worst']:>6.1f} ms"
        )
        problems += found["errors"]
    found = results["reader"]
    if "failed" not in found:
        print(
            f"  reader   {found['lookups']} lookups, {found['boards']} board refreshes, "
            f"{found['opens']} fresh opens + lookup, {found['lock_errors']} locked, "
            f"{found['error_count']} errors"
        )
        for what in ("lookup", "board", "open"):
            took = found[what]
            print(
                f"           {what:7} {took['median']:>6.1f} / {took['p95']:>6.1f} / "
                f"{took['worst']:>6.1f} ms (median / p95 / worst)"
            )
        problems += found["errors"]
    writes = sum(results[r].get("writes", 0) for r in ("clerk", "gate"))
    rate = writes / args.seconds
    print(f"  writes done          {writes} ({rate:.0f} a second, both desks)")
    print(f'  "database is locked" {lock_errors}')
    print(f"  reported, found      {check.found} of {check.confirmed}; lost {check.lost}")
    print(f"  half-written / integrity problems {len(whole)}")
    print(f"  records in the file  {sum(in_file.values())} {in_file}")
    problems += check.problems + whole
    for problem in problems[:20]:
        print(f"  PROBLEM {problem}")
    ok = not problems and lock_errors == 0 and check.lost == 0 and writes > 0
    print("  result               " + ("ok" if ok else "FAILED"))
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", type=Path, help="a new file (default: one in a temporary folder)")
    parser.add_argument(
        "--pause-ms", type=float, default=20.0, help="a writer's longest pause between writes"
    )
    parser.add_argument("--spawn", action="store_true", help="a fresh interpreter per desk")
    parser.add_argument("--child", choices=("clerk", "gate", "reader"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.pause_ms < 0:
        parser.error("--seconds must be positive and --pause-ms not negative")
    if args.child:
        desk(args.child, args, args.db, args.seed, sys.stdout, sys.stdin)
        return 0
    with tempfile.TemporaryDirectory(prefix="desk-two-") as folder:
        db = args.db or Path(folder) / "two.db"
        if db.exists():
            parser.error(f"{db} exists: give a new file (its records are not the writers')")
        return 0 if run(args, db) else 1


if __name__ == "__main__":
    sys.exit(main())
