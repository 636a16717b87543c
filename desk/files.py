"""Files the desk writes beside its database (exports, reports, slips, summaries, logs).

Each is private (mode 0600, folders 0700) from the moment it exists, whatever the process umask
and whichever backend the database is on: they hold residents' names and phone numbers.
A whole file is written whole or not at all.
"""

from __future__ import annotations

import errno
import os
from contextlib import suppress
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


def create_private(path: Path, *, mode: int = PRIVATE_FILE, append: bool = False) -> int:
    """Open `path` for writing with exactly `mode` (not widened or narrowed by the umask).

    `append`: open an existing file at its end (a log); otherwise the file must not exist.
    Returns the descriptor. A file that already exists keeps its own mode when appended to.
    """
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_EXCL)
    fd = os.open(path, flags, mode)
    try:
        if not append or os.fstat(fd).st_size == 0:
            os.fchmod(fd, mode)
    except BaseException:
        os.close(fd)
        raise
    return fd


def private_folder(path: Path) -> Path:
    """Make the folder `path` (and its parents) for the desk's files, 0700 where it is new.

    Each missing parent is made 0700 too (`mkdir(parents=True)` gives parents the umask's
    mode); folders already there are left as they are.
    """
    missing = []
    folder = path
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for new in reversed(missing):
        with suppress(FileExistsError):  # made meanwhile by another desk
            new.mkdir(mode=PRIVATE_FOLDER)
    return path


def append_private(path: Path, text: str, *, encoding: str = "utf-8") -> Path:
    """Append `text` to the log `path`, created 0600 when it is new, flushed to the disk."""
    fd = create_private(path, append=True)
    with os.fdopen(fd, "ab") as handle:
        handle.write(text.encode(encoding))
        handle.flush()
        os.fsync(handle.fileno())
    return path


class NotARegularFile(OSError):
    """A file the desk would write is there already as something else (a device, a pipe, a
    link, a folder): it is left alone, never replaced."""


def write_whole(
    path: Path, content: str | bytes, *, encoding: str = "utf-8", mode: int = PRIVATE_FILE
) -> Path:
    """Write `content` to `path` so that `path` is never left half-written; mode 0600.

    The bytes go to a hidden file beside it, made with `mode` (set on the file itself, not left
    to the umask), are flushed to the disk, and that file then takes the name in one step
    (os.replace), so a file already at `path` ends with the new mode too. When anything fails
    on the way (a full disk, a folder that went read-only) the hidden file is removed and the
    error raised: a file already at `path` keeps what it held, and none appears that a clerk
    could take for a whole export. Text is written as given (no newline translation).
    """
    data = content.encode(encoding) if isinstance(content, str) else content
    if os.path.lexists(path) and (path.is_symlink() or not path.is_file()):
        # a device, a pipe, a link: `-o /dev/null` must not replace the system's own file
        raise NotARegularFile(errno.EINVAL, "not a regular file", str(path))
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    with suppress(OSError):
        partial.unlink()  # left by a killed process that had our pid
    try:
        fd = create_private(partial, mode=mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except BaseException:
        with suppress(OSError):
            partial.unlink(missing_ok=True)
        raise
    return path
