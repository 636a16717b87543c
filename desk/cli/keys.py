"""`desk keys`: load the key cabinet from a CSV file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from desk.cli.acting import AsOption
from desk.cli.imports import EncodingOption, in_one, run_import
from desk.services import keys_import, roles

keys_app: typer.Typer = typer.Typer(no_args_is_help=True)


@keys_app.command("import")
def import_cabinet(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(),
    ],
    skip_bad: Annotated[bool, typer.Option("--skip-bad")] = False,
    encoding: EncodingOption = None,
    as_name: AsOption = None,
) -> None:
    """Import the key cabinet as a supervisor. Any bad line stops the import unless --skip-bad."""
    run_import(
        ctx,
        file,
        as_name=as_name,
        encoding=encoding,
        skip_bad=skip_bad,
        check=lambda _work, text: keys_import.check(text),
        write=lambda transaction, result: in_one(
            transaction, lambda work: keys_import.write(work, result, skip_bad=skip_bad)
        ),
        done_message="cli.keys.done",
        allowed=roles.CABINET_IMPORT.require,
    )
