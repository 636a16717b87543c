"""The desk's database opened: its engine, SQLite's pragmas, read/write sessions, migrations.

No engine exists at import time. SQLite (the default) runs in WAL mode with synchronous=FULL,
foreign keys on and a busy timeout; a writing session starts with BEGIN IMMEDIATE so two desks
on one file wait for each other instead of failing. Any SQLAlchemy URL can be given through
DESK_DATABASE_URL (PostgreSQL via psycopg 3). Which database, and whether it is the desk's, is
decided first (desk.db_file); a failure is said in one sentence (desk.db_errors).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from desk import changes, errorlog, estates, live
from desk.config import Settings, load_settings, site_file_for, with_overrides
from desk.db_errors import DatabaseError, describe_failure, estate_refusal
from desk.db_file import check_server_database, database_url, prepare_sqlite_file, sqlite_path
from desk.models.estate import DEFAULT_ESTATE
from desk.services import search_index

BUSY_TIMEOUT_MS = 10_000


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
        prepare_sqlite_file(path)
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
    # the estate new rows go to (None: chosen per call, the call-centre desk) and the estates
    # read (None: every estate); see desk.estates
    estate_id: int | None = DEFAULT_ESTATE
    estates: tuple[int, ...] | None = (DEFAULT_ESTATE,)
    # the site file's settings, before any estate's own lines (the call-centre desk works in
    # each estate with its own: `settings_for`)
    site_settings: Settings | None = None
    _write_engine: Engine = field(init=False)

    def __post_init__(self) -> None:
        self._write_engine = self.engine.execution_options(desk_write=True)
        self._reader = sessionmaker(self.engine, class_=Session, expire_on_commit=False)
        self._writer = sessionmaker(self._write_engine, class_=Session, expire_on_commit=False)
        # what each write changes, for the audit chain to seal (desk.changes)
        event.listen(self._writer, "after_flush", changes.after_flush)
        # each changed record's lookup document, rewritten in the same flush (search_index)
        event.listen(self._writer, "after_flush", search_index.after_flush)
        # each session sees its estates' rows only and writes into its own (desk.estates)
        for factory in (self._reader, self._writer):
            event.listen(factory, "do_orm_execute", estates.scope_reads)
        event.listen(self._writer, "before_flush", estates.stamp_new_rows)
        # other desks told of each commit, and its id kept to ask about a lost commit (live)
        live.install(self, self._writer)

    def _bound(self, session: Session) -> Session:
        estates.bind(session, self.estate_id, self.estates)
        return session

    @property
    def call_centre(self) -> bool:
        """A desk over every estate (bound to none): it chooses the estate of each call."""
        return self.estate_id is None

    def admit(self, estates: tuple[int, ...] | None) -> None:
        """After a sign-in at the call-centre desk: read only the estates the operator may
        work on (None: every one; at sign-out). A desk bound to one estate keeps it."""
        if self.call_centre:
            self.estates = estates

    def settings_for(self, estate_id: int) -> Settings:
        """The settings of `estate_id`: the site file's with that estate's own lines on top."""
        if estate_id == self.estate_id:
            return self.settings
        with self.engine.connect() as conn:
            overrides = conn.execute(
                text("SELECT settings FROM estate WHERE id = :id"), {"id": estate_id}
            ).scalar()
        return with_overrides(self.site_settings or self.settings, str(overrides or ""))

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
            yield self._bound(session)

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One write transaction: commits on success, rolls back on any error.

        A refusal that must leave a trace (a wrong PIN is counted) writes it in a transaction
        of its own after the rollback.
        """
        with self._writer() as session:
            try:
                yield self._bound(session)
                self._commit(session)
            except BaseException as exc:
                session.rollback()
                lasting = getattr(exc, "lasting", None)  # services.errors.LastingRefusal
                if lasting is not None:
                    self._leave_trace(lasting)
                raise

    def _commit(self, session: Session) -> None:
        """Commit; a commit cut off (the server's connection lost) is asked about: done
        (returns), not done (the error), or not known yet (live.CommitUnknown)."""
        try:
            session.commit()
        except SQLAlchemyError as exc:
            xid = live.commit_xid(session)
            if xid is None:
                raise
            done = live.commit_status(self, xid)
            if done is None:
                raise live.CommitUnknown(describe_failure(exc, self.path), xid) from exc
            if not done:
                raise

    def _leave_trace(self, lasting: Callable[[Session], None]) -> None:
        """Write a refusal's trace; when that fails (the file busy past the timeout, the disk
        full) the refusal is still what the operator is told, and the failure is logged."""
        try:
            with self._writer() as trace:
                lasting(self._bound(trace))
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
    estate: str | None = None,
) -> Database:
    """Open (creating if needed) the desk database and bring its schema up to date.

    `writable`: also refuse (DatabaseError) a database where nothing could be saved.
    `estate`: the estate's code ("*": every estate, the call-centre desk and whole-database
    tools); None: the one `desk --estate`, DESK_ESTATE or the site file names, or the only one.
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
    base = settings
    try:
        with engine.connect() as conn:
            binding = estates.resolve(conn, estate or estates.chosen_code(settings.site.estate))
        settings = with_overrides(settings, binding.overrides)
    except estates.EstateUnknown as exc:
        engine.dispose()
        raise DatabaseError(estate_refusal(exc)) from exc
    except ValueError as exc:  # an estate's own settings that do not read
        engine.dispose()
        raise DatabaseError(str(exc)) from exc
    database = Database(
        url=url,
        engine=engine,
        settings=settings,
        estate_id=binding.estate,
        estates=binding.estates,
        site_settings=base,
    )
    if writable:
        try:
            database.check_writable()
        except DatabaseError:
            database.dispose()
            raise
    return database


def ping(database: Database) -> None:
    with database.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
