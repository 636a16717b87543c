"""`desk estate`: the company's estates, and which of them an operator may work on.

Adding an estate and allowing an operator on some estates are a supervisor's who may work on
every estate (`--as NAME`, desk.cli.acting); the rules are desk.services.estates. These
commands work on the whole database, whichever estate `--estate` names.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from desk import estates as binding
from desk.cli.acting import AsOption, act_as
from desk.cli.common import _fail, _guard, _options, _say
from desk.clock import system_clock
from desk.db import Database, open_database
from desk.i18n import t
from desk.printing.text import cell_len, pad
from desk.services import estates
from desk.services.context import Ctx
from desk.services.errors import DeskError

estate_app = typer.Typer(no_args_is_help=True)


@contextmanager
def _company(ctx: typer.Context) -> Iterator[Database]:
    with _guard(ctx):
        database = open_database(_options(ctx).db, estate=binding.CHOSEN.get() or "*")
        try:
            yield database
        finally:
            database.dispose()


@estate_app.command("list")
def estate_list(ctx: typer.Context) -> None:
    """Every estate: its code and names."""
    with _company(ctx) as database, database.reading() as session:
        rows = [
            (row.code, row.name, row.name_en)
            for row in estates.listed(Ctx(session, None, database.settings, system_clock()))
        ]
    width = max(cell_len(code) for code, _, _ in rows)
    for code, name, name_en in rows:
        _say(f"{pad(code, width)}  {name}  {name_en}".rstrip())


@estate_app.command("add")
def estate_add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(metavar="CODE")],
    name: Annotated[str, typer.Option("--name")] = "",
    name_en: Annotated[str, typer.Option("--name-en")] = "",
    settings: Annotated[Path | None, typer.Option("--settings", metavar="TOML")] = None,
    as_name: AsOption = None,
) -> None:
    """Add an estate; --settings: a TOML file of the site settings that differ for it."""
    lines = ""
    if settings is not None:
        try:
            lines = settings.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            _fail(t("estate.bad_settings", code=code, error=exc))
    with _company(ctx) as database:
        try:
            added = act_as(
                database, as_name, lambda work: estates.add(work, code, name, name_en, lines)
            )
        except DeskError as refused:
            _fail(refused.message)
    _say(t("estate.added", code=added.code))


@estate_app.command("allow")
def estate_allow(
    ctx: typer.Context,
    operator: Annotated[str, typer.Argument(metavar="NAME")],
    codes: Annotated[list[str] | None, typer.Argument(metavar="CODE...")] = None,
    every: Annotated[bool, typer.Option("--all")] = False,
    as_name: AsOption = None,
) -> None:
    """The estates an operator may work on: the codes given, or --all."""
    if every == bool(codes):
        _fail(t("cli.estate.allow_how"))
    with _company(ctx) as database:
        try:
            act_as(
                database,
                as_name,
                lambda work: estates.allow(work, operator, None if every else codes),
            )
        except DeskError as refused:
            _fail(refused.message)
    shown = t("estate.every") if every else ", ".join(code.upper() for code in codes or [])
    _say(t("estate.allowed", name=operator, codes=shown))
