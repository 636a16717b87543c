"""Crash safety: a desk writing records is killed (SIGKILL) at random moments; nothing is lost.

    .venv/bin/python bench/crash_loop.py                      1000 kills (the long form)
    .venv/bin/python bench/crash_loop.py --kills 20 --seed 7  the short form (its test)

Each cycle starts a writer (bench/desk_writer.py: every register's saves through the real
services, one `Database.writing()` transaction per write, a line on a pipe just before each COMMIT
and one right after it) on one database file, lets it write for a random, seeded time (counted
from its start-up in one cycle of ten, from its "ready" in the others) and kills it with SIGKILL.
Then, with plain sqlite3: every write the writer said it had saved is there whole (its audit
event, the rows it added and, for the last write to each row, the row as that transaction left it
and its lookup document); a write killed during its COMMIT is there whole or not at all; no record
anywhere is half written (a state without the event that put it there, a pass without its items,
a link one-way, a day counter out of step, a record missing from the lookup index); exactly the
new records announced are in the file; `PRAGMA integrity_check` is ok. At the end every write
confirmed in every cycle is checked again. Exit status 1 on any loss or problem.

The writer is forked from this process (desk already imported: a cycle costs milliseconds, not an
interpreter start); `--spawn` starts a fresh interpreter each cycle instead. This process holds no
database connection while it forks. A SIGKILL is a process crash, not a power cut: it shows the
transactions are atomic and durable against the process dying (WAL recovery), while what
synchronous=FULL adds against power loss cannot be shown without cutting the power.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import desk_writer  # noqa: E402

START_LIMIT_S = 60.0


@dataclass
class Cycle:
    """What one writer said before it was killed."""

    lines: list[dict[str, Any]]
    ready: bool
    killed: bool
    alive_s: float

    @property
    def saved(self) -> list[dict[str, Any]]:
        """The confirmations: lines written after a COMMIT returned."""
        return [line for line in self.lines if "op" in line and line.get("records")]

    @property
    def doubtful(self) -> list[dict[str, Any]]:
        """What the last transaction was saving when the kill came between its last statement
        and the confirmation (COMMIT may or may not have reached the file)."""
        if self.lines and "committing" in self.lines[-1]:
            return list(self.lines[-1]["records"])
        return []

    @property
    def where(self) -> str:
        """Where the kill landed: start-up, inside a transaction, during its COMMIT, between."""
        if not self.ready:
            return "start-up"
        last = self.lines[-1] if self.lines else {}
        if "committing" in last:
            return "commit"
        return "transaction" if "begin" in last else "between"


@dataclass
class Totals:
    cycles: int = 0
    where: dict[str, int] = field(
        default_factory=lambda: {"start-up": 0, "transaction": 0, "commit": 0, "between": 0}
    )
    confirmed: int = 0
    new: int = 0
    found: int = 0
    unreported: int = 0
    doubtful_committed: int = 0
    doubtful_rolled_back: int = 0
    half_written: int = 0
    per_register: dict[str, int] = field(default_factory=dict)
    refused: int = 0
    integrity_failures: int = 0
    whole_failures: int = 0
    child_failures: int = 0
    problems: list[str] = field(default_factory=list)
    alive: list[float] = field(default_factory=list)
    checks: list[float] = field(default_factory=list)
    in_file: dict[str, int] = field(default_factory=dict)


def start_fork(db: Path, seed: int) -> tuple[int, int, subprocess.Popen[bytes] | None]:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the writer: never returns into the parent's code
        os.close(read_fd)
        try:
            desk_writer.run(db, seed, out_fd=write_fd)
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(1)
    os.close(write_fd)
    return pid, read_fd, None


def start_spawn(db: Path, seed: int) -> tuple[int, int, subprocess.Popen[bytes] | None]:
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "desk_writer.py"), "--db", str(db), "--seed", str(seed)],
        stdout=subprocess.PIPE,
    )
    assert proc.stdout is not None
    return proc.pid, proc.stdout.fileno(), proc


def one_cycle(
    db: Path, seed: int, delay: float, from_start: bool, spawn: bool
) -> tuple[Cycle, bytes]:
    """Start a writer, kill it `delay` s after its start (or its "ready"), collect its lines."""
    began = time.monotonic()
    pid, fd, proc = (start_spawn if spawn else start_fork)(db, seed)
    data = b""
    ready = False
    deadline = began + delay if from_start else began + START_LIMIT_S
    exited = False
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        readable, _, _ = select.select([fd], [], [], left)
        if not readable:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            exited = True  # the writer died by itself: a bug, reported below
            break
        data += chunk
        if not ready and b'"ready"' in data:
            ready = True
            if not from_start:
                deadline = time.monotonic() + delay
    os.kill(pid, signal.SIGKILL)
    if proc is not None:
        proc.wait()
    else:
        os.waitpid(pid, 0)
    alive = time.monotonic() - began
    while chunk := os.read(fd, 65536):  # what the writer wrote before it died
        data += chunk
    if proc is not None and proc.stdout is not None:
        proc.stdout.close()
    else:
        os.close(fd)
    whole_lines = data.split(b"\n")[:-1]  # a line without its newline was never confirmed
    lines = [json.loads(raw) for raw in whole_lines]
    ready = any("ready" in line for line in lines)
    return Cycle([line for line in lines if "ready" not in line], ready, not exited, alive), data


def created(lines: list[dict[str, Any]]) -> int:
    return sum(1 for line in lines for record in line["records"] if record["new"])


def loop(args: argparse.Namespace, db: Path) -> Totals:
    rng = random.Random(args.seed)
    totals = Totals()
    everything: list[dict[str, Any]] = []
    conn = desk_writer.connect(db)
    before = sum(desk_writer.counts(conn).values())
    conn.close()
    for number in range(1, args.kills + 1):
        child_seed = rng.randrange(2**31)
        from_start = rng.random() < 0.1
        # from the start: mostly while it opens the database (a forked writer is ready in ~50 ms)
        delay = rng.uniform(0, 0.1 if from_start else args.max_delay)
        cycle, raw = one_cycle(db, child_seed, delay, from_start, args.spawn)
        totals.cycles += 1
        totals.alive.append(cycle.alive_s)
        if not cycle.killed:
            totals.child_failures += 1
            totals.problems.append(f"cycle {number}: the writer exited by itself: {raw[-300:]!r}")
        else:
            totals.where[cycle.where] += 1
        totals.refused += sum(1 for line in cycle.lines if line.get("refused"))
        checking = time.monotonic()
        conn = desk_writer.connect(db)  # opening it recovers the killed writer's WAL
        try:
            saved = cycle.saved
            doubtful = cycle.doubtful
            if doubtful:  # committed whole or not at all, asked before anything else writes
                committed, half = desk_writer.check_doubtful(conn, doubtful)
                totals.half_written += bool(half)
                totals.problems += [f"cycle {number}: {p}" for p in half]
                if committed:
                    totals.doubtful_committed += 1
                    totals.unreported += len(doubtful)
                    saved = [*saved, {"op": "committing", "records": doubtful}]
                else:
                    totals.doubtful_rolled_back += 1
            check = desk_writer.check_saved(conn, saved)
            confirmed = [record for line in cycle.saved for record in line["records"]]
            for record in confirmed:
                register = record["register"]
                totals.per_register[register] = totals.per_register.get(register, 0) + 1
            totals.confirmed += len(confirmed)
            totals.new += created(cycle.saved)
            totals.found += sum(1 for record in confirmed if record["event"] not in check.failed)
            totals.problems += [f"cycle {number}: {p}" for p in check.problems]
            integrity = number % args.integrity_every == 0 or number == args.kills
            whole = desk_writer.check_whole(conn, integrity=integrity)
            if whole:
                totals.whole_failures += 1
                totals.integrity_failures += any(p.startswith("integrity") for p in whole)
                totals.problems += [f"cycle {number}: {p}" for p in whole]
            after = sum(desk_writer.counts(conn).values())
            if after - before != created(saved):
                totals.problems.append(
                    f"cycle {number}: {after - before} new records in the file, "
                    f"{created(saved)} said to be saved"
                )
            before = after
        finally:
            conn.close()
        totals.checks.append(time.monotonic() - checking)
        everything += saved
        if args.verbose:
            print(
                f"  cycle {number}: {cycle.where}, {check.confirmed} confirmed, "
                f"{cycle.alive_s * 1000:.0f} ms",
                flush=True,
            )
        if totals.problems and args.stop:
            break
    conn = desk_writer.connect(db)
    try:
        final = desk_writer.check_saved(conn, everything)
        totals.problems += [f"at the end: {p}" for p in final.problems]
        confirmed = [record for line in everything for record in line["records"]]
        found = sum(1 for record in confirmed if record["event"] not in final.failed)
        totals.found = min(totals.found, found - totals.unreported)
        totals.in_file = desk_writer.counts(conn)
    finally:
        conn.close()
    return totals


def report(args: argparse.Namespace, db: Path, totals: Totals, elapsed: float) -> bool:
    lost = totals.confirmed - totals.found
    where = totals.where
    mode = "spawn" if args.spawn else "fork"
    print(f"crash loop: {totals.cycles} kills (SIGKILL), seed {args.seed}, writer {mode}, {db}")
    print(
        f"  kills landed: {where['transaction']} inside a transaction, "
        f"{where['commit']} during a commit, {where['between']} between transactions, "
        f"{where['start-up']} during start-up"
    )
    print(
        f"  writes confirmed     {totals.confirmed} ({totals.new} new records, "
        f"{totals.confirmed - totals.new} changes to records)"
    )
    for register, n in sorted(totals.per_register.items()):
        print(f"    {register:<18} {n}")
    print(f"  found whole          {totals.found} (row, values, event, added rows, lookup)")
    print(f"  lost                 {lost}")
    print(
        f"  killed during commit {totals.doubtful_committed} committed whole, "
        f"{totals.doubtful_rolled_back} not at all, {totals.half_written} half-written"
    )
    print(f"  refused writes       {totals.refused}")
    print(f"  half-written checks failed  {totals.whole_failures}")
    print(
        f"  integrity failures   {totals.integrity_failures} "
        f"(integrity_check every {args.integrity_every} kill(s))"
    )
    print(f"  writer failures      {totals.child_failures}")
    print(f"  records in the file  {sum(totals.in_file.values())} {totals.in_file}")
    per = elapsed / max(totals.cycles, 1)
    print(
        f"  time per cycle       {per * 1000:.0f} ms (writer alive "
        f"{statistics.mean(totals.alive or [0]) * 1000:.0f} ms, checks "
        f"{statistics.mean(totals.checks or [0]) * 1000:.0f} ms); total {elapsed:.1f} s"
    )
    for problem in totals.problems[:20]:
        print(f"  PROBLEM {problem}")
    ok = lost == 0 and not totals.problems and totals.confirmed > 0
    print("  result               " + ("ok" if ok else "FAILED"))
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", type=Path, help="a new file (default: one in a temporary folder)")
    parser.add_argument(
        "--max-delay", type=float, default=0.4, help="longest a writer lives, in seconds"
    )
    parser.add_argument("--integrity-every", type=int, default=1, metavar="N")
    parser.add_argument("--spawn", action="store_true", help="a fresh interpreter per cycle")
    parser.add_argument("--stop", action="store_true", help="stop at the first problem")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    if args.kills < 1 or args.integrity_every < 1 or args.max_delay <= 0:
        parser.error("--kills, --integrity-every and --max-delay must be positive")
    with tempfile.TemporaryDirectory(prefix="desk-crash-") as folder:
        db = args.db or Path(folder) / "crash.db"
        if db.exists():
            parser.error(f"{db} exists: give a new file (its records are not the writer's)")
        desk_writer.prepare(db)
        began = time.monotonic()
        totals = loop(args, db)
        ok = report(args, db, totals, time.monotonic() - began)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
