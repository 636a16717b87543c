"""Disk trouble: a read-only database, a full disk, a missing data directory, an unreadable file.

Everything here is real: the file or folder is made read-only by the file system (chmod for a
user; root ignores modes, so `chattr +i` for root), the disk is a small tmpfs filled to the last
byte, the directory is really missing. The clerk gets one clear sentence from the catalogue, the
form keeps what was typed, and the database holds nothing half-saved.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import SQLModel, select
from textual.widgets import Input
from typer.testing import CliRunner

from desk.app import DeskApp, make_app
from desk.cli import app as cli_app
from desk.clock import fixed_clock
from desk.config import load_settings
from desk.db import Database, open_database
from desk.db_errors import DatabaseError, describe_failure
from desk.i18n import set_language, t
from desk.models import AuditEvent, Operator, ReceptionEntry, RepairOrder, Resident, Role
from desk.screens.reception import ReceptionScreen
from desk.screens.repair_entry import RepairFormScreen
from tests.conftest import NOW, add_staff
from tests.pilot_support import messages, settle, until, until_screen

SIZE = (120, 40)
RESIDENTS = "building,room,name,phone,kind\n3,1202,李明,13812345678,owner\n"
COUNTED: tuple[type[SQLModel], ...] = (
    ReceptionEntry,
    RepairOrder,
    AuditEvent,
    Operator,
    Resident,
)


# --- real trouble, made on purpose -------------------------------------------------------


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """`path` (a file or a folder) refused for writing by the file system itself."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(mode & ~0o222)
        undo = ["chmod", oct(mode & 0o7777)[2:], str(path)]
    else:
        chattr = shutil.which("chattr")
        made = subprocess.run([chattr or "chattr", "+i", str(path)], capture_output=True)
        if chattr is None or made.returncode:
            pytest.skip("running as root on a file system without chattr +i")
        undo = [chattr, "-i", str(path)]
    try:
        # The trouble is real: even this process (root or not) cannot write there now.
        with pytest.raises(PermissionError):
            if path.is_dir():
                (path / "probe").touch()
            else:
                path.open("r+b").close()
        yield
    finally:
        subprocess.run(undo, check=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MiB tmpfs of its own (needs root); skipped where it cannot be mounted."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a full disk needs a tmpfs of its own: run as root")
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if made.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    try:
        yield mount_point
    finally:
        if subprocess.run(["umount", str(mount_point)], capture_output=True).returncode:
            subprocess.run(["umount", "-l", str(mount_point)], check=True)


def fill(disk: Path, database: Path) -> Path:
    """Fill `disk` to the last byte; the database's WAL is emptied first, so the next save
    must grow a file (as on a real desk, whose WAL is emptied by every checkpoint)."""
    conn = sqlite3.connect(str(database), isolation_level=None)
    try:
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        conn.close()
    assert busy == 0
    wal = Path(f"{database}-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    ballast = disk / "ballast"
    with ballast.open("wb", buffering=0) as out:
        for size in (1 << 20, 1 << 12, 1):
            try:
                while True:
                    out.write(b"\0" * size)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
    assert shutil.disk_usage(disk).free == 0
    return ballast


# --- helpers ---------------------------------------------------------------------------


def new_desk(path: Path) -> tuple[Database, Operator]:
    database = open_database(path, settings=load_settings())
    return database, add_staff(database, "王芳", Role.clerk, "1234")


def counts(database: Database) -> dict[str, int]:
    with database.reading() as session:
        return {
            model.__name__: session.exec(select(func.count()).select_from(model)).one()
            for model in COUNTED
        }


def tui(database: Database, clerk: Operator, lang: str) -> DeskApp:
    return make_app(database, lang=lang, clock=fixed_clock(NOW), operator=clerk)


def values(app: DeskApp, *fields: str) -> dict[str, str]:
    return {name: app.screen.query_one(f"#{name}", Input).value for name in fields}


runner = CliRunner()


def desk(path: Path | None, *args: str, lang: str = "en", **env: str) -> Any:
    """`desk --lang LANG [--db PATH] ARGS…` as typed at a shell."""
    where = ["--db", str(path)] if path is not None else []
    return runner.invoke(cli_app, ["--lang", lang, *where, *args], env=env or None)


def said(key: str, lang: str = "en", **params: Any) -> str:
    """The catalogue's sentence `key` in `lang` (the tests otherwise run in English)."""
    set_language(lang)
    try:
        return t(key, **params)
    finally:
        set_language("en")


def refused(result: Any, message: str, lang: str = "en") -> None:
    """Exit status 2 and the one catalogue line on stderr: nothing else, no traceback."""
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [said("cli.error", lang, message=message)]
    assert result.stdout == ""
    assert "Traceback" not in result.output


@pytest.fixture
def tui_started(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Records the desk opening instead of drawing it (so a refusal that fails cannot hang)."""
    started: list[object] = []

    def run_tui(database: Database, lang: str) -> None:
        started.append(database.path)
        database.dispose()

    monkeypatch.setattr("desk.app.run_tui", run_tui)
    return started


@pytest.fixture(autouse=True)
def _no_database_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DESK_DATABASE_URL", raising=False)
    monkeypatch.delenv("DESK_DB", raising=False)


# --- a read-only database --------------------------------------------------------------


async def test_read_only_database_the_reception_form_keeps_the_text(tmp_path: Path) -> None:
    path = tmp_path / "desk.db"
    database, clerk = new_desk(path)
    before = counts(database)
    app = tui(database, clerk, "en")
    typed = {"room": "5-0301", "person": "张三", "request": "问停车月卡怎么办"}
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f2")
            assert isinstance(app.screen, ReceptionScreen)
            for field, text in typed.items():
                app.screen.query_one(f"#{field}", Input).focus()
                await pilot.press(*text)
            with read_only(path):
                database.engine.dispose()  # the desk's next connection finds the file as it is
                await pilot.press("ctrl+s")
                await until(pilot, lambda: messages(app))
                expected = t("db.read_only", path=path)
                assert expected.startswith("the database ") and str(path) in expected
                assert messages(app) == [t("app.db_error", message=expected)]
                assert isinstance(app.screen, ReceptionScreen)
                assert values(app, *typed) == typed
                assert counts(database) == before
            # Writable again: the same form, saved as it stands, is saved once.
            database.engine.dispose()
            await pilot.press("ctrl+s")
            await until(pilot, lambda: values(app, *typed) == dict.fromkeys(typed, ""))
            assert values(app, *typed) == dict.fromkeys(typed, "")
    finally:
        database.dispose()
    after = counts(database)
    assert after["ReceptionEntry"] == before["ReceptionEntry"] + 1
    assert after["AuditEvent"] > before["AuditEvent"]


def test_read_only_database_the_cli_refuses_writes_and_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "desk.db"
    database, _ = new_desk(path)
    before = counts(database)
    database.dispose()
    residents = tmp_path / "residents.csv"
    residents.write_text(RESIDENTS, encoding="utf-8")
    sentence = t("db.read_only", path=path)
    with read_only(path):
        adding_args = [
            "operator",
            "add",
            "李娜",
            "--role",
            "clerk",
            "--pin",
            "4321",
            "--as",
            "陈主管",
        ]
        adding = desk(path, *adding_args, DESK_PIN="9999")
        refused(adding, sentence)
        importing = ["import", "residents", str(residents), "--as", "陈主管"]
        refused(desk(path, *importing, DESK_PIN="9999"), sentence)
        refused(desk(path, "init"), sentence)
        zh = desk(path, *adding_args, lang="zh", DESK_PIN="9999")
        refused(zh, said("db.read_only", "zh_CN", path=path), "zh_CN")
        # Reading needs no writing: the lookup and a backup still work.
        found = desk(path, "lookup", "王")
        assert found.exit_code == 0, found.output
        made = desk(path, "backup")
        assert made.exit_code == 0, made.output
        assert len(list((tmp_path / "backups").glob("desk-*.db"))) == 1
    database = open_database(path, settings=load_settings())
    assert counts(database) == before
    database.dispose()


def test_the_desk_does_not_open_on_a_read_only_file_or_folder(
    tmp_path: Path, tui_started: list[object]
) -> None:
    path = tmp_path / "desk.db"
    database, _ = new_desk(path)
    database.dispose()
    # Closed cleanly, so SQLite must make its -wal and -shm files anew beside the database.
    assert not Path(f"{path}-wal").exists()
    with read_only(tmp_path):
        refused(desk(path), t("db.read_only_folder", path=tmp_path))
    with read_only(path):
        refused(desk(path), t("db.read_only", path=path))
    assert tui_started == []
    desk(path)  # and when all is well, it opens
    assert len(tui_started) == 1


# --- a full disk ---------------------------------------------------------------------


async def test_disk_full_the_repair_form_keeps_the_text(small_disk: Path) -> None:
    path = small_disk / "desk.db"
    database, clerk = new_desk(path)
    before = counts(database)
    app = tui(database, clerk, "zh_CN")
    typed = {"room": "3-1202", "resident_name": "李明", "description": "厨房水龙头漏水"}
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f3")
            await settle(pilot)
            await pilot.press("ctrl+n")
            await until_screen(pilot, RepairFormScreen)
            assert isinstance(app.screen, RepairFormScreen)
            for field, text in typed.items():
                app.screen.query_one(f"#{field}", Input).focus()
                await pilot.press(*text)
            ballast = fill(small_disk, path)
            await pilot.press("ctrl+s")
            await until(pilot, lambda: messages(app))
            expected = t("app.db_error", message=t("db.disk_full"))
            assert expected.startswith("数据库错误：磁盘已满")
            assert messages(app) == [expected]
            assert isinstance(app.screen, RepairFormScreen)
            assert values(app, *typed) == typed
            assert counts(database) == before
            # Space freed: the same form is saved, once.
            ballast.unlink()
            await pilot.press("ctrl+s")
            await until(pilot, lambda: not isinstance(app.screen, RepairFormScreen))
            assert not isinstance(app.screen, RepairFormScreen)
    finally:
        database.dispose()
    database = open_database(path, settings=load_settings())
    after = counts(database)
    with database.reading() as session:
        [order] = session.exec(select(RepairOrder)).all()
    database.dispose()
    assert after["RepairOrder"] == before["RepairOrder"] + 1
    assert (order.room, order.resident_name, order.description) == tuple(typed.values())


def test_disk_full_the_cli_saves_nothing_and_says_so(small_disk: Path, tmp_path: Path) -> None:
    path = small_disk / "desk.db"
    database, _ = new_desk(path)  # the desk at the counter stays open meanwhile
    before = counts(database)
    residents = tmp_path / "residents.csv"
    residents.write_text(RESIDENTS, encoding="utf-8")
    ballast = fill(small_disk, path)
    full = t("db.disk_full")
    try:
        adding = ["operator", "add", "李娜", "--role", "clerk", "--pin", "4321", "--as", "陈主管"]
        refused(desk(path, *adding, DESK_PIN="9999"), full)
        importing = ["import", "residents", str(residents), "--as", "陈主管"]
        refused(desk(path, *importing, DESK_PIN="9999"), full)
        refused(desk(path, "backup"), t("backup.failed", reason=full))
        refused(desk(path, "export", "-o", str(small_disk / "all.json")), t("cli.no_space"))
        # no half-written export left where the clerk would look for it, nor its scraps
        assert not (small_disk / "all.json").exists()
        assert not [p for p in small_disk.iterdir() if p.name.startswith(".all.json")]
        assert [p.name for p in (small_disk / "backups").iterdir()] == []  # no partial copy
        found = desk(path, "lookup", "王")  # reading needs no space
        assert found.exit_code == 0, found.output
    finally:
        database.dispose()
    ballast.unlink()
    database = open_database(path, settings=load_settings())
    assert counts(database) == before
    database.dispose()


def test_disk_full_with_no_desk_open_nothing_opens(
    small_disk: Path, tui_started: list[object]
) -> None:
    path = small_disk / "desk.db"
    database, _ = new_desk(path)
    database.dispose()
    fill(small_disk, path)
    # SQLite cannot even make its -shm file (an "I/O error"): said as the full disk it is.
    refused(desk(path), t("db.disk_full"))
    refused(desk(path, "lookup", "王", lang="zh"), said("db.disk_full", "zh_CN"), "zh_CN")
    assert tui_started == []


# --- a missing data directory, a file that is not a database ---------------------------


COMMANDS = {
    "the desk": [],
    "operator add": ["operator", "add", "李娜", "--role", "clerk", "--pin", "4321"],
    "import residents": ["import", "residents", "RESIDENTS", "--as", "陈主管"],
    "backup": ["backup"],
    "lookup": ["lookup", "3-1202"],
    "init": ["init"],
}


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
@pytest.mark.parametrize("given_by", ["--db", "DESK_DB"])
def test_missing_data_directory_is_one_sentence_naming_it(
    tmp_path: Path, tui_started: list[object], command: list[str], given_by: str
) -> None:
    missing = tmp_path / "no-such-folder" / "desk.db"
    residents = tmp_path / "residents.csv"
    residents.write_text(RESIDENTS, encoding="utf-8")
    args = [str(residents) if arg == "RESIDENTS" else arg for arg in command]
    by_env = given_by == "DESK_DB"
    result = desk(None, *args, DESK_DB=str(missing)) if by_env else desk(missing, *args)
    refused(result, t("db.no_directory", path=missing.parent))
    assert not missing.parent.exists()  # never made: a mistyped path is not a new desk
    assert tui_started == []


def test_missing_data_directory_in_chinese(tmp_path: Path, tui_started: list[object]) -> None:
    missing = tmp_path / "没有这个目录" / "desk.db"
    result = desk(missing, lang="zh")
    sentence = said("db.no_directory", "zh_CN", path=missing.parent)
    assert sentence.startswith("目录不存在：")
    refused(result, sentence, "zh_CN")
    assert tui_started == []


def test_the_desk_does_not_open_what_is_not_a_database(
    tmp_path: Path, tui_started: list[object]
) -> None:
    folder = tmp_path / "folder.db"
    folder.mkdir()
    refused(desk(folder), t("db.not_a_file", path=folder))
    junk = tmp_path / "notes.db"
    junk.write_bytes(b"shift notes, not a database\n" * 200)
    refused(desk(junk), t("db.not_a_database", path=junk))
    assert junk.read_bytes() == b"shift notes, not a database\n" * 200
    assert tui_started == []


def test_a_missing_directory_raises_a_database_error_in_plain_words(tmp_path: Path) -> None:
    missing = tmp_path / "gone" / "desk.db"
    with pytest.raises(DatabaseError) as raised:
        open_database(missing, settings=load_settings())
    assert str(raised.value) == t("db.no_directory", path=missing.parent)


@pytest.mark.parametrize(
    ("driver_says", "key"),
    [
        ("cannot execute INSERT in a read-only transaction", "db.read_only_server"),
        ('could not extend file "base/16384/2619": No space left on device', "db.disk_full"),
        ("database is locked", "db.busy"),
    ],
)
def test_other_drivers_are_told_by_their_words(driver_says: str, key: str) -> None:
    # PostgreSQL has no file: the sentence names none.
    assert describe_failure(RuntimeError(driver_says), None) == t(key)
