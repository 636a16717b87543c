"""The database keeps what is saved: pragmas, private files, append-only audit, waiting writers."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import exc, text

from desk.config import load_settings
from desk.db import BUSY_TIMEOUT_MS, Database, open_database
from desk.db_errors import DatabaseError


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The usual umask (022) of a shell, so file modes prove the code's own care."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _pragma(db: Database, name: str) -> object:
    with db.engine.connect() as conn:
        return conn.exec_driver_sql(f"PRAGMA {name}").scalar()


def test_pragmas_are_set_on_every_connection(db: Database) -> None:
    assert _pragma(db, "journal_mode") == "wal"
    assert _pragma(db, "synchronous") == 2  # FULL
    assert _pragma(db, "foreign_keys") == 1
    assert _pragma(db, "busy_timeout") == BUSY_TIMEOUT_MS


def test_database_and_its_wal_files_are_private(tmp_path: Path, loose_umask: None) -> None:
    database = open_database(tmp_path / "desk.db", settings=load_settings())
    try:
        with database.writing() as session:
            session.execute(text("INSERT INTO counter (key, value) VALUES ('x', 1)"))
        # keep a connection open so the -wal and -shm files exist
        with database.engine.connect() as conn:
            conn.exec_driver_sql("SELECT count(*) FROM counter").scalar()
            for name in ("desk.db", "desk.db-wal", "desk.db-shm"):
                mode = stat.S_IMODE((tmp_path / name).stat().st_mode)
                assert mode == 0o600, f"{name} is {oct(mode)}"
    finally:
        database.dispose()


def _add_audit_event(db: Database) -> None:
    with db.writing() as session:
        session.execute(
            text(
                "INSERT INTO audit_event (at, register_name, record_id, action, data, reason) "
                "VALUES ('2026-11-23 01:30:00', 'repairs', 1, 'registered', '{}', '')"
            )
        )


@pytest.mark.tampers
@pytest.mark.parametrize(
    "statement", ["UPDATE audit_event SET action = 'forged'", "DELETE FROM audit_event"]
)
def test_audit_trail_refuses_update_and_delete(db: Database, statement: str) -> None:
    _add_audit_event(db)
    with pytest.raises(exc.DBAPIError, match="append-only"), db.writing() as session:
        session.execute(text(statement))
    with db.reading() as session:
        actions = session.execute(text("SELECT action FROM audit_event ORDER BY id")).scalars()
        # the upgrade's own event (the default estate), then the test's
        assert list(actions) == ["created", "registered"]


def test_a_writing_session_holds_the_write_lock_from_its_first_statement(db: Database) -> None:
    assert db.path is not None
    other = sqlite3.connect(db.path, timeout=0, isolation_level=None)
    try:
        with db.writing() as session:
            session.execute(text("SELECT count(*) FROM operator"))
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_a_reading_session_does_not_block_writers(db: Database) -> None:
    assert db.path is not None
    other = sqlite3.connect(db.path, timeout=0, isolation_level=None)
    try:
        with db.reading() as session:
            session.execute(text("SELECT count(*) FROM operator"))
            other.execute("BEGIN IMMEDIATE")
            other.execute("INSERT INTO counter (key, value) VALUES ('r', 1)")
            other.execute("COMMIT")
    finally:
        other.close()


def test_two_desks_that_read_then_write_wait_for_each_other(tmp_path: Path) -> None:
    path = tmp_path / "desk.db"
    first = open_database(path, settings=load_settings())
    second = open_database(path, settings=load_settings())
    holding = threading.Event()
    errors: list[BaseException] = []

    def slow_desk() -> None:
        try:
            with first.writing() as session:
                session.execute(text("SELECT count(*) FROM counter")).scalar()
                holding.set()
                time.sleep(0.3)
                session.execute(text("INSERT INTO counter (key, value) VALUES ('first', 1)"))
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
            holding.set()

    worker = threading.Thread(target=slow_desk)
    worker.start()
    try:
        assert holding.wait(10)
        with second.writing() as session:
            session.execute(text("SELECT count(*) FROM counter")).scalar()
            session.execute(text("INSERT INTO counter (key, value) VALUES ('second', 2)"))
    finally:
        worker.join(10)
    assert errors == []
    with second.reading() as session:
        keys = session.execute(text("SELECT key FROM counter ORDER BY value")).scalars().all()
    assert keys == ["first", "second"]
    first.dispose()
    second.dispose()


def test_missing_data_directory_is_a_clear_database_error(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "desk.db"
    with pytest.raises(DatabaseError, match="directory does not exist") as raised:
        open_database(missing, settings=load_settings())
    assert str(missing.parent) in str(raised.value)
    assert not missing.parent.exists()
