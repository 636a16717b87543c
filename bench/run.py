"""Desk performance at the size of years: prints figures next to their targets (not a test).

    .venv/bin/python bench/run.py                      10k, 100k and 1M records (make bench)
    .venv/bin/python bench/run.py --sizes 10000        one quick size
    .venv/bin/python bench/run.py --sizes 2000 --quick --data /tmp/x    (the smoke test)
    .venv/bin/python bench/run.py --db postgresql+psycopg://USER:PW@HOST/bench_company_100000 \
        --estate E01                       a database already made (any engine), in one estate

Databases are built once by bench/generate.py into bench/data/desk-N.db (git-ignored) and reused.
For each size: (1) cold start to the board's first frame, signed in, against the floor (an empty
Textual app importing textual, sqlmodel and typer), in separate processes, with for comparison
the floor showing a screen of the board's shape in Textual's own widgets (no desk); (2) the quick
lookup for each query form, median and p95, against the same page fetched by hand-written SQL
through raw sqlite3; (3) saving a repair order, a key loan and a pass through the services (one
committed transaction each), and the same followed by the register's table refresh; (4) the board
refresh and the shift summary build; (5) the peak RSS of a desk process that opens the database,
shows the board and runs every lookup and the summary. Targets are the performance issue's.
With --db (a SQLite file or a PostgreSQL URL, made by generate.py) that database is measured
as it is, in the estate --estate names (DESK_ESTATE for the child processes too); on a server
there is no raw-SQLite figure beside the lookups, and the saves go into the database itself (a
few dozen records more in a bench database) instead of a scratch copy.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

PY = sys.executable
TARGETS = {
    "cold": "<= 1.3x floor",
    "lookup": "p95 < 10 ms, <= 3x raw",
    "save": "< 20 ms",
    "board": "(instant)",
    "summary": "< 50 ms",
    "memory": "< 150 MB",
    "growth": "10k -> 1M <= 2x",
}


def ms(seconds: float) -> float:
    return seconds * 1000


def timed(fn: Callable[[], Any], runs: int, warm: int = 1) -> list[float]:
    for _ in range(warm):
        fn()
    out = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        out.append(ms(time.perf_counter() - began))
    return out


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(len(ordered) * 0.95) - 1)]


# The start-ups run headless with the terminal's size told, as a real terminal tells it. Without
# it Rich guesses 80x25 while the headless driver reports 80x24: a resize at once, which makes any
# screen lay out and draw itself twice (nothing a clerk's terminal does).
TERMINAL = {"COLUMNS": "80", "LINES": "24"}


def child(mode: str, *args: str, estate: str | None = None) -> dict[str, Any]:
    began = time.time()
    done = subprocess.run(
        [PY, str(HERE / "startup.py"), mode, *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
        env={**os.environ, **TERMINAL, **({"DESK_ESTATE": estate} if estate else {})},
    )
    line = [raw for raw in done.stdout.splitlines() if raw.startswith("{")][-1]
    found: dict[str, Any] = json.loads(line)
    found["startup_ms"] = ms(found["frame"] - began)
    return found


def ensure(size: int, data: Path, seed: int) -> Path:
    path = data / f"desk-{size}.db"
    if not path.exists():
        subprocess.run(
            [
                PY,
                str(HERE / "generate.py"),
                "--records",
                str(size),
                "--out",
                str(path),
                "--seed",
                str(seed),
            ],
            check=True,
        )
    return path


def row(figure: str, value: str, beside: str, target: str, ok: bool | None) -> None:
    mark = "" if ok is None else ("ok" if ok else "MISSED")
    print(f"  {figure:34} {value:>16} {beside:>18}   {target:24} {mark}")


def measure(path: Path | str, reps: dict[str, int], estate: str | None = None) -> dict[str, float]:
    """Every figure of one database (a SQLite file, or a URL of any engine), in `estate`;
    prints its table and returns the figures by name."""
    import bench_queries as bq

    from desk.db import open_database
    from desk.models import Operator
    from desk.services import keys, passes, repair
    from desk.services.context import Ctx
    from desk.services.keys import KeyLoanCreate
    from desk.services.passes import PassCreate, PassItemIn
    from desk.services.repair import RepairCreate

    figures: dict[str, float] = {}
    from sqlalchemy.engine import make_url

    file = path if isinstance(path, Path) else None
    name = file.name if file else make_url(path).render_as_string(hide_password=True)
    size = file.stat().st_size / 1e6 if file else 0.0
    if file is None:
        from sqlalchemy import create_engine

        server = create_engine(str(path))
        with server.connect() as conn:
            size = (
                conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar() / 1e6
            )
        server.dispose()
    print(f"\n== {name}{f', estate {estate}' if estate else ''}: {size:,.0f} MB ==")
    print(f"  {'figure':34} {'desk':>16} {'floor / raw':>18}   {'target':24}")

    # (1) cold start: floor, screen and desk take turns, so a busier moment of the machine weighs
    # on all three
    floor: list[float] = []
    shown: list[float] = []
    cold: list[float] = []
    for _ in range(reps["cold"]):
        floor.append(child("floor")["startup_ms"])
        shown.append(child("screen")["startup_ms"])
        cold.append(child("board", str(path), estate=estate)["startup_ms"])
    figures["cold"] = statistics.median(cold)
    figures["floor"] = statistics.median(floor)
    figures["screen"] = statistics.median(shown)
    ratio = figures["cold"] / figures["floor"]
    print("(1) cold start to the board's first frame (median)")
    row(
        "start-up, signed in, board",
        f"{figures['cold']:.0f} ms",
        f"{figures['floor']:.0f} ms",
        f"{TARGETS['cold']} ({ratio:.2f}x)",
        ratio <= 1.3,
    )
    # what Textual alone takes to show a screen of the board's shape, for comparison
    row(
        "  Textual screen alone (no desk)",
        f"{figures['screen']:.0f} ms",
        f"{figures['floor']:.0f} ms",
        f"({figures['screen'] / figures['floor']:.2f}x)",
        None,
    )

    database = open_database(path, estate=estate)
    with database.reading() as session:
        operator = session.get(Operator, 1)
    raw = sqlite3.connect(file) if file else None

    # (2) lookups
    print(f"(2) quick lookup, first page (median / p95 of {reps['lookup']})")
    with database.reading() as session:
        ctx = Ctx(session, operator, database.settings, datetime.now(UTC))
        for label, query in bq.queries(database):
            hits = lookup_total = 0

            def desk_search(q: str = query) -> None:
                nonlocal lookup_total
                lookup_total = bq.lookup.search(ctx, q).total

            desk_t = timed(desk_search, reps["lookup"])
            hits = lookup_total
            med, high = statistics.median(desk_t), p95(desk_t)
            figures[f"lookup {label}"] = high
            figures[f"hits {label}"] = hits
            if raw is None:  # a server: the target alone
                row(
                    f"{label} ({hits} hits)",
                    f"{med:.2f} / {high:.2f} ms",
                    "",
                    "p95 < 10 ms",
                    high < 10,
                )
                continue
            raw_t = timed(lambda q=query: bq.raw_lookup(raw, q), reps["lookup"])
            raw_med = statistics.median(raw_t)
            figures[f"raw {label}"] = p95(raw_t)
            row(
                f"{label} ({hits} hits)",
                f"{med:.2f} / {high:.2f} ms",
                f"{raw_med:.2f} / {p95(raw_t):.2f} ms",
                f"{TARGETS['lookup']} ({med / raw_med:.1f}x)",
                high < 10 and med <= 3 * raw_med,
            )

    # (3) saves, each its own committed transaction, like the form's Save. They go into a
    # scratch copy, so the records they add (open orders, loans, passes) do not pile up on the
    # board of later runs.
    print(f"(3) save through the services, committed (median of {reps['save']})")
    room = "3-1202"
    scratch_path: Path | None = None
    if raw is not None and file is not None:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        scratch_path = file.with_name(file.stem + "-scratch.db")
        shutil.copyfile(file, scratch_path)
    scratch = open_database(scratch_path or path, estate=estate)

    def save(action: Callable[[Ctx], Any], refresh: Callable[[Ctx], Any] | None) -> None:
        with scratch.writing() as session:
            action(Ctx(session, operator, scratch.settings, datetime.now(UTC)))
        if refresh is not None:
            with scratch.reading() as session:
                refresh(Ctx(session, operator, scratch.settings, datetime.now(UTC)))

    forms: list[tuple[str, Callable[[Ctx], Any], Callable[[Ctx], Any]]] = [
        (
            "repair order",
            lambda c: repair.register(
                c,
                RepairCreate(
                    resident_name="王芳", room=room, phone="13812345678", description="厨房漏水"
                ),
            ),
            lambda c: repair.recent(c),
        ),
        (
            "key loan",
            lambda c: keys.lend(
                c, KeyLoanCreate(key="K-BENCH", borrower="李师傅", reason="测量", department="")
            ),
            lambda c: keys.recent_loans(c),
        ),
        (
            "pass (2 items)",
            lambda c: passes.issue(
                c,
                PassCreate(
                    room=room,
                    applicant="王芳",
                    id_last4="1234",
                    items=[PassItemIn(description="沙发"), PassItemIn(description="纸箱")],
                ),
            ),
            lambda c: passes.listing(c),
        ),
    ]
    for label, action, refresh in forms:
        alone = timed(lambda a=action: save(a, None), reps["save"])
        both = timed(lambda a=action, r=refresh: save(a, r), reps["save"])
        figures[f"save {label}"] = statistics.median(alone)
        figures[f"save+refresh {label}"] = statistics.median(both)
        row(
            f"{label}",
            f"{statistics.median(alone):.1f} ms",
            f"+table {statistics.median(both):.1f} ms",
            TARGETS["save"],
            statistics.median(both) < 20,
        )

    scratch.dispose()
    if scratch_path is not None:
        for leftover in scratch_path.parent.glob(scratch_path.name + "*"):
            leftover.unlink()

    # (4) board and summary
    print(f"(4) board refresh and shift summary (median of {reps['board']})")
    open_count = bq.board_refresh(database, operator)
    board_t = timed(lambda: bq.board_refresh(database, operator), reps["board"])
    figures["board"] = statistics.median(board_t)
    row(
        f"board: counts + {open_count} open items",
        f"{figures['board']:.1f} ms",
        "",
        TARGETS["board"],
        None,
    )
    summary_t = timed(lambda: bq.shift_summary(database, operator), reps["board"])
    figures["summary"] = statistics.median(summary_t)
    row(
        "shift summary build",
        f"{figures['summary']:.1f} ms",
        "",
        TARGETS["summary"],
        figures["summary"] < 50,
    )
    if raw is not None:
        raw.close()
    database.dispose()

    # (5) memory of a desk process
    print("(5) peak memory of a desk process (board + every lookup + summary)")
    found = child("memory", str(path), estate=estate)
    figures["memory"] = found["maxrss_kb"] / 1024
    row(
        "peak RSS",
        f"{figures['memory']:.0f} MB",
        "",
        TARGETS["memory"],
        figures["memory"] < 150,
    )
    return figures


def growth(results: dict[int, dict[str, float]]) -> None:
    sizes = sorted(results)
    if len(sizes) < 2:
        return
    small, large = sizes[0], sizes[-1]
    print(f"\n== growth {small:,} -> {large:,} records (target {TARGETS['growth']}) ==")
    for figure, value in results[large].items():
        if figure in ("floor", "screen") or figure.startswith(("raw ", "hits ")):
            continue
        before = results[small].get(figure)
        if before:
            factor = value / before
            mark = "ok" if factor <= 2 else "MISSED"
            line = f"  {figure:40} {before:10.2f} -> {value:10.2f}   {factor:5.2f}x  {mark:6}"
            print((line + _beside(figure, results[small], results[large])).rstrip())


def _beside(figure: str, small: dict[str, float], large: dict[str, float]) -> str:
    """For a lookup: how the best raw-SQLite query and the answer itself grew (a lookup whose
    answer grows cannot grow less than the hand-written query fetching the same rows)."""
    if not figure.startswith("lookup "):
        return ""
    label = figure.removeprefix("lookup ")
    raw_before, raw_after = small.get(f"raw {label}"), large.get(f"raw {label}")
    hits_before, hits_after = small.get(f"hits {label}"), large.get(f"hits {label}")
    if not (raw_before and raw_after and hits_before is not None and hits_after is not None):
        return ""
    return f" raw SQL {raw_after / raw_before:5.2f}x; hits {hits_before:.0f} -> {hits_after:.0f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--data", type=Path, default=HERE / "data")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="very few repetitions (smoke test)")
    parser.add_argument("--db", action="append", help="measure this database (file or URL)")
    parser.add_argument("--estate", help="the estate to work in (a company: E01)")
    args = parser.parse_args(argv)
    reps = (
        {"cold": 1, "lookup": 3, "save": 2, "board": 2}
        if args.quick
        else {"cold": 9, "lookup": 50, "save": 20, "board": 20}
    )
    args.data.mkdir(parents=True, exist_ok=True)
    # The desk as installed: its modules compiled once, as `make run` and pip leave them (where
    # PYTHONDONTWRITEBYTECODE is set, nothing else would, and every start would compile them).
    compileall.compile_dir(HERE.parent / "desk", quiet=1)
    if args.db:
        for target in args.db:
            server = "://" in target and not target.startswith("sqlite")
            measure(target if server else Path(target), reps, args.estate)
        return
    results: dict[int, dict[str, float]] = {}
    for size in (int(part) for part in args.sizes.split(",") if part.strip()):
        path = ensure(size, args.data, args.seed)
        results[size] = measure(path, reps)
    growth(results)


if __name__ == "__main__":
    main()
