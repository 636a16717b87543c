"""Files the desk writes beside its database (exports, reports, slips, summaries): whole or none."""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path


def write_whole(path: Path, content: str | bytes, *, encoding: str = "utf-8") -> Path:
    """Write `content` to `path` so that `path` is never left half-written.

    The bytes go to a hidden file beside it, are flushed to the disk, and that file then takes
    the name in one step (os.replace). When anything fails on the way (a full disk, a folder
    that went read-only) the hidden file is removed and the error raised: a file already at
    `path` keeps what it held, and none appears that a clerk could take for a whole export.
    Text is written as given (no newline translation), in `encoding`.
    """
    data = content.encode(encoding) if isinstance(content, str) else content
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with partial.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except BaseException:
        with suppress(OSError):
            partial.unlink(missing_ok=True)
        raise
    return path
