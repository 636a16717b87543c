"""Live boards (desk.live): a desk hears another desk's save (SQLite's data_version, PostgreSQL's
NOTIFY per estate), and a commit cut off is asked about, never repeated blindly."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlmodel import select

from desk import live
from desk.db import Database, open_database
from desk.models import Operator, RepairOrder
from desk.services import estates
from tests.conftest import Desk
from tests.seed import register_repair


def _heard(listener: live.Listener, within: float = 2.0) -> bool:
    """Whether `listener` hears something within `within` seconds (a real wait: the point)."""
    end = time.monotonic() + within
    while time.monotonic() < end:
        if listener.poll().changed:
            return True
        time.sleep(0.02)
    return False


def _until(condition: Callable[[], bool], within: float = 3.0) -> bool:
    end = time.monotonic() + within
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.02)
    return False


def _touch(database: Database) -> None:
    """A write through the desk's writing session that names no estate's rows."""
    with database.writing() as session:
        session.execute(text("UPDATE alembic_version SET version_num = version_num"))


def test_another_desk_on_the_same_database_is_heard(
    db: Database, desk: Desk, supervisor: Operator
) -> None:
    if db.is_sqlite:
        assert db.path is not None
        other = open_database(db.url, settings=db.settings, migrate=False)
        watch = live.FileWatch(db.path)
        watch.start()
        try:
            assert watch.poll() == live.News()  # nothing yet
            register_repair(Desk(other, desk.operator))
            assert watch.poll() == live.News(changed=True)
            assert watch.poll() == live.News()  # told once
        finally:
            watch.stop()
            other.dispose()
        return
    # PostgreSQL: a listener per estate, and the company's (the call-centre desk)
    with Desk(db, supervisor).write() as ctx:
        assert estates.add(ctx, "HG", "和谷园", "Hegu Garden").id == 2
    other = open_database(db.url, settings=db.settings, migrate=False, estate="HG")
    listeners = {name: live.Listener(db.url, [name]) for name in ("desk_1", "desk_2", "desk_all")}
    for listener in listeners.values():
        listener.start()
    try:
        for listener in listeners.values():
            assert listener.connected.wait(5)
        register_repair(desk)  # estate 1
        assert _heard(listeners["desk_1"]) and _heard(listeners["desk_all"])
        register_repair(Desk(other, supervisor))  # estate 2
        assert _heard(listeners["desk_2"]) and _heard(listeners["desk_all"])
        # neither heard the other estate's commit; a rolled-back write is heard by none
        with pytest.raises(RuntimeError), db.writing() as session:
            session.execute(text("UPDATE alembic_version SET version_num = version_num"))
            raise RuntimeError
        time.sleep(0.3)
        assert not any(each.poll().changed for each in listeners.values())
        # its connection ended by the server: said, then listening again, looking again
        ear = listeners["desk_1"]
        _touch(other)  # estate 2: desk_1 must not count it as heard below
        with db.engine.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": ear.pid})
        assert _until(lambda: ear.poll().down)
        assert _until(lambda: ear.connected.is_set())
        assert ear.poll() == live.News(changed=True)
    finally:
        for listener in listeners.values():
            listener.stop()
        other.dispose()


def _failing_commit(monkeypatch: pytest.MonkeyPatch, *, commits: bool) -> None:
    """The next commit loses its connection: after committing (the answer lost) or before."""
    real: Callable[[Session], None] = Session.commit

    def commit(session: Session) -> None:
        monkeypatch.setattr(Session, "commit", real)
        if commits:
            real(session)
        else:
            session.dispatch.before_commit(session)  # its id noted; COMMIT never sent
        raise OperationalError("COMMIT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(Session, "commit", commit)


@pytest.mark.skipif("not __import__('os').environ.get('DESK_TEST_POSTGRES')")
def test_a_commit_cut_off_is_asked_about(
    db: Database, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the answer lost after the commit: the save stands, once, with no error
    _failing_commit(monkeypatch, commits=True)
    order_id = register_repair(desk)
    with db.reading() as session:
        assert session.get(RepairOrder, order_id) is not None
    # lost before it committed: not known while the transaction is still open on the server
    _failing_commit(monkeypatch, commits=False)
    with pytest.raises(live.CommitUnknown) as unknown:
        register_repair(desk)
    assert live.commit_status(db, unknown.value.xid) is False  # rolled back since: not saved
    with db.reading() as session:
        assert len(session.exec(select(RepairOrder.id)).all()) == 1
