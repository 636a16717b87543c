"""How long each migration takes on a large database, and how long each statement holds its locks.

    .venv/bin/python bench/migrate_timing.py --db bench/data/old-1000000.db --make 1000000
    .venv/bin/python bench/migrate_timing.py --db postgresql+psycopg://USER:PW@HOST/bench_old \\
        --make 1000000 [--from 0011] [--json out.json]

`--make N` first builds the database with bench/generate.py (one estate, N records) and takes it
back to revision --from (default 0011, as a company's database stands before estates) with the
migrations' own downgrades (timed too); without it the database given must already be at an
older revision (--again takes it back there first). Then the upgrade runs exactly as a desk runs
it when it opens the database (desk.migrations.upgrade: every pending revision in one
transaction, BEGIN IMMEDIATE on SQLite), with every statement timed. Printed per revision: its
time, and each statement that took 1 ms or more (the others summed), with on PostgreSQL the table
locks it took (read from pg_locks inside the transaction, the strongest mode per table) and how
long it holds them: from the statement's start until the transaction commits, since a lock is
kept to the end of its transaction; then what runs after the last revision (the upgrade's own
foreign-key check on SQLite) and the commit. On SQLite the whole upgrade holds the file's write
lock (desks keep reading in WAL mode, their saves wait), so its time is what a save may wait.
Re-run it after a new revision lands: it times whatever revisions lie between --from and head.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from sqlalchemy import event, inspect  # noqa: E402

from desk.db import make_engine  # noqa: E402
from desk.db_file import database_url, sqlite_path  # noqa: E402
from desk.migrations import HEAD, current_revision, upgrade  # noqa: E402

# lock modes of PostgreSQL, weakest first
MODES = (
    "AccessShareLock",
    "RowShareLock",
    "RowExclusiveLock",
    "ShareUpdateExclusiveLock",
    "ShareLock",
    "ShareRowExclusiveLock",
    "ExclusiveLock",
    "AccessExclusiveLock",
)
LOCKS_SQL = (
    "SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
    "WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND c.relkind IN ('r', 'p') "
    "AND c.relnamespace <> 'pg_catalog'::regnamespace"
)


@dataclass
class Statement:
    revision: str
    sql: str
    began: float
    took: float = 0.0
    locks: dict[str, str] = field(default_factory=dict)  # table -> strongest mode taken here
    committed: float = 0.0

    @property
    def held(self) -> float:
        """Seconds its locks are held: from its start until its transaction commits."""
        return (self.committed or self.began + self.took) - self.began


class Recorder:
    """Every statement of the upgrade, its time, its new locks (PostgreSQL), its commit."""

    def __init__(self, engine: Any) -> None:
        self.postgres = engine.dialect.name == "postgresql"
        self.statements: list[Statement] = []
        self.revision = "?"
        self.held: dict[str, str] = {}  # the transaction's locks so far
        self.pending: list[Statement] = []  # not yet committed
        self.timer = 0.0
        event.listen(engine, "before_cursor_execute", self.before)
        event.listen(engine, "after_cursor_execute", self.after)
        event.listen(engine, "commit", self.commit)

    def before(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.timer = time.perf_counter()

    def after(self, _conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        took = time.perf_counter() - self.timer
        text = " ".join(statement.split())
        if text.startswith("UPDATE alembic_version SET version_num="):
            # the revision just run: its statements were the ones since the last such update
            done = text.split("'")[1] if "'" in text else "?"
            for item in self.statements:
                if item.revision == "?":
                    item.revision = done
        item = Statement("?", text, self.timer, took)
        if self.postgres:
            with cursor.connection.cursor() as probe:
                probe.execute(LOCKS_SQL)
                for table, mode in probe.fetchall():
                    before = self.held.get(table)
                    if before is None or MODES.index(mode) > MODES.index(before):
                        self.held[table] = mode
                        item.locks[table] = mode
        self.statements.append(item)
        self.pending.append(item)

    def commit(self, _conn: Any) -> None:
        now = time.perf_counter()
        for item in self.pending:
            item.committed = now
        self.pending.clear()
        self.held.clear()


def rows_of(engine: Any) -> dict[str, int]:
    with engine.connect() as conn:
        names = [n for n in inspect(conn).get_table_names() if "_fts" not in n]  # FTS5's own
        return {
            name: int(conn.exec_driver_sql(f'SELECT count(*) FROM "{name}"').scalar() or 0)
            for name in names
        }


def time_upgrade(url: str) -> dict[str, Any]:
    engine = make_engine(url)
    start = current_revision(engine)
    sizes = rows_of(engine)
    print(f"upgrading {start} -> {HEAD}; largest tables: ", end="")
    biggest = sorted(sizes.items(), key=lambda item: -item[1])[:4]
    print(", ".join(f"{name} {count:,}" for name, count in biggest))
    recorder = Recorder(engine)
    began = time.perf_counter()
    upgrade(engine)
    total = time.perf_counter() - began
    engine.dispose()
    revisions: dict[str, list[Statement]] = {}
    for item in recorder.statements:
        revisions.setdefault(item.revision, []).append(item)
    out: dict[str, Any] = {
        "engine": "sqlite" if sqlite_path(url) else engine.dialect.name,
        "from": start,
        "to": HEAD,
        "total_s": total,
        "rows": dict(biggest),
        "load": os.getloadavg(),
        "revisions": {},
    }
    print(f"whole upgrade (one transaction, as a desk runs it): {total:.2f} s")
    for revision, items in revisions.items():
        took = sum(item.took for item in items)
        first, last = items[0].began, items[-1].began + items[-1].took
        big = {name for name, count in sizes.items() if count >= 100_000}
        heavy = [
            item for item in items if any(m == "AccessExclusiveLock" for m in item.locks.values())
        ]
        on_big = [item for item in items if big & set(item.locks)]
        title = f"revision {revision}" if revision != "?" else "after the last revision"
        print(
            f"\n== {title}: {last - first:.3f} s, {len(items)} statements ({took:.3f} s in them) =="
        )
        # a statement run many times (a rebuild's batches) is one line: how many, their total
        groups: dict[str, list[Statement]] = {}
        for item in items:
            groups.setdefault(item.sql[:70], []).append(item)
        shown = []
        quiet = 0.0
        quiet_count = 0
        for text, group in groups.items():
            took_ms = sum(item.took for item in group) * 1000
            locks: dict[str, str] = {}
            for item in group:
                locks.update(item.locks)
            if took_ms < 1 and not big & set(locks):
                quiet += took_ms
                quiet_count += len(group)
                continue
            times = f"{len(group)}x " if len(group) > 1 else ""
            held = max(item.held for item in group)
            print(f"  {took_ms:9.1f} ms  held {held:6.2f} s  {times}{text}")
            if locks:
                named = ", ".join(f"{t} {m.removesuffix('Lock')}" for t, m in locks.items())
                print(f"  {'':33}locks: {named}")
            shown.append(
                {"sql": text, "times": len(group), "ms": took_ms, "held_s": held, "locks": locks}
            )
        if quiet_count:
            print(f"  {quiet:9.1f} ms  {quiet_count} other statements")
        longest_big = max((item.held for item in on_big), default=0.0)
        if recorder.postgres:
            print(
                f"  longest lock on a table of >= 100k rows: {longest_big:.3f} s "
                f"({len(heavy)} statements take ACCESS EXCLUSIVE locks)"
            )
        out["revisions"][revision] = {
            "seconds": last - first,
            "statements": len(items),
            "longest_lock_on_big_table_s": longest_big,
            "statements_shown": shown,
        }
    return out


def downgrade(url: str, revision: str) -> None:
    """Take the database back to `revision` (bench only: the desk never downgrades)."""
    from alembic import command

    from desk.migrations import alembic_config

    engine = make_engine(url)
    config = alembic_config()
    began = time.perf_counter()
    with engine.execution_options(desk_write=True).connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        with conn.begin():
            config.attributes["connection"] = conn  # type: ignore[attr-defined]
            command.downgrade(config, revision)  # type: ignore[arg-type]
    path = sqlite_path(url)
    if path is not None:
        raw = sqlite3.connect(path)
        raw.execute("VACUUM")
        raw.close()
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()
    print(f"  downgraded to {revision} (and vacuumed) in {time.perf_counter() - began:.1f} s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True, help="SQLite file or database URL")
    parser.add_argument("--make", type=int, help="first generate it with this many records")
    parser.add_argument("--from", dest="base", default="0011", help="revision to generate at")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--again", action="store_true", help="first go back to --from")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    server = "://" in args.db and not args.db.startswith("sqlite")
    url = args.db if server else database_url(Path(args.db))
    if args.make:
        import generate

        generate.generate(args.make, args.db if server else Path(args.db), args.seed)
        downgrade(url, args.base)
    elif args.again:
        downgrade(url, args.base)
    result = time_upgrade(url)
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
