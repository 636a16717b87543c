"""Monthly statistics (报表): every figure of a period, counted by aggregate SQL, built once.

Definitions (all "as of" `Report.built_at`; the records of a register belong to the period by
the time they were received: `received_at`, `reported_at`, `out_at`, `created_at`):

- Dispatch within the site's `repair.dispatch_within` (30 min): an order dispatched in its
  current cycle (not back in `registered`) on or before its `dispatch_due_at`. Owed = dispatched
  + still undispatched past due. Rate = in time / owed.
- Timeliness (及时率): completed orders (state completed or closed) that were dispatched in time
  AND, when an appointment was agreed, where the technician was on site no later than
  `repair.arrival_grace` (10 min) after it. Arrival is `on_site_at`, or `completed_at` when the
  arrival was not recorded. Rate = on time / completed. A visit moved with the resident's
  consent (desk.services.repair_visits) counts against its new time: `appointment_at` is it.
- Pass rate (合格率): of the period's orders whose resident was reached on the callback, those
  satisfied (each order by its latest callback; earlier dissatisfied ones show as reopened).
- Paid-service register (有偿服务登记表): paid orders completed in the period, with charges.
- Unpaid charges: orders billed before the period's end and not paid by then (count, amount).
- Complaint deadlines (escalation, reply, resolve) of complaints not judged invalid or out of
  scope and not merged: met = done by the due time; missed = done late, or not done and past
  due; pending = not done and not yet due. A reply is done by `replied_at`, else by resolving.
- Callback completion rate: `callbacks.completion_rate` over [start, min(end, now)).
- Repeats: the same room and category at least twice in the period, per register.
- Keys: loans made in the period; overdue = returned after `due_at`, or still out past it.
- Passes: issued in the period, by status (as `pass_queries.status_of`) and stub.
- Renovations: applications received in the period and permits issued in it; the approvals of
  the applications sent to engineering in the period (met / missed / pending against their
  `approval_due_at`, as the complaint deadlines); the refunds whose day (`refund_due_on`) falls
  in the period, on time when paid by the site's `renovation.refund_within` after that day;
  how many refunds kept part of the deposit.
- Resident cards: applied for and issued in the period (first cards: a replacement is counted
  as replaced), lost (reported in the period), replaced, handed back and cancelled, each by the
  time of its step; renewals and the gate's refusals by their audit events in the period.
- Owner record changes: declared in the period, by how the asker was identified and by what
  became of them; applied on time = by `apply_due_at`; identity checks refused, apart.
- Patrols and findings: desk.services.stats_findings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, Integer, Select, Table, and_, case, cast, extract, func, or_, select
from sqlalchemy.sql.base import ReadOnlyColumnCollection
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import SQLModel

from desk import estates as binding
from desk.models import (
    STEP_KEYS,
    AuditEvent,
    Complaint,
    ComplaintState,
    Incident,
    IncidentState,
    IncidentStep,
    KeyLoan,
    OwnerChange,
    OwnerChangeState,
    ReceptionEntry,
    ReleasePass,
    Renovation,
    RenovationState,
    RepairOrder,
    RepairState,
    ResidentCard,
    StepState,
    Validity,
)
from desk.models.keys import OPEN_LOAN_STATES
from desk.models.passes import PassState
from desk.services import (
    callbacks,
    fees,
    renovation_queries,
    stats_findings,
    stats_move_ins,
    stats_services,
)
from desk.services.context import Ctx
from desk.services.stats_figures import (
    CardFigures,
    ComplaintFigures,
    Deadline,
    IncidentFigures,
    KeyFigures,
    OwnerChangeFigures,
    PaidOrder,
    PassFigures,
    Rate,
    RenovationFigures,
    RepairFigures,
    Repeat,
    Report,
    StepTiming,
)
from desk.services.stats_period import Period

PUBLIC = "public"  # the "building" of records with no room (public areas)
REGISTERS = ("reception", "repairs", "complaints", "keys", "passes", "renovations")
ROOM_REGISTERS = ("reception", "repairs", "complaints")
DEADLINES = ("escalation", "reply", "resolve")
REPEAT_AT_LEAST = 2
PAID_LIMIT = 2000
_SPEC = re.compile(r"^\s*(\d+)\s*(m|h|d|wd)\s*$")
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400, "wd": 86400}

__all__ = [
    "CardFigures",
    "ComplaintFigures",
    "Deadline",
    "IncidentFigures",
    "KeyFigures",
    "PaidOrder",
    "PassFigures",
    "Rate",
    "RenovationFigures",
    "RepairFigures",
    "Repeat",
    "Report",
    "StepTiming",
    "building_of",
    "monthly",
    "top",
]


# --- SQL pieces -------------------------------------------------------------------------


def _c(model: type[SQLModel]) -> ReadOnlyColumnCollection[str, Column[Any]]:
    """The columns of a register's table, typed for SQL expressions."""
    table = getattr(model, "__table__", None)
    assert isinstance(table, Table)
    columns: ReadOnlyColumnCollection[str, Column[Any]] = table.c
    return columns


def _table(model: type[SQLModel]) -> Table:
    table = getattr(model, "__table__", None)
    assert isinstance(table, Table)
    return table


def _n(condition: ColumnElement[bool]) -> Any:
    """How many rows meet `condition` (portable: a SUM of CASE, 0 when there are no rows)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _within(column: Any, period: Period) -> ColumnElement[bool]:
    return and_(column >= period.start, column < period.end)


def _seconds_after(ctx: Ctx, later: Any, earlier: Any) -> Any:
    """Whole seconds from `earlier` to `later`, in SQL (SQLite stores UTC text)."""
    if ctx.session.get_bind().dialect.name == "sqlite":
        return cast(func.strftime("%s", later), Integer) - cast(
            func.strftime("%s", earlier), Integer
        )
    return extract("epoch", later - earlier)


def grace_seconds(spec: str) -> int:
    """A site duration such as "10m" in seconds (working days count as calendar days here)."""
    found = _SPEC.match(spec)
    return int(found[1]) * _UNIT_SECONDS[found[2]] if found else 600


def _run(ctx: Ctx, statement: Select[Any]) -> Any:
    """A core select of the registers' tables, in the desk's estate(s) only."""
    return ctx.session.connection().execute(binding.scoped(ctx.session, statement))


def _one(ctx: Ctx, *columns: Any, where: ColumnElement[bool]) -> list[int]:
    row = _run(ctx, select(*columns).where(where)).one()
    return [int(value or 0) for value in row]


def _grouped(ctx: Ctx, key: Any, where: ColumnElement[bool]) -> dict[str, int]:
    statement = select(key, func.count()).where(where).group_by(key)
    return {str(k or ""): int(n) for k, n in _run(ctx, statement)}


def _ranked(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


# --- registers ----------------------------------------------------------------------------


def _repairs(ctx: Ctx, period: Period) -> RepairFigures:
    r = _c(RepairOrder)
    where = _within(r.reported_at, period)
    dispatched = and_(r.state != RepairState.registered, r.dispatched_at.is_not(None))
    in_time = and_(dispatched, r.dispatched_at <= r.dispatch_due_at)
    arrived = func.coalesce(r.on_site_at, r.completed_at)
    grace = grace_seconds(ctx.settings.repair.arrival_grace)
    punctual = or_(
        r.appointment_at.is_(None),
        _seconds_after(ctx, arrived, r.appointment_at) <= grace,
    )
    completed = and_(
        r.state.in_((RepairState.completed, RepairState.closed)),
        r.completed_at.is_not(None),
    )
    reached = r.callback_at.is_not(None)
    counts = _one(
        ctx,
        func.count(),
        _n(dispatched),
        _n(in_time),
        _n(and_(r.state == RepairState.registered, r.dispatch_due_at < ctx.now)),
        _n(completed),
        _n(and_(completed, in_time, punctual)),
        _n(reached),
        _n(and_(reached, r.satisfied.is_(True))),
        _n(r.reopen_count > 0),
        where=where,
    )
    paid = select(r.number, r.room, r.description, r.labour_fen, r.material_fen).where(
        r.paid.is_(True),
        completed,
        _within(r.completed_at, period),
    )
    rows = _run(ctx, paid.order_by(r.completed_at, r.number).limit(PAID_LIMIT))
    unpaid = _unpaid(ctx, period)
    return RepairFigures(
        unpaid=unpaid[0],
        unpaid_fen=unpaid[1],
        reported=counts[0],
        by_category=_ranked(_grouped(ctx, r.category, where)),
        dispatched=counts[1],
        dispatched_in_time=counts[2],
        undispatched_overdue=counts[3],
        completed=counts[4],
        on_time=counts[5],
        called_back=counts[6],
        satisfied=counts[7],
        reopened=counts[8],
        paid=tuple(PaidOrder(n, room, what, lab, mat) for n, room, what, lab, mat in rows),
    )


def _unpaid(ctx: Ctx, period: Period) -> list[int]:
    """Bills owed at the end of the period (or now, for the running month): count, fen."""
    r = _c(RepairOrder)
    # nothing is billed or paid after now: the end alone is the cut for a past or running month
    owed = and_(r.billed_at < period.end, or_(r.paid_at.is_(None), r.paid_at >= period.end))
    return _one(ctx, func.count(), func.sum(r.labour_fen + r.material_fen), where=owed)


def _deadline_columns(ctx: Ctx, due: Any, done: Any, counted: ColumnElement[bool]) -> list[Any]:
    owed = and_(counted, due.is_not(None))
    return [
        _n(and_(owed, done.is_not(None), done <= due)),
        _n(and_(owed, or_(done > due, and_(done.is_(None), due < ctx.now)))),
        _n(and_(owed, done.is_(None), due >= ctx.now)),
    ]


def _complaints(ctx: Ctx, period: Period) -> ComplaintFigures:
    c = _c(Complaint)
    where = _within(c.received_at, period)
    counted = and_(
        c.state != ComplaintState.merged,
        c.validity.not_in((Validity.invalid, Validity.out_of_scope)),
    )
    pairs = {
        "escalation": (c.escalation_due_at, c.escalated_at),
        "reply": (c.reply_due_at, func.coalesce(c.replied_at, c.resolved_at)),
        "resolve": (c.resolve_due_at, c.resolved_at),
    }
    columns = [
        col for due, done in pairs.values() for col in _deadline_columns(ctx, due, done, counted)
    ]
    reached = c.callback_at.is_not(None)
    counts = _one(
        ctx,
        func.count(),
        _n(c.reopen_count > 0),
        _n(reached),
        _n(and_(reached, c.satisfied.is_(True))),
        *columns,
        where=where,
    )
    deadlines = {kind: Deadline(*counts[4 + 3 * i : 7 + 3 * i]) for i, kind in enumerate(DEADLINES)}
    return ComplaintFigures(
        received=counts[0],
        by_category=_ranked(_grouped(ctx, c.category, where)),
        by_severity=_grouped(ctx, c.severity, where),
        by_validity=_grouped(ctx, c.validity, where),
        deadlines=deadlines,
        reopened=counts[1],
        called_back=counts[2],
        satisfied=counts[3],
    )


def _keys(ctx: Ctx, period: Period) -> KeyFigures:
    k = _c(KeyLoan)
    counts = _one(
        ctx,
        func.count(),
        _n(and_(k.closed_at.is_not(None), k.closed_at > k.due_at)),
        _n(and_(k.state.in_(OPEN_LOAN_STATES), k.due_at < ctx.now)),
        _n(k.lost_count > 0),
        where=_within(k.out_at, period),
    )
    return KeyFigures(*counts)


def _passes(ctx: Ctx, period: Period) -> PassFigures:
    p = _c(ReleasePass)
    unchecked = p.state == PassState.issued
    valid = and_(unchecked, p.valid_until >= ctx.now)
    counts = _one(
        ctx,
        func.count(),
        _n(p.state.in_((PassState.used, PassState.partly_used))),
        _n(p.state == PassState.refused),
        _n(and_(unchecked, p.valid_until < ctx.now)),
        _n(p.state == PassState.voided),
        _n(valid),
        _n(p.stub_returned_at.is_not(None)),
        _n(
            and_(
                p.stub_returned_at.is_(None),
                p.state != PassState.voided,
                ~valid,
            )
        ),
        where=_within(p.created_at, period),
    )
    return PassFigures(*counts)


def _renovations(ctx: Ctx, period: Period) -> RenovationFigures:
    r = _c(Renovation)
    received = _one(ctx, func.count(), where=_within(r.created_at, period))[0]
    permits = _one(ctx, func.count(), where=_within(r.permit_issued_at, period))[0]
    sent = and_(_within(r.sent_to_engineering_at, period), r.state != RenovationState.withdrawn)
    columns = _deadline_columns(ctx, r.approval_due_at, r.decided_at, sent)
    approvals = Deadline(*_one(ctx, *columns, where=sent))
    # a refund's deadline counts working days: worked out here, for the few due in the period
    due = and_(r.refund_due_on >= period.first, r.refund_due_on <= period.last)
    met = missed = pending = withheld = 0
    for renovation in ctx.session.scalars(select(Renovation).where(due)):
        deadline = renovation_queries.refund_deadline(ctx, renovation)
        assert deadline is not None
        paid = renovation.refunded_at
        if paid is not None and paid <= deadline:
            met += 1
        elif paid is not None or deadline < ctx.now:
            missed += 1
        else:
            pending += 1
        withheld += renovation.withheld_fen > 0
    return RenovationFigures(
        applications=received,
        permits=permits,
        approvals=approvals,
        refunds=Deadline(met, missed, pending),
        withheld=withheld,
    )


def _cards(ctx: Ctx, period: Period) -> CardFigures:
    c = _c(ResidentCard)
    first = c.replaces_id.is_(None)
    counts = _one(
        ctx,
        _n(and_(first, _within(c.created_at, period))),
        _n(and_(first, _within(c.issued_at, period))),
        _n(_within(c.lost_reported_at, period)),
        _n(and_(c.replaces_id.is_not(None), _within(c.created_at, period))),
        _n(_within(c.returned_at, period)),
        _n(_within(c.cancelled_at, period)),
        where=c.id.is_not(None),
    )
    # renewals and gate checks are steps a card takes many times: counted by their events, of
    # the cards of the desk's estate(s) (the join is scoped as every register's select is)
    e = _c(AuditEvent)
    events = (
        select(e.action, e.data)
        .select_from(_table(AuditEvent).join(_table(ResidentCard), c.id == e.record_id))
        .where(
            e.register_name == "cards",
            e.action.in_(("renewed", "gate_checked")),
            _within(e.at, period),
        )
    )
    renewed = refused = 0
    for action, data in _run(ctx, events):
        if action == "renewed":
            renewed += 1
        elif '"valid": false' in (data or ""):
            refused += 1
    applied, issued, lost, replaced, returned, cancelled = counts
    return CardFigures(applied, issued, renewed, lost, replaced, returned, cancelled, refused)


def _owner_changes(ctx: Ctx, period: Period) -> OwnerChangeFigures:
    o = _c(OwnerChange)
    S = OwnerChangeState
    made = o.state != S.refused
    counts = _one(
        ctx,
        _n(made),
        _n(o.state == S.applied),
        _n(and_(o.state == S.applied, o.applied_at <= o.apply_due_at)),
        _n(o.state == S.rejected),
        _n(o.state == S.withdrawn),
        _n(o.state == S.declared),
        _n(and_(made, o.channel == "in_person")),
        _n(and_(made, o.channel == "phone")),
        _n(and_(o.state == S.applied, o.change == "sale")),
        _n(o.state == S.refused),
        where=_within(o.created_at, period),
    )
    return OwnerChangeFigures(*counts)


def _incidents(ctx: Ctx, period: Period) -> IncidentFigures:
    """Incidents opened in the period, by kind, and the minutes from opening to each step's
    call (001 突发事故's nine steps), as they stand now."""
    found = list(
        ctx.session.scalars(
            select(Incident).where(_within(_c(Incident).created_at, period)).limit(5000)
        )
    )
    by_kind: dict[str, int] = {}
    for each in found:
        by_kind[each.kind] = by_kind.get(each.kind, 0) + 1
    opened_at = {each.id: each.created_at for each in found}
    rows: dict[int, list[IncidentStep]] = {place: [] for place in range(1, len(STEP_KEYS) + 1)}
    if opened_at:
        steps = select(IncidentStep).where(_c(IncidentStep).incident_id.in_(list(opened_at)))
        for step in ctx.session.scalars(steps):
            rows[step.step].append(step)
    timings = []
    for place, key in enumerate(STEP_KEYS, 1):
        done = [s for s in rows[place] if s.state == StepState.done and s.called_at is not None]
        minutes = [
            max(0, int((s.called_at - opened_at[s.incident_id]).total_seconds() // 60))
            for s in done
            if s.called_at is not None
        ]
        timings.append(
            StepTiming(
                key=key,
                done=len(done),
                late=sum(1 for s in done if s.called_at is not None and s.called_at > s.due_at),
                not_needed=sum(1 for s in rows[place] if s.state == StepState.not_needed),
                pending=sum(1 for s in rows[place] if s.state == StepState.pending),
                average_minutes=round(sum(minutes) / len(minutes)) if minutes else None,
                longest_minutes=max(minutes) if minutes else None,
            )
        )
    return IncidentFigures(
        opened=len(found),
        closed=sum(1 for each in found if each.state == IncidentState.closed),
        by_kind=_ranked(by_kind),
        steps=tuple(timings),
    )


# --- across registers ---------------------------------------------------------------------


def _room_tables() -> dict[str, tuple[ReadOnlyColumnCollection[str, Column[Any]], str]]:
    return {
        "reception": (_c(ReceptionEntry), "received_at"),
        "repairs": (_c(RepairOrder), "reported_at"),
        "complaints": (_c(Complaint), "received_at"),
    }


def building_of(room: str) -> str:
    """The building of a room code ("3-1202" -> "3"); no room means a public area."""
    room = room.strip()
    if not room:
        return PUBLIC
    return room.split("-", 1)[0] if "-" in room else room


def _spread(
    ctx: Ctx, period: Period
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    """Counts per channel and per building, each split by register."""
    channels: dict[str, dict[str, int]] = {}
    buildings: dict[str, dict[str, int]] = {}
    for register, (table, received) in _room_tables().items():
        where = _within(table[received], period)
        for channel, n in _grouped(ctx, table.channel, where).items():
            channels.setdefault(channel, {})[register] = n
        # grouped by room in SQL (one row per unit at most), folded into buildings here
        for room, n in _grouped(ctx, table.room, where).items():
            row = buildings.setdefault(building_of(room), {})
            row[register] = row.get(register, 0) + n
    return _by_total(channels), _by_total(buildings)


def _by_total(rows: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    return dict(sorted(rows.items(), key=lambda item: (-sum(item[1].values()), item[0])))


def _repeats(ctx: Ctx, period: Period) -> tuple[Repeat, ...]:
    found: list[Repeat] = []
    for register, table, received in (
        ("repairs", _c(RepairOrder), "reported_at"),
        ("complaints", _c(Complaint), "received_at"),
    ):
        statement = (
            select(table.room, table.category, func.count())
            .where(_within(table[received], period), table.room != "")
            .group_by(table.room, table.category)
            .having(func.count() >= REPEAT_AT_LEAST)
        )
        for room, category, n in _run(ctx, statement):
            found.append(Repeat(register, room, category, int(n)))
    return tuple(sorted(found, key=lambda r: (-r.count, r.room, r.register, r.category)))


def top(counts: Iterable[tuple[str, int]], limit: int = 3) -> list[tuple[str, int]]:
    """The most frequent (key, count) pairs, ties by key."""
    return sorted(counts, key=lambda item: (-item[1], item[0]))[:limit]


def monthly(ctx: Ctx, start: datetime | Period, end: datetime | None = None) -> Report:
    """Every figure of the period [start, end) (or of a `Period`), as of `ctx.now`."""
    if isinstance(start, Period):
        period = start
    else:
        assert end is not None
        last = (end - timedelta(microseconds=1)).astimezone(ctx.tz).date()
        period = Period(start.astimezone(ctx.tz).date(), last, start, end)
    repairs = _repairs(ctx, period)
    complaints = _complaints(ctx, period)
    keys = _keys(ctx, period)
    passes = _passes(ctx, period)
    renovations = _renovations(ctx, period)
    cards = _cards(ctx, period)
    reception = _one(ctx, func.count(), where=_within(ReceptionEntry.received_at, period))[0]
    done, due, _ = callbacks.completion_rate(ctx, period.start, min(period.end, ctx.now))
    channels, buildings = _spread(ctx, period)
    return Report(
        period=period,
        built_at=ctx.now,
        volume={
            "reception": reception,
            "repairs": repairs.reported,
            "complaints": complaints.received,
            "keys": keys.loans,
            "passes": passes.issued,
            "renovations": renovations.applications,
        },
        by_channel=channels,
        by_building=buildings,
        repairs=repairs,
        complaints=complaints,
        callbacks=Rate(done, due),
        repeats=_repeats(ctx, period),
        keys=keys,
        passes=passes,
        renovations=renovations,
        cards=cards,
        owner_changes=_owner_changes(ctx, period),
        incidents=_incidents(ctx, period),
        findings=stats_findings.findings_figures(ctx, period),
        fees=fees.figures(ctx, period.start, period.end),
        move_ins=stats_move_ins.move_in_figures(ctx, period),
        services=stats_services.services_figures(ctx, period),
    )
