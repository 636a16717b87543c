"""Database: engine factory, SQLite pragmas, read/write sessions, migrations on open.

No engine exists at import time. SQLite (the default) runs in WAL mode with synchronous=FULL,
foreign keys on and a busy timeout; a writing session starts with BEGIN IMMEDIATE so two desks
on one file wait for each other instead of failing. Any SQLAlchemy URL can be given through
DESK_DATABASE_URL (PostgreSQL via psycopg 3).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from desk.config import REPO_DATA, Settings, load_settings, site_file_for
from desk.i18n import t

BUSY_TIMEOUT_MS = 10_000
DEFAULT_DB = REPO_DATA / "desk.db"
# Less free space than this where an I/O error happened: the disk is full.
NEARLY_FULL_BYTES = 1 << 20


class DatabaseError(Exception):
    """The database cannot be opened or written; the message says why in plain words."""


def database_url(db: str | Path | None = None) -> str:
    """--db beats DESK_DATABASE_URL beats DESK_DB beats data/desk.db."""
    if db is not None:
        text_db = str(db)
        return text_db if "://" in text_db else f"sqlite:///{Path(text_db).expanduser()}"
    url = os.environ.get("DESK_DATABASE_URL")
    if url:
        return url
    path = os.environ.get("DESK_DB")
    return f"sqlite:///{Path(path).expanduser() if path else DEFAULT_DB}"


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _prepare_sqlite_file(path: Path) -> None:
    """Create an empty 0600 database file before SQLite touches it.

    A missing directory is refused, never created: a mistyped --db or DESK_DB must not open a
    new, empty desk beside the real one (no operators, records split over two files).
    """
    if not path.parent.is_dir():
        raise DatabaseError(t("db.no_directory", path=path.parent))
    if not path.exists():
        try:
            fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        except OSError as exc:  # a read-only folder or file system, no permission
            raise DatabaseError(t("db.cannot_create", path=path)) from exc
        os.close(fd)


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite engines get our pragmas and BEGIN IMMEDIATE for writers."""
    path = sqlite_path(url)
    if path is None and not url.startswith("sqlite"):
        server = create_engine(url, pool_pre_ping=True)
        if server.dialect.name == "postgresql":

            @event.listens_for(server, "connect")
            def _on_server_connect(dbapi_conn: Any, _record: Any) -> None:
                # A role's or database's synchronous_commit = off would acknowledge a save
                # before it is on disk: every desk connection sets it back on (fsync is the
                # server's own; see docs/data-safety.md).
                cursor = dbapi_conn.cursor()
                cursor.execute("SET synchronous_commit TO on")
                cursor.close()
                dbapi_conn.commit()

        return server
    if path is not None:
        # The -wal and -shm files are created later by SQLite under the process umask.
        os.umask(0o077)
        _prepare_sqlite_file(path)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        if not isinstance(dbapi_conn, sqlite3.Connection):
            return
        # Let us emit BEGIN ourselves (see _on_begin); the driver's own BEGIN is deferred.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        writing = conn.get_execution_options().get("desk_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")

    return engine


@dataclass
class Database:
    """An open desk database: its engine, its site settings, and session factories."""

    url: str
    engine: Engine
    settings: Settings
    _write_engine: Engine = field(init=False)

    def __post_init__(self) -> None:
        self._write_engine = self.engine.execution_options(desk_write=True)
        self._reader = sessionmaker(self.engine, class_=Session, expire_on_commit=False)
        self._writer = sessionmaker(self._write_engine, class_=Session, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def path(self) -> Path | None:
        return sqlite_path(self.url)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads (a deferred transaction: never blocks writers in WAL mode)."""
        with self._reader() as session:
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One write transaction: commits on success, rolls back on any error."""
        with self._writer() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def check_writable(self) -> None:
        """Raise DatabaseError when nothing could be saved (a read-only file, folder or server).

        The desk, the gate and `desk init` ask this as they open (open_database(writable=True)),
        so the clerk is told at once rather than at the first save. The probe writes a row onto
        itself and is rolled back.
        """
        try:
            with self._write_engine.connect() as conn:
                conn.execute(text("UPDATE alembic_version SET version_num = version_num"))
                conn.rollback()
        except SQLAlchemyError as exc:
            raise DatabaseError(describe_failure(exc, self.path)) from exc

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(
    db: str | Path | None = None,
    *,
    migrate: bool = True,
    settings: Settings | None = None,
    writable: bool = False,
) -> Database:
    """Open (creating if needed) the desk database and bring its schema up to date.

    `writable`: also refuse (DatabaseError) a database where nothing could be saved.
    """
    url = database_url(db)
    path = sqlite_path(url)
    import desk.services.search_index  # noqa: F401  (keeps the lookup index up to date)

    try:
        engine = make_engine(url)
    except DatabaseError:
        raise
    except Exception as exc:  # a bad URL, a driver that is not installed
        raise DatabaseError(describe_failure(exc, path)) from exc
    try:
        if migrate:
            from desk.migrations import upgrade

            upgrade(engine)
    except Exception as exc:  # the driver's own error types differ by backend
        engine.dispose()  # no connection left open on a file the desk could not use
        if isinstance(exc, DatabaseError):
            raise
        raise DatabaseError(describe_failure(exc, path)) from exc
    if settings is None:
        settings = load_settings(site_file_for(path))
    database = Database(url=url, engine=engine, settings=settings)
    if writable:
        try:
            database.check_writable()
        except DatabaseError:
            database.dispose()
            raise
    return database


def describe_failure(exc: BaseException, path: Path | None) -> str:
    """One plain sentence, in the desk's language, for a failure to open or write the database.

    SQLite's own error names decide (Python's sqlite3 gives them); the driver's text is the
    fallback for other drivers (PostgreSQL says "read-only transaction", "No space left").
    """
    orig = getattr(exc, "orig", None) or exc
    name = str(getattr(orig, "sqlite_errorname", "") or "")
    lines = str(orig).strip().splitlines()
    message = lines[0] if lines else type(orig).__name__
    lowered = message.lower()
    if name == "SQLITE_READONLY_DIRECTORY" and path is not None:
        return t("db.read_only_folder", path=path.parent)
    if name.startswith("SQLITE_READONLY") or "readonly" in lowered or "read-only" in lowered:
        return _with_path("db.read_only", path)
    if name == "SQLITE_FULL" or ("disk" in lowered and "full" in lowered):
        return t("db.disk_full")
    if "no space left" in lowered:  # PostgreSQL: could not extend file … No space left
        return t("db.disk_full")
    if name.startswith("SQLITE_IOERR") or "disk i/o error" in lowered:
        # Opening on a full disk fails making the -shm file: an "I/O error" that is a full disk.
        return t("db.disk_full") if _disk_is_full(path) else t("db.io_error")
    if name == "SQLITE_NOTADB" or "not a database" in lowered:
        return _with_path("db.not_a_database", path)
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in lowered:
        if path is not None and path.is_file() and not os.access(path.parent, os.W_OK):
            # The file is there but its -wal and -shm files cannot be made beside it.
            return t("db.read_only_folder", path=path.parent)
        return _with_path("db.cannot_open", path)
    if name.startswith("SQLITE_BUSY") or "locked" in lowered:
        return t("db.busy")
    return message


def _disk_is_full(path: Path | None) -> bool:
    if path is None:
        return False
    try:
        return shutil.disk_usage(path.parent).free < NEARLY_FULL_BYTES
    except OSError:
        return False


def _with_path(key: str, path: Path | None) -> str:
    """`key` naming the file (or folder); `key`_server when there is none (PostgreSQL)."""
    return t(key, path=path) if path is not None else t(f"{key}_server")


def ping(database: Database) -> None:
    with database.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
