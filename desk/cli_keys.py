"""`desk keys`: load the key cabinet from a CSV file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from desk.cli import run_import
from desk.services import keys_import

keys_app: typer.Typer = typer.Typer(no_args_is_help=True)


@keys_app.command("import")
def import_cabinet(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(),
    ],
    skip_bad: Annotated[bool, typer.Option("--skip-bad")] = False,
) -> None:
    """Import the key cabinet. Any bad line stops the import unless --skip-bad."""
    run_import(ctx, file, skip_bad, keys_import.import_cabinet, "cli.keys.done")
