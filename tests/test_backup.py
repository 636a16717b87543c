"""Backups: a consistent copy while another desk writes, retention, restore, the daily one."""

from __future__ import annotations

import hashlib
import json
import os
import random
import sqlite3
import stat
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import create_engine
from sqlmodel import select
from typer.testing import CliRunner

from desk.cli import app
from desk.config import load_settings
from desk.db import Database, open_database
from desk.db_file import SQLITE_MAGIC
from desk.models import Operator, Role
from desk.services import backup, backup_retention, reception, restore
from desk.services.backup import BackupError
from desk.services.context import Ctx
from desk.services.reception import ReceptionCreate
from tests.conftest import NOW, add_staff, first_supervisor
from tests.pilot_support import until

runner = CliRunner()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "desk.db", settings=load_settings())
    yield database
    database.dispose()


def _log(database: Database, count: int, now: datetime = NOW) -> None:
    with database.writing() as session:
        clerk = session.exec(select(Operator).where(Operator.role == Role.clerk)).first()
    if clerk is None:
        clerk = add_staff(database, "王芳", Role.clerk, "1234", now)
    with database.writing() as session:
        ctx = Ctx(session, clerk, database.settings, now)
        for i in range(count):
            reception.log(ctx, ReceptionCreate(person=f"住户{i}", request="问物业费"))


def _supervisor(database: Database) -> Operator:
    """陈主管 (PIN 9999), the database's first supervisor."""
    return first_supervisor(database)


def _restore(path: Path, made: Path, operator: Operator, now: datetime = NOW) -> Path | None:
    return restore.restore(path, made, operator, load_settings(), now=now)


def _boss() -> Operator:
    """A supervisor as the CLI signs one in (the service takes them as signed in)."""
    return Operator(id=99, name="陈主管", role=Role.supervisor, pin_hash="")


def _count(path: Path, table: str = "reception_entry") -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def _raw_uncommitted_insert(conn: sqlite3.Connection) -> None:
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(
        "INSERT INTO reception_entry (number, received_at, channel, person, room, phone, "
        "category, request, action_taken, department, state, answer, close_reason, "
        "linked_register, operator_id, created_at) "
        "SELECT 'UNCOMMITTED', received_at, channel, person, room, phone, category, request, "
        "action_taken, department, state, answer, close_reason, linked_register, operator_id, "
        "created_at FROM reception_entry LIMIT 1"
    )


def test_backup_while_another_desk_holds_a_write_transaction(sqlite_db: Database) -> None:
    _log(sqlite_db, 3)
    path = sqlite_db.path
    assert path is not None
    other = sqlite3.connect(path, isolation_level=None)
    try:
        _raw_uncommitted_insert(other)
        made = backup.make_backup(sqlite_db, now=NOW)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert made == path.parent / "backups" / "desk-20261123-093000.db"
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert _count(made) == 3
    conn = sqlite3.connect(made)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()
    # nothing left behind but the backup itself and its audit chain's head
    left = sorted(p.name for p in made.parent.iterdir())
    assert left == [made.name, backup.head_file(made).name]


def test_two_backups_in_one_second_get_distinct_names(sqlite_db: Database, tmp_path: Path) -> None:
    first = backup.make_backup(sqlite_db, tmp_path / "out", NOW)
    second = backup.make_backup(sqlite_db, tmp_path / "out", NOW)
    assert first != second
    assert backup_retention.list_backups(tmp_path / "out") == [first, second]


def _touch(directory: Path, stamp: datetime) -> Path:
    """A file named and started like a backup (retention reads no further than the header)."""
    path = directory / f"desk-{stamp:%Y%m%d-%H%M%S}.db"
    path.write_bytes(SQLITE_MAGIC + bytes(84))
    return path


def test_prune_keeps_seven_days_and_four_weeks(tmp_path: Path) -> None:
    now = datetime(2026, 11, 23, 9, 30)  # a Monday; ISO week 48
    made = []
    for days_ago in range(35):  # five weeks, two backups a day
        day = now - timedelta(days=days_ago)
        made.append(_touch(tmp_path, day.replace(hour=0, minute=5)))
        if days_ago:
            made.append(_touch(tmp_path, day.replace(hour=23, minute=55)))
    stranger = tmp_path / "notes.db"
    stranger.write_bytes(b"")
    future = _touch(tmp_path, now + timedelta(days=2))

    removed = backup_retention.prune(tmp_path, now)

    kept = {p.name for p in tmp_path.iterdir()}
    daily = {f"desk-{(now - timedelta(days=i)):%Y%m%d}-235500.db" for i in range(1, 7)}
    daily.add("desk-20261123-000500.db")  # today's only one
    # newest of ISO weeks 47, 46, 45 (each week's Sunday evening); week 48 is today's
    weekly = {"desk-20261122-235500.db", "desk-20261115-235500.db", "desk-20261108-235500.db"}
    assert kept == daily | weekly | {"notes.db", future.name}
    assert len(removed) == len(made) - len(daily | weekly)
    assert all(not p.exists() for p in removed)


def test_prune_refuses_to_keep_no_daily_backup_and_deletes_nothing(tmp_path: Path) -> None:
    now = datetime(2026, 11, 23, 9, 30)
    made = _touch(tmp_path, now)
    older = _touch(tmp_path, now - timedelta(days=40))
    with pytest.raises(BackupError, match="at least 1"):
        backup_retention.prune(tmp_path, now, daily=0, weekly=0)
    assert made.exists() and older.exists()


def test_prune_never_deletes_the_backup_just_made(tmp_path: Path) -> None:
    """A clock set back a year, or a backup named for another day: the new one still stays."""
    now = datetime(2026, 11, 23, 9, 30)
    kept_by_rule = _touch(tmp_path, now)
    just_made = _touch(tmp_path, datetime(2025, 1, 1, 8, 0))  # a machine whose clock was wrong
    removed = backup_retention.prune(tmp_path, now, daily=1, weekly=0, keep=just_made)
    assert removed == []
    assert just_made.exists() and kept_by_rule.exists()


def test_restore_puts_a_backup_back_and_keeps_a_safety_copy(
    sqlite_db: Database, tmp_path: Path
) -> None:
    _log(sqlite_db, 2)
    boss = _supervisor(sqlite_db)
    made = backup.make_backup(sqlite_db, tmp_path / "out", NOW)
    _log(sqlite_db, 5)
    path = sqlite_db.path
    assert path is not None
    sqlite_db.dispose()
    assert _count(path) == 7

    safety = _restore(path, made, boss, now=datetime(2026, 11, 23, 10, 0, tzinfo=NOW.tzinfo))

    assert safety == path.with_name("desk.db.before-restore-20261123-100000")
    assert _count(path) == 2
    assert _count(safety) == 7
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(safety.stat().st_mode) == 0o600
    assert not Path(f"{path}-wal").exists()
    assert made.exists()  # the backup itself is untouched
    reopened = open_database(path, settings=load_settings())
    _log(reopened, 1)
    reopened.dispose()
    assert _count(path) == 3


def test_restore_refuses_while_the_database_is_open(sqlite_db: Database, tmp_path: Path) -> None:
    _log(sqlite_db, 1)
    made = backup.make_backup(sqlite_db, tmp_path / "out", NOW)
    path = sqlite_db.path
    assert path is not None
    with sqlite_db.reading() as session:
        session.connection().exec_driver_sql("SELECT COUNT(*) FROM reception_entry").all()
        with pytest.raises(BackupError, match="in use"):
            _restore(path, made, _boss())
    assert _count(path) == 1


def test_restore_refuses_a_corrupt_file(sqlite_db: Database, tmp_path: Path) -> None:
    _log(sqlite_db, 1)
    path = sqlite_db.path
    assert path is not None
    sqlite_db.dispose()
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database at all " * 200)
    with pytest.raises(BackupError, match="not a usable database file"):
        _restore(path, garbage, _boss())
    assert _count(path) == 1
    assert not list(path.parent.glob("*.before-restore-*"))
    assert not list(path.parent.glob(".*restoring*"))


def test_restore_refuses_a_damaged_copy_of_a_real_backup(
    sqlite_db: Database, tmp_path: Path
) -> None:
    _log(sqlite_db, 30)
    made = backup.make_backup(sqlite_db, tmp_path / "out", NOW)
    data = bytearray(made.read_bytes())
    data[4096 * 3 : 4096 * 3 + 2000] = b"\xff" * 2000  # scribble over a b-tree page
    made.write_bytes(bytes(data))
    path = sqlite_db.path
    assert path is not None
    sqlite_db.dispose()
    with pytest.raises(BackupError):
        _restore(path, made, _boss())
    assert _count(path) == 30


def test_daily_if_due_makes_one_per_local_day(sqlite_db: Database) -> None:
    first = backup_retention.daily_if_due(sqlite_db, NOW)
    assert first is not None
    assert backup_retention.daily_if_due(sqlite_db, NOW + timedelta(hours=5)) is None
    # past local midnight (Asia/Shanghai) the next day's backup is due
    next_day = datetime.combine(date(2026, 11, 24), datetime.min.time(), NOW.tzinfo)
    second = backup_retention.daily_if_due(sqlite_db, next_day + timedelta(minutes=1))
    assert second is not None and second[0].name == "desk-20261124-000100.db"
    assert backup_retention.daily_if_due(sqlite_db, next_day + timedelta(hours=3)) is None
    assert len(backup_retention.list_backups(second[0].parent)) == 2


def test_postgresql_is_refused_with_a_pointer_to_pg_dump() -> None:
    engine = create_engine("postgresql+psycopg://desk@localhost/desk")
    database = Database("postgresql+psycopg://desk@localhost/desk", engine, load_settings())
    with pytest.raises(BackupError, match="pg_dump"):
        backup.make_backup(database)
    with pytest.raises(BackupError, match="pg_dump"):
        backup_retention.daily_if_due(database, NOW)


# --- the command line ---------------------------------------------------------------------


def _cli(
    path: Path | str, *args: str, stdin: str | None = None, pin: str | None = None
) -> tuple[int, str]:
    env = {"DESK_PIN": pin} if pin is not None else None
    result = runner.invoke(app, ["--lang", "en", "--db", str(path), *args], input=stdin, env=env)
    return result.exit_code, result.output


def test_cli_backup_prints_the_file_and_prunes(sqlite_db: Database, tmp_path: Path) -> None:
    _log(sqlite_db, 1)
    path = sqlite_db.path
    assert path is not None
    out = tmp_path / "out"
    out.mkdir()
    old = _touch(out, datetime(2020, 1, 1, 12, 0))
    code, output = _cli(path, "backup", "--to", str(out))
    assert code == 0, output
    made = backup_retention.list_backups(out)
    assert len(made) == 1 and not old.exists()
    assert f"backup written to {made[0]}" in output
    assert "verified" in output and old.name in output


def test_cli_restore_needs_yes_without_a_terminal(sqlite_db: Database, tmp_path: Path) -> None:
    _log(sqlite_db, 1)
    _supervisor(sqlite_db)
    made = backup.make_backup(sqlite_db, tmp_path / "out", NOW)
    path = sqlite_db.path
    assert path is not None
    _log(sqlite_db, 2)
    sqlite_db.dispose()
    code, output = _cli(path, "restore", str(made), "--as", "陈主管", pin="9999")
    assert code == 2
    assert output.strip().splitlines() == ["error: no terminal to confirm on: add --yes to restore"]
    # 17:30 UTC is already the next day at the site (Asia/Shanghai): the copy says so
    with time_machine.travel(datetime(2026, 11, 23, 17, 30, tzinfo=UTC), tick=False):
        code, output = _cli(path, "restore", str(made), "--yes", "--as", "陈主管", pin="9999")
    assert code == 0, output
    assert "restored" in output and "before-restore-20261124-0130" in output
    assert _count(path) == 1


@pytest.mark.parametrize("kind", ["missing", "garbage"])
def test_cli_restore_refuses_bad_files_in_one_line(
    sqlite_db: Database, tmp_path: Path, kind: str
) -> None:
    path = sqlite_db.path
    assert path is not None
    sqlite_db.dispose()
    bad = tmp_path / "bad.db"
    if kind == "garbage":
        bad.write_bytes(b"\x00garbage" * 500)
    code, output = _cli(path, "restore", str(bad), "--yes", "--as", "陈主管", pin="9999")
    assert code == 2
    lines = output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in output
    assert str(bad) in lines[0]


def test_cli_backup_of_postgresql_is_refused_in_one_line() -> None:
    for command in (["restore", "x.db", "--yes", "--as", "陈主管"], ["backup"]):
        code, output = _cli("postgresql+psycopg://desk@localhost:1/desk", *command)
        assert code == 2
        assert "pg_dump" in output and len(output.strip().splitlines()) == 1


async def test_the_open_desk_backs_itself_up_once_a_day(db: Database, clerk: Operator) -> None:
    from desk.app import make_app

    if not db.is_sqlite or db.path is None:
        pytest.skip("backups are of an SQLite file")
    app = make_app(db, lang="en", clock=lambda: NOW, operator=clerk)
    async with app.run_test(size=(120, 40)) as pilot:
        app.daily_backup()  # what the desk's 5-minute timer does
        await app.workers.wait_for_complete()
        app.daily_backup()  # the same day again: nothing more
        await app.workers.wait_for_complete()
        await until(
            pilot,
            lambda: (
                db.path is not None
                and len(list((db.path.parent / "backups").glob("desk-*.db"))) == 1
            ),
        )
    made = list((db.path.parent / "backups").glob("desk-*.db"))
    assert len(made) == 1


# --- restore: a supervisor, a checked backup, an audit event -------------------------------


def _desk_with_backup(database: Database, tmp_path: Path) -> tuple[Path, Path]:
    """A desk with a supervisor (9999), a clerk (1234) and 2 entries; its backup; 3 more."""
    _log(database, 2)
    _supervisor(database)
    made = backup.make_backup(database, tmp_path / "out", NOW)
    _log(database, 3)
    path = database.path
    assert path is not None
    database.dispose()
    return path, made


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _nothing_swapped(path: Path, before: str) -> None:
    assert _sha(path) == before and _count(path) == 5
    assert not list(path.parent.glob("*.before-restore-*"))
    assert not list(path.parent.glob(".*restoring*"))


@pytest.mark.parametrize(
    ("args", "pin", "said"),
    [
        ([], None, "only a supervisor restores a backup: add --as NAME"),
        (["--as", "王芳"], "1234", "王芳 is not a supervisor"),
        (["--as", "陈主管"], "0000", "error: "),
        (["--as", "nobody"], "9999", "error: "),
    ],
)
def test_restore_is_refused_to_anyone_but_a_signed_in_supervisor(
    sqlite_db: Database, tmp_path: Path, args: list[str], pin: str | None, said: str
) -> None:
    path, made = _desk_with_backup(sqlite_db, tmp_path)
    before = _sha(path)
    code, output = _cli(path, "restore", str(made), "--yes", *args, pin=pin)
    assert code == 2, output
    assert said in output and "Traceback" not in output
    if pin is not None:
        # the failed sign-in is counted in the current file; nothing else changed in it
        assert _count(path) == 5
        assert not list(path.parent.glob("*.before-restore-*"))
    else:
        _nothing_swapped(path, before)


def test_a_supervisors_restore_is_an_audit_event_in_the_restored_database(
    sqlite_db: Database, tmp_path: Path
) -> None:
    path, made = _desk_with_backup(sqlite_db, tmp_path)
    code, output = _cli(path, "restore", str(made), "--yes", "--as", "陈主管", pin="9999")
    assert code == 0, output
    assert _count(path) == 2
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT e.action, o.name, e.data FROM audit_event e LEFT JOIN operator o "
        "ON o.id = e.operator_id WHERE e.register_name = 'database'"
    ).fetchall()
    conn.close()
    assert len(rows) == 1
    action, name, data = rows[0]
    assert (action, name) == ("restored", "陈主管")
    detail = json.loads(data)
    assert detail["operator"] == "陈主管" and detail["role"] == "supervisor"
    assert detail["backup"] == str(made) and detail["sha256"] == _sha(made)
    assert detail["kept_as"].startswith("desk.db.before-restore-")
    # the restored database passes its own audit check, restore event included
    code, output = _cli(path, "audit", "verify")
    assert code == 0, output


def test_a_backup_edited_after_it_was_made_is_refused_with_what_differs(
    sqlite_db: Database, tmp_path: Path
) -> None:
    path, made = _desk_with_backup(sqlite_db, tmp_path)
    before = _sha(path)
    conn = sqlite3.connect(made, isolation_level=None)  # an insider edits the backup file
    conn.execute(
        "INSERT INTO reception_entry (number, received_at, channel, person, room, phone, "
        "category, request, action_taken, department, state, answer, close_reason, "
        "linked_register, operator_id, created_at) "
        "SELECT 'JD-FORGED', received_at, channel, '假住户', room, phone, category, request, "
        "action_taken, department, state, answer, close_reason, linked_register, operator_id, "
        "created_at FROM reception_entry LIMIT 1"
    )
    conn.close()
    edited = _sha(made)
    code, output = _cli(path, "restore", str(made), "--yes", "--as", "陈主管", pin="9999")
    assert code == 2, output
    lines = output.strip().splitlines()
    assert lines[-1].startswith("error: the backup") and "changed after it was made" in lines[-1]
    assert any("reception #3" in line for line in lines[:-1]), output
    _nothing_swapped(path, before)
    assert _sha(made) == edited  # the backup file itself is only read


def _rebuild_chain(made: Path) -> None:
    """Someone who knows how the chain is made edits the backup and seals it all again."""
    from desk.services import audit_chain

    engine = create_engine(f"sqlite:///{made}")
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER audit_seal_no_delete")
        conn.exec_driver_sql("UPDATE reception_entry SET person = '假住户'")
        conn.exec_driver_sql("DELETE FROM audit_seal")
        audit_chain.seal_unsealed(conn)
        conn.exec_driver_sql(
            "CREATE TRIGGER audit_seal_no_delete BEFORE DELETE ON audit_seal "
            "BEGIN SELECT RAISE(ABORT, 'audit_seal is append-only'); END"
        )
    engine.dispose()


def _restore_cli(path: Path, made: Path) -> tuple[int, str]:
    return _cli(path, "restore", str(made), "--yes", "--as", "陈主管", pin="9999")


def test_a_backup_whose_chain_was_rebuilt_after_an_edit_is_refused_by_its_head(
    sqlite_db: Database, tmp_path: Path
) -> None:
    """The file alone is consistent, but the head written beside the backup when it was made
    is not its head any more: refused in one line naming both."""
    path, made = _desk_with_backup(sqlite_db, tmp_path)
    head = backup.backup_head(made)
    assert head and backup.head_file(made).stat().st_mode & 0o777 == 0o600
    before = _sha(path)
    _rebuild_chain(made)
    code, output = _restore_cli(path, made)
    assert code == 2, output
    lines = output.strip().splitlines()
    assert len(lines) == 1 and f"{head} was written when it was made" in lines[0], output
    assert "the backup holds " in lines[0] and "not restored" in lines[0]
    _nothing_swapped(path, before)


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"", "is not the audit chain head written when the backup was made ('empty')"),
        (b"\n \n", "is not the audit chain head written when the backup was made ('empty')"),
        (
            random.Random(15).randbytes(64),
            "is not the audit chain head written when the backup was made",
        ),
        (b"\xff\xfe0:0000\x00", "is not the audit chain head written when the backup was made"),
        (b"x" * 5000, "is not the audit chain head written when the backup was made"),
        (b"0:0000000000000000\n", "0:0000000000000000 was written when it was made"),
        (b"0000000000000000\n", "is not the audit chain head written"),  # no sequence number
        (b"4:0000000000000000\n", "4:0000000000000000 was written when it was made"),
    ],
)
def test_a_rebuilt_backup_with_its_head_replaced_is_refused(
    sqlite_db: Database, tmp_path: Path, content: bytes, said: str
) -> None:
    """Empty, garbage, too long, the empty chain's head, a head without its number, the right
    number with another hash: a .head that is there must be exactly the backup's own."""
    path, made = _desk_with_backup(sqlite_db, tmp_path)
    before = _sha(path)
    _rebuild_chain(made)
    backup.head_file(made).write_bytes(content)
    code, output = _restore_cli(path, made)
    assert code == 2, output
    lines = output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and said in lines[0], output
    assert "Traceback" not in output
    _nothing_swapped(path, before)


def test_a_head_that_is_a_pipe_a_folder_or_a_dangling_link_is_refused(
    sqlite_db: Database, tmp_path: Path
) -> None:
    path, made = _desk_with_backup(sqlite_db, tmp_path)
    before = _sha(path)
    head = backup.head_file(made)
    head.unlink()
    os.mkfifo(head)
    code, output = _restore_cli(path, made)
    assert code == 2 and "not a regular file" in output, output
    head.unlink()
    head.mkdir()
    code, output = _restore_cli(path, made)
    assert code == 2 and "not a regular file" in output, output
    head.rmdir()
    head.symlink_to(tmp_path / "nowhere")  # a deleted head would pass with a warning only
    code, output = _restore_cli(path, made)
    assert code == 2 and "is not the audit chain head written" in output, output
    _nothing_swapped(path, before)


def test_a_genuine_head_with_a_byte_order_mark_is_accepted(
    sqlite_db: Database, tmp_path: Path
) -> None:
    """An editor that saved the .head with a BOM and CRLF has not changed what it says."""
    path, made = _desk_with_backup(sqlite_db, tmp_path)
    head = backup.backup_head(made)
    assert head is not None
    backup.head_file(made).write_bytes(b"\xef\xbb\xbf" + head.upper().encode() + b"\r\n")
    code, output = _restore_cli(path, made)
    assert code == 0, output
    assert "warning" not in output and _count(path) == 2


def test_a_backup_without_a_head_is_restored_with_a_warning(
    sqlite_db: Database, tmp_path: Path
) -> None:
    """A backup made by a desk older than heads has none: restored, and the clerk is told its
    chain could not be checked against one (in both languages)."""
    path, made = _desk_with_backup(sqlite_db, tmp_path)
    backup.head_file(made).unlink()
    code, output = _restore_cli(path, made)
    assert code == 0, output
    assert "warning: there is no desk-20261123-093000.db.head beside the backup" in output
    assert "could not be checked against a head written when it was made" in output
    assert _count(path) == 2
    with time_machine.travel(datetime(2026, 11, 24, 2, 0, tzinfo=UTC), tick=False):
        result = runner.invoke(  # another time: a safety copy of its own
            app,
            ["--lang", "zh_CN", "--db", str(path), "restore", str(made), "--yes", "--as", "陈主管"],
            env={"DESK_PIN": "9999"},
        )
    assert result.exit_code == 0, result.output
    assert "注意：备份旁没有 desk-20261123-093000.db.head" in result.output


def test_pruning_takes_a_backups_head_with_it(sqlite_db: Database, tmp_path: Path) -> None:
    path, made = _desk_with_backup(sqlite_db, tmp_path)
    assert backup.head_file(made).exists()
    later = datetime(2027, 3, 1, 10, 0, tzinfo=NOW.tzinfo)
    removed = backup_retention.prune(made.parent, later, 1, 1)
    assert made in removed
    assert not backup.head_file(made).exists()
    assert path.exists()


def test_a_backup_of_a_newer_desk_is_refused(sqlite_db: Database, tmp_path: Path) -> None:
    path, made = _desk_with_backup(sqlite_db, tmp_path)
    before = _sha(path)
    conn = sqlite3.connect(made, isolation_level=None)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.close()
    code, output = _cli(path, "restore", str(made), "--yes", "--as", "陈主管", pin="9999")
    assert code == 2 and "9999" in output and "newer" in output
    _nothing_swapped(path, before)


def test_with_no_current_database_the_backups_supervisor_signs(
    sqlite_db: Database, tmp_path: Path
) -> None:
    _, made = _desk_with_backup(sqlite_db, tmp_path)
    fresh = tmp_path / "new-machine" / "desk.db"
    fresh.parent.mkdir()
    code, output = _cli(fresh, "restore", str(made), "--yes", "--as", "王芳", pin="1234")
    assert code == 2 and "not a supervisor" in output and not fresh.exists()
    code, output = _cli(fresh, "restore", str(made), "--yes", "--as", "陈主管", pin="9999")
    assert code == 0, output
    assert _count(fresh) == 2 and stat.S_IMODE(fresh.stat().st_mode) == 0o600


# --- retention and the copies a killed backup leaves -----------------------------------------


def _aged(path: Path, seconds: float) -> Path:
    path.write_bytes(b"half a copy")
    moment = time.time() - seconds
    os.utime(path, (moment, moment))
    return path


def test_the_next_backup_sweeps_old_partials_and_leaves_young_ones_and_strangers(
    sqlite_db: Database, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    old = _aged(out / ".desk-20261120-010000.db.partial", 2 * 3600)
    old_journal = _aged(out / ".desk-20261120-010000.db.partial-journal", 2 * 3600)
    young = _aged(out / ".desk-20261123-092500.db.partial", 5 * 60)
    strangers = [
        _aged(out / name, 30 * 86400)
        for name in (
            "notes.txt",
            ".desk-notes.partial",
            "desk-20200101-120000.db.bak",
            "Desk-20200101-120000.db",
            ".desk-20200101-120000.db.partial.keep",
            "desk.db",
        )
    ]
    folder_named_like_one = out / ".desk-20200101-000000.db.partial"
    folder_named_like_one.mkdir()
    os.utime(folder_named_like_one, (0, 0))

    made = backup.make_backup(sqlite_db, out, NOW)

    assert not old.exists() and not old_journal.exists()
    assert young.exists()  # perhaps another backup being made right now
    assert all(path.exists() for path in strangers)
    assert folder_named_like_one.is_dir()
    assert made.exists()


def test_cli_keep_daily_zero_is_an_error_and_nothing_is_made_or_deleted(
    sqlite_db: Database, tmp_path: Path
) -> None:
    path = sqlite_db.path
    assert path is not None
    out = tmp_path / "out"
    out.mkdir()
    old = _touch(out, datetime(2020, 1, 1, 12, 0))
    code, output = _cli(path, "backup", "--to", str(out), "--keep-daily", "0")
    assert code == 2
    assert output.strip().splitlines() == [
        "error: --keep-daily must be at least 1: the backup just made is always kept"
    ]
    assert [p.name for p in out.iterdir()] == [old.name]
    code, output = _cli(path, "backup", "--to", str(out), "--keep-weekly", "-1")
    assert code == 2 and len(output.strip().splitlines()) == 1


def test_cli_backup_keeps_the_one_just_made_even_with_the_clock_in_the_past(
    sqlite_db: Database, tmp_path: Path
) -> None:
    """Backups dated ahead of today (a clock set back) are kept, and so is today's new one."""
    path = sqlite_db.path
    assert path is not None
    out = tmp_path / "out"
    out.mkdir()
    ahead = _touch(out, datetime(2030, 1, 1, 12, 0))
    with time_machine.travel(datetime(2026, 11, 23, 1, 0, tzinfo=UTC), tick=False):
        code, output = _cli(path, "backup", "--to", str(out), "--keep-daily", "1")
    assert code == 0, output
    assert ahead.exists() and len(backup_retention.list_backups(out)) == 2


def test_a_backup_dir_full_of_other_files_loses_none_of_them(
    sqlite_db: Database, tmp_path: Path
) -> None:
    path = sqlite_db.path
    assert path is not None
    out = tmp_path / "out"
    out.mkdir()
    theirs = {
        name: _aged(out / name, 400 * 86400)
        for name in (
            "desk-2020-01-01.db",
            "desk-20200101-120000.db.gz",
            "desk-20200101-120000.sqlite",
            "old-desk-20200101-120000.db",
            "report.pdf",
            ".hidden",
        )
    }
    for _ in range(3):
        code, output = _cli(
            path, "backup", "--to", str(out), "--keep-daily", "1", "--keep-weekly", "0"
        )
        assert code == 0, output
        made = Path(output.splitlines()[0].split("backup written to ")[1].split(" (")[0])
        assert made.exists()  # the backup just made is never the one pruned
    assert all(file.read_bytes() == b"half a copy" for file in theirs.values())
    assert sorted(p.name for p in out.iterdir() if p.name in theirs) == sorted(theirs)


def test_backups_are_private_under_a_loose_umask(sqlite_db: Database, tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        made = backup.make_backup(sqlite_db, tmp_path / "fresh" / "backups", NOW)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert stat.S_IMODE(made.parent.stat().st_mode) == 0o700


# --- an outside reviewer's attacks -----------------------------------------------------------


def test_retention_deletes_only_sqlite_files_never_what_merely_looks_like_a_backup(
    sqlite_db: Database, tmp_path: Path
) -> None:
    """A text file, a symlink (to a real backup elsewhere), a pipe and a folder, each named
    like an old backup: retention lists and deletes none of them (and does not wait on the
    pipe); a real old backup beside them goes."""
    out = tmp_path / "out"
    out.mkdir()
    elsewhere = backup.make_backup(sqlite_db, tmp_path / "elsewhere", NOW)
    text_file = out / "desk-20261002-120000.db"
    text_file.write_text("not a backup at all\n")
    link = out / "desk-20261003-120000.db"
    link.symlink_to(elsewhere)
    pipe = out / "desk-20261004-120000.db"
    os.mkfifo(pipe)
    folder = out / "desk-20261005-120000.db"
    folder.mkdir()
    real_old = _touch(out, datetime(2026, 10, 6, 12, 0))
    assert backup_retention.list_backups(out) == [real_old]
    removed = backup_retention.prune(out, datetime(2026, 11, 23, 9, 30), daily=1, weekly=0)
    assert removed == [real_old] and not real_old.exists()
    assert text_file.read_text() == "not a backup at all\n"
    assert link.is_symlink() and elsewhere.exists()
    assert stat.S_ISFIFO(pipe.lstat().st_mode) and folder.is_dir()


def test_a_file_named_like_todays_backup_does_not_stop_the_daily_one(
    sqlite_db: Database, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "desk-20261123-000000.db").write_text("planted\n")
    done = backup_retention.daily_if_due(sqlite_db, NOW, out)
    assert done is not None and done[0].exists()
    assert (out / "desk-20261123-000000.db").read_text() == "planted\n"


def _damaged_backup(database: Database, tmp_path: Path) -> Path:
    """A real backup with one b-tree page scribbled over so that integrity_check, not the
    opening, finds it: a report of many lines, kilobytes long."""
    _log(database, 200)
    made = backup.make_backup(database, tmp_path / "out", NOW)
    clean = made.read_bytes()
    page = 4096
    for number in range(2, len(clean) // page + 1):
        data = bytearray(clean)
        start = (number - 1) * page + 12
        data[start : start + 40] = b"\xff" * 40  # its cell pointers
        made.write_bytes(bytes(data))
        conn = sqlite3.connect(made)
        try:
            conn.execute("SELECT name FROM sqlite_master").fetchall()
            report = "\n".join(str(row[0]) for row in conn.execute("PRAGMA integrity_check"))
        except sqlite3.DatabaseError:
            continue
        finally:
            conn.close()
        if len(report) < 1000:
            continue
        try:  # some pages fail the opening itself (a different refusal): not this test's
            restore.check_backup(made, tmp_path / "probe.db")
        except BackupError as exc:
            if "integrity_check" in str(exc):
                return made
    raise AssertionError("no page gives a long integrity_check report")


def test_a_damaged_backups_refusal_is_one_sentence_not_the_whole_report(
    sqlite_db: Database, tmp_path: Path
) -> None:
    made = _damaged_backup(sqlite_db, tmp_path)
    path = sqlite_db.path
    assert path is not None
    sqlite_db.dispose()
    before = _sha(path)
    code, output = _restore_cli(path, made)
    assert code == 2, output
    lines = output.strip().splitlines()
    assert len(lines) == 1 and len(lines[0]) < len(str(made)) + 250, output
    # SQLite's check either lists the damage (the usual case) or stops at it ("malformed")
    assert "is damaged (integrity_check: On tree page" in lines[0] or (
        "is not a usable database file (database disk image is malformed)" in lines[0]
    ), output
    assert "***" not in lines[0] and lines[0].count("On tree page") <= 1
    assert _sha(path) == before and not list(path.parent.glob("*.before-restore-*"))


@pytest.mark.parametrize("how", ["itself", "symlink", "hard link"])
def test_the_database_is_not_restored_from_itself(
    sqlite_db: Database, tmp_path: Path, how: str
) -> None:
    path, _ = _desk_with_backup(sqlite_db, tmp_path)
    before = _sha(path)
    given = path
    if how == "symlink":
        given = tmp_path / "looks-like-a-backup.db"
        given.symlink_to(path)
    elif how == "hard link":
        given = tmp_path / "desk-20261123-093000.db"
        os.link(path, given)
    code, output = _restore_cli(path, given)
    assert code == 2, output
    assert output.strip().splitlines() == [
        f"error: {given} is the database {path} itself, which cannot be restored from itself; "
        "give a backup file"
    ]
    _nothing_swapped(path, before)


def test_integrity_checks_report_is_cut_to_its_first_problem() -> None:
    report = [
        "*** in database main ***\n"
        + "\n".join(
            f"On tree page 58 cell {n}: Offset 65535 out of range 721..4092" for n in range(40)
        ),
        "row 3 missing from index ix_audit_event_record",
    ]
    assert (
        backup._first_problem(report)
        == "On tree page 58 cell 0: Offset 65535 out of range 721..4092"
    )
    assert backup._first_problem(["x" * 5000]) == "x" * (backup.PROBLEM_CHARS - 1) + "…"
