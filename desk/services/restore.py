"""Restoring a backup: check a copy of it, then put it in place of the database.

A restore puts back only a desk database that passes integrity_check, the desk's mark, a known
schema revision and the audit verification, whose chain ends exactly at the `.head` written
beside it (a backup without one, from an older desk, is restored with a warning; one whose
`.head` is anything else is refused), and writes into it who restored it. The database it
replaces is kept beside it as `<name>.before-restore-<ts>`.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlmodel import col, select

from desk.config import Settings
from desk.db import Database, open_database
from desk.db_errors import NotOurs
from desk.db_file import SQLITE_MAGIC, check_sqlite_file
from desk.i18n import t
from desk.migrations import HEAD, HERE
from desk.models import Operator, Role
from desk.services import audit, audit_verify
from desk.services.backup import (
    LOCK_TIMEOUT_S,
    BackupError,
    backup_head,
    chain_link,
    check_file,
    fsync,
    head_matches,
    new_private_file,
    remove_sidecars,
)
from desk.services.context import Ctx
from desk.services.errors import DeskError

# The register of the audit events about the database as a whole (a restore); record 1.
DATABASE_REGISTER = "database"
DATABASE_RECORD = 1
# How many of an edited backup's problems the refusal lists.
PROBLEMS_SHOWN = 20


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


def check_backup(backup_file: Path, scratch: Path) -> BackupInfo:
    """Copy `backup_file` to `scratch` (mode 0600) and check the copy; the original is untouched.

    The copy must pass integrity_check, carry the desk's mark (or, made before the mark, the
    desk's own tables) and a schema revision this desk knows (none newer than its own).
    """
    if not backup_file.is_file():
        raise BackupError(t("backup.missing", path=backup_file))
    scratch.unlink(missing_ok=True)
    remove_sidecars(scratch)
    try:
        _copy_private(backup_file, scratch)
        with scratch.open("rb") as handle:
            sqlite = handle.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
        if sqlite:  # what is not SQLite at all is said by check_file (not a usable file)
            try:
                empty = check_sqlite_file(scratch, shown=backup_file)
            except NotOurs as exc:
                raise BackupError(t("backup.foreign", path=backup_file)) from exc
            if empty:
                raise BackupError(t("backup.not_desk", path=backup_file))
        revision = check_file(scratch, backup_file)
        if revision not in known_revisions():
            raise BackupError(t("backup.unknown_revision", path=backup_file, revision=revision))
    except BaseException:
        scratch.unlink(missing_ok=True)
        remove_sidecars(scratch)
        raise
    return BackupInfo(scratch, revision)


def _copy_private(source: Path, target: Path) -> None:
    new_private_file(target)
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
    if not operator.all_estates:  # a supervisor of some estates may not replace the others'
        raise DeskError("backup.not_company", name=operator.name)
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
        return open_database(self.path, migrate=False, settings=self.settings, estate="*")

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)
        remove_sidecars(self.path)


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
        link = chain_link(staged.path)
    except sqlite3.Error as exc:
        raise BackupError(t("backup.unreadable", path=staged.source, reason=exc)) from exc
    # the whole file, whatever estate the shell names (a backup holds every estate)
    database = open_database(
        staged.path, migrate=staged.revision != HEAD, settings=staged.settings, estate="*"
    )
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
            remove_sidecars(database_path)
            fsync(database_path.parent)
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
            remove_sidecars(database_path)
            fsync(database_path.parent)
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
