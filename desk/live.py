"""Live boards: how a desk learns, within a second, that another desk saved; whether its database
is there; and whether a save whose commit was cut off went through.

SQLite: one connection kept for the purpose asks `PRAGMA data_version` (a counter SQLite moves
when any other connection commits) on the app's timer; the file gone (a share unmounted) or the
question failing is "down". PostgreSQL: every writing transaction sends `NOTIFY desk_<estate>`
for each estate whose rows it wrote (the bound estate when none is known) and `NOTIFY desk_all`
for the company, with `pg_notify` inside the transaction, so it arrives only if it commits. A
desk listens on a connection of its own in a thread (`Listener`), on its estate's channel, or on
`desk_all` when it is bound to every estate (the call-centre desk); the listener reconnects with
backoff and says "changed" once back (what happened meanwhile was not heard).

A save is never made twice: on PostgreSQL the same statement notes the transaction's id; a
commit cut off by a lost connection is asked about (`txid_status`) once the server answers:
committed, aborted, or still unknown (`CommitUnknown`, the form keeps its text and asks again).
No Textual here: the desk's side is desk.widgets.live.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from desk.db_errors import DatabaseError

if TYPE_CHECKING:
    from desk.db import Database

COMPANY_CHANNEL = "desk_all"
# how often the desk looks (the app's timer) and the listener wakes to see if it must stop
TICK_SECONDS = 0.5
# the listener asks its server a trivial question this often: a link cut without a word (a
# cable, a VPN) is found within this, a stopped server at once
PING_SECONDS = 2.0
CONNECT_TIMEOUT_SECONDS = 3
# libpq's own checks of the listener's link: a ping on a link cut without a word (no reset
# from the other end) fails within seconds, not TCP's minutes of retries
LINK_CHECKS: dict[str, Any] = {
    "connect_timeout": CONNECT_TIMEOUT_SECONDS,
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 2,
    "tcp_user_timeout": 5000,  # ms
}
# waits between reconnection attempts, the last repeated
BACKOFF_SECONDS = (0.5, 1.0, 2.0, 4.0, 8.0)

_ESTATES = "desk_live_estates"
_XID = "desk_live_xid"


def bound_estate(database: Database) -> int | None:
    """The estate a desk is bound to (None: every estate, the call-centre desk)."""
    return database.estate_id


def channel(estate_id: int | None) -> str:
    """The channel of one estate, or the company's (None)."""
    return COMPANY_CHANNEL if estate_id is None else f"desk_{int(estate_id)}"


# --- the writing side (PostgreSQL) --------------------------------------------------------


def install(database: Database, writer: Any) -> None:
    """On PostgreSQL, make every commit of `writer` (the database's writing session factory)
    announce itself and note its transaction id."""
    if database.engine.dialect.name != "postgresql":
        return
    event.listen(writer, "after_flush", _note_estates)
    event.listen(writer, "before_commit", lambda session: _announce(database, session))


def _note_estates(session: Session, _context: object) -> None:
    found: set[int] = session.info.setdefault(_ESTATES, set())
    for obj in chain(session.new, session.dirty, session.deleted):
        estate = getattr(obj, "estate_id", None)
        if isinstance(estate, int):
            found.add(estate)


def _announce(database: Database, session: Session) -> None:
    """Inside the transaction, before it commits: NOTIFY its estates and the company, and
    note its id (one statement, one round trip)."""
    session.info.pop(_XID, None)
    session.flush()  # before_commit comes before the last flush: its estates count too
    estates: set[int] = session.info.pop(_ESTATES, set())
    bound = bound_estate(database)
    if bound is not None:
        estates.add(bound)
    channels = sorted({channel(e) for e in estates} | {COMPANY_CHANNEL})
    params = {f"c{i}": name for i, name in enumerate(channels)}
    notify = "".join(f", pg_notify(:c{i}, '')" for i in range(len(channels)))
    session.info[_XID] = session.execute(text(f"SELECT txid_current(){notify}"), params).scalar()
    if bound is None and not estates:
        # a call-centre write naming no estate's rows: every estate's desks look again
        session.execute(text("SELECT pg_notify('desk_' || id, '') FROM estate"))


class CommitUnknown(DatabaseError):
    """The connection was lost while a save was committing, and whether it committed could not
    be asked yet: `xid` is the transaction to ask about (commit_status) once the server answers."""

    def __init__(self, message: str, xid: int) -> None:
        super().__init__(message)
        self.xid = xid


def commit_xid(session: Session) -> int | None:
    """The id of the transaction `session` was committing (PostgreSQL; None elsewhere)."""
    xid = session.info.get(_XID)
    return int(xid) if xid is not None else None


def commit_status(database: Database, xid: int) -> bool | None:
    """Whether transaction `xid` committed (True), did not (False), or cannot be known now."""
    try:
        with database.engine.connect() as conn:
            status = conn.execute(text("SELECT txid_status(:xid)"), {"xid": xid}).scalar()
    except SQLAlchemyError:
        return None
    return {"committed": True, "aborted": False}.get(str(status))


# --- the desk's side: has anything changed, is the database there -------------------------


@dataclass
class News:
    changed: bool = False
    down: bool = False


class FileWatch:
    """A SQLite file watched through `PRAGMA data_version` on one connection of its own.

    The watch lets go of the file when the desk does (its engine disposed: a restore, a file
    found read-only) and opens it again only after the desk has: a connection kept open keeps
    SQLite's write-ahead log open, which would let the desk's next connection write where the
    file itself now refuses it.
    """

    def __init__(self, path: Path, engine: Engine | None = None) -> None:
        self.path = path
        self.engine = engine
        self.conn: sqlite3.Connection | None = None
        self.version: int | None = None
        self.down = False
        self.paused = False

    def start(self) -> None:
        if self.engine is not None:
            event.listen(self.engine, "engine_disposed", self._let_go)
            event.listen(self.engine, "connect", self._resume)
        self.poll()

    def _let_go(self, _engine: Engine) -> None:
        self.close()
        self.paused = True

    def _resume(self, _dbapi_conn: object, _record: object) -> None:
        self.paused = False

    def poll(self) -> News:
        if self.paused:
            return News(down=self.down)
        try:
            if not self.path.exists():
                raise sqlite3.OperationalError("the database file is gone")
            if self.conn is None:
                # never creates a file (mode=rw): a missing one is down, not a new desk
                self.conn = sqlite3.connect(
                    f"file:{self.path}?mode=rw", uri=True, isolation_level=None, timeout=0.2
                )
            version = int(self.conn.execute("PRAGMA data_version").fetchone()[0])
        except sqlite3.Error:
            self.close()
            self.down = True
            return News(down=True)
        back = self.down
        changed = back or (self.version is not None and version != self.version)
        self.version, self.down = version, False
        return News(changed=changed)

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            finally:
                self.conn = None

    def stop(self) -> None:
        if self.engine is not None and event.contains(self.engine, "connect", self._resume):
            event.remove(self.engine, "engine_disposed", self._let_go)
            event.remove(self.engine, "connect", self._resume)
        self.close()


class Listener:
    """LISTEN on a PostgreSQL connection of its own, in a thread; `poll` says what it heard."""

    def __init__(self, url: str, channels: list[str]) -> None:
        self.conninfo = make_url(url).set(drivername="postgresql").render_as_string(False)
        self.channels = channels
        self.heard = False
        self.down = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.connected = threading.Event()  # set while listening (tests wait on it)
        self.pid = 0  # the server's process for the connection (tests end it)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="desk-live", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2 * TICK_SECONDS + CONNECT_TIMEOUT_SECONDS)

    def poll(self) -> News:
        with self._lock:
            news = News(changed=self.heard, down=self.down)
            self.heard = False
        return news

    def _set(self, *, heard: bool = False, down: bool | None = None) -> None:
        with self._lock:
            self.heard = self.heard or heard
            if down is not None:
                self.down = down

    def run(self) -> None:
        import psycopg

        failures = 0
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True, **LINK_CHECKS) as conn:
                    for name in self.channels:  # desk_<int> or desk_all: safe as identifiers
                        conn.execute(f"LISTEN {name}")
                    self.pid = conn.info.backend_pid
                    self._set(heard=failures > 0, down=False)  # missed while away: look again
                    failures = 0
                    self.connected.set()
                    self._listen(conn)
            except psycopg.Error:
                pass
            self.connected.clear()
            if self._stop.is_set():
                return
            self._set(down=True)
            self._stop.wait(BACKOFF_SECONDS[min(failures, len(BACKOFF_SECONDS) - 1)])
            failures += 1

    def _listen(self, conn: Any) -> None:
        waited = 0.0
        while not self._stop.is_set():
            for _notice in conn.notifies(timeout=TICK_SECONDS):
                self._set(heard=True)
            waited += TICK_SECONDS
            if waited >= PING_SECONDS:
                conn.execute("SELECT 1")
                waited = 0.0


def watcher(database: Database) -> FileWatch | Listener | None:
    """What tells this desk of other desks' saves (None: an in-memory database)."""
    if database.is_sqlite:
        path = database.path
        return FileWatch(path, database.engine) if path is not None else None
    if database.engine.dialect.name != "postgresql":
        return None
    return Listener(database.url, [channel(bound_estate(database))])
