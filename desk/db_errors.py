"""A database that cannot be opened or written: the errors, and the one plain sentence saying why.

describe_failure turns a driver's error (SQLite's own error names first, the driver's text for
other backends) into a sentence in the desk's language: read-only, disk full, damaged (and where
the backups are), busy. NotOurs is another program's database, refused and left untouched.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from desk.i18n import t

# Less free space than this where an I/O error happened: the disk is full.
NEARLY_FULL_BYTES = 1 << 20
# The folder beside the database file that `desk backup` fills (desk.services.backup.BACKUP_DIR).
BACKUPS_BESIDE = "backups"
# SQLite's own words for a damaged file (SQLITE_CORRUPT), for when the error name is not given.
_DAMAGED = re.compile(r"disk image is malformed|malformed database schema|database corruption")
# A server's connection lost or refused, in psycopg's and libpq's words.
_LOST = re.compile(
    r"server closed the connection|connection refused|could not connect|terminating connection"
    r"|connection is closed|consuming input failed|timeout expired|connection is lost"
)


class DatabaseError(Exception):
    """The database cannot be opened or written; the message says why in plain words."""


class NotOurs(DatabaseError):
    """The database belongs to another program: the desk refuses it and leaves it untouched."""


def describe_failure(exc: BaseException, path: Path | None) -> str:
    """One plain sentence, in the desk's language, for a failure to open or write the database.

    SQLite's own error names decide (Python's sqlite3 gives them); the driver's text is the
    fallback for other drivers (PostgreSQL says "read-only transaction", "No space left").
    """
    orig = getattr(exc, "orig", None) or exc
    name = str(getattr(orig, "sqlite_errorname", "") or "")
    lines = str(orig).strip().splitlines()
    message = lines[0] if lines else type(orig).__name__
    lowered = message.lower()
    if name == "SQLITE_READONLY_DIRECTORY" and path is not None:
        return t("db.read_only_folder", path=path.parent)
    if name.startswith("SQLITE_READONLY") or "readonly" in lowered or "read-only" in lowered:
        return with_path("db.read_only", path)
    if name == "SQLITE_FULL" or ("disk" in lowered and "full" in lowered):
        return t("db.disk_full")
    if "no space left" in lowered:  # PostgreSQL: could not extend file … No space left
        return t("db.disk_full")
    if name.startswith("SQLITE_IOERR") or "disk i/o error" in lowered:
        # Opening on a full disk fails making the -shm file: an "I/O error" that is a full disk.
        return t("db.disk_full") if _disk_is_full(path) else t("db.io_error")
    if name == "SQLITE_NOTADB" or "not a database" in lowered:
        return with_path("db.not_a_database", path)
    if name.startswith("SQLITE_CORRUPT") or _DAMAGED.search(lowered):
        # A truncated or overwritten file: say so plainly and where the backups are. (Not any
        # "malformed": a bad full-text MATCH expression is malformed too, and not a damaged file.)
        if path is None:
            return t("db.damaged_server")
        return t("db.damaged", path=path, backups=path.absolute().parent / BACKUPS_BESIDE)
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in lowered:
        if path is not None and path.is_file() and not os.access(path.parent, os.W_OK):
            # The file is there but its -wal and -shm files cannot be made beside it.
            return t("db.read_only_folder", path=path.parent)
        return with_path("db.cannot_open", path)
    if getattr(exc, "connection_invalidated", False) or _LOST.search(lowered):
        return t("db.connection_lost")
    if name.startswith("SQLITE_BUSY") or "locked" in lowered:
        return t("db.busy")
    return message


def _disk_is_full(path: Path | None) -> bool:
    if path is None:
        return False
    try:
        return shutil.disk_usage(path.parent).free < NEARLY_FULL_BYTES
    except OSError:
        return False


def with_path(key: str, path: Path | None) -> str:
    """`key` naming the file (or folder); `key`_server when there is none (PostgreSQL)."""
    return t(key, path=path) if path is not None else t(f"{key}_server")


def estate_refusal(exc: Exception) -> str:
    """Why a desk cannot open in the estate asked for (desk.estates.EstateUnknown)."""
    code = str(getattr(exc, "code", ""))
    codes = ", ".join(getattr(exc, "codes", [])) or "-"
    if not code:
        return t("estate.choose", codes=codes)
    return t("estate.unknown", code=code, codes=codes)
