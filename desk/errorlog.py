"""The error log: an unexpected failure's traceback kept in a file, and the one line that says so.

Neither the command line nor the desk ever shows a traceback. When something unforeseen fails,
the clerk reads one line in the desk's language naming the log file, and the traceback is
appended to `desk-errors.log`:

- beside the SQLite database file (the folder the supervisor already looks after), or
- when there is no file (PostgreSQL) or that folder cannot be written: in the user's state
  folder, `$XDG_STATE_HOME/desk` (by default `~/.local/state/desk`, made 0700).

The log is opened with mode 0600 (never left to the umask) and each entry carries its time and
the command line, with every PIN (`--pin` and the DESK_PIN environment variable) blanked out,
even where an error's own text quotes it. A log past 1 MiB is set aside as `desk-errors.log.1`
(the one before is dropped) and a new one begun. Importing this module does not load Textual
or the database layer, so any part of the desk can report through it.
"""

from __future__ import annotations

import os
import shlex
import traceback
from collections.abc import Sequence
from contextlib import suppress
from datetime import datetime
from pathlib import Path

from desk.i18n import t
from desk.safe_text import printable

__all__ = ["LOG_NAME", "log_folders", "redact_args", "report", "state_folder", "write_entry"]

LOG_NAME = "desk-errors.log"
HIDDEN = "****"
PIN_OPTION = "--pin"
PIN_VARIABLE = "DESK_PIN"
# Past this size the log is set aside as desk-errors.log.1 and a new one begun.
MAX_LOG_BYTES = 1 << 20
# The error's own text as the one line quotes it (the whole of it is in the log).
_WHAT_MAX = 160


def state_folder() -> Path:
    """`$XDG_STATE_HOME/desk`; `~/.local/state/desk` when it is unset or not absolute (XDG)."""
    base = os.environ.get("XDG_STATE_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".local" / "state"
    return root / "desk"


def log_folders(database_path: Path | None) -> list[Path]:
    """Where the log may go, best first: the database's folder, then the state folder."""
    folders = [] if database_path is None else [database_path.parent]
    with suppress(RuntimeError):  # no home directory to be found
        folders.append(state_folder())
    return folders


def redact_args(args: Sequence[str]) -> list[str]:
    """The command line with the value of every `--pin` hidden (`--pin 1234`, `--pin=1234`)."""
    shown: list[str] = []
    hide_next = False
    for arg in args:
        if hide_next:
            shown.append(HIDDEN)
            hide_next = False
        elif arg == PIN_OPTION:
            shown.append(arg)
            hide_next = True
        elif arg.startswith(PIN_OPTION + "="):
            shown.append(f"{PIN_OPTION}={HIDDEN}")
        else:
            shown.append(arg)
    return shown


def _secrets(args: Sequence[str]) -> list[str]:
    """The PINs this process was given, longest first (so none is left half-hidden)."""
    found = [os.environ.get(PIN_VARIABLE, ""), os.environ.get("DESK_NEW_PIN", "")]
    for arg, after in zip(args, [*args[1:], ""][: len(args)], strict=True):
        if arg == PIN_OPTION:
            found.append(after)
        elif arg.startswith(PIN_OPTION + "="):
            found.append(arg.removeprefix(PIN_OPTION + "="))
    return sorted({secret for secret in found if secret}, key=len, reverse=True)


def _hide(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, HIDDEN)
    return text


def _quoted(arg: str) -> str:
    """`arg` as a shell would need it typed; the hidden mark as it is."""
    if arg == HIDDEN:
        return arg
    if arg.startswith(f"{PIN_OPTION}="):
        return f"{PIN_OPTION}={HIDDEN}"
    return shlex.quote(arg)


def _entry(error: BaseException, args: Sequence[str], now: datetime) -> str:
    # Only the error's own words can hold a PIN (a traceback shows source lines, never values):
    # they alone are searched for one. Blanking every "2026" in the times or "1305" in a line
    # number would show where the PIN's digits stand, which tells the PIN.
    frames = "".join(traceback.format_exception(error)[:-1])
    said = _hide("".join(traceback.format_exception_only(error)), _secrets(args))
    lines = [
        f"==== {now.isoformat(timespec='seconds')}  pid {os.getpid()}",
        "command: " + " ".join(_quoted(arg) for arg in redact_args(args)),
        (frames + said).rstrip("\n"),
        "",
    ]
    return "\n".join(lines) + "\n"


def _make_room(path: Path) -> None:
    """A log past MAX_LOG_BYTES becomes `desk-errors.log.1` (replacing the older one), so a
    desk failing over and over cannot fill the disk its database needs."""
    try:
        size = os.stat(path, follow_symlinks=False).st_size
    except OSError:
        return
    if size > MAX_LOG_BYTES:
        os.replace(path, path.with_name(f"{path.name}.1"))


def _append(path: Path, text: str) -> None:
    _make_room(path)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(path, flags, 0o600)
    try:
        # A log made by an older desk (or by hand) is made private too.
        os.fchmod(fd, 0o600)
        data = text.encode("utf-8", errors="backslashreplace")
        while data:
            written = os.write(fd, data)
            data = data[written:]
        os.fsync(fd)
    finally:
        os.close(fd)


def write_entry(
    error: BaseException,
    *,
    database_path: Path | None,
    args: Sequence[str],
    now: datetime | None = None,
) -> Path | None:
    """Append `error`'s traceback to the first log that can be written; its path, or None."""
    text = _entry(error, args, now or datetime.now().astimezone())
    for folder in log_folders(database_path):
        path = folder.absolute() / LOG_NAME
        try:
            if database_path is None or folder != database_path.parent:
                folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            _append(path, text)
        except OSError:
            continue
        return path
    return None


def report(
    error: BaseException,
    *,
    database_path: Path | None,
    args: Sequence[str],
    closing: str = "unexpected.command",
) -> str:
    """Log `error` (write_entry) and return the one line the clerk reads, in the desk's language.

    `closing` is the catalogue key saying what stopped (`unexpected.command`, `.desk`, `.gate`).
    The line quotes the error's type and (shortened) text, never a PIN, and names the log.
    """
    try:
        logged = write_entry(error, database_path=database_path, args=args)
    except Exception:  # the log is a courtesy: reporting must never fail in its turn
        logged = None
    try:
        said = str(error)
    except Exception:  # an exception whose text itself fails
        said = ""
    what = printable(
        f"{type(error).__name__}: {said}" if said else type(error).__name__, one_line=True
    )
    what = _hide(what, _secrets(args))
    if len(what) > _WHAT_MAX:
        what = what[: _WHAT_MAX - 3] + "..."
    message = t(closing, what=what)
    if logged is None:
        folders = ", ".join(str(folder) for folder in log_folders(database_path))
        return t("unexpected.not_logged", message=message, folders=folders)
    return t("unexpected.logged", message=message, path=logged)
