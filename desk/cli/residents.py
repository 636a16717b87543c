"""`desk resident erase PHONE`: a resident's number taken out of every register, on request.

A supervisor's act (`--as NAME`, the PIN from $DESK_PIN or asked), with a reason; each record
it touches gets an audit event naming them.
"""

from __future__ import annotations

from typing import Annotated

import typer

from desk.cli.acting import AsOption, act_as
from desk.cli.common import _fail, _guard, _options, _say
from desk.db import open_database
from desk.i18n import t
from desk.services import erasure

resident_app = typer.Typer(no_args_is_help=True)


@resident_app.command("erase")
def erase(
    ctx: typer.Context,
    phone: Annotated[str, typer.Argument(metavar="PHONE")],
    reason: Annotated[str, typer.Option("--reason")] = "",
    as_name: AsOption = None,
) -> None:
    """Erase PHONE from every register (kept masked, 138****5678). Supervisors only."""
    options = _options(ctx)
    if not reason.strip():
        _fail(t("erasure.need_reason"))
    with _guard(ctx):
        database = open_database(options.db)
        try:
            erased = act_as(
                database, as_name, lambda work: erasure.erase_phone(work, phone, reason)
            )
        finally:
            database.dispose()  # no connection left on a server after a refusal
    for item in erased:
        register = t(f"erasure.register.{item.register}")
        number = f" {item.number}" if item.number else ""
        _say(t("erasure.line", register=register, id=item.record_id, number=number))
    typer.echo(t("erasure.done", count=len(erased)))
