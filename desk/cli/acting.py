"""Who a command acts as: `--as NAME`, signed in with a PIN exactly as at the desk.

Most commands act as no one (the person at the machine: init, imports, backups, reports). A
command that changes what only a supervisor may change takes `--as NAME`; the PIN comes from
$DESK_PIN (scripts, CI: there is no terminal to ask on) or is asked with the input hidden —
never from an option, which would stay in the shell history. A wrong name or PIN counts as a
failed sign-in at this terminal exactly as at the desk (desk.services.operators: after a few,
the next attempt here waits, and an attempt inside the wait is refused before the PIN is
asked); a successful one is in the audit trail like a sign-in at the desk.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Annotated, TypeVar

import typer

from desk.cli import common
from desk.cli.common import _fail
from desk.clock import system_clock
from desk.db import Database
from desk.i18n import t
from desk.models import Operator
from desk.services import operators
from desk.services.context import Ctx
from desk.services.errors import DeskError, Forbidden

T = TypeVar("T")

PIN_ENV = "DESK_PIN"

AsOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        metavar="NAME",
    ),
]


def sign_in_as(database: Database, name: str | None) -> Operator | None:
    """The operator `--as NAME` names, once the PIN is right; None when no name was given."""
    if name is None:
        return None
    terminal = operators.this_terminal()
    with database.reading() as session:
        now = Ctx(session, None, database.settings, system_clock())
        seconds = operators.wait_seconds(now, operators.attempt_key(terminal, name.strip()))
    if seconds:  # told before a PIN is typed in vain
        _fail(t("signin.wait", seconds=seconds))
    pin = os.environ.get(PIN_ENV)
    if pin is None:
        if not common._has_terminal():
            _fail(t("cli.acting.no_pin", name=name, env=PIN_ENV))
        pin = str(typer.prompt(t("cli.acting.pin_prompt", name=name), hide_input=True))
    with database.writing() as session:
        ctx = Ctx(session, None, database.settings, system_clock())
        outcome = operators.sign_in(ctx, name, pin, terminal)
    # outside the transaction: a failure is committed (counted at this terminal) before the
    # command fails
    if outcome.operator is None:
        _fail((outcome.error or DeskError("signin.refused")).message)
    database.admit(outcome.estates)
    return outcome.operator


def refusal(error: DeskError, name: str | None) -> str:
    """A refused step's message, with how to sign when no one was named."""
    if name is None:
        return t("cli.acting.how", message=error.message, env=PIN_ENV)
    return error.message


def act_as(database: Database, name: str | None, action: Callable[[Ctx], T]) -> T:
    """Sign in as `name`, then run `action` in one write transaction as that operator; a
    refusal of the service's (Forbidden) is one line and exit status 2, nothing saved."""
    acting = sign_in_as(database, name)
    try:
        with database.writing() as session:
            return action(Ctx(session, acting, database.settings, system_clock()))
    except Forbidden as refused:
        _fail(refusal(refused, name))
