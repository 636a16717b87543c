"""The `desk` command: its root (open the desk, --db, --lang), `init` and `demo`, and every
command group of desk.cli put together.

Bad arguments and refused actions print one line on stderr and exit with status 2; anything
unforeseen prints one line naming the error log that holds its traceback (desk.errorlog) and
exits with status 1. The TUI (and so Textual) is imported only by the command that opens it.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from desk import errorlog, estates
from desk.cli.backup import audit_app, backup_command, restore_command
from desk.cli.calendar import calendar_app
from desk.cli.common import _fail, _guard, _Options, _options, _shown_url
from desk.cli.estates import estate_app
from desk.cli.export import export_command
from desk.cli.handover import handover_app
from desk.cli.help import click_error, help_language, localise
from desk.cli.imports import import_app
from desk.cli.keys import keys_app
from desk.cli.lookup import lookup_command
from desk.cli.operators import operator_app
from desk.cli.passes import gate_command
from desk.cli.report import report_app
from desk.cli.residents import resident_app
from desk.cli.services import services_app
from desk.clock import system_clock
from desk.collector import resume_collector
from desk.config import DEFAULT_SITE_FILE, REPO_DATA, load_settings, site_file_for
from desk.db import open_database
from desk.db_file import database_url, sqlite_path
from desk.i18n import current_language, normalise_language, resolve_language, set_language, t
from desk.safe_text import printable

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
        # help and usage in the language the command will speak (desk.cli.help)
        set_language(help_language(sys.argv[1:] if args is None else list(args)))
        localise(self)
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except typer.TyperException as exc:  # click's errors: a bad argument, a missing command
            if type(exc).__name__ == "NoArgsIsHelpError":  # the help, as click gives it
                typer.echo(exc.format_message(), err=True)
            else:
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
app.add_typer(import_app, name="import")


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
    estate: Annotated[str | None, typer.Option("--estate", metavar="CODE|*")] = None,
) -> None:
    # read by every open_database of this invocation, and of this invocation only
    estate_token = estates.CHOSEN.set(estate)
    ctx.call_on_close(lambda: estates.CHOSEN.reset(estate_token))
    with _guard(ctx):
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
    with _guard(ctx):
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
    with _guard(ctx):
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
    estate_count: Annotated[int | None, typer.Option("--estates", min=1, max=3)] = None,
) -> None:
    """Build the demo site (data/demo.db unless --db is given) and print its operators and PINs.

    The demo never goes into $DESK_DB or $DESK_DATABASE_URL, so it cannot land in a live desk.
    A database that already holds the demo is left as it is.
    """
    from desk import demo as demo_site

    options = _options(ctx)
    with _guard(ctx):
        # the demo's own estate (a company demo has others too: desk --estate HG)
        database = open_database(options.db or DEMO_DB, estate=estates.CHOSEN.get() or "main")
        shown = _shown_url(database)
        if not demo_site.has_data(database):
            started = time.monotonic()
            # one estate in a file, as a single office runs it; a company's two on a server
            count = estate_count or (1 if database.is_sqlite else 2)
            demo_site.build_demo(database, system_clock(), seed=seed, estates_count=count)
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


# The commands and groups of their own modules, in the order `desk --help` lists them.
app.command("export")(export_command)
app.add_typer(operator_app, name="operator")
app.add_typer(estate_app, name="estate")
app.add_typer(calendar_app, name="calendar")
app.command("gate")(gate_command)
app.add_typer(handover_app, name="handover")
app.add_typer(keys_app, name="keys")
app.add_typer(services_app, name="services")
app.add_typer(report_app, name="report")
app.command("lookup")(lookup_command)
app.command("backup")(backup_command)
app.command("restore")(restore_command)
app.add_typer(audit_app, name="audit")
app.add_typer(resident_app, name="resident")


def main() -> None:
    """Console-script entry point."""
    app()
