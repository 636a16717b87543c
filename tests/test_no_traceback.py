"""No traceback, ever: an unforeseen failure is one line, exit status 1, and a private error log.

The command line (CliRunner and the real `desk` command) and the desk itself (Pilot) are made to
fail where nothing foresees it; a damaged database file is said in plain words and left alone.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pty
import select
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

import pytest
from textual.worker import WorkerFailed
from typer.testing import CliRunner

from desk import errorlog
from desk.app import DeskApp, make_app
from desk.cli import app
from desk.db import Database
from desk.models import Operator
from desk.screens.gate import GateApp, GateScreen
from desk.services import export as exporting
from desk.services.residents import add_resident
from desk.tui_errors import CrashReport, report_crashes
from tests.conftest import NOW, PG_ADMIN_URL, Desk, file_mode
from tests.pilot_support import until

runner = CliRunner()
DESK = Path(sys.executable).parent / "desk"


def _boom(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("the export fell over")


def _invoke(args: list[str]) -> tuple[int, str]:
    """The command line's exit status and output. The result (its SystemExit holds the failed
    command's frames, and so its engine) is dropped and collected: a process would end, and
    PostgreSQL cannot drop a database that is still in use."""
    result = runner.invoke(app, args)
    code, output = result.exit_code, result.output
    del result
    gc.collect()
    return code, output


def _log_of(db: Database, state: Path) -> Path:
    """Where the log of `db` goes: beside its file, or the state folder for PostgreSQL."""
    folder = db.path.parent if db.path is not None else state / "desk"
    return folder / errorlog.LOG_NAME


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The XDG state folder, under tmp_path (the log's place when there is no database file)."""
    folder = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(folder))
    return folder


# --- the command line ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_unforeseen_failure_is_one_line_and_the_traceback_is_logged(
    db: Database, state: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    monkeypatch.setattr(exporting, "export", _boom)
    os.umask(0o022)  # the log is 0600 whatever the umask says
    code, output = _invoke(["--lang", lang, "--db", db.url, "export"])
    assert code == 1
    assert "Traceback" not in output
    (line,) = output.strip().splitlines()
    log = _log_of(db, state)
    if lang == "en":
        assert line.startswith("error: an unexpected fault stopped the command: RuntimeError: ")
        assert "the export fell over" in line
        assert f"the details are in {log}" in line
    else:
        assert line.startswith("错误：出现意外故障，命令已停止：RuntimeError")
        assert f"详情已记入 {log}" in line
    assert file_mode(log) == 0o600
    logged = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in logged
    assert "RuntimeError: the export fell over" in logged
    assert f"command: desk --lang {lang} --db " in logged
    assert logged.startswith("==== 2")  # a timestamp


def test_a_second_failure_is_appended_to_the_same_log(
    db: Database, state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exporting, "export", _boom)
    for _ in range(2):
        code, _ = _invoke(["--lang", "en", "--db", db.url, "export"])
        assert code == 1
    assert _log_of(db, state).read_text(encoding="utf-8").count("Traceback") == 2


def test_no_pin_reaches_the_log_or_the_screen(
    db: Database, state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PIN given with --pin or DESK_PIN is blanked out, even where the error quotes it."""

    def leaky(*args: object, **_kwargs: object) -> None:
        # the PINs reach the error's words as values (a source line never holds them)
        raise RuntimeError(f"checked PIN {args[-1]} and {os.environ['DESK_PIN']}")

    monkeypatch.setattr("desk.services.operators.add_operator", leaky)
    monkeypatch.setenv("DESK_PIN", "86420")
    args = ["--lang", "en", "--db", db.url, "operator", "add", "X", "--role", "clerk"]
    code, output = _invoke([*args, "--pin", "97531"])
    assert code == 1, output
    logged = _log_of(db, state).read_text(encoding="utf-8")
    for shown in (output, logged):
        assert "97531" not in shown
        assert "86420" not in shown
    assert "--pin ****" in logged
    assert "checked PIN **** and ****" in logged


def test_blanking_a_pin_does_not_show_where_its_digits_stand(
    db: Database, state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PIN equal to the year, or to a line number of the traceback, is not blanked there:
    the marks would tell the PIN."""
    monkeypatch.setattr(exporting, "export", _boom)
    monkeypatch.setenv("DESK_PIN", "2026")
    code, _ = _invoke(["--lang", "en", "--db", db.url, "export"])
    assert code == 1
    logged = _log_of(db, state).read_text(encoding="utf-8")
    assert "****" not in logged


def test_redact_args_hides_both_spellings_of_the_pin() -> None:
    shown = errorlog.redact_args(["desk", "--pin", "1234", "--pin=5678", "--as", "王芳"])
    assert shown == ["desk", "--pin", "****", "--pin=****", "--as", "王芳"]


def test_a_planted_symlink_is_not_followed(
    tmp_path: Path, state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone links desk-errors.log to a file of theirs: the log goes to the state folder."""
    database = tmp_path / "desk.db"
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched\n", encoding="utf-8")
    (tmp_path / errorlog.LOG_NAME).symlink_to(victim)
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        written = errorlog.write_entry(exc, database_path=database, args=["desk"])
    assert written == state / "desk" / errorlog.LOG_NAME
    assert victim.read_text(encoding="utf-8") == "untouched\n"
    assert file_mode(state / "desk") == 0o700
    assert file_mode(written) == 0o600


def test_an_existing_log_open_to_all_is_made_private(tmp_path: Path) -> None:
    log = tmp_path / errorlog.LOG_NAME
    log.write_text("an older entry\n", encoding="utf-8")
    log.chmod(0o644)
    try:
        raise ValueError("boom")
    except ValueError as exc:
        errorlog.write_entry(exc, database_path=tmp_path / "desk.db", args=["desk"])
    assert file_mode(log) == 0o600
    assert log.read_text(encoding="utf-8").startswith("an older entry\n==== ")


def test_without_a_file_the_log_goes_to_the_state_folder(state: Path) -> None:
    """PostgreSQL: no database file, so $XDG_STATE_HOME/desk/desk-errors.log."""
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        line = errorlog.report(exc, database_path=None, args=["desk"])
    log = state / "desk" / errorlog.LOG_NAME
    assert str(log) in line
    assert "RuntimeError: boom" in log.read_text(encoding="utf-8")


def test_when_no_log_can_be_written_the_line_says_so(tmp_path: Path, state: Path) -> None:
    state.write_text("a file where the state folder should be", encoding="utf-8")
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        line = errorlog.report(exc, database_path=tmp_path / "gone" / "desk.db", args=["desk"])
    assert line.startswith("an unexpected fault stopped the command: RuntimeError: boom")
    assert "the details could not be logged" in line


@pytest.mark.skipif(bool(PG_ADMIN_URL), reason="the real command on a database file")
def test_the_real_desk_command_prints_one_line(db: Database, tmp_path: Path) -> None:
    """The installed `desk` script, its export made to fail from a sitecustomize module."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import desk.services.export as e\n"
        "def boom(*a, **k):\n"
        "    raise RuntimeError('the export fell over')\n"
        "e.export = boom\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(hook), "XDG_STATE_HOME": str(tmp_path / "state")}
    done = subprocess.run(
        [str(DESK), "--lang", "en", "--db", str(db.path), "export"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith("error: an unexpected fault stopped the command: RuntimeError: ")
    assert db.path is not None
    log = db.path.parent / errorlog.LOG_NAME
    assert str(log) in line
    assert file_mode(log) == 0o600
    assert "in boom\n" in log.read_text(encoding="utf-8")


# --- the desk (Pilot) -----------------------------------------------------------------------


def _crashing_app(db: Database, clerk: Operator) -> tuple[DeskApp, CrashReport]:
    """The desk as run_tui runs it: an unforeseen failure is reported, not raised."""
    app = make_app(db, lang="en", clock=lambda: NOW, operator=clerk)
    return app, report_crashes(app, db.path)


async def test_a_key_handler_that_raises_closes_the_desk_with_one_line(
    db: Database, clerk: Operator, state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app, report = _crashing_app(db, clerk)

    def broken_help() -> None:
        raise RuntimeError("the help screen fell over")

    async with app.run_test(size=(120, 40)) as pilot:
        app.action_help = broken_help  # type: ignore[method-assign]
        await pilot.press("f1")
        await until(pilot, lambda: app.return_code == 1)
    assert app.return_code == 1
    printed = capsys.readouterr()
    assert "Traceback" not in printed.out + printed.err
    log = _log_of(db, state)
    line = report.line  # what run_tui prints once the terminal is restored
    assert line is not None
    assert line.startswith("error: an unexpected fault closed the desk: RuntimeError: ")
    assert str(log) in line
    assert file_mode(log) == 0o600
    logged = log.read_text(encoding="utf-8")
    assert "in broken_help\n" in logged
    assert "RuntimeError: the help screen fell over" in logged


async def test_a_failed_worker_logs_its_own_traceback(
    db: Database, clerk: Operator, state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app, report = _crashing_app(db, clerk)

    def failing_backup() -> None:
        raise OSError(5, "the backup disk fell over")

    async with app.run_test(size=(120, 40)) as pilot:
        app._daily_backup = failing_backup  # type: ignore[method-assign]
        app.daily_backup()
        with suppress(WorkerFailed):  # said to whoever waits for it, as well as to the app
            await app.workers.wait_for_complete()
        await until(pilot, lambda: app.return_code == 1)
    assert app.return_code == 1
    printed = capsys.readouterr()
    assert "Traceback" not in printed.out + printed.err
    assert "OSError: [Errno 5] the backup disk fell over" in (report.line or "")
    logged = _log_of(db, state).read_text(encoding="utf-8")
    assert "in failing_backup\n" in logged


async def test_the_tests_still_see_the_exception_itself(db: Database, clerk: Operator) -> None:
    """An app left as make_app built it (every other screen test) raises a failure itself."""
    app = make_app(db, lang="en", clock=lambda: NOW, operator=clerk)

    def broken_help() -> None:
        raise RuntimeError("the help screen fell over")

    with pytest.raises(RuntimeError, match="fell over"):
        async with app.run_test(size=(120, 40)) as pilot:
            app.action_help = broken_help  # type: ignore[method-assign]
            await pilot.press("f1")
            await until(pilot, lambda: app.return_code is not None)


# --- a damaged database file --------------------------------------------------------------


def _damaged_copy(db: Database, clerk: Operator, tmp_path: Path) -> Path:
    """A copy of a real desk database holding records, cut to half its size."""
    assert db.path is not None
    desk = Desk(db, clerk)
    with desk.write() as ctx:
        for room in range(1201, 1261):
            add_resident(ctx, "3", str(room), "李明", f"138{room:08d}", "owner")
    db.dispose()
    damaged = tmp_path / "damaged" / "desk.db"
    damaged.parent.mkdir()
    data = db.path.read_bytes()
    damaged.write_bytes(data[: len(data) // 2])
    return damaged


@pytest.mark.skipif(bool(PG_ADMIN_URL), reason="a damaged SQLite file")
@pytest.mark.parametrize("command", [["lookup", "1202"], ["init"], []])
def test_a_damaged_file_is_named_and_left_alone(
    db: Database, clerk: Operator, tmp_path: Path, command: list[str]
) -> None:
    damaged = _damaged_copy(db, clerk, tmp_path)
    before = hashlib.sha256(damaged.read_bytes()).hexdigest()
    code, output = _invoke(["--lang", "en", "--db", str(damaged), *command])
    assert code in (1, 2)
    assert "Traceback" not in output
    (line,) = output.strip().splitlines()
    assert f"the database file {damaged} is damaged and cannot be read" in line
    assert f"{damaged.parent / 'backups'} with desk restore" in line
    assert "malformed" not in line
    assert hashlib.sha256(damaged.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in damaged.parent.iterdir()) == ["desk.db"]


@pytest.mark.skipif(bool(PG_ADMIN_URL), reason="a damaged SQLite file")
def test_a_damaged_file_in_chinese(db: Database, clerk: Operator, tmp_path: Path) -> None:
    damaged = _damaged_copy(db, clerk, tmp_path)
    code, output = _invoke(["--lang", "zh", "--db", str(damaged), "lookup", "1202"])
    assert code == 2
    assert f"数据库文件 {damaged} 已损坏" in output
    assert "desk restore" in output


@pytest.mark.skipif(bool(PG_ADMIN_URL), reason="the real command on a database file")
def test_the_real_desk_in_a_terminal_closes_with_one_line(
    db: Database, clerk: Operator, tmp_path: Path
) -> None:
    """`desk` in a real terminal (a pty), its first screen made to fail: the terminal is given
    back, then one line on stderr, exit status 1, and no traceback anywhere."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import desk.app\n"
        "def broken(self):\n"
        "    raise RuntimeError('the board fell over')\n"
        "desk.app.DeskApp.on_mount = broken\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(hook), "TERM": "xterm-256color"}
    db.dispose()
    main, terminal = pty.openpty()
    desk = subprocess.Popen(
        [str(DESK), "--lang", "en", "--db", str(db.path)],
        stdin=terminal,
        stdout=terminal,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(terminal)
    screen = b""
    give_up = time.monotonic() + 60  # a desk that never closed fails below, not hangs
    try:
        while desk.poll() is None and time.monotonic() < give_up:
            ready, _, _ = select.select([main], [], [], 0.2)
            if ready:
                try:
                    screen += os.read(main, 65536)
                except OSError:
                    break
        assert desk.wait(timeout=60) == 1
    finally:
        if desk.poll() is None:
            desk.kill()
        os.close(main)
    assert desk.stderr is not None
    errors = desk.stderr.read().decode("utf-8")
    assert "Traceback" not in errors
    assert b"Traceback" not in screen
    line = errors.rsplit("\x07", 1)[-1]  # after Textual's last escape: the terminal is restored
    assert db.path is not None
    log = db.path.parent / errorlog.LOG_NAME
    assert line == (
        "error: an unexpected fault closed the desk: RuntimeError: the board fell over "
        f"(the details are in {log}; pass it to the supervisor)\n"
    )
    assert "in broken\n" in log.read_text(encoding="utf-8")


@pytest.mark.skipif(bool(PG_ADMIN_URL), reason="the real command on a database file")
def test_a_desk_that_cannot_even_load_says_so_in_one_line(db: Database, tmp_path: Path) -> None:
    """A broken install (a module of the command line missing): one line, exit status 1."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import sys\nsys.modules['desk.cli.calendar'] = None\n", encoding="utf-8"
    )
    env = {**os.environ, "PYTHONPATH": str(hook), "XDG_STATE_HOME": str(tmp_path / "state")}
    done = subprocess.run(
        [str(DESK), "--lang", "en", "--db", str(db.path), "lookup", "1202"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    (line,) = done.stderr.splitlines()
    assert db.path is not None
    log = db.path.parent / errorlog.LOG_NAME
    assert "ModuleNotFoundError: import of desk.cli.calendar halted" in line
    assert str(log) in line
    assert "ModuleNotFoundError" in log.read_text(encoding="utf-8")


async def test_the_gate_terminal_closes_with_its_own_line(
    db: Database, state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = GateApp(db, lang="en", clock=lambda: NOW, guard="老周")
    report = report_crashes(app, db.path, "unexpected.gate")

    def broken_clear() -> None:
        raise RuntimeError("the scanner fell over")

    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, GateScreen)
        screen.action_clear = broken_clear  # type: ignore[method-assign]
        await pilot.press("escape")
        await until(pilot, lambda: app.return_code == 1)
    assert app.return_code == 1
    assert "Traceback" not in "".join(capsys.readouterr())
    assert (report.line or "").startswith(
        "error: an unexpected fault closed the gate terminal: RuntimeError: the scanner fell over"
    )
    assert "in broken_clear\n" in _log_of(db, state).read_text(encoding="utf-8")


def test_the_error_log_loads_without_textual() -> None:
    """The command line reports through desk.errorlog without loading the TUI."""
    script = (
        "import sys, desk.errorlog, desk.cli\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'"
        " or m in ('desk.app', 'desk.tui_errors')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_full_log_is_set_aside_not_grown_for_ever(tmp_path: Path) -> None:
    log = tmp_path / errorlog.LOG_NAME
    log.write_bytes(b"x" * (errorlog.MAX_LOG_BYTES + 1))
    log.chmod(0o600)
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        errorlog.write_entry(exc, database_path=tmp_path / "desk.db", args=["desk"])
    older = tmp_path / f"{errorlog.LOG_NAME}.1"
    assert older.stat().st_size == errorlog.MAX_LOG_BYTES + 1
    assert file_mode(older) == 0o600
    assert log.read_text(encoding="utf-8").startswith("==== ")
    assert log.stat().st_size < 10_000


# --- numbers and names too big for the system: one line, not an "unexpected fault" ----------


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--keep-daily", "99999999999999999999"], "--keep-daily can be at most 3650"),
        (["--keep-daily", "3651"], "--keep-daily can be at most 3650"),
        (["--keep-weekly", "99999999999999999999"], "--keep-weekly can be at most 520"),
    ],
)
def test_a_huge_retention_is_refused_before_anything_is_made(
    tmp_path: Path, args: list[str], said: str
) -> None:
    out = tmp_path / "out"
    code, output = _invoke(
        ["--lang", "en", "--db", str(tmp_path / "desk.db"), "backup", "--to", str(out), *args]
    )
    assert code == 2, output
    assert output.strip().splitlines() == [f"error: {said}"]
    assert not out.exists()


def test_a_backup_name_too_long_for_the_system_is_one_line(tmp_path: Path) -> None:
    name = "a" * 300
    db = tmp_path / "desk.db"
    code, output = _invoke(
        ["--lang", "en", "--db", str(db), "restore", name, "--yes", "--as", "陈主管"]
    )
    assert code == 2, output
    assert output.strip().splitlines() == [f"error: the file name is too long: {'a' * 39}…"]
    assert not list(tmp_path.iterdir())  # no database made, no error log


@pytest.mark.parametrize("command", [[], ["gate"]])
def test_the_desk_without_a_terminal_says_so_and_does_not_run(
    db: Database, command: list[str]
) -> None:
    """Started from a script or a background job (no terminal): one line, status 2, and no
    desk left running with no one to see it."""
    done = subprocess.run(
        [str(Path(sys.executable).parent / "desk"), "--lang", "en", "--db", db.url, *command],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == (
        "the desk opens in a terminal (its input or output is not one here); for scripts use "
        "the commands, see desk --help"
    )
    assert "Traceback" not in done.stdout + done.stderr
