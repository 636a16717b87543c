"""`desk operator …` tried as an insider at the office PC would: with no `--as`, a wrong PIN, a
clerk's name, a second "first supervisor", the last supervisor disabled. Each is refused with
one line and exit status 2, and the operators and their events are as they were."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
import time_machine
from sqlmodel import col, select
from typer.testing import CliRunner

from desk.cli import app
from desk.cli import common as cli
from desk.db import Database
from desk.models import AuditEvent, Operator, Role, SignInTerminal
from desk.services import operators
from tests.conftest import NOW, add_staff

runner = CliRunner()
DESK = [sys.executable, "-c", "from desk.cli import main; main()"]
HOW = "(act as a supervisor with --as NAME; the PIN is read from DESK_PIN or asked)"
NOT_A_SUPERVISOR = (
    "error: only a supervisor may manage operators and their roles, because who may sign in, "
    "and as what, decides who may do everything else"
)


def run(db: Database, *args: str, pin: str | None = None, **env: str) -> tuple[int, str]:
    """`desk --lang en --db URL ARGS…`, the acting PIN in $DESK_PIN when given."""
    environment = {"DESK_PIN": pin, **env} if pin is not None else {**env}
    result = runner.invoke(app, ["--lang", "en", "--db", db.url, *args], env=environment)
    assert "Traceback" not in result.output
    return result.exit_code, result.output.strip()


def state(db: Database) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """The operators (with their PIN hashes) and every event but sign-ins: what a refused
    change must leave as it was."""
    with db.reading() as session:
        people = [
            (o.id, o.name, o.role, o.active, o.pin_hash)
            for o in session.exec(select(Operator).order_by(col(Operator.id)))
        ]
        events = [
            (e.id, e.action, e.operator_id)
            for e in session.exec(select(AuditEvent).order_by(col(AuditEvent.id)))
            if e.action != "signed_in" and e.register_name != "estates"  # the upgrade's own
        ]
    return people, events


def operator(db: Database, name: str) -> Operator:
    with db.reading() as session:
        return session.exec(select(Operator).where(Operator.name == name)).one()


@pytest.fixture(autouse=True)
def _one_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DESK_PIN", raising=False)
    monkeypatch.delenv("DESK_NEW_PIN", raising=False)
    monkeypatch.setattr(operators, "this_terminal", lambda: "office-pc:/dev/pts/3")


@pytest.fixture
def site(db: Database, supervisor: Operator, clerk: Operator) -> Database:
    """陈主管 (supervisor, 9999) and 王芳 (clerk, 1234)."""
    return db


# --- the first supervisor --------------------------------------------------------------------


def test_the_first_supervisor_of_an_empty_database_needs_no_as(db: Database) -> None:
    code, output = run(db, "operator", "add", "陈主管", "--role", "supervisor", "--pin", "9999")
    assert (code, output) == (0, "operator 陈主管 (supervisor) added")
    boss = operator(db, "陈主管")
    assert [event[1:] for event in state(db)[1]] == [("created", boss.id)]  # the event names her


def test_the_first_operator_must_be_a_supervisor(db: Database) -> None:
    code, output = run(db, "operator", "add", "王芳", "--role", "clerk", "--pin", "1234")
    assert code == 2
    assert output == (
        "error: Role: the database has no supervisor yet: the first operator must be one "
        "(--role supervisor)"
    )
    assert state(db) == ([], [])


def test_a_second_first_supervisor_is_refused(site: Database) -> None:
    before = state(site)
    code, output = run(site, "operator", "add", "冒充者", "--role", "supervisor", "--pin", "0000")
    assert (code, output) == (2, f"{NOT_A_SUPERVISOR} {HOW}")
    assert state(site) == before


def test_the_attack_of_the_issue_in_a_real_process(site: Database) -> None:
    """`desk operator add X --role supervisor --pin 0000`, as typed at a shell."""
    before = state(site)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DESK_")}
    done = subprocess.run(
        [*DESK, "--lang", "en", "--db", site.url, *CHANGES["add"]],
        capture_output=True,
        text=True,
        env=environment,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr.splitlines() == [f"{NOT_A_SUPERVISOR} {HOW}"]
    assert state(site) == before


# --- every change needs a supervisor, signed in --------------------------------------------

CHANGES = {
    "add": ["operator", "add", "李娜", "--role", "supervisor", "--pin", "4321"],
    "role": ["operator", "role", "王芳", "supervisor"],
    "disable": ["operator", "disable", "王芳"],
    "pin": ["operator", "pin", "王芳"],
}


@pytest.mark.parametrize("args", CHANGES.values(), ids=CHANGES.keys())
def test_without_as_it_is_refused_and_says_how(site: Database, args: list[str]) -> None:
    before = state(site)
    code, output = run(site, *args, DESK_NEW_PIN="5555")
    assert (code, output) == (2, f"{NOT_A_SUPERVISOR} {HOW}")
    assert state(site) == before


@pytest.mark.parametrize("args", CHANGES.values(), ids=CHANGES.keys())
def test_a_clerk_acting_is_refused(site: Database, args: list[str]) -> None:
    before = state(site)
    code, output = run(site, *args, "--as", "王芳", pin="1234", DESK_NEW_PIN="5555")
    assert (code, output) == (2, NOT_A_SUPERVISOR)
    assert state(site) == before


@pytest.mark.parametrize("args", CHANGES.values(), ids=CHANGES.keys())
def test_a_wrong_pin_or_name_is_refused_alike(site: Database, args: list[str]) -> None:
    before = state(site)
    wrong_pin = run(site, *args, "--as", "陈主管", pin="0000", DESK_NEW_PIN="5555")
    no_one = run(site, *args, "--as", "无此人", pin="9999", DESK_NEW_PIN="5555")
    assert wrong_pin == no_one == (2, "error: wrong operator or PIN")
    assert state(site) == before


def test_no_pin_and_no_terminal_is_refused_before_anything(site: Database) -> None:
    before = state(site)
    code, output = run(site, "operator", "disable", "王芳", "--as", "陈主管")
    assert code == 2 and "DESK_PIN" in output
    assert state(site) == before


def test_the_acting_pin_is_never_an_option(site: Database) -> None:
    for args in (
        ["operator", "pin", "王芳", "--as", "陈主管", "--pin", "9999"],
        ["operator", "disable", "王芳", "--as", "陈主管", "--as-pin", "9999"],
    ):
        code, output = run(site, *args)
        assert code == 2 and output.startswith("desk: No such option")


def test_the_last_supervisor_cannot_be_disabled_nor_demoted(site: Database) -> None:
    before = state(site)
    for args in (["operator", "disable", "陈主管"], ["operator", "role", "陈主管", "clerk"]):
        code, output = run(site, *args, "--as", "陈主管", pin="9999")
        assert (code, output) == (
            2,
            "error: 陈主管 is the last active supervisor: make someone else a supervisor first",
        )
    assert state(site) == before


def test_a_supervisor_cannot_disable_herself(site: Database) -> None:
    add_staff(site, "赵主管", Role.supervisor, "8888")
    before = state(site)
    code, output = run(site, "operator", "disable", "赵主管", "--as", "赵主管", pin="8888")
    assert code == 2 and "cannot disable themself" in output
    assert state(site) == before


# --- what a supervisor does, audited -------------------------------------------------------


def test_a_supervisor_manages_operators_and_each_act_names_her(
    site: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    boss, clerk = operator(site, "陈主管"), operator(site, "王芳")
    _, before = state(site)
    steps = [
        (["operator", "add", "李娜", "--role", "night", "--pin", "4321"], "operator 李娜"),
        (["operator", "role", "王芳", "supervisor"], "王芳 is now supervisor"),
        (["operator", "role", "王芳", "clerk"], "王芳 is now clerk"),
        (["operator", "disable", "王芳"], "operator 王芳 disabled"),
        (["operator", "enable", "王芳"], "operator 王芳 enabled"),
    ]
    for args, said in steps:
        code, output = run(site, *args, "--as", "陈主管", pin="9999")
        assert code == 0 and output.startswith(said), output
    code, output = run(site, "operator", "pin", "王芳", "--as", "陈主管", pin="9999")
    assert code == 2 and "DESK_NEW_PIN" in output  # no terminal: the new PIN from the env
    code, output = run(
        site, "operator", "pin", "王芳", "--as", "陈主管", pin="9999", DESK_NEW_PIN="5678"
    )
    assert (code, output) == (0, "new PIN set for 王芳")
    assert operators.check_pin("5678", operator(site, "王芳").pin_hash)
    _, after = state(site)
    added = operator(site, "李娜")
    assert [(action, who) for _, action, who in after[len(before) :]] == [
        ("created", boss.id),
        ("role_changed", boss.id),
        ("role_changed", boss.id),
        ("disabled", boss.id),
        ("enabled", boss.id),
        ("pin_reset", boss.id),
    ]
    with site.reading() as session:
        targets = session.exec(
            select(AuditEvent.record_id).where(
                col(AuditEvent.id) > before[-1][0], AuditEvent.action != "signed_in"
            )
        ).all()
    assert set(targets) == {added.id, clerk.id}


def test_a_new_pin_is_asked_twice_and_never_shown(
    site: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "_has_terminal", lambda: True)
    args = ["--lang", "en", "--db", site.url, "operator", "pin", "王芳", "--as", "陈主管"]
    # the supervisor's own PIN asked first (hidden), then the new one twice
    result = runner.invoke(app, args, input="9999\n5678\n5679\n")
    assert result.exit_code == 2 and result.output.strip().endswith("the two PINs differ")
    assert operators.check_pin("1234", operator(site, "王芳").pin_hash)
    result = runner.invoke(app, args, input="9999\n5678\n5678\n")
    assert result.exit_code == 0, result.output
    assert "5678" not in result.output and "9999" not in result.output
    assert operators.check_pin("5678", operator(site, "王芳").pin_hash)


def test_a_clerk_is_refused_before_typing_a_new_pin(
    site: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "_has_terminal", lambda: True)
    args = ["--lang", "en", "--db", site.url, "operator", "pin", "陈主管", "--as", "王芳"]
    result = runner.invoke(app, args, input="1234\n")
    assert result.exit_code == 2
    assert "PIN for 陈主管 (4 to 8 digits)" not in result.output  # never asked


def test_list_needs_no_pin_and_shows_no_hashes(site: Database) -> None:
    add_staff(site, "李娜", Role.night, "4321")
    run(site, "operator", "disable", "李娜", "--as", "陈主管", pin="9999")
    code, output = run(site, "operator", "list")
    assert code == 0
    assert output.splitlines() == [
        "李娜    night duty  disabled",
        "王芳    clerk       active",
        "陈主管  supervisor  active",
    ]
    assert "scrypt" not in output


def test_list_of_an_empty_database(db: Database) -> None:
    assert run(db, "operator", "list") == (
        0,
        "no operators yet: add the first with desk operator add NAME --role supervisor",
    )


# --- the growing delay, per terminal -------------------------------------------------------


def test_failures_at_this_terminal_make_the_next_as_wait(
    site: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    disable = ["operator", "disable", "王芳", "--as", "陈主管"]
    with time_machine.travel(NOW, tick=False) as traveller:
        for _ in range(operators.FREE_FAILURES + 1):
            assert run(site, *disable, pin="0000") == (2, "error: wrong operator or PIN")
        # inside the wait: refused before the PIN is looked at, even the right one
        assert run(site, *disable, pin="9999") == (
            2,
            "error: too many failed sign-ins at this terminal: wait 2 seconds",
        )
        assert operator(site, "王芳").active
        # the supervisor at another terminal is not held up
        monkeypatch.setattr(operators, "this_terminal", lambda: "front-desk:/dev/tty1")
        assert run(site, "operator", "role", "王芳", "night", "--as", "陈主管", pin="9999")[0] == 0
        monkeypatch.setattr(operators, "this_terminal", lambda: "office-pc:/dev/pts/3")
        traveller.shift(timedelta(seconds=2))
        assert run(site, *disable, pin="9999") == (
            0,
            "operator 王芳 disabled: they can no longer sign in",
        )
    with site.reading() as session:
        assert session.exec(select(SignInTerminal)).all() == []  # the successes started over


def test_the_cli_counts_per_terminal_in_the_database(site: Database) -> None:
    """Each `desk` run is a new process: the count lives in the database, per terminal."""
    with time_machine.travel(NOW, tick=False):
        for _ in range(2):
            run(site, "operator", "disable", "王芳", "--as", "陈主管", pin="0000")
    with site.reading() as session:
        (row,) = session.exec(select(SignInTerminal)).all()
    assert row.terminal == "office-pc:/dev/pts/3|陈主管" and row.failures == 2
    assert row.last_failure_at == datetime.fromisoformat(NOW.isoformat())


def test_sign_in_as_and_refusal_keep_their_signatures(site: Database) -> None:
    """Other commands (imports, restore) call these two as they are."""
    from desk.cli.acting import refusal, sign_in_as

    assert list(inspect.signature(sign_in_as).parameters) == ["database", "name"]
    assert list(inspect.signature(refusal).parameters) == ["error", "name"]
    assert sign_in_as(site, None) is None
