"""Every connection the desk opens waits for the disk: SQLite synchronous=FULL in WAL mode, and
on PostgreSQL synchronous_commit and fsync on — so a power cut cannot lose an acknowledged save.

What is checked is each connection as the desk uses it: a listener on every connection pool
(`Pool` "checkout") reads the settings of every connection any engine hands out — the first and
the ones the pool makes later, the reading and the writing sessions, the one Alembic migrates
on, the gate's and the lookup's — and a wrapper around `sqlite3.connect` in the backup module
reads the backup's own plain connections. The attacks turn durability off behind the desk's back
(a connect listener a test adds) and show these checks catch it.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.pool import Pool
from typer.testing import CliRunner

from desk.config import load_settings
from desk.db import Database, open_database
from desk.models import GateResult, Operator, Role
from desk.services import backup, restore
from tests.conftest import PG_ADMIN_URL

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import desk_writer

# who a restore names in the restored file's audit trail
_SUPERVISOR = Operator(id=1, name="陈主管", role=Role.supervisor, pin_hash="")

FULL = 2  # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA


@dataclass
class Seen:
    """The durability settings of every connection a pool handed out."""

    settings: dict[int, tuple[Any, ...]] = field(default_factory=dict)
    # each connection seen is kept alive: a closed one's id() could be given to the next
    kept: list[Any] = field(default_factory=list)

    def record(self, dbapi_conn: Any) -> None:
        self.kept.append(dbapi_conn)
        self.settings[id(dbapi_conn)] = durability(dbapi_conn)

    def weak(self) -> list[tuple[Any, ...]]:
        return [found for found in self.settings.values() if not is_durable(found)]


def durability(dbapi_conn: Any) -> tuple[Any, ...]:
    """("sqlite", synchronous, journal_mode) or ("postgresql", synchronous_commit, fsync)."""
    cursor = dbapi_conn.cursor()
    try:
        if isinstance(dbapi_conn, sqlite3.Connection):
            synchronous = cursor.execute("PRAGMA synchronous").fetchone()[0]
            journal = cursor.execute("PRAGMA journal_mode").fetchone()[0]
            return ("sqlite", synchronous, str(journal).lower())
        cursor.execute("SHOW synchronous_commit")
        commit = cursor.fetchone()[0]
        cursor.execute("SHOW fsync")
        return ("postgresql", commit, cursor.fetchone()[0])
    finally:
        cursor.close()


def is_durable(found: tuple[Any, ...]) -> bool:
    if found[0] == "sqlite":
        return found[1] == FULL and found[2] == "wal"
    return found[1] == "on" and found[2] == "on"


@contextmanager
def watching() -> Iterator[Seen]:
    """Every connection checked out of any pool while inside, with its settings at that moment."""
    seen = Seen()

    def on_checkout(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        seen.record(dbapi_conn)

    event.listen(Pool, "checkout", on_checkout)
    try:
        yield seen
    finally:
        event.remove(Pool, "checkout", on_checkout)


def sessions_at_once(database: Database, seen: Seen) -> None:
    """Three reading sessions, one writing session and raw connections of both engines, all open
    at the same time (so the pool makes new connections besides its first)."""
    with ExitStack() as stack:
        for _ in range(3):
            session = stack.enter_context(database.reading())
            seen.record(session.connection().connection.dbapi_connection)
        writer = stack.enter_context(database.writing())
        seen.record(writer.connection().connection.dbapi_connection)
        for engine in (database.engine, database._write_engine):
            raw = engine.raw_connection()
            stack.callback(raw.close)
            seen.record(raw.dbapi_connection)


# --- SQLite --------------------------------------------------------------------------------


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "desk.db", settings=load_settings())
    yield database
    database.dispose()


def test_every_pooled_connection_is_full_and_wal(sqlite_db: Database) -> None:
    with watching() as seen:
        sessions_at_once(sqlite_db, seen)
        sqlite_db.engine.dispose()  # the pool starts again: its next connections too
        sessions_at_once(sqlite_db, seen)
    assert len(seen.settings) >= 8, seen.settings  # many distinct connections, not the first
    assert {found[0] for found in seen.settings.values()} == {"sqlite"}
    assert seen.weak() == []


def test_a_connection_turned_to_normal_behind_the_desks_back_is_caught(
    sqlite_db: Database,
) -> None:
    """The attack: a listener (a plugin, a careless patch) sets synchronous=NORMAL — WAL then
    loses the last commits at a power cut. The check sees it on every connection made after."""

    @event.listens_for(sqlite_db.engine, "connect")
    def weaken(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA synchronous=NORMAL")

    sqlite_db.engine.dispose()
    with watching() as seen:
        sessions_at_once(sqlite_db, seen)
    weak = seen.weak()
    assert weak and all(found[1] == 1 for found in weak)
    assert len(weak) == len(seen.settings)


def test_a_connection_out_of_wal_is_caught(sqlite_db: Database) -> None:
    """synchronous=FULL in rollback-journal mode is durable too, but not what the desk runs on
    (readers would block the writer): the check names that as well."""

    @event.listens_for(sqlite_db.engine, "connect")
    def no_wal(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA synchronous=OFF")
        dbapi_conn.execute("PRAGMA journal_mode=MEMORY")

    sqlite_db.engine.dispose()
    with watching() as seen, sqlite_db.reading() as session:
        seen.record(session.connection().connection.dbapi_connection)
    assert seen.weak() and seen.weak()[0][1:] == (0, "memory")


def test_the_migration_runs_on_a_full_wal_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new file is migrated on one write transaction: that connection is durable too."""
    from alembic import command

    real = command.upgrade
    migrated_on: list[tuple[Any, ...]] = []

    def upgrade(config: Any, revision: str, **kwargs: Any) -> None:
        conn = config.attributes["connection"]
        migrated_on.append(durability(conn.connection.dbapi_connection))
        real(config, revision, **kwargs)

    monkeypatch.setattr(command, "upgrade", upgrade)
    with watching() as seen:
        open_database(tmp_path / "new.db", settings=load_settings()).dispose()
    assert migrated_on == [("sqlite", FULL, "wal")]
    assert seen.settings and seen.weak() == []


def issue_one_pass(path: Path) -> str:
    """A prepared desk (bench/desk_writer.py) with one release pass issued; its number."""
    import random

    desk_writer.prepare(path)
    database = open_database(path, settings=load_settings())
    try:
        operator = desk_writer.clerk(database, desk_writer.CLERKS[0])
        writes = desk_writer.Writes(random.Random(1), "d")
        outcome = desk_writer.write_once(database, operator, writes, "issue_pass")
    finally:
        database.dispose()
    number: str = outcome.records[0]["number"]
    return number


def cli(db: Path, *args: str) -> str:
    from desk.cli import app

    result = CliRunner().invoke(app, ["--lang", "en", "--db", str(db), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_gate_and_the_lookup_open_durable_connections(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`desk gate` (its screen replaced by one gate check written on the database it opened)
    and `desk lookup` open their own databases: every connection of theirs is FULL and WAL."""
    import desk.screens.gate as gate_screen
    from desk.services import passes
    from desk.services.context import Ctx

    db = tmp_path / "desk.db"
    number = issue_one_pass(db)
    checked: list[str] = []

    def run_gate(database: Database, _lang: str, _guard: str) -> None:
        with database.writing() as session:
            ctx = Ctx(session, None, database.settings, desk_writer.now())
            checked.append(passes.gate_check(ctx, number, GateResult.all_out, "门岗").number)
        database.dispose()

    monkeypatch.setattr(gate_screen, "run_gate", run_gate)
    with watching() as seen:
        cli(db, "gate")
        cli(db, "lookup", "沙发")
    assert checked == [number]
    assert len(seen.settings) >= 2
    assert seen.weak() == []


# --- the backup's plain sqlite3 connections ----------------------------------------------------


class ConnectSpy:
    """Stands in for the sqlite3 module in desk.services.backup and .restore: each connect is
    read at once."""

    def __init__(self, weaken: str = "") -> None:
        self.seen: list[tuple[str, int]] = []
        self.weaken = weaken

    def __getattr__(self, name: str) -> Any:
        return getattr(sqlite3, name)

    def connect(self, path: str, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = sqlite3.connect(path, *args, **kwargs)
        if self.weaken:
            conn.execute(self.weaken)
        self.seen.append((Path(path).name, conn.execute("PRAGMA synchronous").fetchone()[0]))
        return conn


def backup_and_restore(tmp_path: Path, spy: ConnectSpy, monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (backup, restore):
        monkeypatch.setattr(module, "sqlite3", spy)
    database = open_database(tmp_path / "desk.db", settings=load_settings())
    try:
        made = backup.make_backup(database, tmp_path / "backups")
    finally:
        database.dispose()
    restore.restore(tmp_path / "desk.db", made, _SUPERVISOR, load_settings())


def test_the_backup_and_restore_connections_are_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """backup.py and restore.py open SQLite with plain sqlite3.connect (VACUUM INTO,
    integrity_check, the exclusive lock of a restore): none sets synchronous, so each runs on
    SQLite's default — FULL in this build (SQLITE_DEFAULT_SYNCHRONOUS and
    SQLITE_DEFAULT_WAL_SYNCHRONOUS = 2). The backup file itself is fsynced by make_backup before
    it is renamed into place."""
    spy = ConnectSpy()
    backup_and_restore(tmp_path, spy, monkeypatch)
    opened = {name for name, _ in spy.seen}
    assert "desk.db" in opened and len(spy.seen) >= 3, spy.seen  # the backup's and restore's
    assert all(level == FULL for _, level in spy.seen), spy.seen


def test_a_weakened_backup_connection_is_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = ConnectSpy(weaken="PRAGMA synchronous=OFF")
    backup_and_restore(tmp_path, spy, monkeypatch)
    assert spy.seen and all(level == 0 for _, level in spy.seen)


def test_a_plain_connection_here_defaults_to_full() -> None:
    """What the backup's connections rely on: this SQLite's compiled defaults are FULL, in
    rollback-journal and in WAL mode alike. Another build (some set NORMAL for WAL) fails here."""
    conn = sqlite3.connect(":memory:")
    options = {row[0] for row in conn.execute("PRAGMA compile_options")}
    conn.close()
    assert "DEFAULT_WAL_SYNCHRONOUS=1" not in options
    assert not any(o.startswith("DEFAULT_SYNCHRONOUS=") and o[-1] in "01" for o in options)


def test_no_other_plain_sqlite_connect_in_desk() -> None:
    """The only plain sqlite3.connect calls in desk/ are the backup's and the restore's, checked
    above, the read-only look at a file before it is opened, and the live board's question
    whether another desk has saved."""
    root = Path(__file__).resolve().parent.parent / "desk"
    found = sorted(
        f"{path.relative_to(root)}"
        for path in root.rglob("*.py")
        if "sqlite3.connect(" in path.read_text(encoding="utf-8")
    )
    # a new one: check its synchronous here, as the backup's are
    assert found == ["db_file.py", "live.py", "services/backup.py", "services/restore.py"], found
    # live.py's only asks PRAGMA data_version (has another desk saved?): it writes nothing
    live = (root / "live.py").read_text(encoding="utf-8")
    assert live.count("sqlite3.connect(") == 1 and live.count("self.conn.execute(") == 1
    assert 'self.conn.execute("PRAGMA data_version")' in live
    # db_file.py's only reads a file's tables before the desk decides it is ours: read-only, it
    # writes nothing that synchronous could lose
    checker = (root / "db_file.py").read_text(encoding="utf-8")
    assert checker.count("sqlite3.connect(") == 1 and "?mode=ro" in checker


# --- PostgreSQL ----------------------------------------------------------------------------

needs_postgres = pytest.mark.skipif(not PG_ADMIN_URL, reason="DESK_TEST_POSTGRES is not set")


@needs_postgres
def test_every_postgres_connection_commits_synchronously(db: Database) -> None:
    with watching() as seen:
        sessions_at_once(db, seen)
        db.engine.dispose()
        sessions_at_once(db, seen)
    assert len(seen.settings) >= 8
    assert {found[0] for found in seen.settings.values()} == {"postgresql"}
    assert seen.weak() == [], seen.settings


@needs_postgres
def test_a_database_set_to_asynchronous_commit_is_overridden(db: Database) -> None:
    """ALTER DATABASE … SET synchronous_commit = off (or the same on the role, or in the server's
    file) would acknowledge commits before they reach the disk: the desk sets it back on for
    each of its own connections."""
    from sqlalchemy import create_engine, text

    name = db.engine.url.database
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f"ALTER DATABASE {name} SET synchronous_commit = off"))
        db.engine.dispose()
        with watching() as seen:
            sessions_at_once(db, seen)
            sessions_at_once(db, seen)  # the same connections again, after their rollback
        assert seen.settings and seen.weak() == [], seen.settings
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"ALTER DATABASE {name} RESET synchronous_commit"))
        admin.dispose()


@needs_postgres
def test_a_postgres_connection_turned_asynchronous_is_caught(db: Database) -> None:
    @event.listens_for(db.engine, "connect")
    def weaken(dbapi_conn: Any, _record: Any) -> None:
        with dbapi_conn.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
        dbapi_conn.commit()

    db.engine.dispose()
    with watching() as seen:
        sessions_at_once(db, seen)
    assert seen.weak() and all(found[1] == "off" for found in seen.weak())


# --- files renamed into place are on disk first -----------------------------------------------


class SyncLog:
    """os.fsync and os.replace as desk.services.backup and .restore call them, in order (by
    inode)."""

    def __init__(self) -> None:
        self.synced: set[int] = set()
        self.replaced: list[tuple[str, bool]] = []  # (target name, its content synced before)
        self.dirs_synced_after: list[str] = []

    def fsync(self, fd: int) -> None:
        info = os.fstat(fd)
        self.synced.add(info.st_ino)
        if stat.S_ISDIR(info.st_mode) and self.replaced:
            self.dirs_synced_after.append(self.replaced[-1][0])
        real_fsync(fd)

    def replace(self, src: Any, dst: Any) -> None:
        self.replaced.append((Path(dst).name, os.stat(src).st_ino in self.synced))
        real_replace(src, dst)


real_fsync, real_replace = os.fsync, os.replace


@pytest.fixture
def sync_log(monkeypatch: pytest.MonkeyPatch) -> SyncLog:
    log = SyncLog()
    shim = SimpleNamespace(**{name: getattr(os, name) for name in dir(os) if name[0] != "_"})
    shim.fsync, shim.replace = log.fsync, log.replace
    for module in (backup, restore):
        monkeypatch.setattr(module, "os", shim)
    return log


def test_a_backup_is_on_disk_before_it_is_renamed_into_place(
    tmp_path: Path, sync_log: SyncLog
) -> None:
    """VACUUM INTO does not fsync what it writes: make_backup does, then renames, then syncs
    the folder — a power cut leaves the old set of backups or the new one, never a torn file."""
    database = open_database(tmp_path / "desk.db", settings=load_settings())
    try:
        made = backup.make_backup(database, tmp_path / "backups")
    finally:
        database.dispose()
    assert sync_log.replaced == [(made.name, True)]
    assert sync_log.dirs_synced_after == [made.name]


def test_a_restored_database_is_on_disk_before_it_replaces_the_old_one(
    tmp_path: Path, sync_log: SyncLog
) -> None:
    database = open_database(tmp_path / "desk.db", settings=load_settings())
    try:
        made = backup.make_backup(database, tmp_path / "backups")
    finally:
        database.dispose()
    sync_log.replaced.clear()
    restore.restore(tmp_path / "desk.db", made, _SUPERVISOR, load_settings())
    assert sync_log.replaced == [("desk.db", True)]
