"""Sending a printout to a CUPS queue with `lp` (PDF: plain text through CUPS garbles Chinese)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from desk.i18n import t
from desk.services.errors import DeskError

LP_TIMEOUT_S = 60


class PrintError(DeskError):
    """The printout could not be sent; the message says why and where the file is."""


def print_file(path: Path, printer: str | None = None) -> str:
    """Queue `path` on `printer` (the CUPS default when empty) and return lp's answer.

    Raises:
        PrintError: when `lp` is not installed, refuses the job, or does not answer.
    """
    lp = shutil.which("lp")
    if lp is None:
        raise PrintError("printing.lp_missing", path=str(path))
    command = [lp]
    if printer:
        command += ["-d", printer]
    # an absolute path never starts with "-", so lp cannot take it for an option
    command.append(str(path.resolve()))
    queue = printer or t("printing.default_printer")
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=LP_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PrintError(
            "printing.lp_failed", printer=queue, message=str(exc), path=str(path)
        ) from exc
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()
        message = reason[0] if reason else f"lp exit status {done.returncode}"
        raise PrintError("printing.lp_failed", printer=queue, message=message, path=str(path))
    return done.stdout.strip()
