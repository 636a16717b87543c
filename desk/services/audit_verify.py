"""Check the audit trail: its hash chain, the registers against it, and its defences.

The chain is re-computed from the file: every event must be sealed, every seal's hash must be
that of its event, its row and the seal before it, and the links must run 1, 2, 3 … without a
gap. Then each record's row is replayed from its seals and compared, field by field, with the
row in the register. Every register row must have the event that created it, no event may point
at a row that does not exist, each record's events must run forward in time, and the database's
append-only triggers must be in place. With `head`, the chain must still hold that link (a hash
printed on a shift summary or written beside a backup).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlmodel import col

from desk.i18n import t
from desk.models import AuditEvent, AuditSeal
from desk.services import audit_chain, audit_rows
from desk.services.audit_rows import REGISTERS, Register
from desk.services.context import Ctx

__all__ = ["REGISTERS", "Problem", "Register", "Report", "verify"]

# Registers whose record_id is not a row id (the calendar's is the day as YYYYMMDD).
NOT_ROWS = frozenset({"calendar", "database"})
TRIGGERS = {
    "sqlite": {
        "audit_event": ("audit_event_no_update", "audit_event_no_delete"),
        "audit_seal": ("audit_seal_no_update", "audit_seal_no_delete"),
    },
    "postgresql": {
        "audit_event": ("audit_event_append_only", "audit_event_no_truncate"),
        "audit_seal": ("audit_seal_append_only", "audit_seal_no_truncate"),
    },
}
# At most this many differing fields are named for one record.
SHOWN_FIELDS = 6


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
    head: tuple[int, str] = (0, audit_chain.GENESIS)  # the chain's last link, as re-computed

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def head_text(self) -> str:
        return anchor(*self.head)


def anchor(seq: int, hash_hex: str) -> str:
    """How a link of the chain is written down outside the file: `SEQ:HASH16`."""
    return f"{seq}:{hash_hex[:16]}"


def parse_anchor(text_value: str) -> tuple[int | None, str]:
    """`SEQ:HEX` or `HEX` (at least 16 hex digits) as typed to `--head`; ValueError otherwise."""
    typed = text_value.strip().lower()
    seq_text, _, hex_part = typed.rpartition(":")
    if len(hex_part) < 16 or any(c not in "0123456789abcdef" for c in hex_part):
        raise ValueError(text_value)
    if seq_text and not seq_text.isdigit():
        raise ValueError(text_value)
    return (int(seq_text) if seq_text else None), hex_part


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _check_triggers(ctx: Ctx, report: Report) -> None:
    dialect = ctx.session.get_bind().dialect.name
    if dialect not in TRIGGERS:  # pragma: no cover - only SQLite and PostgreSQL are supported
        return
    for table, wanted in TRIGGERS[dialect].items():
        if dialect == "sqlite":
            sql = f"SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = '{table}'"
        else:
            sql = (
                "SELECT tgname FROM pg_trigger "
                f"WHERE tgrelid = '{table}'::regclass AND NOT tgisinternal AND tgenabled <> 'D'"
            )
        present = {str(row[0]) for row in ctx.session.execute(text(sql))}
        for name in wanted:
            if name not in present:
                report.problems.append(Problem(table, None, "no_trigger", name))


def _check_chain(ctx: Ctx, report: Report) -> None:
    """Re-compute every link, in order; then find the events no link seals."""
    events, seals = AuditEvent.__table__, AuditSeal.__table__  # type: ignore[attr-defined]
    statement = (
        select(seals, *[c.label(f"e_{c.name}") for c in events.c])
        .outerjoin(events, events.c.id == seals.c.event_id)
        .order_by(seals.c.seq)
        .execution_options(yield_per=2000)
    )
    expected_seq, prev = 1, audit_chain.GENESIS
    for link in ctx.session.execute(statement).mappings():
        seq = int(link["seq"])
        if link["e_id"] is None:
            report.problems.append(Problem("audit_event", None, "event_gone", str(seq)))
        elif seq != expected_seq:
            missing = f"{expected_seq}-{seq - 1}" if seq - 1 > expected_seq else str(expected_seq)
            report.problems.append(Problem("audit_seal", None, "chain_gap", missing))
        elif link["prev_hash"] != prev:
            report.problems.append(Problem("audit_seal", None, "chain_broken", str(seq)))
        else:
            content = audit_chain.event_content(
                {k[2:]: v for k, v in link.items() if k[:2] == "e_"}
            )
            if audit_chain.link_hash(seq, prev, content, link["row"]) != link["hash"]:
                where = str(link["e_register_name"])
                problem = Problem(where, int(link["e_record_id"]), "event_changed", f"#{seq}")
                report.problems.append(problem)
        expected_seq, prev = seq + 1, str(link["hash"])
        report.head = (seq, prev)
    unsealed = (
        select(events.c.id, events.c.register_name, events.c.record_id, events.c.action)
        .outerjoin(seals, seals.c.event_id == events.c.id)
        .where(seals.c.seq.is_(None))
        .order_by(events.c.id)
    )
    for event_id, register, record_id, action in ctx.session.execute(unsealed):
        detail = f"#{event_id} {action}"
        report.problems.append(Problem(str(register), int(record_id), "unsealed", detail))


def _sealed_states(ctx: Ctx, register: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each record of `register` as its seals describe it, by record id."""
    events, seals = AuditEvent.__table__, AuditSeal.__table__  # type: ignore[attr-defined]
    statement = (
        select(events.c.record_id, seals.c.row)
        .join(seals, seals.c.event_id == events.c.id)
        .where(events.c.register_name == register, seals.c.row.is_not(None))
        .order_by(events.c.record_id, seals.c.seq)
        .execution_options(yield_per=2000)
    )
    current: int | None = None
    state: dict[str, Any] | None = None
    for record_id, row in ctx.session.execute(statement):
        if record_id != current:
            if current is not None and state is not None:
                yield current, state
            current, state = int(record_id), None
        state = audit_rows.fold(state, row)
    if current is not None and state is not None:
        yield current, state


def _shown(value: Any) -> str:
    shown = "∅" if value is None else str(value)
    return shown if len(shown) <= 40 else shown[:39] + "…"


def _check_rows(ctx: Ctx, register: Register, report: Report) -> None:
    """Replay each record's seals and compare the result with its row, field by field."""
    sealed = _sealed_states(ctx, register.name)
    pending = next(sealed, None)
    for record_id, row in audit_rows.all_rows(ctx.session, register.name):
        while pending is not None and pending[0] < record_id:
            pending = next(sealed, None)
        if pending is None or pending[0] != record_id:
            continue  # no seal with a row: missing_create says so when it matters
        expected = pending[1]
        differs = [
            f"{name}: {_shown(expected[name])} → {_shown(row[name])}"
            for name in expected
            if name in row and row[name] != expected[name]
        ]
        if differs:
            detail = "; ".join(differs[:SHOWN_FIELDS])
            if len(differs) > SHOWN_FIELDS:
                detail += f"; +{len(differs) - SHOWN_FIELDS}"
            report.problems.append(Problem(register.name, record_id, "row_differs", detail))


def _row_counts(ctx: Ctx) -> dict[str, int]:
    """How many rows each register's table has, in one statement."""
    counts = " UNION ALL ".join(
        f"SELECT '{register.name}', COUNT(*) FROM \"{register.table}\"" for register in REGISTERS
    )
    return {str(name): int(count) for name, count in ctx.session.execute(text(counts))}


def _check_register(ctx: Ctx, register: Register, report: Report, count: int) -> None:
    creates = ", ".join(f"'{action}'" for action in register.creates)
    table = f'"{register.table}"'
    report.records += count
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


# Two desks (or two commands) each take their event's time before they wait for the write lock
# (up to the busy timeout, 10 s, and a form may be saved a while after it was opened): events
# of one record may commit a little out of time order. Only going back further is a finding.
TIME_SKEW = timedelta(minutes=15)


def _check_order(ctx: Ctx, report: Report) -> None:
    events = AuditEvent.__table__  # type: ignore[attr-defined]
    statement = select(
        events.c.register_name, events.c.record_id, events.c.id, events.c.at
    ).order_by(events.c.register_name, events.c.record_id, events.c.id)
    previous: tuple[str, int, datetime] | None = None
    for register, record_id, event_id, at in ctx.session.execute(statement):
        report.events += 1
        moment = _aware(at)
        same = previous is not None and previous[:2] == (register, record_id)
        if previous and same and moment < previous[2] - TIME_SKEW:
            detail = f"#{event_id} {moment.isoformat()} < {previous[2].isoformat()}"
            report.problems.append(Problem(register, record_id, "out_of_order", detail))
        previous = (register, record_id, moment)


def _readable(report: Report, where: str, check: Any, *args: Any) -> None:
    """Run one check; a value in the file that cannot even be read (a time written as no time
    can be) is itself a finding, and the other checks still run."""
    try:
        check(*args)
    except (ValueError, TypeError, OverflowError) as exc:
        shown = " ".join(str(exc).split())[:120]
        report.problems.append(Problem(where, None, "unreadable", shown))


def verify(ctx: Ctx, head: str | None = None) -> Report:
    """Every problem found between the audit trail and the registers; `ok` when none.

    `head`: a link written down earlier (`SEQ:HASH16`) that the chain must still hold.
    """
    report = Report()
    _check_triggers(ctx, report)
    _readable(report, "audit_event", _check_chain, ctx, report)
    counts = _row_counts(ctx)
    names = set(ctx.session.execute(select(col(AuditEvent.register_name)).distinct()).scalars())
    for register in REGISTERS:
        if not counts[register.name] and register.name not in names:
            continue  # no row and no event: nothing of it to compare
        _check_register(ctx, register, report, counts[register.name])
        _readable(report, register.name, _check_rows, ctx, register, report)
    known = {register.name for register in REGISTERS} | NOT_ROWS
    for name in sorted(names - known):
        report.problems.append(Problem(name, None, "unknown_register"))
    _readable(report, "audit_event", _check_order, ctx, report)
    if head is not None:
        _check_head(ctx, head, report)
    return report


def _check_head(ctx: Ctx, head: str, report: Report) -> None:
    seq, hex_part = parse_anchor(head)
    if seq == 0 and audit_chain.GENESIS.startswith(hex_part):
        return  # the head of a chain not begun yet: every chain starts from it
    seals = AuditSeal.__table__  # type: ignore[attr-defined]
    statement = select(seals.c.seq).where(seals.c.hash.like(f"{hex_part}%"))
    if seq is not None:
        statement = statement.where(seals.c.seq == seq)
    if ctx.session.execute(statement).first() is None:
        report.problems.append(Problem("audit_seal", None, "head_missing", head.strip()))
