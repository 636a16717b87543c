"""`desk import residents`, and the CSV import every `desk … import` command runs (run_import)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from desk.cli.acting import PIN_ENV, AsOption, sign_in_as
from desk.cli.common import _fail, _guard, _options
from desk.clock import system_clock
from desk.db import open_database
from desk.i18n import t
from desk.services import residents_csv, residents_import
from desk.services.context import Ctx

import_app = typer.Typer(no_args_is_help=True)

EncodingOption = Annotated[str | None, typer.Option("--encoding", metavar="NAME")]


@import_app.command("residents")
def import_residents(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(),
    ],
    skip_bad: Annotated[bool, typer.Option("--skip-bad")] = False,
    replace: Annotated[bool, typer.Option("--replace")] = False,
    encoding: EncodingOption = None,
    as_name: AsOption = None,
) -> None:
    """Import the residents directory as an operator. Any bad line stops the import unless
    --skip-bad; --replace moves out the residents of the file's rooms it no longer lists."""
    run_import(
        ctx,
        file,
        as_name=as_name,
        encoding=encoding,
        skip_bad=skip_bad,
        replace=replace,
        check=residents_csv.check,
        write=lambda transaction, result: residents_import.write_in_parts(
            transaction, result, skip_bad=skip_bad, replace=replace
        ),
        done_message="cli.import.done",
    )


@import_app.command("fees")
def import_fees(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument()],
    encoding: EncodingOption = None,
    as_name: AsOption = None,
) -> None:
    """Load finance's balances (CSV or XLSX) as a supervisor: any bad line stops it; the open
    balances it changes or no longer lists are superseded (kept as history)."""
    from desk.services import fees_import

    def report(result: fees_import.FeeImportResult) -> None:
        typer.echo(
            t(
                "fees_import.done",
                number=result.number,
                added=result.added,
                updated=result.updated,
                unchanged=result.unchanged,
                cleared=result.cleared,
                custody=result.custody,
            )
        )
        for room in result.rooms_cleared:
            typer.echo(t("fees_import.room_cleared", room=room))

    run_import(
        ctx,
        file,
        as_name=as_name,
        encoding=encoding,
        skip_bad=False,
        check=fees_import.check,
        write=lambda transaction, result: in_one(
            transaction, lambda work: fees_import.write(work, result)
        ),
        done_message="fees_import.done",
        allowed=fees_import.allowed,
        read=fees_import.read_file,
        report=report,
    )


# A residents directory of 100,000 lines is about 4 MB: a file far larger is not one.
MAX_IMPORT_BYTES = 64 << 20


def in_one(
    transaction: Callable[[], AbstractContextManager[Ctx]], step: Callable[[Ctx], Any]
) -> Any:
    """`step` in one transaction (an import written whole: the key cabinet's)."""
    with transaction() as work:
        return step(work)


def run_import(
    ctx: typer.Context,
    file: Path,
    *,
    as_name: str | None,
    encoding: str | None,
    skip_bad: bool,
    check: Callable[[Ctx, str], Any],
    write: Callable[[Callable[[], AbstractContextManager[Ctx]], Any], Any],
    done_message: str,
    replace: bool = False,
    allowed: Callable[[Ctx], None] | None = None,
    read: Callable[[bytes, str | None], str] | None = None,
    report: Callable[[Any], None] | None = None,
) -> None:
    """A CSV import as a named operator (`--as`, the PIN from $DESK_PIN or asked): refused, with
    nothing read or written, without one. The file is decoded and every line checked in a
    reading session (no write lock); bad lines are listed, and stop the import (exit 1) unless
    --skip-bad. Then `write(transaction, result)` writes it in the short write transactions
    `transaction()` opens (one, or a part of the file in each). `allowed` refuses an operator
    whose role may not import (before the file is checked). `read` turns the file's bytes into
    text (default: a CSV decoded); `report` says what was done (default: the counts below)."""
    from desk.services.csv_reading import decode

    if as_name is None:
        _fail(t("cli.import.needs_as", env=PIN_ENV))
    options = _options(ctx)
    with _guard(ctx):
        size = file.stat().st_size  # a missing file is said now, before the PIN is asked
    if not file.is_file():  # a folder, a pipe, a device (/dev/zero) is no import file
        _fail(t("cli.import.not_a_file", path=file))
    if size > MAX_IMPORT_BYTES:
        _fail(t("cli.import.too_big", path=file, mb=MAX_IMPORT_BYTES >> 20))
    with _guard(ctx):
        database = open_database(options.db)
        try:
            acting = sign_in_as(database, as_name)  # before a byte of the file is read
            text = (read or decode)(file.read_bytes(), encoding)
            with database.reading() as session:
                reading = Ctx(session, acting, database.settings, system_clock())
                if allowed is not None:
                    allowed(reading)
                result = check(reading, text)
            stopped = bool(result.bad) and (replace or not skip_bad)
            if not stopped:

                @contextmanager
                def transaction() -> Iterator[Ctx]:
                    with database.writing() as session:
                        yield Ctx(session, acting, database.settings, system_clock())

                try:
                    result = write(transaction, result)
                except BaseException:
                    written = getattr(result, "written", 0)
                    if written:  # parts written before the failure stay written
                        total = len(result.good)
                        typer.echo(t("cli.import.partly", written=written, total=total), err=True)
                    raise
        finally:  # a refusal (typer.Exit) leaves no connection open
            database.dispose()
    for bad in result.bad:
        typer.echo(t("cli.import.bad_line", line=bad.line, reason=bad.reason), err=True)
    if stopped and replace:
        typer.echo(t("csv_import.replace_needs_every_line", count=len(result.bad)), err=True)
        raise typer.Exit(1)
    if stopped:
        typer.echo(t("cli.import.nothing", count=len(result.bad)), err=True)
        raise typer.Exit(1)
    if report is not None:
        report(result)
        return
    typer.echo(
        t(
            done_message,
            added=result.added,
            updated=result.updated,
            unchanged=result.unchanged,
            skipped=len(result.bad),
        )
    )
    moved_out: dict[str, int] = getattr(result, "moved_out", {})
    if moved_out:
        typer.echo(t("cli.import.moved_out", count=sum(moved_out.values())))
        for room, count in sorted(moved_out.items()):
            typer.echo(t("cli.import.moved_out_room", room=room, count=count))
