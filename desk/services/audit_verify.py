"""Check the audit trail against the registers.

Every register row must have the event that created it, no event may point at a row that does
not exist, each record's events must run forward in time, and the database's append-only
triggers on audit_event must be in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import text
from sqlmodel import col, select

from desk.i18n import t
from desk.models import AuditEvent
from desk.services.context import Ctx


@dataclass(frozen=True)
class Register:
    name: str  # AuditEvent.register_name
    table: str
    creates: tuple[str, ...]  # the action(s) the service writes when it makes a row


# The action names are those the services pass to audit.record() when a row is made.
REGISTERS: tuple[Register, ...] = (
    Register("reception", "reception_entry", ("logged",)),
    Register("repairs", "repair_order", ("registered",)),
    Register("complaints", "complaint", ("registered",)),
    Register("keys", "key", ("added",)),
    Register("key_loans", "key_loan", ("lent",)),
    Register("key_counts", "key_count", ("counted",)),
    Register("entrusted_keys", "entrusted_key", ("deposited",)),
    Register("passes", "release_pass", ("issued",)),
    Register("nightlog", "night_log_entry", ("logged",)),
    Register("handover", "handover", ("opened",)),
    Register("replies", "standard_reply", ("drafted",)),
    Register("operator", "operator", ("created",)),
    Register("residents", "resident", ("created",)),
)
# Registers whose record_id is not a row id (the calendar's is the day as YYYYMMDD).
NOT_ROWS = frozenset({"calendar", "database"})  # database: a restore (backup.py)
SQLITE_TRIGGERS = ("audit_event_no_update", "audit_event_no_delete")
POSTGRES_TRIGGERS = ("audit_event_append_only", "audit_event_no_truncate")


@dataclass(frozen=True)
class Problem:
    register: str
    record_id: int | None
    code: str  # missing_create | orphan_event | out_of_order | unknown_register | no_trigger
    detail: str = ""

    @property
    def text(self) -> str:
        return t(
            f"audit_verify.{self.code}",
            register=self.register,
            id="" if self.record_id is None else self.record_id,
            detail=self.detail,
        )


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    records: int = 0
    events: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _check_triggers(ctx: Ctx, report: Report) -> None:
    dialect = ctx.session.get_bind().dialect.name
    if dialect == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_event'"
        wanted = SQLITE_TRIGGERS
    elif dialect == "postgresql":
        sql = (
            "SELECT tgname FROM pg_trigger "
            "WHERE tgrelid = 'audit_event'::regclass AND NOT tgisinternal"
        )
        wanted = POSTGRES_TRIGGERS
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        return
    present = {str(row[0]) for row in ctx.session.execute(text(sql))}
    for name in wanted:
        if name not in present:
            report.problems.append(Problem("audit_event", None, "no_trigger", name))


def _check_register(ctx: Ctx, register: Register, report: Report) -> None:
    creates = ", ".join(f"'{action}'" for action in register.creates)
    table = f'"{register.table}"'
    count = ctx.session.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
    report.records += int(count)
    missing = ctx.session.execute(
        text(
            f"SELECT r.id FROM {table} r WHERE NOT EXISTS ("
            "SELECT 1 FROM audit_event e WHERE e.register_name = :register "
            f"AND e.record_id = r.id AND e.action IN ({creates})) ORDER BY r.id"
        ),
        {"register": register.name},
    )
    for (record_id,) in missing:
        detail = "/".join(register.creates)
        report.problems.append(Problem(register.name, int(record_id), "missing_create", detail))
    orphans = ctx.session.execute(
        text(
            "SELECT DISTINCT e.record_id FROM audit_event e WHERE e.register_name = :register "
            f"AND NOT EXISTS (SELECT 1 FROM {table} r WHERE r.id = e.record_id) "
            "ORDER BY e.record_id"
        ),
        {"register": register.name},
    )
    for (record_id,) in orphans:
        report.problems.append(Problem(register.name, int(record_id), "orphan_event"))


def _check_order(ctx: Ctx, report: Report) -> None:
    statement = select(
        AuditEvent.register_name, AuditEvent.record_id, AuditEvent.id, AuditEvent.at
    ).order_by(col(AuditEvent.register_name), col(AuditEvent.record_id), col(AuditEvent.id))
    previous: tuple[str, int, datetime] | None = None
    for register, record_id, event_id, at in ctx.session.exec(statement):
        report.events += 1
        moment = _aware(at)
        if previous and previous[:2] == (register, record_id) and moment < previous[2]:
            detail = f"#{event_id} {moment.isoformat()} < {previous[2].isoformat()}"
            report.problems.append(Problem(register, record_id, "out_of_order", detail))
        previous = (register, record_id, moment)


def verify(ctx: Ctx) -> Report:
    """Every problem found between the audit trail and the registers; `ok` when none."""
    report = Report()
    _check_triggers(ctx, report)
    for register in REGISTERS:
        _check_register(ctx, register, report)
    known = {register.name for register in REGISTERS} | NOT_ROWS
    names = ctx.session.exec(select(AuditEvent.register_name).distinct())
    for name in sorted(set(names) - known):
        report.problems.append(Problem(name, None, "unknown_register"))
    _check_order(ctx, report)
    return report
