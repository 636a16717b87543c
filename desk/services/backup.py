"""Backups of the desk's SQLite file: make, verify, prune, restore, and the daily one.

A backup is `VACUUM INTO` a hidden temporary name beside the target (a consistent snapshot even
while other desks write: in WAL mode it reads one committed state), switched to a rollback
journal so it is one self-contained file, checked (`PRAGMA integrity_check` and the schema
revision) and only then renamed to `desk-YYYYMMDD-HHMMSS.db` (local time of the site), mode 0600.
Retention never deletes the backup just made; a `.partial` copy left by a killed backup is
removed by the next one once it is an hour old. A restore puts back only a desk database that
passes integrity_check, the desk's mark, a known schema revision and the audit verification,
whose chain ends exactly at the `.head` written beside it (a backup without one, from an older
desk, is restored with a warning; one whose `.head` is anything else is refused), and writes
into it who restored it. Retention deletes only regular SQLite files named like a backup.
PostgreSQL databases are refused with a pointer to pg_dump.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import stat
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlmodel import col, select

from desk.config import Settings
from desk.db import (
    SQLITE_MAGIC,
    Database,
    DatabaseError,
    NotOurs,
    check_sqlite_file,
    describe_failure,
    open_database,
)
from desk.files import PRIVATE_FOLDER, create_private, private_folder, write_whole
from desk.i18n import t
from desk.migrations import HEAD, HERE
from desk.models import Operator, Role
from desk.services import audit, audit_chain, audit_verify
from desk.services.context import Ctx
from desk.services.errors import DeskError

NAME_RE = re.compile(r"^desk-(\d{8})-(\d{6})(?:-(\d+))?\.db$")
# A backup's hidden copy while it is made (and the journal SQLite may keep beside it).
PARTIAL_RE = re.compile(r"^\.desk-\d{8}-\d{6}(?:-\d+)?\.db\.partial(?:-journal|-wal|-shm)?$")
BACKUP_DIR = "backups"
KEEP_DAILY = 7
KEEP_WEEKLY = 4
LOCK_TIMEOUT_S = 2.0
# A .partial copy older than this was left by a backup that was killed; a younger one may be
# another backup being made right now.
ORPHAN_AGE_S = 3600.0
# The register of the audit events about the database as a whole (a restore); record 1.
DATABASE_REGISTER = "database"
DATABASE_RECORD = 1
# How many of an edited backup's problems the refusal lists.
PROBLEMS_SHOWN = 20
# Retention beyond these is a typing mistake (and would overflow the calendar): ten years.
KEEP_DAILY_MAX = 3650
KEEP_WEEKLY_MAX = 520
# How much of integrity_check's first problem a refusal quotes.
PROBLEM_CHARS = 120
# A .head file is one short line; anything longer is not one.
HEAD_BYTES_MAX = 200


class BackupError(DatabaseError):
    """A backup cannot be made, checked or restored; the message says why in one line."""


class EditedBackup(BackupError):
    """The backup's audit trail and registers disagree: it was changed after it was made."""

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems


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


def _free_name(directory: Path, stamp: datetime) -> Path:
    base = f"desk-{stamp:%Y%m%d-%H%M%S}"
    target = directory / f"{base}.db"
    counter = 2
    while target.exists():
        target = directory / f"{base}-{counter}.db"
        counter += 1
    return target


def _new_private_file(path: Path) -> None:
    os.close(create_private(path))  # 0600 whatever the umask


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
        head = _chain_head(partial)
        os.chmod(partial, 0o600)
        _fsync(partial)
        os.replace(partial, target)
        write_head(target, head)
        _fsync(directory)
    finally:
        partial.unlink(missing_ok=True)
        _remove_sidecars(partial)
    return target


HEAD_SUFFIX = ".head"


def head_file(backup_file: Path) -> Path:
    """The file beside a backup that holds its audit chain's head (`desk-….db.head`)."""
    return backup_file.with_name(backup_file.name + HEAD_SUFFIX)


def _chain_head(path: Path) -> str:
    """The last link of the audit chain in the SQLite file `path`, as `SEQ:HASH16`."""
    return audit_verify.anchor(*_chain_link(path))


def _chain_link(path: Path) -> tuple[int, str]:
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
    local = _local(now, database)
    if _has_backup_on(directory, local.date()):
        return None
    made = make_backup(database, directory, now)
    return made, prune(directory, local, keep=made)


def check_backup(backup_file: Path, scratch: Path) -> BackupInfo:
    """Copy `backup_file` to `scratch` (mode 0600) and check the copy; the original is untouched.

    The copy must pass integrity_check, carry the desk's mark (or, made before the mark, the
    desk's own tables) and a schema revision this desk knows (none newer than its own).
    """
    if not backup_file.is_file():
        raise BackupError(t("backup.missing", path=backup_file))
    scratch.unlink(missing_ok=True)
    _remove_sidecars(scratch)
    try:
        _copy_private(backup_file, scratch)
        with scratch.open("rb") as handle:
            sqlite = handle.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
        if sqlite:  # what is not SQLite at all is said by _check_file (not a usable file)
            try:
                empty = check_sqlite_file(scratch, shown=backup_file)
            except NotOurs as exc:
                raise BackupError(t("backup.foreign", path=backup_file)) from exc
            if empty:
                raise BackupError(t("backup.not_desk", path=backup_file))
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


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def current_exists(database_path: Path) -> bool:
    """There is a database to restore over (a missing or empty file is none)."""
    try:
        return Path(database_path).stat().st_size > 0
    except FileNotFoundError:
        return False


def has_operators(database: Database) -> bool:
    """The database has someone who could sign in (a new, empty desk has no one)."""
    with database.reading() as session:
        return session.exec(select(Operator.id).where(col(Operator.active))).first() is not None


def require_supervisor(operator: Operator | None) -> Operator:
    """Only a supervisor restores a backup: it replaces every register at once."""
    if operator is None:
        raise DeskError("backup.need_supervisor")
    if operator.role != Role.supervisor:
        raise DeskError("backup.not_supervisor", name=operator.name)
    return operator


@dataclass
class Staged:
    """A backup copied beside the database and checked, ready to be put in its place."""

    target: Path  # the database it is to replace
    path: Path  # the checked copy (hidden, beside the target)
    source: Path  # the backup file as given
    revision: str  # the backup's schema revision (the copy is brought up to HEAD)
    sha256: str  # of the backup file as given
    settings: Settings = field(repr=False)
    # the backup's chain matched the .head written beside it (False: it has none, an old one)
    head_checked: bool = False

    def open(self) -> Database:
        """The checked copy as a database (to sign in against when there is no current one)."""
        return open_database(self.path, migrate=False, settings=self.settings)

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)
        _remove_sidecars(self.path)


def _verify_audit(staged: Staged, now: datetime) -> None:
    """Check the copy's chain against the `.head` written beside the backup, then run the audit
    verification on it; refuse it with the problems found.

    The head is compared with the chain as the backup holds it, before any migration: it must
    be exactly the backup's own last link (a backup is never written after it is made). With no
    `.head` at all (a backup from a desk older than heads) `staged.head_checked` is False.
    The copy is then read as it is when it is at this desk's revision; an older one is first
    brought up to date (the copy only; the backup file is never written) so that the
    verification and the restore's own audit event see the schema they know.
    """
    written = backup_head(staged.source)
    try:
        link = _chain_link(staged.path)
    except sqlite3.Error as exc:
        raise BackupError(t("backup.unreadable", path=staged.source, reason=exc)) from exc
    database = open_database(staged.path, migrate=staged.revision != HEAD, settings=staged.settings)
    try:
        with database.reading() as session:
            report = audit_verify.verify(Ctx(session, None, staged.settings, now))
    finally:
        database.dispose()
    problems = [problem.text for problem in report.problems]
    differs = written is not None and not head_matches(written, link)
    if differs:
        actual = audit_verify.anchor(*link)
        head_message = t("backup.head_differs", path=staged.source, written=written, actual=actual)
        if not problems:
            raise EditedBackup(head_message, [])
        problems.insert(0, head_message)  # first: the refusal lists only the first few
    if problems:
        message = t("backup.edited", path=staged.source, count=len(problems))
        raise EditedBackup(message, problems[:PROBLEMS_SHOWN])
    staged.head_checked = written is not None


def stage_restore(
    database_path: Path, backup_file: Path, settings: Settings, now: datetime | None = None
) -> Staged:
    """Copy `backup_file` beside the database and check everything before anything is swapped.

    Refused (BackupError, nothing changed): a database at `database_path` that is not a desk's
    (NotOurs); a backup that is damaged, not a desk database, of a newer desk, or whose audit
    trail disagrees with its registers (EditedBackup, with the problems).
    """
    database_path = Path(database_path)
    backup_file = Path(backup_file)
    if not database_path.parent.is_dir():
        raise BackupError(t("backup.no_target_dir", path=database_path.parent))
    check_sqlite_file(database_path)
    staging = database_path.parent / f".{database_path.name}.restoring"
    for own in (database_path, staging):
        if _same_file(own, backup_file):
            raise BackupError(t("backup.same_file", path=backup_file, target=database_path))
    info = check_backup(backup_file, staging)
    staged = Staged(
        database_path, staging, backup_file, info.revision, _sha256(backup_file), settings
    )
    try:
        _verify_audit(staged, now or datetime.now(settings.tz))
    except BaseException:
        staged.discard()
        raise
    return staged


def _same_file(one: Path, other: Path) -> bool:
    """`one` and `other` are the same file on disk (False when either is not there)."""
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False


def _record_restore(
    staged: Staged, operator: Operator, now: datetime, kept_as: Path | None
) -> None:
    """Write into the copy, before it goes in place, who restored which backup and when.

    The operator signed in against the current database (or the backup's own, when there was
    none); the event carries their name and role, and their id when the backup knows them.
    """
    database = staged.open()
    try:
        with database.writing() as session:
            known = session.exec(select(Operator).where(Operator.name == operator.name)).first()
            ctx = Ctx(session, known, staged.settings, now)
            data = {
                "operator": operator.name,
                "role": operator.role,
                "backup": str(staged.source),
                "sha256": staged.sha256,
                "revision": staged.revision,
                "kept_as": kept_as.name if kept_as is not None else "",
            }
            audit.record(ctx, DATABASE_REGISTER, DATABASE_RECORD, "restored", data)
    finally:
        database.dispose()


def finish_restore(staged: Staged, operator: Operator, now: datetime | None = None) -> Path | None:
    """Put the checked copy in place of the database, with an audit event naming `operator`.

    The current file is first kept as `<name>.before-restore-<ts>` (returned; None when there
    was no database yet). Refused while another desk has the database open: switching it out
    of WAL mode needs every other connection closed, and that also checkpoints and removes its
    -wal and -shm files. The copy replaces it with os.replace under an exclusive lock.
    """
    require_supervisor(operator)
    database_path = staged.target
    moment = now or datetime.now(staged.settings.tz)
    try:
        check_sqlite_file(database_path)  # still ours (or still none) at the moment of the swap
        if not current_exists(database_path):
            _record_restore(staged, operator, moment, None)
            os.replace(staged.path, database_path)
            _remove_sidecars(database_path)
            _fsync(database_path.parent)
            return None
        stamp = moment.replace(tzinfo=None).strftime("%Y%m%d-%H%M%S")
        safety = database_path.with_name(f"{database_path.name}.before-restore-{stamp}")
        if safety.exists():
            raise BackupError(t("backup.safety_exists", path=safety))
        _record_restore(staged, operator, moment, safety)
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
            os.replace(staged.path, database_path)
            _remove_sidecars(database_path)
            _fsync(database_path.parent)
        finally:
            conn.close()
        return safety
    finally:
        staged.discard()


def restore(
    database_path: Path,
    backup_file: Path,
    operator: Operator,
    settings: Settings,
    now: datetime | None = None,
) -> Path | None:
    """stage_restore then finish_restore: check `backup_file`, then put it in place."""
    staged = stage_restore(database_path, backup_file, settings, now)
    return finish_restore(staged, operator, now)


def describe(paths: Iterable[Path]) -> str:
    return ", ".join(p.name for p in paths)
