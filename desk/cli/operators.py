"""`desk operator`: who may sign in at the desk, and as what.

Every change is a supervisor's, made with `--as NAME` (desk.cli.acting) and written in the audit
trail under that supervisor's name. The one exception: the first supervisor of a database that
has no active supervisor yet is added without `--as`. The rules are the service's
(desk.services.operators); these commands only ask.

A new operator's PIN comes from `--pin` (scripts; it stays in the shell history), from
$DESK_NEW_PIN, or is asked twice with the input hidden; `operator pin` takes no `--pin` at all.
The acting supervisor's PIN is never an option: $DESK_PIN, or asked.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from desk.cli import common
from desk.cli.acting import AsOption, refusal, sign_in_as
from desk.cli.common import _fail, _guard, _options, _say
from desk.clock import system_clock
from desk.db import Database, open_database
from desk.i18n import t
from desk.models import Operator
from desk.printing.text import cell_len, pad
from desk.services import operators
from desk.services.context import Ctx
from desk.services.errors import Forbidden

NEW_PIN_ENV = "DESK_NEW_PIN"

operator_app = typer.Typer(no_args_is_help=True)

NameArgument = Annotated[str, typer.Argument()]


@contextmanager
def _opened(ctx: typer.Context) -> Iterator[Database]:
    """The command's database, let go however the command ends (a refusal too: a server would
    otherwise keep the connection until the process exits)."""
    with _guard(ctx):
        database = open_database(_options(ctx).db)
        try:
            yield database
        finally:
            database.dispose()


def _new_pin(name: str, no_tty: str) -> str:
    """The new PIN: from $DESK_NEW_PIN, else asked twice, hidden."""
    given = os.environ.get(NEW_PIN_ENV)
    if given is not None:
        return given
    if not common._has_terminal():
        _fail(no_tty)
    first = typer.prompt(t("cli.operator.pin_prompt", name=name), hide_input=True)
    second = typer.prompt(t("cli.operator.pin_again"), hide_input=True)
    if first != second:
        _fail(t("cli.operator.pin_mismatch"))
    return str(first)


def _ask_pin(name: str) -> str:
    """A new operator's PIN when --pin is not given."""
    return _new_pin(name, t("cli.operator.no_tty"))


def _check(database: Database, acting: Operator | None, as_name: str | None, rule: str) -> None:
    """Ask the service, before a PIN is typed in vain, whether the change would be refused."""
    try:
        with database.reading() as session:
            work = Ctx(session, acting, database.settings, system_clock())
            if rule == "manage":
                operators.acting_supervisor(work)
            else:
                operators.may_add(work, rule)
    except Forbidden as refused:
        _fail(refusal(refused, as_name))


@operator_app.command("add")
def operator_add(
    ctx: typer.Context,
    name: NameArgument,
    role: Annotated[str, typer.Option("--role")],
    pin: Annotated[str | None, typer.Option("--pin")] = None,
    as_name: AsOption = None,
) -> None:
    """Add an operator who can sign in at the desk. A supervisor's act (--as), except the very
    first supervisor of a database."""
    with _opened(ctx) as database:
        if pin is None and os.environ.get(NEW_PIN_ENV) is None and not common._has_terminal():
            _fail(t("cli.operator.no_tty"))
        acting = sign_in_as(database, as_name)
        if pin is None:
            _check(database, acting, as_name, role)
            pin = _ask_pin(name)
        try:
            with database.writing() as session:
                work = Ctx(session, acting, database.settings, system_clock())
                added = operators.add_operator(work, name, role, pin)
                label = t(f"role_name.{added.role}")
        except Forbidden as refused:
            _fail(refusal(refused, as_name))
    _say(t("cli.operator.added", name=added.name, role=label))


@operator_app.command("list")
def operator_list(ctx: typer.Context) -> None:
    """Every operator: name, role, and whether they may sign in. Never their PINs."""
    with _opened(ctx) as database, database.reading() as session:
        rows = operators.all_operators(Ctx(session, None, database.settings, system_clock()))
        shown = [(row.name, row.role, row.active) for row in rows]
    if not shown:
        typer.echo(t("cli.operator.none"))
        return
    labels = [(name, t(f"role_name.{role}"), active) for name, role, active in shown]
    names = max(cell_len(name) for name, _, _ in labels)
    roles = max(cell_len(label) for _, label, _ in labels)
    for name, label, active in labels:
        state = t("cli.operator.state_active" if active else "cli.operator.state_disabled")
        line = t("cli.operator.list_line", name=pad(name, names), role=pad(label, roles))
        _say(f"{line}{state}")


def _change(ctx: typer.Context, as_name: str | None, change: str, *args: str) -> Operator:
    """Sign in as `as_name` and make one change to an operator, in one transaction."""
    with _opened(ctx) as database:
        acting = sign_in_as(database, as_name)
        if change == "pin":
            _check(database, acting, as_name, "manage")
            pin = _new_pin(args[0], t("cli.operator.pin_no_tty", env=NEW_PIN_ENV))
            args = (args[0], pin)
        try:
            with database.writing() as session:
                work = Ctx(session, acting, database.settings, system_clock())
                if change == "role":
                    changed = operators.set_role(work, *args)
                elif change == "pin":
                    changed = operators.reset_pin(work, *args)
                else:
                    changed = operators.set_active(work, args[0], change == "enable")
        except Forbidden as refused:
            _fail(refusal(refused, as_name))
    return changed


@operator_app.command("role")
def operator_role(
    ctx: typer.Context,
    name: NameArgument,
    role: Annotated[str, typer.Argument()],
    as_name: AsOption = None,
) -> None:
    """Give an operator another role. Supervisors only."""
    changed = _change(ctx, as_name, "role", name, role)
    _say(t("cli.operator.role_set", name=changed.name, role=t(f"role_name.{changed.role}")))


@operator_app.command("disable")
def operator_disable(ctx: typer.Context, name: NameArgument, as_name: AsOption = None) -> None:
    """Stop an operator signing in (their records keep their name). Supervisors only."""
    changed = _change(ctx, as_name, "disable", name)
    _say(t("cli.operator.disabled", name=changed.name))


@operator_app.command("enable")
def operator_enable(ctx: typer.Context, name: NameArgument, as_name: AsOption = None) -> None:
    """Let a disabled operator sign in again. Supervisors only."""
    changed = _change(ctx, as_name, "enable", name)
    _say(t("cli.operator.enabled", name=changed.name))


@operator_app.command("pin")
def operator_pin(ctx: typer.Context, name: NameArgument, as_name: AsOption = None) -> None:
    """Set a new PIN for an operator: asked twice, or from $DESK_NEW_PIN. Supervisors only."""
    changed = _change(ctx, as_name, "pin", name)
    _say(t("cli.operator.pin_reset", name=changed.name))
