"""`desk handover`: print a shift-change summary (text, HTML, PDF, to a CUPS printer), list them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from desk.cli.common import _fail, _guard, _options, _say
from desk.clock import fmt, system_clock
from desk.db import open_database
from desk.i18n import current_language, t
from desk.printing.summary_pdf import FORMATS, archive_folder, copies, print_handover, send
from desk.services import handover as handovers
from desk.services import operators
from desk.services.context import Ctx

handover_app = typer.Typer(no_args_is_help=True)


@handover_app.command("print")
def print_summary(
    ctx: typer.Context,
    last: Annotated[bool, typer.Option("--last")] = False,
    shift: Annotated[
        int | None, typer.Option("--shift", metavar="ID", min=1, max=2**31 - 1)
    ] = None,
    fmt_: Annotated[str, typer.Option("--format", metavar="text|html|pdf")] = "text",
    output: Annotated[Path | None, typer.Option("--output", metavar="FILE")] = None,
    printer: Annotated[str | None, typer.Option("--printer", metavar="NAME")] = None,
) -> None:
    """Print a handover's summary; without --output the text goes to stdout. Copies are archived."""
    options = _options(ctx)
    if last and shift is not None:
        _fail(t("cli.handover.last_or_shift"))
    if fmt_ not in FORMATS:
        _fail(t("summary.bad_format", value=fmt_, known=", ".join(FORMATS)))
    with _guard(ctx):
        database = open_database(options.db)
        queue = database.settings.site.printer if printer is None else printer
        with database.writing() as session:
            work = Ctx(session, None, database.settings, system_clock())
            chosen = handovers.get(work, shift) if shift is not None else handovers.last(work)
            if chosen is None or chosen.id is None:
                _fail(t("cli.handover.none"))
            printed = print_handover(
                work,
                chosen.id,
                fmt=fmt_,
                folder=archive_folder(database.path),
                output=output,
                printer=queue,
            )
        database.dispose()
        if output is None and fmt_ != "pdf":
            _say(printed.path.read_text(encoding="utf-8"), nl=False)
        else:
            typer.echo(t("handover_ui.printed", path=output or printed.path), err=True)
        if queue:
            typer.echo(t("handover_ui.queued", answer=send(printed, queue)), err=True)


@handover_app.command("list")
def list_handovers(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit")] = 30,
) -> None:
    """Past handovers, newest first: id, shift, people, state, printed copies."""
    options = _options(ctx)
    with _guard(ctx):
        database = open_database(options.db)
        tz = database.settings.tz
        with database.reading() as session:
            work = Ctx(session, None, database.settings, system_clock())
            rows = handovers.history(work, limit)
            ids = {i for r in rows for i in (r.outgoing_id, r.incoming_id) if i is not None}
            names = operators.operator_names(work, ids)
            for row in rows:
                assert row.id is not None
                shift = next((s for s in database.settings.shifts if s.key == row.shift_key), None)
                _say(
                    t(
                        "handover_ui.history_row",
                        id=row.id,
                        shift=shift.label(current_language()) if shift else row.shift_key,
                        start=fmt(row.shift_start, tz),
                        outgoing=names.get(row.outgoing_id, ""),
                        incoming=names.get(row.incoming_id or 0, "") or "-",
                        state=t(f"handover_ui.state.{row.state}"),
                        copies=len(copies(work, row.id)),
                    )
                )
        database.dispose()
    if not rows:
        typer.echo(t("cli.handover.none"))
