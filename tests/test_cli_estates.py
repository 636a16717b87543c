"""`desk estate …` and `desk --estate`, tried as an insider would: adding an estate without a
PIN or as a clerk, an operator allowed on one estate acting at another's desk, an estate that
does not exist. Each is refused in one line, exit status 2, nothing written."""

from __future__ import annotations

from sqlmodel import select
from typer.testing import CliRunner

from desk.cli import app
from desk.db import Database
from desk.models import Estate, Operator, Role
from tests.conftest import add_staff

runner = CliRunner()


def run(db: Database, *args: str, pin: str | None = None) -> tuple[int, str]:
    env = {"DESK_PIN": pin} if pin is not None else {}
    result = runner.invoke(app, ["--lang", "en", "--db", db.url, *args], env=env)
    assert "Traceback" not in result.output
    return result.exit_code, result.output.strip()


def codes(db: Database) -> list[str]:
    with db.reading() as session:
        return [e.code for e in session.exec(select(Estate).order_by(Estate.id))]


def test_estates_are_added_and_allowed_by_a_company_supervisor_only(
    db: Database, supervisor: Operator, clerk: Operator
) -> None:
    assert run(db, "estate", "add", "HG", "--name", "和谷园")[0] == 2  # no --as
    assert run(db, "estate", "add", "HG", "--as", "王芳", pin="1234")[0] == 2  # a clerk
    assert run(db, "estate", "add", "HG", "--as", "陈主管", pin="0000")[0] == 2  # wrong PIN
    assert codes(db) == ["main"]
    assert run(db, "estate", "add", "HG", "--name", "和谷园", "--as", "陈主管", pin="9999") == (
        0,
        "estate HG added",
    )
    code, output = run(db, "estate", "add", "hg", "--as", "陈主管", pin="9999")
    assert (code, output) == (2, "error: Code: an estate with the code HG exists already")
    assert run(db, "estate", "allow", "王芳", "HG", "--as", "陈主管", pin="9999") == (
        0,
        "王芳 may work on: HG",
    )
    # 王芳 may not act at the default estate's desk any more, with her right PIN
    code, output = run(db, "--estate", "main", "estate", "list")
    assert code == 0 and output.splitlines()[0].startswith("main")
    code, output = run(
        db,
        "--estate",
        "main",
        "resident",
        "erase",
        "13800000000",
        "--reason",
        "asked",
        "--as",
        "王芳",
        pin="1234",
    )
    assert code == 2 and "may not work on estate main" in output
    # a desk of two estates opened with none chosen, or one that does not exist: told which
    code, output = run(db, "lookup", "3-1202")
    assert code == 2 and "choose one with desk --estate CODE" in output
    code, output = run(db, "--estate", "NOPE", "lookup", "3-1202")
    assert code == 2 and "no estate has the code “NOPE” (there are: main, HG)" in output
    assert codes(db) == ["main", "HG"]


def test_a_supervisor_of_one_estate_may_not_add_estates(db: Database, supervisor: Operator) -> None:
    add_staff(db, "钱主管", Role.supervisor, "7777")
    assert run(db, "estate", "add", "HG", "--as", "陈主管", pin="9999")[0] == 0
    assert run(db, "estate", "allow", "钱主管", "HG", "--as", "陈主管", pin="9999")[0] == 0
    code, output = run(db, "estate", "add", "LX", "--as", "钱主管", pin="7777")
    assert code == 2 and "add an estate" in output
    code, output = run(db, "estate", "allow", "钱主管", "--all", "--as", "钱主管", pin="7777")
    assert code == 2
    assert codes(db) == ["main", "HG"]
