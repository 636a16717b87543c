"""`desk keys`: load the key cabinet from a CSV file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from desk.cli import run_import
from desk.services import keys_import

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
    run_import(ctx, file, skip_bad, keys_import.import_cabinet, "cli.keys.done")
