"""Which backups are kept: the backups in a folder, retention (daily and weekly), the daily one.

Retention deletes only regular SQLite files named like a backup (`desk-YYYYMMDD-HHMMSS.db`, the
site's local time), never the backup just made nor one dated after now.
"""

from __future__ import annotations

import os
import re
import stat
from datetime import date, datetime, timedelta
from pathlib import Path

from desk.db import Database
from desk.db_file import SQLITE_MAGIC
from desk.i18n import t
from desk.services.backup import BackupError, default_dir, head_file, local_time, make_backup

NAME_RE = re.compile(r"^desk-(\d{8})-(\d{6})(?:-(\d+))?\.db$")
KEEP_DAILY = 7
KEEP_WEEKLY = 4
# Retention beyond these is a typing mistake (and would overflow the calendar): ten years.
KEEP_DAILY_MAX = 3650
KEEP_WEEKLY_MAX = 520


def backup_time(path: Path) -> datetime | None:
    """The local time in a backup's file name, or None when the name is not one of ours."""
    match = NAME_RE.match(path.name)
    if not match:
        return None
    try:
        return datetime.strptime(match.group(1) + match.group(2), "%Y%m%d%H%M%S")
    except ValueError:
        return None


def _is_sqlite_file(path: Path) -> bool:
    """`path` is a regular file (no symlink, folder or pipe) starting with SQLite's header."""
    try:
        if not stat.S_ISREG(path.lstat().st_mode):
            return False
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        return stat.S_ISREG(os.fstat(fd).st_mode) and os.read(fd, 16) == SQLITE_MAGIC
    except OSError:
        return False
    finally:
        os.close(fd)


def list_backups(directory: Path) -> list[Path]:
    """Our backups in `directory`, oldest first: regular SQLite files named like one.

    A symlink, a folder or a file that is not SQLite is never one, whatever its name.
    """
    if not directory.is_dir():
        return []
    named: list[tuple[datetime, int, Path]] = []
    for path in directory.iterdir():
        when = backup_time(path)
        match = NAME_RE.match(path.name)
        if when is not None and match is not None and _is_sqlite_file(path):
            named.append((when, int(match.group(3) or 1), path))
    return [path for _, _, path in sorted(named)]


def check_keep(daily: int, weekly: int) -> None:
    """Refuse retention numbers that make no sense: at least the day's backup is kept."""
    if daily < 1:
        raise BackupError(t("backup.keep_daily_zero"))
    if weekly < 0:
        raise BackupError(t("backup.keep_negative"))
    if daily > KEEP_DAILY_MAX:
        raise BackupError(t("backup.keep_too_many", option="--keep-daily", most=KEEP_DAILY_MAX))
    if weekly > KEEP_WEEKLY_MAX:
        raise BackupError(t("backup.keep_too_many", option="--keep-weekly", most=KEEP_WEEKLY_MAX))


def _iso_week(day: date) -> tuple[int, int]:
    year, week, _ = day.isocalendar()
    return year, week


def prune(
    directory: Path,
    now: datetime,
    daily: int = KEEP_DAILY,
    weekly: int = KEEP_WEEKLY,
    keep: Path | None = None,
) -> list[Path]:
    """Keep the newest backup of each of the last `daily` days and `weekly` ISO weeks.

    `now` is the site's local time (an aware time is taken at its own wall clock). `keep` (the
    backup just made) is never deleted, whatever its name says. Files whose names are not ours,
    and backups dated after `now`, are never touched. `daily` is at least 1 (check_keep).
    Returns what was deleted, oldest first.
    """
    check_keep(daily, weekly)
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
    kept = set(newest_of_day.values()) | set(newest_of_week.values()) | future
    if keep is not None:
        kept.add(keep)
    removed = [path for path in backups if path not in kept and path != keep]
    for path in removed:
        path.unlink(missing_ok=True)
        head_file(path).unlink(missing_ok=True)
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
    local = local_time(now, database)
    if _has_backup_on(directory, local.date()):
        return None
    made = make_backup(database, directory, now)
    return made, prune(directory, local, keep=made)
