"""The `desk` command line: open the desk, init, demo, operator add, import residents, export.

Bad arguments and refused actions print one line on stderr and exit with status 2; anything
unforeseen prints one line naming the error log that holds its traceback (desk.errorlog) and
exits with status 1. The TUI (and so Textual) is imported only by the command that opens it.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from typer._click.exceptions import ClickException, NoArgsIsHelpError
from typer._click.globals import get_current_context
from typer.core import TyperGroup

from desk import errorlog
from desk.cli_help import click_error, help_language, localise
from desk.clock import system_clock
from desk.config import DEFAULT_SITE_FILE, REPO_DATA, Settings, load_settings, site_file_for
from desk.db import (
    Database,
    DatabaseError,
    database_url,
    describe_failure,
    open_database,
    sqlite_path,
)
from desk.files import NotARegularFile, write_whole
from desk.i18n import current_language, normalise_language, resolve_language, set_language, t
from desk.launch import resume_collector
from desk.safe_text import printable
from desk.services import export as exporting
from desk.services import residents_import
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.when import FIRST_YEAR, LAST_YEAR

DEMO_DB = REPO_DATA / "demo.db"


class _OneLineErrors(TyperGroup):
    """Usage errors as one line on stderr (`desk: …`), never a panel or a traceback."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        # help and usage in the language the command will speak (desk.cli_help)
        set_language(help_language(sys.argv[1:] if args is None else list(args)))
        localise(self)
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except NoArgsIsHelpError as exc:
            typer.echo(exc.format_message(), err=True)
            sys.exit(exc.exit_code)
        except ClickException as exc:
            typer.echo(f"desk: {click_error(exc.format_message())}", err=True)
            sys.exit(exc.exit_code)
        except (typer.Abort, EOFError, KeyboardInterrupt):
            typer.echo(t("cli.aborted"), err=True)
            sys.exit(1)
        except Exception as exc:  # not foreseen: one line here, the traceback in the error log
            words = sys.argv[1:] if args is None else list(args)
            typer.echo(_unexpected(exc, words), err=True)
            sys.exit(1)
        if not standalone_mode:
            return result
        sys.exit(result if isinstance(result, int) else 0)


def _unexpected(exc: BaseException, args: Sequence[str]) -> str:
    """The one line for an unforeseen failure; its traceback goes to the error log (desk.errorlog)
    beside the database the command was given (--db, else DESK_DATABASE_URL / DESK_DB)."""
    given: str | None = None
    for arg, after in zip(args, [*args[1:], None], strict=True):
        if arg == "--db":
            given = after
        elif arg.startswith("--db="):
            given = arg.removeprefix("--db=")
    try:
        path = sqlite_path(database_url(given))
    except Exception:  # an unreadable --db: the log goes to the state folder
        path = None
    line = errorlog.report(exc, database_path=path, args=["desk", *args])
    return printable(t("cli.error", message=line), one_line=True)


app = typer.Typer(
    cls=_OneLineErrors,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
)
import_app = typer.Typer(no_args_is_help=True)
app.add_typer(import_app, name="import")


@dataclass
class _Options:
    db: str | None
    settings: Settings


def _say(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Echo what the database holds (a table, a report, a summary): control characters in it
    are shown as marks, never sent to the terminal (desk.safe_text)."""
    typer.echo(printable(text), err=err, nl=nl)


def _fail(message: str, code: int = 2) -> NoReturn:
    _say(t("cli.error", message=message), err=True)
    raise typer.Exit(code)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _current_db_path() -> Path | None:
    """The database file of the command being run (for messages), None for a server."""
    context = get_current_context(silent=True)
    options = context.find_root().obj if context is not None else None
    return sqlite_path(database_url(options.db if isinstance(options, _Options) else None))


@contextmanager
def _guard() -> Iterator[None]:
    """Turn every foreseeable failure into one line and exit status 2.

    A database that cannot be written (read-only, disk full, busy) is said in plain words;
    the write was one transaction, so nothing of it was saved.
    """
    try:
        yield
    except DeskError as exc:
        _fail(exc.message)
    except DatabaseError as exc:
        _fail(_one_line(str(exc)))
    except (SQLAlchemyError, sqlite3.Error) as exc:
        _fail(_one_line(describe_failure(exc, _current_db_path())))
    except ValueError as exc:
        _fail(_one_line(str(exc)))
    except NotARegularFile as exc:
        _fail(t("cli.not_a_file", path=exc.filename))
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            _fail(t("cli.no_space"))
        where = f": {exc.filename}" if exc.filename else ""
        _fail(f"{exc.strerror or exc}{where}")


def _options(ctx: typer.Context) -> _Options:
    options = ctx.find_root().obj
    assert isinstance(options, _Options)
    return options


def _shown_url(database: Database) -> str:
    path = database.path
    return str(path) if path else make_url(database.url).render_as_string(hide_password=True)


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="PATH",
        ),
    ] = None,
    lang: Annotated[str | None, typer.Option("--lang", metavar="en|zh")] = None,
) -> None:
    with _guard():
        settings = load_settings(site_file_for(sqlite_path(database_url(db))))
    set_language(resolve_language(None, settings.site.language))
    if lang is not None:
        chosen = normalise_language(lang)
        if chosen is None:
            _fail(t("cli.bad_lang", value=lang))
        set_language(chosen)
    ctx.obj = _Options(db, settings)
    if ctx.invoked_subcommand is not None:
        resume_collector()  # paused while the desk loaded (desk.launch); the TUI resumes later
        return
    with _guard():
        # Told now, not at the clerk's first save: a read-only file or folder saves nothing.
        database = open_database(db, writable=True)
    try:
        from desk.app import run_tui
    except ImportError as exc:
        _fail(t("cli.no_tui", message=exc))
    run_tui(database, current_language())


@app.command()
def init(ctx: typer.Context) -> None:
    """Create the database (or bring its schema up to date) and put site.toml beside it."""
    options = _options(ctx)
    with _guard():
        database = open_database(options.db, writable=True)
        typer.echo(t("cli.init.database", path=_shown_url(database)))
        path = database.path
        if path is None:
            typer.echo(t("cli.init.site_used", path=site_file_for(None)))
        else:
            target = path.parent / "site.toml"
            if target.exists():
                typer.echo(t("cli.init.site_kept", path=target))
            else:
                shutil.copyfile(DEFAULT_SITE_FILE, target)
                typer.echo(t("cli.init.site_copied", path=target))
        database.dispose()
    typer.echo(t("cli.init.ready"))


@app.command()
def demo(
    ctx: typer.Context,
    seed: Annotated[int, typer.Option()] = 2026,
) -> None:
    """Build the demo site (data/demo.db unless --db is given) and print its operators and PINs.

    The demo never goes into $DESK_DB or $DESK_DATABASE_URL, so it cannot land in a live desk.
    A database that already holds the demo is left as it is.
    """
    from desk.services import demo as demo_site

    options = _options(ctx)
    with _guard():
        database = open_database(options.db or DEMO_DB)
        shown = _shown_url(database)
        if not demo_site.has_data(database):
            started = time.monotonic()
            demo_site.build_demo(database, system_clock(), seed=seed)
            seconds = f"{time.monotonic() - started:.1f}"
            typer.echo(t("cli.demo.built", seconds=seconds, path=shown))
        elif demo_site.is_demo(database):
            typer.echo(t("cli.demo.exists", path=shown))
        else:
            _fail(t("cli.demo.not_demo", path=shown))
        counts = demo_site.summary(database)
        database.dispose()
    typer.echo(
        t(
            "cli.demo.counts",
            units=counts.units,
            residents=counts.residents,
            reception=counts.reception,
            repairs=counts.repairs,
            complaints=counts.complaints,
        )
    )
    typer.echo(t("cli.demo.operators"))
    for name, role, pin in demo_site.DEMO_OPERATORS:
        typer.echo(t("cli.demo.operator_line", name=name, role=t(f"role_name.{role}"), pin=pin))
    typer.echo(t("cli.demo.open_with", path=shown))


def _has_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


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
        check=residents_import.check,
        write=lambda transaction, result: residents_import.write_in_parts(
            transaction, result, skip_bad=skip_bad, replace=replace
        ),
        done_message="cli.import.done",
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
) -> None:
    """A CSV import as a named operator (`--as`, the PIN from $DESK_PIN or asked): refused, with
    nothing read or written, without one. The file is decoded and every line checked in a
    reading session (no write lock); bad lines are listed, and stop the import (exit 1) unless
    --skip-bad. Then `write(transaction, result)` writes it in the short write transactions
    `transaction()` opens (one, or a part of the file in each). `allowed` refuses an operator
    whose role may not import (before the file is checked)."""
    from desk.services.csv_reading import decode

    if as_name is None:
        _fail(t("cli.import.needs_as", env=PIN_ENV))
    options = _options(ctx)
    with _guard():
        size = file.stat().st_size  # a missing file is said now, before the PIN is asked
    if not file.is_file():  # a folder, a pipe, a device (/dev/zero) is no import file
        _fail(t("cli.import.not_a_file", path=file))
    if size > MAX_IMPORT_BYTES:
        _fail(t("cli.import.too_big", path=file, mb=MAX_IMPORT_BYTES >> 20))
    with _guard():
        database = open_database(options.db)
        try:
            acting = sign_in_as(database, as_name)  # before a byte of the file is read
            text = decode(file.read_bytes(), encoding)
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


@app.command("export")
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
    with _guard():
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


# Sub-command groups that live in their own modules (they import the helpers above).
from desk.cli_acting import PIN_ENV, AsOption, sign_in_as  # noqa: E402
from desk.cli_operators import operator_app  # noqa: E402

app.add_typer(operator_app, name="operator")
from desk.cli_calendar import calendar_app  # noqa: E402

app.add_typer(calendar_app, name="calendar")
from desk.cli_passes import gate_command  # noqa: E402

app.command("gate")(gate_command)
from desk.cli_handover import handover_app  # noqa: E402

app.add_typer(handover_app, name="handover")
from desk.cli_keys import keys_app  # noqa: E402

app.add_typer(keys_app, name="keys")
from desk.cli_report import report_app  # noqa: E402

app.add_typer(report_app, name="report")

from desk.cli_lookup import lookup_command  # noqa: E402

app.command("lookup")(lookup_command)
from desk.cli_backup import audit_app, backup_command, restore_command  # noqa: E402

app.command("backup")(backup_command)
app.command("restore")(restore_command)
app.add_typer(audit_app, name="audit")
from desk.cli_residents import resident_app  # noqa: E402

app.add_typer(resident_app, name="resident")


def main() -> None:
    """Console-script entry point."""
    app()
