"""`desk export`: every record of the chosen registers with its history, as JSON or CSV."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from desk.cli.common import _fail, _guard, _options, _say
from desk.clock import system_clock
from desk.config import Settings
from desk.db import open_database
from desk.files import write_whole
from desk.i18n import t
from desk.services import export as exporting
from desk.services.context import Ctx
from desk.services.when import FIRST_YEAR, LAST_YEAR


def _parse_since(text: str, settings: Settings) -> datetime:
    """--since: a date (2026-11-01) or a date and time (2026-11-01T08:00), in the site's zone
    unless it names its own offset. An empty value is refused (it would mean "everything"),
    and so is a year no record can carry (desk.services.when.FIRST_YEAR..LAST_YEAR)."""
    value = text.strip()
    if not value:
        _fail(t("cli.since_empty"))
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        _fail(t("cli.bad_since", value=text))
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        _fail(t("cli.since_out_of_range", value=text, first=FIRST_YEAR, last=LAST_YEAR))
    return moment if moment.tzinfo else moment.replace(tzinfo=settings.tz)


def _write(path: Path, text: str, encoding: str = "utf-8") -> None:
    write_whole(path, text, encoding=encoding)


def export_command(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", "-f")] = "json",
    register: Annotated[
        list[str] | None,
        typer.Option(
            "--register",
            "-r",
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
        ),
    ] = None,
) -> None:
    """Write every record of the chosen registers with its history of events.

    JSON is one object keyed by register name; CSV is one register per file, its events column
    holding JSON. Times are ISO 8601 in the site's time zone. Residents are exported with their
    FULL phone numbers: keep the file inside the office.
    """
    options = _options(ctx)
    fmt = fmt.strip().lower()
    if fmt not in ("json", "csv"):
        _fail(t("cli.bad_format", value=fmt))
    with _guard(ctx):
        parts = [part for item in register or [] for part in item.split(",") if part.strip()]
        if register and not parts:  # `-r ,` names no register: not "all of them"
            _fail(
                t(
                    "export.unknown_register",
                    name=",".join(register),
                    known=", ".join(exporting.REGISTERS),
                )
            )
        names = exporting.check_registers(parts)
        moment = _parse_since(since, options.settings) if since is not None else None
        if fmt == "csv" and output is None and len(names) != 1:
            _fail(t("cli.export.csv_needs_one"))
        database = open_database(options.db)
        try:
            with database.reading() as session:
                work = Ctx(session, None, database.settings, system_clock())
                data = exporting.export(work, names, moment)
        finally:
            database.dispose()  # no connection left open, whatever happened
        count = sum(len(rows) for rows in data.values())
        if fmt == "json":
            text = exporting.to_json(data)
            if output is None:
                _say(text, nl=False)
            else:
                _write(output, text)
                typer.echo(t("cli.export.written", path=output, count=count), err=True)
            return
        if output is None:
            _say(exporting.to_csv(names[0], data[names[0]]), nl=False)
            return
        as_directory = len(names) > 1 or output.is_dir()
        if as_directory:
            output.mkdir(mode=0o700, exist_ok=True)
        for name, rows in data.items():
            target = output / f"{name}.csv" if as_directory else output
            # A BOM lets spreadsheet programs read the Chinese text as UTF-8.
            _write(target, exporting.to_csv(name, rows), encoding="utf-8-sig")
            typer.echo(t("cli.export.written", path=target, count=len(rows)), err=True)
