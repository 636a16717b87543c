"""`desk report monthly`: the month's statistics as text, CSV, xlsx or HTML."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from desk.cli.common import _fail, _guard, _options, _say
from desk.clock import system_clock
from desk.db import open_database
from desk.i18n import t
from desk.printing.report_estates import render_company
from desk.printing.report_files import FORMATS, render, write
from desk.services import stats, stats_estates, stats_period
from desk.services.context import Ctx
from desk.services.stats_period import Period

report_app: typer.Typer = typer.Typer(no_args_is_help=True)


@report_app.command("monthly")
def monthly(
    ctx: typer.Context,
    month: Annotated[
        str | None,
        typer.Option(
            "--month",
            "-m",
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f")] = "text",
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
    by_estate: Annotated[bool, typer.Option("--by-estate")] = False,
) -> None:
    """Volumes, repair timeliness and pass rate, complaints, callbacks, repeats, keys, passes."""
    options = _options(ctx)
    if fmt not in FORMATS:
        _fail(t("cli.report.bad_format", value=fmt))
    if fmt == "xlsx" and output is None:
        _fail(t("cli.report.xlsx_needs_output"))
    settings = options.settings
    now = system_clock()
    with _guard(ctx):
        period = (
            stats_period.parse(month, settings.tz)
            if month is not None
            else stats_period.this_month(now, settings.tz)
        )
        if by_estate:
            _company(fmt, output, period, now, options.db)
            return
        database = open_database(options.db)
        with database.reading() as session:
            report = stats.monthly(Ctx(session, None, database.settings, now), period)
        if output is not None:
            write(report, database.settings, fmt, output)
        database.dispose()
    if output is None:
        content = render(report, database.settings, fmt)
        assert isinstance(content, str)
        _say(content, nl=False)
    else:
        typer.echo(t("cli.report.written", path=output), err=True)


def _company(fmt: str, output: Path | None, period: Period, now: datetime, db: str | None) -> None:
    """Each estate's figures and the company's, one estate a line (text)."""
    if fmt != "text" or output is not None:
        _fail(t("cli.report.by_estate_text"))
    database = open_database(db, estate="*")
    try:
        with database.reading() as session:
            site = database.site_settings or database.settings
            lines = stats_estates.monthly_by_estate(
                Ctx(session, None, database.settings, now), period, site
            )
    finally:
        database.dispose()
    _say(render_company(lines, database.settings), nl=False)
