"""Database: engine factory, SQLite pragmas, read/write sessions, migrations on open.

No engine exists at import time. SQLite (the default) runs in WAL mode with synchronous=FULL,
foreign keys on and a busy timeout; a writing session starts with BEGIN IMMEDIATE so two desks
on one file wait for each other instead of failing. Any SQLAlchemy URL can be given through
DESK_DATABASE_URL (PostgreSQL via psycopg 3).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from desk.config import REPO_DATA, Settings, load_settings, site_file_for

BUSY_TIMEOUT_MS = 10_000
DEFAULT_DB = REPO_DATA / "desk.db"


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
    """Create the directory and an empty 0600 database file before SQLite touches it."""
    if not path.parent.exists():
        raise DatabaseError(f"directory does not exist: {path.parent}")
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite engines get our pragmas and BEGIN IMMEDIATE for writers."""
    path = sqlite_path(url)
    if path is None and not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
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

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(
    db: str | Path | None = None, *, migrate: bool = True, settings: Settings | None = None
) -> Database:
    """Open (creating if needed) the desk database and bring its schema up to date."""
    url = database_url(db)
    path = sqlite_path(url)
    import desk.services.search_index  # noqa: F401  (keeps the lookup index up to date)

    try:
        engine = make_engine(url)
        if migrate:
            from desk.migrations import upgrade

            upgrade(engine)
    except DatabaseError:
        raise
    except Exception as exc:  # the driver's own error types differ by backend
        raise DatabaseError(describe_failure(exc, path)) from exc
    if settings is None:
        settings = load_settings(site_file_for(path))
    return Database(url=url, engine=engine, settings=settings)


def describe_failure(exc: BaseException, path: Path | None) -> str:
    """A one-line, plain reason for a database failure."""
    message = str(getattr(exc, "orig", None) or exc).splitlines()[0]
    lowered = message.lower()
    if "readonly" in lowered or "read-only" in lowered:
        return f"the database is read-only: {path or ''}".strip()
    if "disk" in lowered and "full" in lowered:
        return "the disk is full: nothing was saved"
    if "unable to open" in lowered:
        return f"cannot open the database file: {path or ''}".strip()
    if "locked" in lowered:
        return "the database is busy (another desk is writing); try again"
    return message


def ping(database: Database) -> None:
    with database.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
