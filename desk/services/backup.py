"""Making a backup of the desk's SQLite file, checking the file made, and its `.head`.

A backup is `VACUUM INTO` a hidden temporary name beside the target (a consistent snapshot even
while other desks write: in WAL mode it reads one committed state), switched to a rollback
journal so it is one self-contained file, checked (`PRAGMA integrity_check` and the schema
revision) and only then renamed to `desk-YYYYMMDD-HHMMSS.db` (local time of the site), mode 0600,
with the audit chain's head written beside it (`.head`). A `.partial` copy left by a killed
backup is removed by the next one once it is an hour old. PostgreSQL databases are refused with
a pointer to pg_dump. Which backups are kept: backup_retention; putting one back: restore.
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import time
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from desk.db import Database
from desk.db_errors import DatabaseError, describe_failure
from desk.files import PRIVATE_FOLDER, create_private, private_folder, write_whole
from desk.i18n import t
from desk.migrations import HEAD
from desk.services import audit_chain, audit_verify

# A backup's hidden copy while it is made (and the journal SQLite may keep beside it).
PARTIAL_RE = re.compile(r"^\.desk-\d{8}-\d{6}(?:-\d+)?\.db\.partial(?:-journal|-wal|-shm)?$")
BACKUP_DIR = "backups"
LOCK_TIMEOUT_S = 2.0
# A .partial copy older than this was left by a backup that was killed; a younger one may be
# another backup being made right now.
ORPHAN_AGE_S = 3600.0
# How much of integrity_check's first problem a refusal quotes.
PROBLEM_CHARS = 120
# A .head file is one short line; anything longer is not one.
HEAD_BYTES_MAX = 200


class BackupError(DatabaseError):
    """A backup cannot be made, checked or restored; the message says why in one line."""


def _sqlite_file(database: Database) -> Path:
    path = database.path
    if path is None:
        if make_url(database.url).get_backend_name() == "sqlite":
            raise BackupError(t("backup.in_memory"))
        raise BackupError(t("backup.postgres"))
    return path


def default_dir(database: Database) -> Path:
    return _sqlite_file(database).parent / BACKUP_DIR


def local_time(now: datetime, database: Database) -> datetime:
    """`now` as the site's wall-clock time (naive times are taken as already local)."""
    if now.tzinfo is None:
        return now
    return now.astimezone(database.settings.tz).replace(tzinfo=None)


def _free_name(directory: Path, stamp: datetime) -> Path:
    base = f"desk-{stamp:%Y%m%d-%H%M%S}"
    target = directory / f"{base}.db"
    counter = 2
    while target.exists():
        target = directory / f"{base}-{counter}.db"
        counter += 1
    return target


def new_private_file(path: Path) -> None:
    os.close(create_private(path))  # 0600 whatever the umask


def fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_sidecars(path: Path) -> None:
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def check_file(path: Path, shown: Path) -> str:
    """Make `path` self-contained (rollback journal), run integrity_check, return its revision.

    `path` must be our own copy: this writes the journal mode into it.
    """
    try:
        conn = sqlite3.connect(str(path), timeout=LOCK_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as exc:
        raise BackupError(t("backup.unreadable", path=shown, reason=exc)) from exc
    try:
        conn.execute("PRAGMA journal_mode=DELETE").fetchone()
        rows = [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
        if rows != ["ok"]:
            raise BackupError(t("backup.corrupt", path=shown, reason=_first_problem(rows)))
        has_version = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
        ).fetchone()
        revision = None
        if has_version:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = str(row[0]) if row else None
    except sqlite3.Error as exc:
        raise BackupError(t("backup.unreadable", path=shown, reason=exc)) from exc
    finally:
        conn.close()
    if revision is None:
        raise BackupError(t("backup.not_desk", path=shown))
    return revision


def _first_problem(rows: list[str]) -> str:
    """integrity_check's first problem line, shortened: a refusal is one sentence, not a dump."""
    lines = [line.strip() for row in rows for line in row.splitlines()]
    problems = [line for line in lines if line and not line.startswith("***")]
    first = problems[0] if problems else "?"
    return first if len(first) <= PROBLEM_CHARS else first[: PROBLEM_CHARS - 1] + "…"


def make_backup(
    database: Database, to_dir: Path | None = None, now: datetime | None = None
) -> Path:
    """A verified copy of the database, `<db dir>/backups/desk-YYYYMMDD-HHMMSS.db` by default."""
    source = _sqlite_file(database)
    directory = Path(to_dir) if to_dir is not None else default_dir(database)
    private_folder(directory.parent)  # new parents 0700 too, not the umask's mode
    directory.mkdir(mode=PRIVATE_FOLDER, exist_ok=True)
    remove_orphans(directory)
    stamp = local_time(now or datetime.now(database.settings.tz), database)
    target = _free_name(directory, stamp)
    partial = directory / f".{target.name}.partial"
    remove_sidecars(partial)
    partial.unlink(missing_ok=True)
    new_private_file(partial)
    try:
        conn = sqlite3.connect(str(source), timeout=LOCK_TIMEOUT_S * 5, isolation_level=None)
        try:
            conn.execute("VACUUM INTO ?", (str(partial),))
        except sqlite3.Error as exc:  # a full disk is said plainly; the partial copy goes
            raise BackupError(t("backup.failed", reason=describe_failure(exc, partial))) from exc
        finally:
            conn.close()
        revision = check_file(partial, target)
        if revision != HEAD:
            raise BackupError(t("backup.wrong_revision", path=target, revision=revision, head=HEAD))
        head = _chain_head(partial)
        os.chmod(partial, 0o600)
        fsync(partial)
        os.replace(partial, target)
        write_head(target, head)
        fsync(directory)
    finally:
        partial.unlink(missing_ok=True)
        remove_sidecars(partial)
    return target


HEAD_SUFFIX = ".head"


def head_file(backup_file: Path) -> Path:
    """The file beside a backup that holds its audit chain's head (`desk-….db.head`)."""
    return backup_file.with_name(backup_file.name + HEAD_SUFFIX)


def _chain_head(path: Path) -> str:
    """The last link of the audit chain in the SQLite file `path`, as `SEQ:HASH16`."""
    return audit_verify.anchor(*chain_link(path))


def chain_link(path: Path) -> tuple[int, str]:
    """The last link of the audit chain in the SQLite file `path`: (seq, hash).

    A file with no chain table at all (a desk older than the chain) has the empty chain's head.
    """
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    try:
        has_seals = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_seal'"
        ).fetchone()
        last = None
        if has_seals:
            last = conn.execute(
                "SELECT seq, hash FROM audit_seal ORDER BY seq DESC LIMIT 1"
            ).fetchone()
    finally:
        conn.close()
    return (int(last[0]), str(last[1])) if last else (0, audit_chain.GENESIS)


def write_head(backup_file: Path, head: str) -> None:
    """Write the chain's head beside the backup (0600): what `desk audit verify --head` and a
    later restore check the backup against, and what an office may copy elsewhere."""
    write_whole(head_file(backup_file), f"{head}\n")


def backup_head(backup_file: Path) -> str | None:
    """The head written beside `backup_file` when it was made (`SEQ:HASH16`); None when there
    is no `.head` file at all (a backup made by a desk older than heads).

    A `.head` that is there but is not one (empty, garbage, not a regular file, unreadable)
    is refused (BackupError): a backup and its head are never written after they are made.
    A byte-order mark and surrounding whitespace (an editor's) are allowed.
    """
    path = head_file(backup_file)
    try:
        path.lstat()
    except FileNotFoundError:
        return None  # not there at all (a symlink to nowhere is there, and refused below)
    except OSError as exc:
        raise BackupError(t("backup.bad_head", path=path, value=exc.strerror or exc)) from exc
    try:
        info = path.stat()
    except OSError as exc:
        raise BackupError(t("backup.bad_head", path=path, value=exc.strerror or exc)) from exc
    if not stat.S_ISREG(info.st_mode):
        raise BackupError(t("backup.bad_head", path=path, value=t("backup.not_a_file_kind")))
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            raw = os.read(fd, HEAD_BYTES_MAX + 1)
        finally:
            os.close(fd)
    except OSError as exc:
        raise BackupError(t("backup.bad_head", path=path, value=exc.strerror or exc)) from exc
    shown = raw[:40].decode("utf-8", "replace").strip() or t("backup.empty")
    if len(raw) > HEAD_BYTES_MAX:
        raise BackupError(t("backup.bad_head", path=path, value=shown))
    try:
        text_value = raw.decode("utf-8-sig").strip()
        seq, _ = audit_verify.parse_anchor(text_value)
    except (UnicodeDecodeError, ValueError):
        raise BackupError(t("backup.bad_head", path=path, value=shown)) from None
    if seq is None:  # a head is always written with its sequence number
        raise BackupError(t("backup.bad_head", path=path, value=shown))
    return text_value.lower()


def head_matches(written: str, link: tuple[int, str]) -> bool:
    """The head written beside a backup is exactly the backup's own chain head `link`: the
    same sequence number, and the backup's hash starts with the written hex digits."""
    written_seq, written_hex = audit_verify.parse_anchor(written)
    seq, hash_hex = link
    return written_seq == seq and hash_hex.lower().startswith(written_hex)


def remove_orphans(directory: Path, age_s: float = ORPHAN_AGE_S) -> list[Path]:
    """Remove the `.partial` copies (and their journals) a killed backup left in `directory`.

    Only names a backup makes (`.desk-YYYYMMDD-HHMMSS.db.partial…`) older than `age_s` by
    their modification time: a younger one may be another backup being made right now.
    """
    removed = []
    cutoff = time.time() - age_s
    for path in sorted(directory.iterdir()) if directory.is_dir() else []:
        if not PARTIAL_RE.match(path.name):
            continue
        try:
            info = path.lstat()
        except FileNotFoundError:
            continue
        if path.is_file() and not path.is_symlink() and info.st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def describe(paths: Iterable[Path]) -> str:
    return ", ".join(p.name for p in paths)
