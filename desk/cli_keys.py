"""`desk keys`: load the key cabinet from a CSV file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from desk.cli import _guard, _options
from desk.clock import system_clock
from desk.db import open_database
from desk.i18n import t
from desk.services import keys_import
from desk.services.context import Ctx

keys_app: typer.Typer = typer.Typer(help="The key cabinet.", no_args_is_help=True)


@keys_app.command("import")
def import_cabinet(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV in UTF-8 or GBK with the columns tag, opens, kind, room, copies, hook, "
            "note (or 编号, 用途, 类型, 房号, 数量, 挂钩位置, 备注); tag and opens are required.",
        ),
    ],
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Import the good lines even if some are bad.")
    ] = False,
) -> None:
    """Import the key cabinet. Any bad line stops the import unless --skip-bad."""
    options = _options(ctx)
    with _guard():
        data = file.read_bytes()
        database = open_database(options.db)
        with database.writing() as session:
            work = Ctx(session, None, database.settings, system_clock())
            result = keys_import.import_cabinet(work, data, skip_bad=skip_bad)
        database.dispose()
    for bad in result.bad:
        typer.echo(t("cli.import.bad_line", line=bad.line, reason=bad.reason), err=True)
    if not result.imported:
        typer.echo(t("cli.import.nothing", count=len(result.bad)), err=True)
        raise typer.Exit(1)
    typer.echo(
        t(
            "cli.keys.done",
            added=result.added,
            updated=result.updated,
            unchanged=result.unchanged,
            skipped=len(result.bad),
        )
    )
