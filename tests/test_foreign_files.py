"""The desk never touches a database that is not its own: attacks with another program's files.

A careless `--db`, or a "backup" that is really another program's database, must be refused in
one line with exit status 2, and the file left byte for byte as it was: same sha256, same
modification time, no -wal or -shm made beside it, no table added. A desk file made before the
desk marked its files is still recognised, and marked when it is next opened.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import socket
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, make_url, text
from typer.testing import CliRunner

from desk.cli import app
from desk.config import load_settings
from desk.db import open_database
from desk.db_errors import DatabaseError, NotOurs
from desk.db_file import APPLICATION_ID, check_sqlite_file
from desk.i18n import t
from desk.migrations import HERE as MIGRATIONS
from desk.models import Role
from desk.services import backup
from tests.conftest import PG_ADMIN_URL, add_staff, first_supervisor

runner = CliRunner()
SIDECARS = ("-wal", "-shm", "-journal")


def other_program(path: Path, *, alembic: str | None = None, app_id: int = 0) -> Path:
    """Another program's SQLite database: a few tables, some rows, a rollback journal."""
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE TABLE invoice (id INTEGER PRIMARY KEY, customer TEXT, amount REAL);
        CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT, phone TEXT);
        CREATE INDEX ix_invoice_customer ON invoice (customer);
        INSERT INTO customer VALUES (1, 'Acme', '13800138000'), (2, '王记', '021-5555');
        INSERT INTO invoice VALUES (1, 'Acme', 12.5), (2, '王记', 99.0), (3, 'Acme', 1.0);
        """
    )
    if alembic is not None:  # another program that also uses Alembic, at a number we know
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.execute("INSERT INTO alembic_version VALUES (?)", (alembic,))
    if app_id:
        conn.execute(f"PRAGMA application_id = {app_id}")
    conn.commit()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
    return path


def fingerprint(path: Path) -> tuple[str, int, int]:
    info = path.stat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), info.st_mtime_ns, info.st_mode


def assert_untouched(path: Path, before: tuple[str, int, int]) -> None:
    assert fingerprint(path) == before
    for suffix in SIDECARS:
        assert not Path(f"{path}{suffix}").exists(), f"{path.name}{suffix} was made"


def cli(db: Path | str, *args: str, pin: str | None = None) -> tuple[int, str]:
    env = {"DESK_PIN": pin} if pin is not None else None
    result = runner.invoke(app, ["--lang", "en", "--db", str(db), *args], env=env)
    return result.exit_code, result.output


def new_desk(path: Path) -> Path:
    """A desk database with a supervisor (PIN 9999) and a clerk (1234)."""
    database = open_database(path, settings=load_settings())
    first_supervisor(database)
    add_staff(database, "王芳", Role.clerk, "1234")
    database.dispose()
    return path


COMMANDS = {
    "desk": [],
    "init": ["init"],
    "lookup": ["lookup", "1202"],
    "export": ["export"],
    "backup": ["backup"],
    "report": ["report", "monthly"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_another_programs_database_is_refused_and_left_as_it_was(
    tmp_path: Path, command: str
) -> None:
    other = other_program(tmp_path / "accounts.db")
    before = fingerprint(other)
    code, output = cli(other, *COMMANDS[command])
    assert code == 2, output
    lines = output.strip().splitlines()
    assert lines == [
        "error: " + t("db.foreign", path=other, tables="customer, invoice"),
    ]
    assert_untouched(other, before)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["accounts.db"]  # no backups/, no log


@pytest.mark.parametrize(
    ("kind", "options"),
    [
        ("same alembic numbers", {"alembic": "0005"}),
        ("another program's mark", {"app_id": 0x47504B47}),
        ("our numbers and our mark's look-alike", {"alembic": "0009", "app_id": 0x4445534C}),
    ],
)
def test_look_alikes_are_refused(tmp_path: Path, kind: str, options: dict[str, object]) -> None:
    other = other_program(tmp_path / "x.db", **options)  # type: ignore[arg-type]
    before = fingerprint(other)
    with pytest.raises(NotOurs, match="another program's database"):
        open_database(other, settings=load_settings())
    assert_untouched(other, before)


def test_the_refusal_is_real_exit_status_2_on_stderr(tmp_path: Path) -> None:
    other = other_program(tmp_path / "accounts.db")
    before = fingerprint(other)
    done = subprocess.run(
        [Path(sys.executable).with_name("desk"), "--lang", "zh_CN", "--db", str(other), "init"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert str(other) in done.stderr and "其他程序的数据库" in done.stderr
    assert_untouched(other, before)


def test_another_programs_wal_database_gets_no_wal_or_shm_from_us(tmp_path: Path) -> None:
    other = other_program(tmp_path / "wal.db")
    conn = sqlite3.connect(other, isolation_level=None)
    assert conn.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
    conn.close()  # the last connection: SQLite removes its -wal and -shm
    before = fingerprint(other)
    code, output = cli(other, "lookup", "1202")
    assert code == 2 and "another program's database" in output
    assert_untouched(other, before)


def test_a_text_file_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("shift notes\n" * 50)
    before = fingerprint(notes)
    code, output = cli(notes, "init")
    assert code == 2 and t("db.not_a_database", path=notes) in output
    assert_untouched(notes, before)


def _schema_only(path: Path, script: str) -> Path:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(script)
    conn.close()
    return path


@pytest.mark.parametrize(
    ("script", "said"),
    [
        ("PRAGMA user_version = 3;", "(user_version 3, application_id 0)"),
        ("PRAGMA application_id = 1196444237;", "(user_version 0, application_id 1196444237)"),
        ("CREATE VIEW answer AS SELECT 42 AS n;", "(tables: answer)"),
        (
            "CREATE VIEW answer AS SELECT 42 AS n; CREATE TRIGGER t INSTEAD OF INSERT ON answer "
            "BEGIN SELECT 1; END;",
            "(tables: answer, t)",
        ),
        (
            "CREATE TABLE scratch (n); CREATE INDEX ix_scratch ON scratch (n); "
            "DROP TABLE scratch; PRAGMA user_version = 7;",
            "(user_version 7, application_id 0)",
        ),
    ],
)
def test_another_programs_empty_looking_file_is_not_taken_over(
    tmp_path: Path, script: str, said: str
) -> None:
    """No table, but a view, a trigger, or another program's number in the header: not a
    new desk. Refused in one line, and left byte for byte as it was (no desk schema added)."""
    other = _schema_only(tmp_path / "other.db", script)
    before = fingerprint(other)
    for command in (["init"], ["backup"], ["lookup", "1202"]):
        code, output = cli(other, *command)
        assert code == 2, output
        lines = output.strip().splitlines()
        assert len(lines) == 1 and "another program's" in lines[0] and said in lines[0], output
        assert_untouched(other, before)
    with pytest.raises(NotOurs):
        check_sqlite_file(other)


def test_an_sqlite_file_with_nothing_in_it_is_still_a_new_desk(tmp_path: Path) -> None:
    """The other side of the rule: an SQLite file with no schema and no numbers is new."""
    blank = _schema_only(tmp_path / "blank.db", "CREATE TABLE t (n); DROP TABLE t; VACUUM;")
    assert check_sqlite_file(blank) is True
    code, output = cli(blank, "init")
    assert code == 0, output
    assert _mark(blank)[0] == APPLICATION_ID


def _not_a_file(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"{kind}.db"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    else:
        listener = socket.socket(socket.AF_UNIX)
        listener.bind(str(path))
        listener.close()
    return path


@pytest.mark.parametrize("kind", ["fifo", "folder", "socket"])
def test_a_pipe_a_folder_or_a_socket_as_db_is_refused_unopened(tmp_path: Path, kind: str) -> None:
    """Reading a FIFO would wait for ever: refused by its kind before it is opened, in one
    line and exit status 2 (a real process, so a hang fails the test instead of the run)."""
    target = _not_a_file(tmp_path, kind)
    some = tmp_path / "some.db"
    some.write_text("a backup, say\n")
    for command in (["init"], ["backup"], ["restore", str(some), "--yes", "--as", "陈主管"]):
        done = subprocess.run(
            [Path(sys.executable).with_name("desk"), "--lang", "en", "--db", str(target), *command],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "DESK_PIN": "9999"},
        )
        assert done.returncode == 2, done.stderr
        assert done.stderr.strip().splitlines() == ["error: " + t("db.not_a_file", path=target)], (
            done.stderr
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, some.name])


def test_a_device_is_not_a_database(tmp_path: Path) -> None:
    """/dev/null reads as empty: it must not pass for a new desk (which would be chmod-ed)."""
    with pytest.raises(DatabaseError, match="not a regular file"):
        check_sqlite_file(Path("/dev/null"))


def test_restore_refuses_another_programs_file_as_the_backup(tmp_path: Path) -> None:
    path = new_desk(tmp_path / "desk.db")
    desk_before = hashlib.sha256(path.read_bytes()).hexdigest()
    for name, options in (("plain.db", {}), ("alembic.db", {"alembic": "0007"})):
        other = other_program(tmp_path / name, **options)  # type: ignore[arg-type]
        before = fingerprint(other)
        code, output = cli(path, "restore", str(other), "--yes", "--as", "陈主管", pin="9999")
        assert code == 2, output
        assert output.strip().splitlines() == ["error: " + t("backup.foreign", path=other)]
        assert_untouched(other, before)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == desk_before
    assert not list(tmp_path.glob(".*restoring*")) and not list(tmp_path.glob("*before-restore*"))


def test_restore_refuses_to_replace_another_programs_database(tmp_path: Path) -> None:
    desk_file = new_desk(tmp_path / "desk.db")
    database = open_database(desk_file, settings=load_settings())
    made = backup.make_backup(database, tmp_path / "backups")
    database.dispose()
    other = other_program(tmp_path / "accounts.db")
    before = fingerprint(other)
    code, output = cli(other, "restore", str(made), "--yes", "--as", "陈主管", pin="9999")
    assert code == 2 and "another program's database" in output
    assert_untouched(other, before)
    assert not list(tmp_path.glob(".*restoring*")) and not list(tmp_path.glob("*before-restore*"))


def _mark(path: Path) -> tuple[int, list[tuple[int, str]]]:
    conn = sqlite3.connect(path)
    try:
        app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        return app_id, conn.execute("SELECT id, product FROM desk_marker").fetchall()
    finally:
        conn.close()


def test_a_new_desk_is_marked_and_a_backup_keeps_the_mark(tmp_path: Path) -> None:
    path = new_desk(tmp_path / "desk.db")
    assert _mark(path) == (APPLICATION_ID, [(1, "desk")])
    assert path.read_bytes()[68:72] == b"DESK"
    database = open_database(path, settings=load_settings())
    made = backup.make_backup(database, tmp_path / "b")
    database.dispose()
    assert made.read_bytes()[68:72] == b"DESK"


def test_an_empty_file_is_a_new_desk_made_private(tmp_path: Path) -> None:
    empty = tmp_path / "desk.db"
    empty.touch(mode=0o644)
    os.chmod(empty, 0o644)
    code, output = cli(empty, "init")
    assert code == 0, output
    assert _mark(empty)[0] == APPLICATION_ID
    assert empty.stat().st_mode & 0o777 == 0o600


def _columns_added_by_0011() -> dict[str, list[str]]:
    spec = importlib.util.spec_from_file_location(
        "m0011", MIGRATIONS / "versions" / "0011_loops_of_the_source_documents.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {
        "repair_order": [make().name for make in module.REPAIR],
        "complaint": [make().name for make in module.COMPLAINT],
    }


LATER_COLUMNS = _columns_added_by_0011()
# what 0012 (estates) added, as SQL that takes it away again on either engine
_ESTATE_TABLES = ("estate", "operator_estate")
_OLD_SHAPES = {  # the tables 0012 rebuilt, as 0001 to 0003 made them (SQLite)
    "unit": "id INTEGER NOT NULL, building VARCHAR NOT NULL, room VARCHAR(20) NOT NULL, "
    "code VARCHAR(45) NOT NULL, created_at DATETIME NOT NULL, PRIMARY KEY (id), "
    "UNIQUE (building, room), UNIQUE (code)",
    "key": "id INTEGER NOT NULL, tag VARCHAR(40) NOT NULL, kind VARCHAR(20) NOT NULL, "
    "opens VARCHAR(200) NOT NULL, room VARCHAR(45) NOT NULL, copies INTEGER NOT NULL, "
    "hook VARCHAR(20) NOT NULL, active BOOLEAN NOT NULL, note VARCHAR(500) NOT NULL, "
    "operator_id INTEGER, created_at DATETIME NOT NULL, PRIMARY KEY (id), "
    "FOREIGN KEY(operator_id) REFERENCES operator (id), UNIQUE (tag)",
    "calendar_day": "day DATE NOT NULL, kind VARCHAR(20) NOT NULL, note VARCHAR(200) NOT NULL, "
    "operator_id INTEGER, created_at DATETIME NOT NULL, "
    "FOREIGN KEY(operator_id) REFERENCES operator (id), PRIMARY KEY (day)",
}
_OLD_INDEXES = {
    "unit": "CREATE INDEX ix_unit_room ON unit (room)",
    "key": "CREATE INDEX ix_key_room ON key (room)",
}


# tables of the migrations after 0013, newest first: dropped to take a file back to 0013
LATER_TABLES = [
    "fee_payment",  # 0019
    "fee_appointment",  # 0019
    "fee_step",  # 0019
    "fee_balance",  # 0019
    "fee_custody",  # 0019
    "move_in_reading",  # 0021
    "service_round",  # 0020
    "service_booking",  # 0020
    "incident_follow_up",  # 0018
    "incident_stand_in",  # 0018
    "incident_step",  # 0018
    "incident",  # 0018
    "patrol_point",  # 0017
    "finding_check",
    "finding",
    "patrol_round",
    "move_in",  # 0021: after patrol_round, whose move_in_id refers to it
    "owner_change",  # 0016
    "id_proof_key",  # 0016
    "resident_card",  # 0015
    "worker_pass",
    "renovation_visit",
    "renovation_inspection",
    "renovation",
]
# columns the migrations after 0013 added to older tables: dropped with them
LATER_TABLE_COLUMNS = {"resident": ["id_proof", "id_last4", "id_kind"]}  # 0016


def _undo_later_tables(execute: Callable[[str], object]) -> None:
    for table in LATER_TABLES:
        execute(f'DROP TABLE "{table}"')
    for table, columns in LATER_TABLE_COLUMNS.items():
        for column in columns:
            execute(f'ALTER TABLE "{table}" DROP COLUMN {column}')


def _undo_lookup_rank(execute: Callable[[str], object], sqlite: bool) -> None:
    """A database of 0013 taken back to 0012's lookup index (no rank, FTS5 without estates,
    no search_token)."""
    for index in ("rank", "room", "room_no", "estate_room", "estate_room_no"):
        execute(f"DROP INDEX ix_search_doc_{index}")
    execute("CREATE INDEX ix_search_doc_room ON search_doc (room, register_name, at)")
    execute("CREATE INDEX ix_search_doc_room_no ON search_doc (room_no, register_name, at)")
    execute("ALTER TABLE search_doc DROP COLUMN rank")
    if sqlite:
        execute("DROP TABLE search_fts")
        execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5("
            "reg, name, grams, unis, content='', columnsize=0, tokenize='ascii')"
        )
    else:
        execute("DROP TABLE search_token")


def _undo_estates(execute: Callable[[str], object], sqlite: bool) -> None:
    """A database of 0012 taken back to 0011's tables (the upgrade's own audit event stays:
    the audit trail is append-only, and the upgrade's second event says the same)."""
    spec = importlib.util.spec_from_file_location(
        "m0012", MIGRATIONS / "versions" / "0012_estates.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for table in _ESTATE_TABLES[::-1]:
        execute(f"DROP TABLE {table}")
    execute("ALTER TABLE operator DROP COLUMN all_estates")
    if sqlite:
        for table, shape in _OLD_SHAPES.items():
            names = [c for c in _COLUMNS[table]]
            execute(f'CREATE TABLE "{table}_old" ({shape})')
            execute(
                f'INSERT INTO "{table}_old" ({", ".join(names)}) '
                f'SELECT {", ".join(names)} FROM "{table}"'
            )
            execute(f'DROP TABLE "{table}"')
            execute(f'ALTER TABLE "{table}_old" RENAME TO "{table}"')
            if table in _OLD_INDEXES:
                execute(_OLD_INDEXES[table])
    else:
        execute("ALTER TABLE calendar_day DROP COLUMN estate_id")
        execute("ALTER TABLE calendar_day ADD CONSTRAINT calendar_day_pkey PRIMARY KEY (day)")
    for table in module.IN_ESTATE:
        if not (sqlite and table in _OLD_SHAPES):
            execute(f'ALTER TABLE "{table}" DROP COLUMN estate_id')
    if not sqlite:
        execute("ALTER TABLE unit ADD CONSTRAINT unit_building_room_key UNIQUE (building, room)")
        execute("ALTER TABLE unit ADD CONSTRAINT unit_code_key UNIQUE (code)")
        execute('ALTER TABLE "key" ADD CONSTRAINT key_tag_key UNIQUE (tag)')


_COLUMNS = {
    "unit": ["id", "building", "room", "code", "created_at"],
    "key": [
        "id",
        "tag",
        "kind",
        "opens",
        "room",
        "copies",
        "hook",
        "active",
        "note",
        "operator_id",
        "created_at",
    ],
    "calendar_day": ["day", "kind", "note", "operator_id", "created_at"],
}


def _unmark(path: Path, revision: str = "0008") -> None:
    """Make `path` look like a desk file from before the mark (migration 0009)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=DELETE")
    _undo_later_tables(conn.execute)  # 0014 and later
    _undo_lookup_rank(conn.execute, sqlite=True)  # 0013
    _undo_estates(conn.execute, sqlite=True)  # 0012
    conn.execute("DROP TABLE desk_marker")
    conn.execute("DROP TABLE signin_terminal")  # 0010, after the mark
    conn.execute("DROP TABLE repair_completion")  # 0011, and its columns below
    for table, columns in LATER_COLUMNS.items():
        for column in columns:
            conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    conn.execute("PRAGMA application_id = 0")
    conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    conn.close()


def test_a_desk_file_from_before_the_mark_opens_and_is_marked(tmp_path: Path) -> None:
    path = new_desk(tmp_path / "desk.db")
    _unmark(path)
    assert check_sqlite_file(path) is False  # recognised by its tables and schema version
    code, output = cli(path, "lookup", "1202")
    assert code == 0, output
    assert _mark(path) == (APPLICATION_ID, [(1, "desk")])
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM operator").fetchone()[0] == 2
    conn.close()


def test_a_backup_from_before_the_mark_can_still_be_restored(tmp_path: Path) -> None:
    path = new_desk(tmp_path / "desk.db")
    database = open_database(path, settings=load_settings())
    made = backup.make_backup(database, tmp_path / "b")
    database.dispose()
    _unmark(made)
    code, output = cli(path, "restore", str(made), "--yes", "--as", "陈主管", pin="9999")
    assert code == 0, output
    assert _mark(path)[0] == APPLICATION_ID


# --- PostgreSQL -----------------------------------------------------------------------------


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database's URL (DESK_TEST_POSTGRES); skipped when unset."""
    if not PG_ADMIN_URL:
        pytest.skip("DESK_TEST_POSTGRES is not set")
    name = f"desk_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    admin.dispose()


def _pg_tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def test_postgresql_with_someone_elses_tables_is_refused_and_nothing_added(
    pg_database: str,
) -> None:
    engine = create_engine(pg_database)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE invoice (id serial PRIMARY KEY, amount numeric)"))
        conn.execute(text("INSERT INTO invoice (amount) VALUES (12.5)"))
    engine.dispose()
    with pytest.raises(NotOurs, match="another program's tables"):
        open_database(pg_database, settings=load_settings())
    for command in (["init"], ["lookup", "1202"], ["export"]):
        code, output = cli(pg_database, *command)
        assert code == 2 and "another program's tables (invoice)" in output, output
    assert _pg_tables(pg_database) == {"invoice"}


def test_postgresql_a_new_database_is_marked_and_an_old_desk_still_opens(
    pg_database: str,
) -> None:
    open_database(pg_database, settings=load_settings()).dispose()
    engine = create_engine(pg_database)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT id, product FROM desk_marker")).all() == [(1, "desk")]
        # a desk database from before the mark
        _undo_later_tables(lambda sql: conn.execute(text(sql)))  # 0014 and later
        _undo_lookup_rank(lambda sql: conn.execute(text(sql)), sqlite=False)  # 0013
        _undo_estates(lambda sql: conn.execute(text(sql)), sqlite=False)  # 0012
        conn.execute(text("DROP TABLE desk_marker"))
        conn.execute(text("DROP TABLE signin_terminal"))  # 0010, after the mark
        conn.execute(text("DROP TABLE repair_completion"))  # 0011, and its columns
        for table, columns in LATER_COLUMNS.items():
            for column in columns:
                conn.execute(text(f"ALTER TABLE {table} DROP COLUMN {column}"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0008'"))
    engine.dispose()
    open_database(pg_database, settings=load_settings()).dispose()
    assert "desk_marker" in _pg_tables(pg_database)
