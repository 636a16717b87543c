"""Backups of the desk's SQLite file: make, verify, prune, restore, and the daily one.

A backup is `VACUUM INTO` a hidden temporary name beside the target (a consistent snapshot even
while other desks write: in WAL mode it reads one committed state), switched to a rollback
journal so it is one self-contained file, checked (`PRAGMA integrity_check` and the schema
revision) and only then renamed to `desk-YYYYMMDD-HHMMSS.db` (local time of the site), mode 0600.
PostgreSQL databases are refused with a pointer to pg_dump.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import make_url

from desk.db import Database, DatabaseError, describe_failure
from desk.i18n import t
from desk.migrations import HEAD, HERE

NAME_RE = re.compile(r"^desk-(\d{8})-(\d{6})(?:-(\d+))?\.db$")
BACKUP_DIR = "backups"
KEEP_DAILY = 7
KEEP_WEEKLY = 4
LOCK_TIMEOUT_S = 2.0


class BackupError(DatabaseError):
    """A backup cannot be made, checked or restored; the message says why in one line."""


@dataclass(frozen=True)
class BackupInfo:
    """What a checked backup file holds."""

    path: Path
    revision: str


def known_revisions() -> list[str]:
    """Every schema revision this desk's migrations know, oldest first."""
    found = []
    for script in (HERE / "versions").glob("*.py"):
        match = re.match(r"^(\d{4})_", script.name)
        if match:
            found.append(match.group(1))
    return sorted(found)


def _sqlite_file(database: Database) -> Path:
    path = database.path
    if path is None:
        if make_url(database.url).get_backend_name() == "sqlite":
            raise BackupError(t("backup.in_memory"))
        raise BackupError(t("backup.postgres"))
    return path


def default_dir(database: Database) -> Path:
    return _sqlite_file(database).parent / BACKUP_DIR


def _local(now: datetime, database: Database) -> datetime:
    """`now` as the site's wall-clock time (naive times are taken as already local)."""
    if now.tzinfo is None:
        return now
    return now.astimezone(database.settings.tz).replace(tzinfo=None)


def backup_time(path: Path) -> datetime | None:
    """The local time in a backup's file name, or None when the name is not one of ours."""
    match = NAME_RE.match(path.name)
    if not match:
        return None
    try:
        return datetime.strptime(match.group(1) + match.group(2), "%Y%m%d%H%M%S")
    except ValueError:
        return None


def list_backups(directory: Path) -> list[Path]:
    """Our backups in `directory`, oldest first."""
    if not directory.is_dir():
        return []
    named: list[tuple[datetime, int, Path]] = []
    for path in directory.iterdir():
        when = backup_time(path)
        match = NAME_RE.match(path.name)
        if when is not None and match is not None and path.is_file():
            named.append((when, int(match.group(3) or 1), path))
    return [path for _, _, path in sorted(named)]


def _free_name(directory: Path, stamp: datetime) -> Path:
    base = f"desk-{stamp:%Y%m%d-%H%M%S}"
    target = directory / f"{base}.db"
    counter = 2
    while target.exists():
        target = directory / f"{base}-{counter}.db"
        counter += 1
    return target


def _new_private_file(path: Path) -> None:
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_sidecars(path: Path) -> None:
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _check_file(path: Path, shown: Path) -> str:
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
            raise BackupError(t("backup.corrupt", path=shown, reason="; ".join(rows[:3])))
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


def make_backup(
    database: Database, to_dir: Path | None = None, now: datetime | None = None
) -> Path:
    """A verified copy of the database, `<db dir>/backups/desk-YYYYMMDD-HHMMSS.db` by default."""
    source = _sqlite_file(database)
    directory = Path(to_dir) if to_dir is not None else default_dir(database)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = _local(now or datetime.now(database.settings.tz), database)
    target = _free_name(directory, stamp)
    partial = directory / f".{target.name}.partial"
    _remove_sidecars(partial)
    partial.unlink(missing_ok=True)
    _new_private_file(partial)
    try:
        conn = sqlite3.connect(str(source), timeout=LOCK_TIMEOUT_S * 5, isolation_level=None)
        try:
            conn.execute("VACUUM INTO ?", (str(partial),))
        except sqlite3.Error as exc:  # a full disk is said plainly; the partial copy goes
            raise BackupError(t("backup.failed", reason=describe_failure(exc, partial))) from exc
        finally:
            conn.close()
        revision = _check_file(partial, target)
        if revision != HEAD:
            raise BackupError(t("backup.wrong_revision", path=target, revision=revision, head=HEAD))
        os.chmod(partial, 0o600)
        _fsync(partial)
        os.replace(partial, target)
        _fsync(directory)
    finally:
        partial.unlink(missing_ok=True)
        _remove_sidecars(partial)
    return target


def _iso_week(day: date) -> tuple[int, int]:
    year, week, _ = day.isocalendar()
    return year, week


def prune(
    directory: Path,
    now: datetime,
    daily: int = KEEP_DAILY,
    weekly: int = KEEP_WEEKLY,
) -> list[Path]:
    """Keep the newest backup of each of the last `daily` days and `weekly` ISO weeks.

    `now` is the site's local time (an aware time is taken at its own wall clock). Files whose
    names are not ours, and backups dated after `now`, are never touched. Returns what was
    deleted, oldest first.
    """
    today = now.replace(tzinfo=None).date()
    days = {today - timedelta(days=i) for i in range(max(daily, 0))}
    weeks = {_iso_week(today - timedelta(weeks=i)) for i in range(max(weekly, 0))}
    backups = list_backups(directory)
    newest_of_day: dict[date, Path] = {}
    newest_of_week: dict[tuple[int, int], Path] = {}
    future: set[Path] = set()
    for path in backups:  # oldest first, so later ones overwrite
        when = backup_time(path)
        assert when is not None
        if when.date() > today:
            future.add(path)
            continue
        if when.date() in days:
            newest_of_day[when.date()] = path
        if _iso_week(when.date()) in weeks:
            newest_of_week[_iso_week(when.date())] = path
    keep = set(newest_of_day.values()) | set(newest_of_week.values()) | future
    removed = [path for path in backups if path not in keep]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def _has_backup_on(directory: Path, day: date) -> bool:
    return any((when := backup_time(p)) and when.date() == day for p in list_backups(directory))


def daily_if_due(
    database: Database, now: datetime, to_dir: Path | None = None
) -> tuple[Path, list[Path]] | None:
    """The day's backup (and pruning) if there is none yet for the site's local date of `now`.

    Returns the new file and what pruning deleted, or None when today's backup already exists.
    Raises BackupError on PostgreSQL: schedule it only when `database.is_sqlite`.
    """
    directory = Path(to_dir) if to_dir is not None else default_dir(database)
    local = _local(now, database)
    if _has_backup_on(directory, local.date()):
        return None
    made = make_backup(database, directory, now)
    return made, prune(directory, local)


def check_backup(backup_file: Path, scratch: Path) -> BackupInfo:
    """Copy `backup_file` to `scratch` (mode 0600) and check the copy; the original is untouched."""
    if not backup_file.is_file():
        raise BackupError(t("backup.missing", path=backup_file))
    scratch.unlink(missing_ok=True)
    _remove_sidecars(scratch)
    _new_private_file(scratch)
    try:
        with backup_file.open("rb") as src, scratch.open("wb") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
        revision = _check_file(scratch, backup_file)
        if revision not in known_revisions():
            raise BackupError(t("backup.unknown_revision", path=backup_file, revision=revision))
    except BaseException:
        scratch.unlink(missing_ok=True)
        _remove_sidecars(scratch)
        raise
    return BackupInfo(scratch, revision)


def _copy_private(source: Path, target: Path) -> None:
    _new_private_file(target)
    with source.open("rb") as src, target.open("wb") as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)
        dst.flush()
        os.fsync(dst.fileno())


def restore(database_path: Path, backup_file: Path, now: datetime | None = None) -> Path | None:
    """Put `backup_file` in place of the database at `database_path`, after checking it.

    The current file is first kept as `<name>.before-restore-<ts>` (returned; None when there
    was no database yet). Refused while another desk has the database open: switching it out
    of WAL mode needs every other connection closed, and that also checkpoints and removes its
    -wal and -shm files. The backup replaces it with os.replace under an exclusive lock.
    """
    database_path = Path(database_path)
    backup_file = Path(backup_file)
    if not database_path.parent.is_dir():
        raise BackupError(t("backup.no_target_dir", path=database_path.parent))
    staging = database_path.parent / f".{database_path.name}.restoring"
    check_backup(backup_file, staging)
    try:
        if not database_path.exists():
            os.replace(staging, database_path)
            _remove_sidecars(database_path)
            return None
        stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
        safety = database_path.with_name(f"{database_path.name}.before-restore-{stamp}")
        if safety.exists():
            raise BackupError(t("backup.safety_exists", path=safety))
        conn = sqlite3.connect(str(database_path), timeout=LOCK_TIMEOUT_S, isolation_level=None)
        try:
            try:
                mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()
                if not mode or str(mode[0]).lower() != "delete":
                    raise BackupError(t("backup.in_use", path=database_path))
                conn.execute("BEGIN EXCLUSIVE")
            except sqlite3.OperationalError as exc:
                raise BackupError(t("backup.in_use", path=database_path)) from exc
            except sqlite3.DatabaseError:
                pass  # the current file is damaged: keep it as it is and restore over it
            _copy_private(database_path, safety)
            os.replace(staging, database_path)
            _remove_sidecars(database_path)
            _fsync(database_path.parent)
        finally:
            conn.close()
        return safety
    finally:
        staging.unlink(missing_ok=True)
        _remove_sidecars(staging)


def describe(paths: Iterable[Path]) -> str:
    return ", ".join(p.name for p in paths)
