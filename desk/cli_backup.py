"""`desk backup`, `desk restore FILE` and `desk audit verify`."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from desk.cli import _fail, _guard, _options, _say
from desk.db import database_url, open_database, sqlite_path
from desk.i18n import t
from desk.services import audit_verify
from desk.services import backup as backups
from desk.services.context import Ctx

audit_app = typer.Typer(no_args_is_help=True)


def _sqlite_target(db: str | None) -> Path:
    """The database file, or one line and exit 2 for PostgreSQL (pg_dump) or :memory:."""
    url = database_url(db)
    target = sqlite_path(url)
    if target is None:
        _fail(t("backup.postgres") if not url.startswith("sqlite") else t("backup.in_memory"))
    return target


def backup_command(
    ctx: typer.Context,
    to: Annotated[
        Path | None,
        typer.Option("--to", metavar="DIR"),
    ] = None,
    keep_daily: Annotated[int, typer.Option("--keep-daily")] = backups.KEEP_DAILY,
    keep_weekly: Annotated[int, typer.Option("--keep-weekly")] = backups.KEEP_WEEKLY,
) -> None:
    """Make a verified copy of the database (safe while desks are open) and prune old ones."""
    options = _options(ctx)
    if keep_daily < 0 or keep_weekly < 0:
        _fail(t("cli.backup.bad_keep"))
    _sqlite_target(options.db)
    with _guard():
        database = open_database(options.db)
        try:
            now = datetime.now(database.settings.tz)
            made = backups.make_backup(database, to, now)
            removed = backups.prune(made.parent, now, keep_daily, keep_weekly)
        finally:
            database.dispose()
    typer.echo(t("cli.backup.made", path=made))
    if removed:
        typer.echo(t("cli.backup.pruned", count=len(removed), names=backups.describe(removed)))
    else:
        typer.echo(t("cli.backup.kept_all"))


def restore_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument()],
    yes: Annotated[bool, typer.Option("--yes")] = False,
) -> None:
    """Put a backup back in place of the database, after checking it (the old file is kept)."""
    options = _options(ctx)
    target = _sqlite_target(options.db)
    if not file.is_file():
        _fail(t("backup.missing", path=file))
    if not yes:
        if not sys.stdin.isatty():
            _fail(t("cli.backup.need_yes"))
        if not typer.confirm(t("cli.backup.confirm", backup=file, path=target)):
            typer.echo(t("cli.backup.not_restored"), err=True)
            raise typer.Exit(1)
    with _guard():
        # the safety copy is stamped in the site's time, as the backups are named
        safety = backups.restore(target, file, now=datetime.now(options.settings.tz))
    typer.echo(t("cli.backup.restored", backup=file, path=target))
    if safety is not None:
        typer.echo(t("cli.backup.safety", path=safety))


@audit_app.command("verify")
def verify_command(
    ctx: typer.Context,
    head: Annotated[str | None, typer.Option("--head", metavar="SEQ:HASH")] = None,
) -> None:
    """Re-compute the audit chain and replay every record against it; exit status 1 when a
    problem is found. --head: a link written down earlier (on a shift summary, beside a backup)
    that the chain must still hold."""
    options = _options(ctx)
    if head is not None:
        try:
            audit_verify.parse_anchor(head)
        except ValueError:
            _fail(t("audit_chain.bad_head", value=head))
    with _guard():
        database = open_database(options.db)
        try:
            with database.reading() as session:
                work = Ctx(session, None, database.settings, datetime.now(database.settings.tz))
                report = audit_verify.verify(work, head=head)
        finally:
            database.dispose()
    if report.ok:
        typer.echo(t("cli.backup.audit_ok", records=report.records, events=report.events))
        typer.echo(t("audit_chain.head", head=report.head_text))
        return
    for problem in report.problems:
        _say(problem.text)
    typer.echo(t("cli.backup.audit_problems", count=len(report.problems)), err=True)
    raise typer.Exit(1)
