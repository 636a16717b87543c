"""The `desk` command's entry point: the program is loaded with the cyclic collector paused.

Loading the desk makes some hundreds of thousands of objects that live as long as the process
(classes, tables and their mappings, parsed CSS, the messages). Python's cyclic garbage
collector walks all of them again each time it runs while they are being made, a tenth or more
of a cold start (bench/). So it is paused while the program loads; then what was loaded is
frozen out of its reach (`gc.freeze`) and it runs as usual: for a command as soon as its
arguments are read, for the desk once its first screen has been drawn.

A desk that fails even to load (a broken install) still says so in one line, its traceback in
the error log (desk.errorlog), as every later failure does.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NoReturn

from desk.collector import pause_collector, resume_collector

__all__ = ["main", "pause_collector", "resume_collector"]  # the collector's, kept here too


def main() -> None:
    pause_collector()
    try:
        from desk.cli import main as cli_main
    except Exception as exc:  # the desk could not even load (a broken install): still one line
        cannot_start(exc)
    cli_main()


def cannot_start(exc: Exception) -> NoReturn:
    """One line on stderr and exit status 1 for a desk that failed to load (desk.errorlog).

    The error log goes beside the --db or DESK_DB file (else the state folder); should even the
    catalogue fail to load, the line is said in English.
    """
    args = sys.argv[1:]
    given = os.environ.get("DESK_DB") if not os.environ.get("DESK_DATABASE_URL") else None
    for arg, after in zip(args, [*args[1:], None], strict=True):
        if arg == "--db" or arg.startswith("--db="):
            given = after if arg == "--db" else arg.removeprefix("--db=")
    path = Path(given).expanduser() if given and "://" not in given else None
    try:
        from desk import errorlog

        line = errorlog.report(exc, database_path=path, args=["desk", *args])
    except Exception:
        line = f"desk cannot start: {type(exc).__name__}: {exc}"
    print(" ".join(line.split()), file=sys.stderr)
    raise SystemExit(1)
