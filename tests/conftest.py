"""Shared fixtures: a fresh migrated database, a fixed clock, service contexts."""

from __future__ import annotations

import os
import re
import shutil
import stat
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlmodel import col, select

from desk.config import load_settings
from desk.db import Database, open_database
from desk.i18n import set_language
from desk.models import Operator, Role
from desk.services import operators
from desk.services.context import Ctx

if TYPE_CHECKING:
    from desk.services import audit_verify

TZ = ZoneInfo("Asia/Shanghai")
# A Monday morning in the office.
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=TZ)
# The night before it: a call at 02:10, and the night shift handing over at 08:20.
AT_NIGHT = datetime(2026, 11, 23, 2, 10, tzinfo=TZ)
NIGHT_END = datetime(2026, 11, 23, 8, 20, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _language() -> Iterator[None]:
    set_language("en")
    yield
    set_language("en")


# Set DESK_TEST_POSTGRES=postgresql+psycopg://user:pw@host/postgres to run every database test
# on a fresh PostgreSQL database instead of a fresh SQLite file.
PG_ADMIN_URL = os.environ.get("DESK_TEST_POSTGRES", "")


@pytest.fixture(scope="session")
def migrated_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh SQLite database brought up to date once per test process (about 70 ms each).

    Each test gets its own copy: the same file a migration makes, in a few milliseconds.
    """
    path = tmp_path_factory.mktemp("migrated") / "desk.db"
    open_database(path, settings=load_settings()).dispose()  # checkpoints: one whole file
    return path


@pytest.fixture(scope="session")
def migrated_template() -> Iterator[str]:
    """On PostgreSQL: a database brought up to date once per test process, which each test's
    database is made from (CREATE DATABASE … TEMPLATE): migrating every test's database from
    scratch cost about 1.5 s of each test's setup. Nothing connects to it once it is made."""
    if not PG_ADMIN_URL:
        yield ""
        return
    name = f"desk_template_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    open_database(url, settings=load_settings()).dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE {name}"))
    admin.dispose()


def verify_audit(database: Database, head: str | None = None) -> audit_verify.Report:
    """What checking the audit trail of `database` finds, as a reader at NOW (against the
    chain head `head` when given)."""
    from desk.services import audit_verify

    with database.reading() as session:
        return audit_verify.verify(Ctx(session, None, database.settings, NOW), head=head)


def file_mode(path: Path) -> int:
    """The permission bits of `path`, as 0o600."""
    return stat.S_IMODE(path.stat().st_mode)


def have_cjk_font() -> bool:
    """Whether this machine has a CJK font the PDFs can be drawn with."""
    from desk.printing.fonts import FontNotFound, find_cjk_font

    try:
        find_cjk_font()
    except FontNotFound:
        return False
    return True


def pgm_dark_pixels(pgm: bytes) -> tuple[int, int]:
    """(dark pixels, all pixels) of a binary PGM (P5) image as pdftoppm writes it."""
    fields = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", pgm)
    assert fields, "not a binary PGM"
    width, height = int(fields.group(1)), int(fields.group(2))
    pixels = pgm[fields.end() : fields.end() + width * height]
    return sum(1 for value in pixels if value < 128), width * height


def still_verifies(request: pytest.FixtureRequest, database: Database) -> None:
    """Every test leaves a database whose audit trail verifies: whatever a test did through
    the services, each row is what its sealed events say. A test that changes the database
    behind the desk's back on purpose says so with `@pytest.mark.tampers`."""
    if request.node.get_closest_marker("tampers") is not None:
        return
    report = verify_audit(database)
    assert report.ok, [problem.text for problem in report.problems[:5]]


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """The demo site as `desk demo` builds it at NOW, once for the test module that asks."""
    from desk import demo

    database = open_database(tmp_path_factory.mktemp("demo") / "demo.db", settings=load_settings())
    demo.build_demo(database, NOW)
    yield database
    database.dispose()


@pytest.fixture
def db(
    request: pytest.FixtureRequest, tmp_path: Path, migrated_file: Path, migrated_template: str
) -> Iterator[Database]:
    if not PG_ADMIN_URL:
        shutil.copyfile(migrated_file, tmp_path / "desk.db")
        database = open_database(tmp_path / "desk.db", settings=load_settings())
        yield database
        try:
            still_verifies(request, database)
        finally:
            database.dispose()
        return
    name = f"desk_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {migrated_template}"))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    database = open_database(url, settings=load_settings())
    yield database
    try:
        still_verifies(request, database)
    finally:
        database.dispose()
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE {name}"))
    admin.dispose()


FIRST_SUPERVISOR = ("陈主管", Role.supervisor, "9999")


def first_supervisor(db: Database, now: datetime = NOW) -> Operator:
    """The database's first active supervisor; 陈主管 (PIN 9999) is added when there is none,
    the one way an operator is added with no one signed in (desk.services.operators)."""
    with db.writing() as session:
        found = session.exec(
            select(Operator)
            .where(Operator.role == Role.supervisor, col(Operator.active).is_(True))
            .order_by(col(Operator.id))
        ).first()
        if found is not None:
            return found
        return operators.add_operator(Ctx(session, None, db.settings, now), *FIRST_SUPERVISOR)


def add_staff(db: Database, name: str, role: Role | str, pin: str, now: datetime = NOW) -> Operator:
    """An operator added as every one after the first is: by a supervisor (first_supervisor)."""
    boss = first_supervisor(db, now)
    with db.writing() as session:
        return operators.add_operator(Ctx(session, boss, db.settings, now), name, role, pin)


@pytest.fixture
def clerk(db: Database) -> Operator:
    return add_staff(db, "王芳", Role.clerk, "1234")


@pytest.fixture
def supervisor(db: Database) -> Operator:
    return first_supervisor(db)


@pytest.fixture
def night(db: Database) -> Operator:
    return add_staff(db, "张伟", Role.night, "3333")


class Desk:
    """Runs service calls as one operator at a settable time, each in its own transaction."""

    def __init__(self, db: Database, operator: Operator | None, now: datetime = NOW):
        self.db, self.operator, self.now = db, operator, now

    def write(self) -> _CtxScope:
        return _CtxScope(self, writing=True)

    def read(self) -> _CtxScope:
        return _CtxScope(self, writing=False)


class _CtxScope:
    def __init__(self, desk: Desk, writing: bool):
        self.desk, self.writing = desk, writing

    def __enter__(self) -> Ctx:
        self._cm = self.desk.db.writing() if self.writing else self.desk.db.reading()
        session = self._cm.__enter__()
        return Ctx(session, self.desk.operator, self.desk.db.settings, self.desk.now)

    def __exit__(self, *exc: object) -> None:
        self._cm.__exit__(*exc)  # type: ignore[arg-type]


@pytest.fixture
def desk(db: Database, clerk: Operator) -> Desk:
    return Desk(db, clerk)


@pytest.fixture
def boss(db: Database, supervisor: Operator) -> Desk:
    """The desk as the supervisor works it."""
    return Desk(db, supervisor)
