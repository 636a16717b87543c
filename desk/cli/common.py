"""What every `desk` command shares: the invocation's options, one-line failures, safe echo.

Bad arguments and refused actions print one line on stderr and exit with status 2 (`_fail`,
`_guard`); what the database holds is echoed with its control characters shown as marks (`_say`).
"""

from __future__ import annotations

import errno
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from desk.config import Settings
from desk.db import Database
from desk.db_errors import DatabaseError, describe_failure
from desk.db_file import database_url, sqlite_path
from desk.files import NotARegularFile
from desk.i18n import t
from desk.safe_text import printable
from desk.services.errors import DeskError


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


def _current_db_path(ctx: typer.Context) -> Path | None:
    """The database file of the command being run (for messages), None for a server."""
    options = ctx.find_root().obj
    return sqlite_path(database_url(options.db if isinstance(options, _Options) else None))


@contextmanager
def _guard(ctx: typer.Context) -> Iterator[None]:
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
        _fail(_one_line(describe_failure(exc, _current_db_path(ctx))))
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


def _has_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()
