"""A residents import of N lines while another desk saves a repair order every 100 ms.

    .venv/bin/python bench/import_residents.py                  20,000 lines
    .venv/bin/python bench/import_residents.py --lines 2000     a quick look

A fresh desk database (bench/desk_writer.py's `prepare`: two clerks, a few units with owners)
and a UTF-8 file of N residents of the site's buildings (names, mobiles and landlines, owners and
tenants). The import runs as `desk import residents` does (desk.cli.imports.run_import): the file
decoded and every line checked in a reading session, then the bulk write in parts of at most
residents_import.PART_LINES lines, each its own write transaction (BEGIN IMMEDIATE).
Meanwhile a second process (a forked desk, desk_writer's `Writes.repair` through
the services) saves a repair order every 100 ms and reports, for each save, how long it waited
for the write lock. Then the same file is imported again (every line unchanged), and once more
with a tenth of the residents left out and --replace.

Prints, for each import: lines, seconds to read and check, seconds holding the write lock (in
how many transactions, the longest, and of all, writing the audit events and sealing them into
the chain), total; and the
second desk's saves during the import: how many, the longest and the median wait. Afterwards
every imported resident is read back (count, one lookup by name, phone and room) and
`PRAGMA integrity_check` runs; exit status 1 when something is missing or a save failed.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import desk_writer  # noqa: E402

from desk.config import load_settings  # noqa: E402
from desk.db import open_database  # noqa: E402
from desk.services import (  # noqa: E402
    audit,
    audit_chain,
    csv_reading,
    lookup,
    residents_csv,
    residents_import,
)
from desk.services.context import Ctx  # noqa: E402

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍红娟建国文辉鹏宇晨欣怡浩然子轩梓涵"
AREAS = ("021", "010", "020", "0755", "0571", "025")
SAVE_EVERY_S = 0.1


def residents_file(lines: int, buildings: list[str], seed: int = 7) -> str:
    """A directory of `lines` residents: one to four to a unit, four flats to a floor."""
    rng = random.Random(seed)
    rows = ["楼栋,房号,姓名,电话,类型"]
    seen: set[tuple[str, str, str]] = set()
    unit = 0
    while len(rows) <= lines:
        building = buildings[unit % len(buildings)]
        floor, flat = divmod(unit // len(buildings), 4)
        room = f"{floor + 1}{flat + 1:02d}"
        for _ in range(rng.choice((1, 2, 3, 4))):
            name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
            if (building, room, name) in seen or len(rows) > lines:
                continue
            seen.add((building, room, name))
            if rng.random() < 0.85:
                phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
            else:
                area = rng.choice(AREAS)
                digits = 8 if len(area) == 3 or rng.random() < 0.5 else 7
                local = rng.randrange(2 * 10 ** (digits - 1), 10**digits)
                phone = f"{area}-{local}"
            kind = "业主" if rng.random() < 0.7 else "租户"
            rows.append(f"{building},{room},{name},{phone},{kind}")
        unit += 1
    return "\n".join(rows) + "\n"


# --- the second desk -------------------------------------------------------------------------


def second_desk(path: str, out: Any, stop: Any) -> None:
    """Save a repair order every 100 ms until `stop` is set; send each save's wait."""
    database = open_database(path, settings=load_settings())
    operator = desk_writer.clerk(database, desk_writer.CLERKS[1])
    writes = desk_writer.Writes(random.Random(3), "second")
    out.send({"ready": True})
    while not stop.is_set():
        began = time.perf_counter()
        try:
            outcome = desk_writer.write_once(database, operator, writes, "repair")
            out.send({"at": began, "wait": outcome.wait_s, "total": outcome.total_s})
        except Exception as exc:  # a "database is busy" would land here
            out.send({"at": began, "error": f"{type(exc).__name__}: {exc}"})
        time.sleep(max(0.0, SAVE_EVERY_S - (time.perf_counter() - began)))
    database.dispose()
    out.send({"done": True})


# --- the import --------------------------------------------------------------------------------


class Stopwatch:
    """Time spent inside one function, by wrapping it where the import looks it up."""

    def __init__(self, owner: Any, name: str) -> None:
        self.owner, self.name, self.seconds = owner, name, 0.0
        self.original: Callable[..., Any] = getattr(owner, name)

    def __enter__(self) -> Stopwatch:
        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return self.original(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - began

        setattr(self.owner, self.name, timed)
        return self

    def __exit__(self, *exc: object) -> None:
        setattr(self.owner, self.name, self.original)


def import_once(path: Path, data: bytes, *, replace: bool = False) -> dict[str, Any]:
    """One import as the CLI runs it (residents_import.write_in_parts); the phases' seconds."""
    began = time.perf_counter()
    database = open_database(path, settings=load_settings())
    operator = desk_writer.clerk(database, desk_writer.CLERKS[0])
    text = csv_reading.decode(data)
    with database.reading() as session:
        result = residents_csv.check(Ctx(session, operator, database.settings, now()), text)
    checked = time.perf_counter()
    held: list[tuple[float, float]] = []  # each part's write lock: from, to

    @contextmanager
    def transaction() -> Iterator[Ctx]:
        with database.writing() as session:
            session.connection()  # BEGIN IMMEDIATE: the write lock is held from here
            locked = time.perf_counter()
            try:
                yield Ctx(session, operator, database.settings, now())
                session.flush()
            except BaseException:
                raise
            else:
                held.append((locked, 0.0))
        held[-1] = (held[-1][0], time.perf_counter())  # after the commit

    with (
        Stopwatch(audit, "record_many") as in_audit,
        Stopwatch(audit_chain, "seal_events") as sealing,
    ):
        residents_import.write_in_parts(transaction, result, replace=replace)
    committed = time.perf_counter()
    database.dispose()
    locks = [to - at for at, to in held]
    return {
        "lines": len(result.good) + len(result.bad),
        "bad": len(result.bad),
        "added": result.added,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "moved_out": sum(result.moved_out.values()),
        "check_s": checked - began,
        "parts": len(held),
        "lock_s": sum(locks),
        "longest_lock_s": max(locks, default=0.0),
        "audit_s": in_audit.seconds,
        "seal_s": sealing.seconds,
        "total_s": committed - began,
        "lock_from": held[0][0] if held else committed,
        "lock_to": committed,
    }


def now() -> datetime:
    return datetime.now(UTC)


def with_second_desk(path: Path, run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """`run()` while the second desk saves; its saves that overlapped the import."""
    context = multiprocessing.get_context("fork")
    mine, theirs = context.Pipe()
    stop = context.Event()
    child = context.Process(target=second_desk, args=(str(path), theirs, stop))
    child.start()
    assert mine.recv() == {"ready": True}
    time.sleep(0.5)  # a few saves before the import begins
    figures = run()
    time.sleep(0.3)
    stop.set()
    saves: list[dict[str, Any]] = []
    while True:
        message = mine.recv()
        if message.get("done"):
            break
        saves.append(message)
    child.join()
    during = [s for s in saves if figures["lock_from"] - 1.5 <= s["at"] <= figures["lock_to"]]
    waits = [s["wait"] for s in during if "wait" in s]
    figures["saves"] = len(during)
    figures["errors"] = [s["error"] for s in saves if "error" in s]
    figures["worst_wait_s"] = max(waits, default=0.0)
    figures["median_wait_s"] = statistics.median(waits) if waits else 0.0
    return figures


def show(title: str, f: dict[str, Any]) -> None:
    print(
        f"{title}: {f['lines']} lines ({f['added']} new, {f['updated']} updated, "
        f"{f['unchanged']} unchanged, {f['moved_out']} moved out)\n"
        f"  read and checked  {f['check_s']:6.2f} s (no lock)\n"
        f"  write lock held   {f['lock_s']:6.2f} s in {f['parts']} transactions, the longest "
        f"{f['longest_lock_s']:.2f} s (of all, the audit events {f['audit_s']:.2f} s, sealing "
        f"them into the chain {f['seal_s']:.2f} s)\n"
        f"  total             {f['total_s']:6.2f} s\n"
        f"  second desk       {f['saves']} saves during the import, longest wait "
        f"{f['worst_wait_s']:.2f} s, median {f['median_wait_s'] * 1000:.0f} ms, "
        f"{len(f['errors'])} errors"
    )


def check_after(path: Path, expected: int) -> list[str]:
    problems = []
    database = open_database(path, settings=load_settings())
    with database.reading() as session:
        ctx = Ctx(session, None, database.settings, now())
        count = (
            session.connection()
            .exec_driver_sql("SELECT count(*) FROM resident WHERE active")
            .scalar_one()
        )
        if count < expected:
            problems.append(f"{count} active residents, expected at least {expected}")
        row = (
            session.connection()
            .exec_driver_sql(
                "SELECT u.code, r.name, r.phone FROM resident r JOIN unit u ON u.id = r.unit_id "
                "ORDER BY r.id DESC LIMIT 1"
            )
            .one()
        )
        for query in (row[0], row[1], row[2]):
            if query and not lookup.search(ctx, query, registers=["residents"]).total:
                problems.append(f"the lookup does not find {query!r}")
        integrity = session.connection().exec_driver_sql("PRAGMA integrity_check").scalar_one()
        if integrity != "ok":
            problems.append(f"integrity_check: {integrity}")
    database.dispose()
    return problems


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--keep", type=Path, help="keep the database in this directory")
    args = parser.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="desk-import-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "desk.db"
    for stale in folder.glob("desk.db*"):
        stale.unlink()
    desk_writer.prepare(path)
    buildings = load_settings().buildings or ["1", "2", "3"]
    text = residents_file(args.lines, buildings)
    data = text.encode("utf-8")
    print(f"{args.lines} lines, {len(data) / 1e6:.1f} MB, buildings {', '.join(buildings)}")
    first = with_second_desk(path, lambda: import_once(path, data))
    show("first import", first)
    again = with_second_desk(path, lambda: import_once(path, data))
    show("same file again", again)
    lines = text.splitlines()
    fewer = "\n".join(line for i, line in enumerate(lines) if i == 0 or i % 10) + "\n"
    replaced = with_second_desk(path, lambda: import_once(path, fewer.encode(), replace=True))
    show("a tenth left out, --replace", replaced)
    problems = check_after(path, replaced["lines"])
    errors = first["errors"] + again["errors"] + replaced["errors"]
    problems += [f"second desk: {error}" for error in errors]
    if problems:
        print("PROBLEMS:\n  " + "\n  ".join(problems))
        sys.exit(1)
    print("read back: every resident there, found by the lookup; integrity ok")
    if not args.keep:
        for stale in folder.glob("desk.db*"):
            stale.unlink()
        os.rmdir(folder)


if __name__ == "__main__":
    main()
