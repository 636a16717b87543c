"""The command line: help, global options, init, operator add, and one-line errors."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from desk.cli import app
from desk.cli import common as cli
from desk.db import Database, open_database
from desk.models import AuditEvent, CalendarDay, Operator, Role, SignInTerminal
from desk.services.operators import check_pin
from tests.conftest import first_supervisor

runner = CliRunner()


def desk_cli(db: Database | Path | str, *args: str) -> tuple[int, str]:
    url = db.url if isinstance(db, Database) else str(db)
    result = runner.invoke(app, ["--lang", "en", "--db", url, *args])
    return result.exit_code, result.output


def one_line(output: str) -> str:
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert "Traceback" not in output
    return lines[0]


@pytest.mark.parametrize(
    "command",
    [[], ["init"], ["demo"], ["operator", "add"], ["import", "residents"], ["export"]],
)
def test_every_command_has_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_export_help_warns_about_full_phones() -> None:
    result = runner.invoke(app, ["export", "--help"])
    assert "FULL phone numbers" in result.output


@pytest.fixture
def boss(db: Database, monkeypatch: pytest.MonkeyPatch) -> Operator:
    """The database's first supervisor (陈主管), whose PIN the commands find in $DESK_PIN."""
    monkeypatch.setenv("DESK_PIN", "9999")
    return first_supervisor(db)


AS_BOSS = ("--as", "陈主管")


def test_operator_add_with_pin(db: Database, boss: Operator) -> None:
    code, output = desk_cli(
        db, "operator", "add", "李娜", "--role", "night", "--pin", "4321", *AS_BOSS
    )
    assert code == 0, output
    assert one_line(output) == "operator 李娜 (night duty) added"
    with db.reading() as session:
        operator = session.exec(select(Operator).where(Operator.name == "李娜")).one()
    assert operator.role == Role.night
    assert check_pin("4321", operator.pin_hash)
    assert not check_pin("1234", operator.pin_hash)


def test_operator_add_in_chinese(db: Database, boss: Operator) -> None:
    result = runner.invoke(
        app,
        [
            "--lang",
            "zh",
            "--db",
            db.url,
            "operator",
            "add",
            "李娜",
            "--role",
            "clerk",
            "--pin",
            "4321",
            *AS_BOSS,
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "已添加操作员 李娜（客服）"


def test_duplicate_operator_is_one_line_and_status_2(db: Database, boss: Operator) -> None:
    desk_cli(db, "operator", "add", "李娜", "--role", "clerk", "--pin", "4321", *AS_BOSS)
    code, output = desk_cli(
        db, "operator", "add", "李娜", "--role", "clerk", "--pin", "5555", *AS_BOSS
    )
    assert code == 2
    assert one_line(output) == "error: Name: an operator named “李娜” already exists"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--role", "janitor", "--pin", "1234"], "no such role “janitor”"),
        (["--role", "clerk", "--pin", "12"], "the PIN must be 4 to 8 digits"),
        (["--role", "clerk"], "no terminal to ask for the PIN: give it with --pin"),
    ],
)
def test_operator_add_refusals(db: Database, args: list[str], expected: str) -> None:
    code, output = desk_cli(db, "operator", "add", "李娜", *args)
    assert code == 2
    assert expected in one_line(output)
    with db.reading() as session:
        assert session.exec(select(Operator)).first() is None


def test_pin_is_asked_twice_on_a_terminal(
    db: Database, boss: Operator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "_has_terminal", lambda: True)
    args = ["--lang", "en", "--db", db.url, "operator", "add", "李娜", "--role", "clerk", *AS_BOSS]
    result = runner.invoke(app, args, input="4321\n4322\n")
    assert result.exit_code == 2
    assert result.output.strip().endswith("error: the two PINs differ")
    assert "4321" not in result.output
    result = runner.invoke(app, args, input="4321\n4321\n")
    assert result.exit_code == 0, result.output
    assert "PIN for 李娜 (4 to 8 digits):" in result.output
    with db.reading() as session:
        operator = session.exec(select(Operator).where(Operator.name == "李娜")).one()
    assert check_pin("4321", operator.pin_hash)


def test_desk_db_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "env.db"
    monkeypatch.setenv("DESK_DB", str(target))
    monkeypatch.delenv("DESK_DATABASE_URL", raising=False)
    args = ["--lang", "en", "operator", "add", "李娜", "--role", "supervisor", "--pin", "4321"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    database = open_database(target)
    with database.reading() as session:
        assert session.exec(select(Operator.name)).all() == ["李娜"]
    database.dispose()


def test_missing_role_is_a_usage_error(db: Database) -> None:
    code, output = desk_cli(db, "operator", "add", "李娜", "--pin", "1234")
    assert code == 2
    assert one_line(output).startswith("desk: Missing option '--role'")


def test_unknown_option_is_one_line() -> None:
    result = runner.invoke(app, ["--colour", "red"])
    assert result.exit_code == 2
    assert one_line(result.output) == "desk: No such option: --colour"


def test_bad_language() -> None:
    result = runner.invoke(app, ["--lang", "fr", "init"])
    assert result.exit_code == 2
    assert "no such language “fr”" in one_line(result.output)


def test_bad_db_directory_is_a_clear_message(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "desk.db"
    for command in (["init"], ["operator", "add", "李娜", "--role", "clerk", "--pin", "1234"]):
        code, output = desk_cli(missing, *command)
        assert code == 2
        assert one_line(output) == (
            f"error: directory does not exist: {missing.parent} "
            "(check --db or DESK_DB; for a new desk, create it and run desk init)"
        )
    assert not missing.parent.exists()


def test_init_creates_database_and_site_settings(tmp_path: Path) -> None:
    target = tmp_path / "site" / "desk.db"
    target.parent.mkdir()
    code, output = desk_cli(target, "init")
    assert code == 0, output
    assert f"database: {target}" in output
    assert f"site settings copied to {target.parent / 'site.toml'}" in output
    assert "翠湖花园" in (target.parent / "site.toml").read_text(encoding="utf-8")
    assert target.stat().st_mode & 0o777 == 0o600
    (target.parent / "site.toml").write_text(
        (target.parent / "site.toml").read_text(encoding="utf-8").replace("翠湖花园", "金色家园"),
        encoding="utf-8",
    )
    code, output = desk_cli(target, "init")
    assert code == 0
    assert "already there, left as it is" in output
    database = open_database(target)
    assert database.settings.site.name.startswith("金色家园")
    database.dispose()


def test_bad_site_settings_are_one_line(tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_text("buildings = 3\n", encoding="utf-8")
    code, output = desk_cli(tmp_path / "desk.db", "init")
    assert code == 2
    assert "site.toml" in one_line(output)


def test_no_command_opens_the_desk(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    desk_app = pytest.importorskip("desk.app")
    opened: list[tuple[str, str]] = []
    monkeypatch.setattr(
        desk_app, "run_tui", lambda database, lang: opened.append((database.url, lang))
    )
    result = runner.invoke(app, ["--lang", "zh", "--db", db.url])
    assert result.exit_code == 0, result.output
    assert opened == [(db.url, "zh_CN")]


def test_cli_module_does_not_import_textual() -> None:
    code = "import sys, desk.cli; sys.exit('textual' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def _calendar_site(tmp_path: Path) -> str:
    """A database with a supervisor (陈静, 9999) and a clerk (王芳, 1111)."""
    db = str(tmp_path / "cal.db")
    added = runner.invoke(
        app, ["--db", db, "operator", "add", "陈静", "--role", "supervisor", "--pin", "9999"]
    )
    assert added.exit_code == 0, added.output
    added = runner.invoke(
        app,
        ["--db", db, "operator", "add", "王芳", "--role", "clerk", "--pin", "1111", "--as", "陈静"],
        env={"DESK_PIN": "9999"},
    )
    assert added.exit_code == 0, added.output
    return db


def test_calendar_commands_change_working_days(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _calendar_site(tmp_path)
    monkeypatch.setenv("DESK_PIN", "9999")
    added = runner.invoke(
        app, ["--db", db, "--lang", "en", "calendar", "add-holiday", "2026-11-24", "--as", "陈静"]
    )
    assert added.exit_code == 0, added.output
    checked = runner.invoke(app, ["--db", db, "--lang", "en", "calendar", "check", "2026-11-24"])
    assert "is not a working day" in checked.output
    saturday = runner.invoke(
        app, ["--db", db, "--lang", "en", "calendar", "add-workday", "2026-11-28", "--as", "陈静"]
    )
    assert saturday.exit_code == 0
    listed = runner.invoke(app, ["--db", db, "--lang", "en", "calendar", "list"])
    assert "2026-11-24  closed" in listed.output and "2026-11-28  working" in listed.output
    bad = runner.invoke(app, ["--db", db, "--lang", "en", "calendar", "add-holiday", "11/24"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    no_day = runner.invoke(app, ["--db", db, "--lang", "en", "calendar", "check", "2026-02-30"])
    assert no_day.exit_code == 2 and "no such day as 2026-02-30" in no_day.output


def test_calendar_changes_need_a_supervisor_signed_in_with_a_pin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _calendar_site(tmp_path)
    monkeypatch.delenv("DESK_PIN", raising=False)
    refusal = (
        "only a supervisor may change the site's working calendar, because every deadline of "
        "every register counts working days by it"
    )
    code, output = desk_cli(db, "calendar", "add-holiday", "2026-11-24")
    assert code == 2 and refusal in one_line(output) and "--as NAME" in output
    # no terminal to ask the PIN on (CI, scripts): it must come from DESK_PIN
    code, output = desk_cli(db, "calendar", "add-holiday", "2026-11-24", "--as", "陈静")
    assert code == 2 and "DESK_PIN" in one_line(output)
    monkeypatch.setenv("DESK_PIN", "1111")
    code, output = desk_cli(db, "calendar", "clear", "2026-11-24", "--as", "王芳")
    assert (code, one_line(output)) == (2, f"error: {refusal}")
    monkeypatch.setenv("DESK_PIN", "0000")
    code, output = desk_cli(db, "calendar", "add-holiday", "2026-11-24", "--as", "陈静")
    assert (code, one_line(output)) == (2, "error: wrong operator or PIN")
    database = open_database(db)
    with database.reading() as session:
        boss = session.exec(select(Operator).where(Operator.name == "陈静")).one()
        # counted at this terminal, as at the desk
        assert [row.failures for row in session.exec(select(SignInTerminal))] == [1]
        assert session.exec(select(CalendarDay)).all() == []
    monkeypatch.setenv("DESK_PIN", "9999")
    code, output = desk_cli(db, "calendar", "add-holiday", "2026-11-24", "--as", "陈静")
    assert code == 0, output
    code, output = desk_cli(db, "calendar", "clear", "2026-11-24", "--as", "陈静")
    assert (code, one_line(output)) == (0, "2026-11-24 follows the official calendar again")
    with database.reading() as session:
        events = session.exec(
            select(AuditEvent).where(AuditEvent.register_name == "calendar")
        ).all()
    database.dispose()
    assert [(e.action, e.operator_id) for e in events] == [
        ("holiday", boss.id),
        ("cleared", boss.id),
    ]


def test_calendar_list_names_the_site_years_estimates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time_machine

    from desk.services import calendar

    # every year counts as an estimate, so the notes name exactly "this year" and the next two
    monkeypatch.setattr(calendar, "is_estimated", lambda year: True)
    # 00:30 on New Year's Day at the site (Asia/Shanghai) is still 2026 in UTC
    with time_machine.travel(datetime(2026, 12, 31, 16, 30, tzinfo=UTC), tick=False):
        code, output = desk_cli(tmp_path / "cal.db", "calendar", "list")
    assert code == 0, output
    years = [line.split("'s ")[0] for line in output.splitlines() if line.startswith("note: ")]
    assert years == ["note: 2027", "note: 2028", "note: 2029"], output
    assert "every year after 2029 is not yet published either" in output
