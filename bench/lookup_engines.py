"""The quick lookup on SQLite and PostgreSQL, side by side on the same documents (prints a table).

    .venv/bin/python bench/lookup_engines.py --sqlite bench/data/desk-1000000.db \
        --pg postgresql+psycopg://user:pw@host/postgres [--name lookup_bench] [--runs 40] \
        [--load] [--estates 20]

The SQLite file is one bench/generate.py made (opened, it is migrated: its lookup index is rebuilt
by the migration when older). `--load` (re)makes the PostgreSQL database `--name` on that server:
migrated by desk, then the SQLite file's search documents copied into it with COPY and their
word tokens made as desk.services.search_index makes them (search_tokens.pg_tokens), the token
index built after the rows, then VACUUM ANALYZE. Only the lookup's tables are copied: the lookup
reads nothing else. Then every query form runs `--runs` times on each engine through
desk.services.lookup.search (first page, 20 per register): p50 / p95 in ms, and whether both
engines found the same records in the same order. `--estates N`, on a file bench/generate.py
made before migration 0013, first spreads its records over N estates (estate 1 + record id mod
N; the lookup index is then rebuilt by 0013 with them) and the copy keeps them; the forms are
then timed across every estate (the call-centre desk: the same records as one estate of 1M)
and within estate 1 (a desk of its own estate).
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import make_url

from desk import estates as binding
from desk.config import load_settings
from desk.db import Database, make_engine, open_database
from desk.migrations import current_revision, upgrade
from desk.services import lookup, search_index
from desk.services.context import Ctx
from desk.services.search_sources import SOURCES
from desk.services.search_tokens import pg_tokens

COLUMNS = (
    "id, register_name, record_id, number, number_key, room, room_no, person, phone_rev, body, "
    "state, at, due_at, operator_id, rank, estate_id"
)


def queries(path: Path) -> list[tuple[str, str]]:
    """Each query form, with values the generated database holds."""
    conn = sqlite3.connect(path)
    phone = conn.execute("SELECT phone FROM resident WHERE id = 1").fetchone()[0] or ""
    count = conn.execute("SELECT max(id) FROM repair_order").fetchone()[0] or 1
    number = conn.execute(
        "SELECT number FROM repair_order WHERE id = ?", (max(1, count // 2),)
    ).fetchone()[0]
    conn.close()
    return [
        ("room 3-1202", "3-1202"),
        ("room 3栋1202", "3栋1202"),
        ("room 1202 (all buildings)", "1202"),
        ("surname 王", "王"),
        ("full name 王芳", "王芳"),
        ("phone last 4", str(phone)[-4:]),
        ("record number", str(number)),
        ("number prefix (a day)", str(number)[:11]),
        ("3-char text 水龙头", "水龙头"),
        ("2-char 漏水", "漏水"),
        ("1-char 水", "水"),
        ("two words 漏水 厨房", "漏水 厨房"),
        ("rare 2-char 锅炉", "锅炉"),
        ("absent 3-char 电梯坏", "电梯坏"),
        ("ASCII word start", "ok"),
    ]


def admin_url(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def load(sqlite_path: Path, pg_url: str, name: str) -> None:
    """Make the PostgreSQL database `name` with the SQLite file's search documents."""
    plain = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    open_database(admin_url(pg_url, name), settings=load_settings()).dispose()
    source = sqlite3.connect(sqlite_path)
    target_url = make_url(plain).set(database=name).render_as_string(hide_password=False)
    began = time.perf_counter()
    with psycopg.connect(target_url) as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("ALTER TABLE search_token DROP CONSTRAINT search_token_pkey")
        docs = tokens = 0
        with conn.cursor() as cursor:
            with cursor.copy(f"COPY search_doc ({COLUMNS}) FROM STDIN") as copy:
                for row in source.execute(f"SELECT {COLUMNS} FROM search_doc ORDER BY id"):
                    values = list(row)
                    for index in (11, 12):  # naive UTC text on SQLite
                        if values[index] is not None:
                            values[index] = values[index] + "+00"
                    copy.write_row(values)
                    docs += 1
            print(f"  search_doc: {docs:,} rows in {time.perf_counter() - began:.0f} s")
            with cursor.copy("COPY search_token (token, rank, estate_id) FROM STDIN") as copy:
                for register, person, body, rank, estate in source.execute(
                    "SELECT register_name, person, body, rank, estate_id FROM search_doc"
                ):
                    for token in pg_tokens(register, person, body):
                        copy.write_row((token, rank, estate))
                        tokens += 1
            print(f"  search_token: {tokens:,} rows in {time.perf_counter() - began:.0f} s")
            cursor.execute(
                "ALTER TABLE search_token ADD CONSTRAINT search_token_pkey "
                "PRIMARY KEY (token, rank) INCLUDE (estate_id)"
            )
        conn.commit()
        print(f"  token index built: {time.perf_counter() - began:.0f} s")
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE search_doc")
        conn.execute("VACUUM ANALYZE search_token")
        size = conn.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('search_token')), "
            "pg_size_pretty(pg_total_relation_size('search_doc'))"
        ).fetchone()
        print(
            f"  vacuumed: {time.perf_counter() - began:.0f} s; search_token {size[0]}, "
            f"search_doc {size[1]}"
        )
    source.close()


def spread(sqlite_path: Path, estates: int) -> None:
    """Spread the file's records over `estates` estates and rebuild its lookup index: an older
    file is brought to 0012 first, and 0013 rebuilds the index."""
    engine = make_engine(f"sqlite:///{sqlite_path}")
    current = current_revision(engine) or ""
    upgrade(engine, "0012" if current < "0013" else "head")
    with engine.begin() as conn:
        for number in range(2, estates + 1):
            conn.exec_driver_sql(
                "INSERT INTO estate (id, code, name, name_en, settings, active, created_at) "
                "VALUES (?, ?, '', '', '', 1, '2026-01-01 00:00:00')",
                (number, f"E{number:02d}"),
            )
        for source in SOURCES:
            conn.exec_driver_sql(
                f"UPDATE {source.model.__table__.name} SET estate_id = 1 + id % ?", (estates,)
            )
        if current >= "0013":
            search_index.reindex(conn)
    upgrade(engine)
    engine.dispose()


def timed(
    database: Database, query: str, runs: int, scope: tuple[int, ...] | None
) -> tuple[list[float], Any]:
    times = []
    found = None
    with database.reading() as session:
        binding.bind(session, scope[0] if scope else None, scope)
        ctx = Ctx(session, None, database.settings, datetime.now(UTC))
        for _ in range(runs):
            began = time.perf_counter()
            found = lookup.search(ctx, query)
            times.append((time.perf_counter() - began) * 1000)
    times.sort()
    ids = [(g.register, [h.record_id for h in g.hits]) for g in found.groups] if found else []
    return times, ids


def p95(times: list[float]) -> float:
    return times[max(0, int(len(times) * 0.95) - 1)]


def measure(
    sqlite_path: Path, pg_url: str, name: str, runs: int, scope: tuple[int, ...] | None
) -> None:
    engines = {
        "SQLite": open_database(sqlite_path, settings=load_settings(), estate="*"),
        "PostgreSQL": open_database(admin_url(pg_url, name), settings=load_settings(), estate="*"),
    }
    where = "every estate" if scope is None else f"estates {scope}"
    print(f"\n{where}: {runs} runs each; first page = 20 per register; p50 / p95 ms")
    print("| query | hits | SQLite | PostgreSQL | PG p95 / SQLite p95 | same |")
    print("|---|---|---|---|---|---|")
    for label, query in queries(sqlite_path):
        row = {}
        for engine, database in engines.items():
            timed(database, query, 6, scope)  # warm (and psycopg's statements prepared)
            row[engine] = timed(database, query, runs, scope)
        (lite, lite_ids), (pg, pg_ids) = row["SQLite"], row["PostgreSQL"]
        hits = sum(len(ids) for _register, ids in lite_ids)
        print(
            f"| {label} | {hits} | {statistics.median(lite):.1f} / {p95(lite):.1f} "
            f"| {statistics.median(pg):.1f} / {p95(pg):.1f} | {p95(pg) / p95(lite):.2f} "
            f"| {'yes' if lite_ids == pg_ids else 'NO'} |"
        )
    for database in engines.values():
        database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sqlite", type=Path, required=True)
    parser.add_argument("--pg", required=True, help="an admin URL of the PostgreSQL server")
    parser.add_argument("--name", default="lookup_bench")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--load", action="store_true")
    parser.add_argument("--estates", type=int, default=1)
    args = parser.parse_args()
    began = time.perf_counter()
    if args.estates > 1:
        spread(args.sqlite, args.estates)
    open_database(args.sqlite, settings=load_settings(), estate="*").dispose()
    print(f"SQLite file migrated (if it was older) in {time.perf_counter() - began:.0f} s")
    if args.load:
        load(args.sqlite, args.pg, args.name)
    measure(args.sqlite, args.pg, args.name, args.runs, None)
    if args.estates > 1:
        measure(args.sqlite, args.pg, args.name, args.runs, (1,))


if __name__ == "__main__":
    main()
