"""`desk gate`: the gate terminal, where the guard checks release passes (another terminal)."""

from __future__ import annotations

from typing import Annotated

import typer

from desk.cli.common import _fail, _guard, _options
from desk.db import open_database
from desk.i18n import current_language, normalise_language, set_language, t


def gate_command(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option("--db", metavar="PATH"),
    ] = None,
    lang: Annotated[str | None, typer.Option("--lang", metavar="en|zh")] = None,
    guard: Annotated[str, typer.Option("--guard")] = "",
) -> None:
    """Open the gate terminal: scan a pass, check the goods, mark all out / partly / refused.

    Runs beside the desk on the same database; no sign-in (the guard's name goes on each check).
    """
    options = _options(ctx)
    if lang is not None:
        chosen = normalise_language(lang)
        if chosen is None:
            _fail(t("cli.bad_lang", value=lang))
        set_language(chosen)
    with _guard(ctx):
        database = open_database(db or options.db, writable=True)
    try:
        from desk.screens.gate import run_gate
    except ImportError as exc:
        _fail(t("cli.no_tui", message=exc))
    run_gate(database, current_language(), guard.strip()[:60])
