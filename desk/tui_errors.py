"""The error handler of the desk's Textual apps (the desk, the gate terminal).

An exception that a handler, timer, worker or screen lets through is written to the error log
(desk.errorlog) and the app closes; once the terminal is restored the clerk reads one line, in
the desk's language, naming the log, and the command exits with status 1. Textual itself would
print a Rich traceback, with local variables (a PIN may be one), when the app has closed.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from textual.app import App
from textual.worker import WorkerFailed

from desk import errorlog
from desk.compat import on_unhandled_exception
from desk.i18n import t
from desk.safe_text import printable

__all__ = ["CrashReport", "report_crashes", "run_reporting"]


class CrashReport:
    """What `report_crashes` installed on one app: the line of its first failure, if any."""

    def __init__(self, database_path: Path | None, closing: str) -> None:
        self.database_path = database_path
        self.closing = closing
        self.line: str | None = None

    def record(self, error: BaseException) -> str:
        """Log `error` and keep the line of the first failure (the one worth telling)."""
        if isinstance(error, WorkerFailed):  # the worker's own exception holds the traceback
            error = error.error
        line = t(
            "cli.error",
            message=errorlog.report(
                error, database_path=self.database_path, args=sys.argv, closing=self.closing
            ),
        )
        if self.line is None:
            self.line = line
        return line


def report_crashes(
    app: App[Any], database_path: Path | None, closing: str = "unexpected.desk"
) -> CrashReport:
    """From now on an unhandled exception in `app` is logged and closes it (no traceback).

    The tests do this to an app to see what `run_reporting` does; an app left alone raises the
    exception itself in its tests, as Textual does.
    """
    report = CrashReport(database_path, closing)
    on_unhandled_exception(app, report.record)
    return report


def _is_terminal(stream: Any) -> bool:
    try:
        return stream is not None and bool(stream.isatty())
    except (AttributeError, ValueError):  # closed, or no such method
        return False


def run_reporting(
    app: App[Any], database_path: Path | None, closing: str = "unexpected.desk"
) -> None:
    """Run `app` until it closes; a failure ends the command with its one line and status 1.

    Without a terminal on both ends (started from cron, a pipe, a background job) there is no
    one to see the screen or type into it: said in one line, status 2, and nothing is run (a
    desk left drawing into nowhere was seen at 100 % of a CPU for as long as it was left).
    """
    if not (_is_terminal(sys.stdin) and _is_terminal(sys.stdout)):
        print(t("app.needs_terminal"), file=sys.stderr)
        raise SystemExit(2)
    report = report_crashes(app, database_path, closing)
    try:
        app.run()
    except Exception as exc:  # failed outside Textual's handling (e.g. starting its driver)
        report.record(exc)
    if report.line is not None:
        print(printable(report.line, one_line=True), file=sys.stderr)
        raise SystemExit(1)
    if app.return_code:
        raise SystemExit(app.return_code)
