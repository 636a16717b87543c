"""Which database the desk opens, and whether it is the desk's, decided before it is opened.

The URL: --db, else DESK_DATABASE_URL, else DESK_DB, else data/desk.db. A desk database carries
the desk's mark (application_id "DESK" in an SQLite file's header, and the one-row table
desk_marker). Before anything is opened, migrated or switched to WAL, another program's database
is refused (NotOurs) and left byte for byte as it was; an SQLite file is made 0600 here before
SQLite touches it (SQLite gives the -wal and -shm files the same mode).
"""

from __future__ import annotations

import os
import sqlite3
import stat
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, inspect
from sqlalchemy.engine import make_url

from desk.config import REPO_DATA
from desk.db_errors import DatabaseError, NotOurs, describe_failure, with_path
from desk.i18n import t

DEFAULT_DB = REPO_DATA / "desk.db"
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
        raise DatabaseError(with_path("db.cannot_open", shown)) from exc
    if not stat.S_ISREG(info.st_mode):
        raise DatabaseError(t("db.not_a_file", path=shown))
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise DatabaseError(with_path("db.cannot_open", shown)) from exc
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped for something else meanwhile
            raise DatabaseError(t("db.not_a_file", path=shown))
        return os.read(fd, SQLITE_HEADER_BYTES)
    except OSError as exc:
        raise DatabaseError(with_path("db.cannot_open", shown)) from exc
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
        raise NotOurs(with_path("db.not_a_database", shown))
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


def prepare_sqlite_file(path: Path) -> None:
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
