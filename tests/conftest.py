"""Shared fixtures: a fresh migrated database, a fixed clock, service contexts."""

from __future__ import annotations

import fcntl
import inspect
import os
import re
import shutil
import stat
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool
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


class RememberedPins:
    """The PIN hashes of earlier tests in this process, handed out again: one scrypt costs about
    45 ms of CPU, and make test made some 1,900 on SQLite and 1,100 on PostgreSQL (two in every
    test with a clerk), 12 % and 22 % of those runs' CPU. Within one test each hash of a PIN is
    still a new one (the second "1234" has another salt than the first), so nothing a test can
    see changes; across tests, which never share a database, the same salts come back.
    check_pin is a pure function of its two arguments: its answers are remembered too (a
    remembered hash signs in again for free)."""

    def __init__(self) -> None:
        self.real_hash = operators.hash_pin
        self.real_check = operators.check_pin
        self.made: dict[str, list[str]] = {}
        self.used: Counter[str] = Counter()
        self.checked: dict[tuple[str, str], bool] = {}

    def hash_pin(self, pin: str) -> str:
        made = self.made.setdefault(pin, [])
        nth = self.used[pin]
        self.used[pin] += 1
        if nth == len(made):
            made.append(self.real_hash(pin))
        return made[nth]

    def check_pin(self, pin: str, stored: str) -> bool:
        key = (pin, stored)
        if key not in self.checked:
            self.checked[key] = self.real_check(pin, stored)
        return self.checked[key]


@pytest.fixture(scope="session")
def _remembered_pins() -> Iterator[RememberedPins]:
    pins = RememberedPins()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(operators, "hash_pin", pins.hash_pin)
        patch.setattr(operators, "check_pin", pins.check_pin)
        yield pins


@pytest.fixture(autouse=True)
def _pins_per_test(_remembered_pins: RememberedPins) -> None:
    """Each test hashes its PINs afresh as far as it can tell (see RememberedPins)."""
    _remembered_pins.used.clear()


# Set DESK_TEST_POSTGRES=postgresql+psycopg://user:pw@host/postgres to run every database test
# on a fresh PostgreSQL database instead of a fresh SQLite file.
PG_ADMIN_URL = os.environ.get("DESK_TEST_POSTGRES", "")

# The PostgreSQL run is there for what PostgreSQL does: a test that never touches it (a file's
# permissions, a command's words, a pure function) ran already on SQLite, and is not run twice.
# A test touches it through one of these fixtures, or by naming the server in its own source.
PG_FIXTURES = frozenset({"db", "pg_database", "worker_database", "migrated_template"})
PG_WORDS = ("PG_ADMIN_URL", "DESK_TEST_POSTGRES", "needs_postgres")


def _touches_postgres(item: pytest.Item) -> bool:
    if PG_FIXTURES.intersection(getattr(item, "fixturenames", ())):
        return True
    function = getattr(item, "function", None)
    try:
        source = inspect.getsource(function) if function is not None else ""
    except (OSError, TypeError):
        return True  # unknown: run it
    return any(word in source for word in PG_WORDS)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not PG_ADMIN_URL:
        return
    kept = [item for item in items if _touches_postgres(item)]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


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


def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder that every process of this pytest run shares (the workers' basetemps' parent
    under xdist; the basetemp itself without)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo site as `desk demo` builds it at NOW, built once per pytest run (about 6 s of
    CPU) by whichever worker asks first, while the others wait for it."""
    from desk import demo

    folder = run_folder(tmp_path_factory)
    path = folder / "demo-built.db"
    with open(folder / "demo-built.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            making = folder / f"demo-{uuid.uuid4().hex[:8]}.db"
            database = open_database(making, settings=load_settings())
            demo.build_demo(database, NOW)
            database.dispose()  # checkpoints: one whole file
            making.rename(path)
    return path


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory, demo_file: Path) -> Iterator[Database]:
    """The demo site as `desk demo` builds it at NOW, a copy of demo_file for this test process:
    the tests that read it must not change it."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    shutil.copyfile(demo_file, path)
    database = open_database(path, settings=load_settings())
    yield database
    database.dispose()


# What a test may change of a PostgreSQL database besides its rows: its tables, columns,
# indexes, triggers and functions, its schema version and its desk mark. A test that changes
# any of them (an insider's attack on the audit trail drops a trigger) leaves a database that
# is made again from the template; every other test's rows are simply deleted.
_PG_SHAPE = """
SELECT md5(string_agg(x, '|' ORDER BY x)) FROM (
  SELECT 'c:' || table_name || '.' || column_name || ':' || data_type || ':' || is_nullable
         || ':' || coalesce(column_default, '') AS x
    FROM information_schema.columns WHERE table_schema = 'public'
  UNION ALL SELECT 't:' || tgrelid::regclass::text || '.' || tgname || ':' || tgenabled::text
    FROM pg_trigger WHERE NOT tgisinternal
  UNION ALL SELECT 'f:' || proname || ':' || md5(prosrc)
    FROM pg_proc JOIN pg_namespace n ON n.oid = pronamespace WHERE n.nspname = 'public'
  UNION ALL SELECT 'i:' || indexname || ':' || indexdef FROM pg_indexes WHERE schemaname = 'public'
  UNION ALL SELECT 'v:' || version_num FROM alembic_version
  UNION ALL SELECT 'm:' || row_to_json(m)::text FROM desk_marker m
) shape
"""
# kept as the migrations left them: the schema version and the desk's mark
_PG_KEPT = ("alembic_version", "desk_marker")
# tables the migrations write rows in, and the column that orders them
_PG_MIGRATED = {"estate": "id", "audit_event": "id", "audit_seal": "seq"}


class WorkerDatabase:
    """On PostgreSQL: one database per test process, made from the migrated template and
    emptied before each test (its rows deleted, its ids started again) instead of a new
    database per test: about 40 ms a test instead of about 450 ms."""

    def __init__(self, template: str) -> None:
        self.template = template
        self.name = f"desk_test_{uuid.uuid4().hex[:12]}"
        self.admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        url = make_url(PG_ADMIN_URL).set(database=self.name)
        self.url = url.render_as_string(hide_password=False)
        self._make()
        with self.engine.connect() as conn:
            tables = conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).scalars()
            sequences = conn.execute(
                text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
            ).scalars()
            # the rows the migrations wrote (the default estate, its audit event and seal)
            # stay; the sequences go on after them
            made = {
                table: int(conn.execute(text(f'SELECT max("{key}") FROM "{table}"')).scalar() or 0)
                for table, key in _PG_MIGRATED.items()
            }
            # foreign keys and the audit trail's own triggers are off while it is emptied
            self.empty_sql = "SET LOCAL session_replication_role = replica;" + "".join(
                [
                    f'DELETE FROM "{table}"'
                    + (f' WHERE "{_PG_MIGRATED[table]}" > {made[table]}' if table in made else "")
                    + ";"
                    for table in tables
                    if table not in _PG_KEPT
                ]
                + [
                    f"SELECT setval('{sequence}', {made[sequence[:-7]]});"
                    if made.get(sequence[:-7])
                    else f'ALTER SEQUENCE "{sequence}" RESTART;'
                    for sequence in sequences
                ]
            )
            self.shape = conn.execute(text(_PG_SHAPE)).scalar()

    def _make(self) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {self.name} TEMPLATE {self.template}"))
        self.engine = create_engine(self.url, poolclass=NullPool)

    def _drop(self) -> None:
        self.engine.dispose()
        with self.admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)"))

    def empty(self) -> None:
        with self.engine.begin() as conn:
            conn.exec_driver_sql(self.empty_sql)

    def after_test(self) -> None:
        """Made again from the template when the test changed more than rows."""
        with self.engine.connect() as conn:
            same = conn.execute(text(_PG_SHAPE)).scalar() == self.shape
        if not same:
            self._drop()
            self._make()

    def close(self) -> None:
        self._drop()
        self.admin.dispose()


@pytest.fixture(scope="session")
def worker_database(migrated_template: str) -> Iterator[WorkerDatabase | None]:
    """PostgreSQL's database for this test process, emptied per test (None on SQLite, or when
    the test role may not switch triggers off: a new database per test then)."""
    if not PG_ADMIN_URL:
        yield None
        return
    admin = create_engine(PG_ADMIN_URL)
    with admin.connect() as conn:
        superuser = conn.execute(
            text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        ).scalar()
    admin.dispose()
    if not superuser:
        yield None
        return
    worker = WorkerDatabase(migrated_template)
    yield worker
    worker.close()


@pytest.fixture
def db(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    migrated_file: Path,
    migrated_template: str,
    worker_database: WorkerDatabase | None,
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
    if worker_database is not None:
        worker_database.empty()
        database = open_database(worker_database.url, settings=load_settings())
        yield database
        try:
            still_verifies(request, database)
        finally:
            database.dispose()
            worker_database.after_test()
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
