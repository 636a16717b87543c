"""`desk backup`, `desk restore FILE` and `desk audit verify`."""

from __future__ import annotations

import errno
import os
import stat
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from desk.cli.acting import PIN_ENV, AsOption, sign_in_as
from desk.cli.common import _fail, _guard, _one_line, _options, _say
from desk.db import Database, open_database
from desk.db_errors import DatabaseError, NotOurs
from desk.db_file import database_url, sqlite_path
from desk.i18n import t
from desk.models import Operator
from desk.services import audit_verify, backup_retention, restore
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
    keep_daily: Annotated[int, typer.Option("--keep-daily")] = backup_retention.KEEP_DAILY,
    keep_weekly: Annotated[int, typer.Option("--keep-weekly")] = backup_retention.KEEP_WEEKLY,
) -> None:
    """Make a verified copy of the database (safe while desks are open) and prune old ones."""
    options = _options(ctx)
    _sqlite_target(options.db)
    with _guard(ctx):
        backup_retention.check_keep(keep_daily, keep_weekly)  # before anything is made or deleted
        database = open_database(options.db, estate="*")  # the whole file
        try:
            now = datetime.now(database.settings.tz)
            made = backups.make_backup(database, to, now)
            removed = backup_retention.prune(made.parent, now, keep_daily, keep_weekly, keep=made)
        finally:
            database.dispose()
    typer.echo(t("cli.backup.made", path=made))
    head = backups.backup_head(made)
    if head:
        typer.echo(t("cli.backup.head", head=head, path=backups.head_file(made).name))
    if removed:
        typer.echo(t("cli.backup.pruned", count=len(removed), names=backups.describe(removed)))
    else:
        typer.echo(t("cli.backup.kept_all"))


def _supervisor(target: Path, staged: restore.Staged, name: str) -> Operator:
    """The supervisor `--as NAME`, signed in against the current database.

    Against the backup's own operators only when there is no current database to sign in
    against: none at all, an empty new one, one with no operator yet, or one too damaged to
    open. Another program's file is refused (NotOurs), never signed in against.
    """
    against: Database | None = None
    if restore.current_exists(target):
        try:
            # every estate: a database of several, none named, is not a damaged one
            current = open_database(target, settings=staged.settings, estate="*")
        except NotOurs:
            raise
        except DatabaseError:
            current = None  # damaged: the backup's supervisors sign for it
        if current is not None and restore.has_operators(current):
            against = current
        elif current is not None:
            current.dispose()
    if against is None:
        against = staged.open()
    try:
        return restore.require_supervisor(sign_in_as(against, name))
    finally:
        against.dispose()


# How much of a file name too long to open a refusal quotes.
NAME_SHOWN = 40


def _check_backup_file(file: Path) -> None:
    """One line and exit 2 when `file` is not there, its name is too long, or it is not a
    regular file (a folder, a pipe, a device): nothing is opened before this."""
    try:
        info = os.stat(file)
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            name = str(file)
            short = name if len(name) <= NAME_SHOWN else name[: NAME_SHOWN - 1] + "…"
            _fail(t("backup.name_too_long", name=short))
        if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP):
            _fail(t("backup.missing", path=file))
        _fail(t("backup.unreadable", path=file, reason=exc.strerror or exc))
    if not stat.S_ISREG(info.st_mode):
        _fail(t("backup.not_a_file", path=file))


def restore_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument()],
    yes: Annotated[bool, typer.Option("--yes")] = False,
    as_name: AsOption = None,
) -> None:
    """Put a backup back in place of the database, after checking it (the old file is kept).

    Only a supervisor (--as NAME) restores; the backup must pass integrity_check, be a desk
    database of this or an older version, and pass the audit verification.
    """
    options = _options(ctx)
    target = _sqlite_target(options.db)
    _check_backup_file(file)
    if as_name is None:
        _fail(t("cli.backup.need_as", env=PIN_ENV))
    if not yes and not sys.stdin.isatty():
        _fail(t("cli.backup.need_yes"))
    # the safety copy is stamped in the site's time, as the backups are named
    now = datetime.now(options.settings.tz)
    with _guard(ctx):
        try:
            staged = restore.stage_restore(target, file, options.settings, now)
        except restore.EditedBackup as exc:  # each difference on its line, then the refusal
            for problem in exc.problems:
                _say(problem, err=True)
            _fail(_one_line(str(exc)))
    if not staged.head_checked:  # a backup from a desk older than heads
        _say(t("cli.backup.no_head", path=backups.head_file(file).name), err=True)
    try:
        with _guard(ctx):
            operator = _supervisor(target, staged, as_name)
        if not yes and not typer.confirm(t("cli.backup.confirm", backup=file, path=target)):
            typer.echo(t("cli.backup.not_restored"), err=True)
            raise typer.Exit(1)
        with _guard(ctx):
            safety = restore.finish_restore(staged, operator, now)
    finally:
        staged.discard()
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
    with _guard(ctx):
        database = open_database(options.db, estate="*")  # the whole chain, every estate
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
