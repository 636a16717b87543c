"""`desk calendar`: the site's own closed days and extra working days, and what a date is.

Marking and clearing days is a supervisor's: those commands take `--as NAME` (desk.cli.acting).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import typer

from desk.cli.acting import AsOption, act_as
from desk.cli.common import _fail, _guard, _options, _say
from desk.db import open_database
from desk.i18n import t
from desk.models import DayKind
from desk.services import calendar
from desk.services.errors import DeskError

calendar_app = typer.Typer(no_args_is_help=True)


def _day(text: str) -> date:
    try:
        return calendar.parse_day(text)
    except DeskError as error:
        _fail(error.message)


def _mark(ctx: typer.Context, day: str, kind: DayKind, note: str, as_name: str | None) -> None:
    options = _options(ctx)
    chosen = _day(day)
    with _guard(ctx):
        database = open_database(options.db)
        try:
            act_as(database, as_name, lambda work: calendar.set_site_day(work, chosen, kind, note))
        finally:
            database.dispose()  # no connection left on a server after a refusal
    typer.echo(t(f"cli.calendar.marked_{kind.value}", day=chosen.isoformat()))


NoteOption = Annotated[str, typer.Option("--note")]


@calendar_app.command("add-holiday")
def add_holiday(
    ctx: typer.Context,
    day: Annotated[str, typer.Argument()],
    note: NoteOption = "",
    as_name: AsOption = None,
) -> None:
    """The office is closed on DAY (not a working day for deadlines). Supervisors only."""
    _mark(ctx, day, DayKind.holiday, note, as_name)


@calendar_app.command("add-workday")
def add_workday(
    ctx: typer.Context,
    day: Annotated[str, typer.Argument()],
    note: NoteOption = "",
    as_name: AsOption = None,
) -> None:
    """The office works on DAY even though it is a weekend or holiday. Supervisors only."""
    _mark(ctx, day, DayKind.workday, note, as_name)


@calendar_app.command("clear")
def clear(
    ctx: typer.Context,
    day: Annotated[str, typer.Argument()],
    as_name: AsOption = None,
) -> None:
    """Remove the site's own mark on DAY; the official calendar applies again. Supervisors only."""
    options = _options(ctx)
    chosen = _day(day)
    with _guard(ctx):
        database = open_database(options.db)
        try:
            removed = act_as(database, as_name, lambda work: calendar.clear_site_day(work, chosen))
        finally:
            database.dispose()  # no connection left on a server after a refusal
    if not removed:
        _fail(t("cli.calendar.not_marked", day=chosen.isoformat()))
    typer.echo(t("cli.calendar.cleared", day=chosen.isoformat()))


@calendar_app.command("list")
def list_days(ctx: typer.Context) -> None:
    """The site's own days, and which years of the official calendar are only estimates."""
    options = _options(ctx)
    with _guard(ctx):
        database = open_database(options.db, migrate=True)
        with database.reading() as session:
            rows = calendar.site_days(session)
        database.dispose()
    for row in rows:
        _say(f"{row.day.isoformat()}  {t(f'calendar.kind.{row.kind}')}  {row.note}")
    this_year = datetime.now(options.settings.tz).year  # the site's year, not UTC's
    for year in calendar.calendar_years(this_year):
        if calendar.is_estimated(year):
            typer.echo(t("calendar.estimated", year=year))
    if (last := calendar.estimated_after(this_year)) is not None:
        typer.echo(t("calendar.estimated_later", year=last))


@calendar_app.command("check")
def check(ctx: typer.Context, day: Annotated[str, typer.Argument()]) -> None:
    """Say whether DAY is a working day at this site."""
    options = _options(ctx)
    chosen = _day(day)
    with _guard(ctx):
        database = open_database(options.db)
        with database.reading() as session:
            working = calendar.site_calendar(session).is_working_day(chosen)
        database.dispose()
    key = "cli.calendar.working" if working else "cli.calendar.closed"
    typer.echo(t(key, day=chosen.isoformat()))
