"""Database: engine factory, SQLite pragmas, read/write sessions, migrations on open.

No engine exists at import time. SQLite (the default) runs in WAL mode with synchronous=FULL,
foreign keys on and a busy timeout; a writing session starts with BEGIN IMMEDIATE so two desks
on one file wait for each other instead of failing. Any SQLAlchemy URL can be given through
DESK_DATABASE_URL (PostgreSQL via psycopg 3).

A desk database carries the desk's mark (application_id "DESK" in an SQLite file's header, and
the one-row table desk_marker). Before anything is opened, migrated or switched to WAL, another
program's database is refused (NotOurs) and left byte for byte as it was. Files are made 0600
here and SQLite gives the -wal and -shm files the same mode; the process umask is left alone.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from desk import changes, errorlog
from desk.config import REPO_DATA, Settings, load_settings, site_file_for
from desk.i18n import t
from desk.services import search_index

BUSY_TIMEOUT_MS = 10_000
DEFAULT_DB = REPO_DATA / "desk.db"
# Less free space than this where an I/O error happened: the disk is full.
NEARLY_FULL_BYTES = 1 << 20
# The folder beside the database file that `desk backup` fills (desk.services.backup.BACKUP_DIR).
BACKUPS_BESIDE = "backups"
# SQLite's own words for a damaged file (SQLITE_CORRUPT), for when the error name is not given.
_DAMAGED = re.compile(r"disk image is malformed|malformed database schema|database corruption")


# The desk's mark (migration 0009): "DESK" in the SQLite header's application_id (offset 68),
# and a one-row table on every backend. Tables every desk database has had since its first
# revision recognise a desk file made before the mark (migration 0009 then marks it).
APPLICATION_ID = 0x4445534B
APPLICATION_ID_OFFSET = 68
SQLITE_MAGIC = b"SQLite format 3\x00"
SQLITE_HEADER_BYTES = 100
MARKER_TABLE = "desk_marker"
DESK_TABLES = frozenset({"alembic_version", "operator", "audit_event", "counter"})
# How many of a foreign database's tables its refusal names.
TABLES_SHOWN = 5


class DatabaseError(Exception):
    """The database cannot be opened or written; the message says why in plain words."""


class NotOurs(DatabaseError):
    """The database belongs to another program: the desk refuses it and leaves it untouched."""


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


def _shown_tables(tables: set[str]) -> str:
    names = sorted(tables)
    shown = ", ".join(names[:TABLES_SHOWN])
    return shown + (", …" if len(names) > TABLES_SHOWN else "")


@dataclass(frozen=True)
class _Contents:
    """What an SQLite file holds, read without changing a byte."""

    tables: set[str]
    objects: set[str]  # every schema object: tables, views, indexes, triggers
    versioned: bool  # it has an alembic_version row
    user_version: int


def _sqlite_contents(path: Path) -> _Contents:
    """The schema objects of the SQLite file `path`, its user_version, and whether it has an
    alembic_version row.

    Read without changing a byte: read-only, and `immutable` (no locks, no -wal or -shm made)
    unless the file has a -wal beside it, whose pages are then part of what it holds.
    """
    uri = f"{path.resolve().as_uri()}?mode=ro"
    if not Path(f"{path}-wal").exists():
        uri += "&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        raise DatabaseError(describe_failure(exc, path)) from exc
    try:
        rows = conn.execute("SELECT type, name FROM sqlite_master").fetchall()
        tables = {str(name) for kind, name in rows if kind == "table"}
        objects = {str(name) for _, name in rows}
        versioned = False
        if "alembic_version" in tables:
            versioned = conn.execute("SELECT 1 FROM alembic_version").fetchone() is not None
        user_version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.Error as exc:
        raise DatabaseError(describe_failure(exc, path)) from exc
    finally:
        conn.close()
    return _Contents(tables, objects, versioned, user_version)


def _read_header(path: Path, shown: Path) -> bytes | None:
    """The first bytes of `path`; None when there is no such file.

    Anything there that is not a regular file (a folder, a pipe, a device) is refused before
    it is opened: reading a pipe would wait for ever, and a device is nobody's database.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise DatabaseError(_with_path("db.cannot_open", shown)) from exc
    if not stat.S_ISREG(info.st_mode):
        raise DatabaseError(t("db.not_a_file", path=shown))
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise DatabaseError(_with_path("db.cannot_open", shown)) from exc
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped for something else meanwhile
            raise DatabaseError(t("db.not_a_file", path=shown))
        return os.read(fd, SQLITE_HEADER_BYTES)
    except OSError as exc:
        raise DatabaseError(_with_path("db.cannot_open", shown)) from exc
    finally:
        os.close(fd)


def check_sqlite_file(path: Path, shown: Path | None = None) -> bool:
    """Refuse (NotOurs) a file that is not a desk database; True when it is empty or missing.

    Decided before SQLite writes anything: the header's application_id says "DESK" (a desk
    file), or it is 0 and the file holds the desk's own tables and schema version (a desk file
    made before the mark), or it holds nothing at all (a new desk: no table, view, index or
    trigger, user_version 0 and application_id 0). Anything else is another program's and is
    left byte for byte as it was: no WAL switch, no -wal or -shm, no table. Something that is
    not a regular file (a folder, a pipe, a device) is refused (DatabaseError) unopened.
    `shown` is the name the messages give (the user's file when `path` is a copy of it).
    """
    shown = shown or path
    header = _read_header(path, shown)
    if not header:
        return True
    if len(header) < SQLITE_HEADER_BYTES or not header.startswith(SQLITE_MAGIC):
        raise NotOurs(_with_path("db.not_a_database", shown))
    mark = int.from_bytes(header[APPLICATION_ID_OFFSET : APPLICATION_ID_OFFSET + 4], "big")
    if mark == APPLICATION_ID:
        return False
    contents = _sqlite_contents(path)
    if mark == 0 and not contents.objects and contents.user_version == 0:
        return True
    if mark == 0 and contents.versioned and contents.tables >= DESK_TABLES:
        return False
    if not contents.objects:  # no schema, but another program's number in its header
        raise NotOurs(
            t("db.foreign_marked", path=shown, version=contents.user_version, app_id=mark)
        )
    raise NotOurs(
        t("db.foreign", path=shown, tables=_shown_tables(contents.tables or contents.objects))
    )


def check_server_database(engine: Engine) -> None:
    """Refuse (NotOurs) a server database holding tables that are not a desk's; add nothing.

    Ours: it has the marker table, or (made before the mark) the desk's own tables; new: it
    has no table at all in its default schema.
    """
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        name = conn.engine.url.database or ""
        conn.rollback()
    if not tables or MARKER_TABLE in tables or tables >= DESK_TABLES:
        return
    raise NotOurs(t("db.foreign_server", name=name, tables=_shown_tables(tables)))


def _prepare_sqlite_file(path: Path) -> None:
    """Check the file is ours (or new), and create an empty 0600 one before SQLite touches it.

    A missing directory is refused, never created: a mistyped --db or DESK_DB must not open a
    new, empty desk beside the real one (no operators, records split over two files).
    SQLite makes the -wal and -shm files with the database file's own permissions.
    """
    if not path.parent.is_dir():
        raise DatabaseError(t("db.no_directory", path=path.parent))
    check_sqlite_file(path)
    if path.exists() and os.stat(path).st_mode & 0o077:
        # a desk file (or an empty new one) made readable to others, copied in by hand: made
        # private again, so that SQLite's -wal and -shm, which take its mode, are private too
        with suppress(OSError):  # not ours to change (another owner): left as it is
            os.chmod(path, 0o600)
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
        # what each write changes, for the audit chain to seal (desk.changes)
        event.listen(self._writer, "after_flush", changes.after_flush)
        # each changed record's lookup document, rewritten in the same flush (search_index)
        event.listen(self._writer, "after_flush", search_index.after_flush)

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
        """One write transaction: commits on success, rolls back on any error.

        A refusal that must leave a trace (a wrong PIN is counted) writes it in a transaction
        of its own after the rollback.
        """
        with self._writer() as session:
            try:
                yield session
                session.commit()
            except BaseException as exc:
                session.rollback()
                lasting = getattr(exc, "lasting", None)  # services.errors.LastingRefusal
                if lasting is not None:
                    self._leave_trace(lasting)
                raise

    def _leave_trace(self, lasting: Callable[[Session], None]) -> None:
        """Write a refusal's trace; when that fails (the file busy past the timeout, the disk
        full) the refusal is still what the operator is told, and the failure is logged."""
        try:
            with self._writer() as trace:
                lasting(trace)
                trace.commit()
        except SQLAlchemyError as exc:
            with suppress(Exception):  # the log is a courtesy
                errorlog.write_entry(exc, database_path=self.path, args=[])

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
    try:
        engine = make_engine(url)
    except DatabaseError:
        raise
    except Exception as exc:  # a bad URL, a driver that is not installed
        raise DatabaseError(describe_failure(exc, path)) from exc
    try:
        if path is None and engine.dialect.name != "sqlite":
            check_server_database(engine)
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
    if name.startswith("SQLITE_CORRUPT") or _DAMAGED.search(lowered):
        # A truncated or overwritten file: say so plainly and where the backups are. (Not any
        # "malformed": a bad full-text MATCH expression is malformed too, and not a damaged file.)
        if path is None:
            return t("db.damaged_server")
        return t("db.damaged", path=path, backups=path.absolute().parent / BACKUPS_BESIDE)
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
