"""Complaint queries that change nothing: what is owed next and when, and the register's lists."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select

from desk.models import OPEN_COMPLAINT_STATES, Complaint, ComplaintState
from desk.models.base import literal_in, literal_is
from desk.services.context import Ctx

# Where a valid complaint is being handled: the states in which it can be escalated, assigned,
# answered and resolved.
HANDLING_STATES = (
    ComplaintState.registered,
    ComplaintState.judged,
    ComplaintState.assigned,
    ComplaintState.replied,
)
CLOSED_COMPLAINT_STATES = (ComplaintState.closed, ComplaintState.merged)


# --- deadlines ---------------------------------------------------------------------------


def due_kind(complaint: Complaint, now: datetime | None = None) -> str:
    """What the complaint owes next: harm (stop it first), escalation, assign (dispatch),
    told (the department's answer to the resident), reply, late_notice (past the normal limit
    of a table with an "at most" one, at `now`), resolve, callback (or "")."""
    ongoing = complaint.harm_ongoing and complaint.harm_stopped_at is None
    if ongoing and complaint.state in OPEN_COMPLAINT_STATES:
        return "harm"
    if complaint.state == ComplaintState.resolved:
        if complaint.told_due_at is not None and complaint.told_at is None:
            return "told"
        return "callback" if complaint.callback_due_at else ""
    if complaint.state not in HANDLING_STATES:
        return ""
    if complaint.escalation_due_at is not None and complaint.escalated_at is None:
        return "escalation"
    if _dispatch_owed(complaint):
        return "assign"
    if complaint.told_due_at is not None and complaint.told_at is None:
        return "told"
    if complaint.reply_due_at is not None and complaint.replied_at is None:
        return "reply"
    if late_notice_owed(complaint, now):
        return "late_notice"
    return "resolve" if complaint.resolve_due_at is not None else ""


def _dispatch_owed(complaint: Complaint) -> bool:
    """Handed to no department yet (escalated counts as handed over, as for its state; an
    answer already given to the resident excuses it)."""
    waiting = (ComplaintState.registered, ComplaintState.judged, ComplaintState.assigned)
    return (
        complaint.assign_due_at is not None
        and complaint.assigned_at is None
        and complaint.escalated_at is None
        and complaint.state in waiting
    )


def late_notice_owed(complaint: Complaint, now: datetime | None) -> bool:
    """Past the normal limit (002), unresolved, and the resident not yet sent a late notice."""
    due = complaint.late_notice_due_at
    return (
        now is not None
        and due is not None
        and now >= due
        and complaint.late_notice_at is None
        and complaint.state in HANDLING_STATES
    )


def resolve_due_at(complaint: Complaint) -> datetime | None:
    """When the complaint should be resolved: the normal limit until a late notice is sent (or
    owed), then the "at most" one."""
    if complaint.late_notice_due_at is not None and complaint.late_notice_at is None:
        return complaint.late_notice_due_at
    return complaint.resolve_due_at


def due_at(complaint: Complaint, now: datetime | None = None) -> datetime | None:
    """The time the next duty (see `due_kind`) falls due; stopping harm is due at once."""
    return {
        "harm": complaint.received_at,
        "escalation": complaint.escalation_due_at,
        "assign": complaint.assign_due_at,
        "told": complaint.told_due_at,
        "reply": complaint.reply_due_at,
        # owed now; the complaint is overdue only past the "at most" limit
        "late_notice": complaint.resolve_due_at,
        "resolve": resolve_due_at(complaint),
        "callback": complaint.callback_due_at,
    }.get(due_kind(complaint, now))


def overdue(complaint: Complaint, now: datetime) -> bool:
    due = due_at(complaint, now)
    return due is not None and due < now


def escalated_late(complaint: Complaint) -> bool:
    due, done = complaint.escalation_due_at, complaint.escalated_at
    return due is not None and done is not None and done > due


# --- lists -------------------------------------------------------------------------------


def open_complaints(ctx: Ctx, limit: int = 500, *, newest_first: bool = False) -> list[Complaint]:
    """The open complaints, oldest first (a list on screen: `newest_first`, the newest `limit`)."""
    received = col(Complaint.received_at)
    statement = (
        select(Complaint)
        .where(literal_in(col(Complaint.state), OPEN_COMPLAINT_STATES))
        .order_by(received.desc() if newest_first else received)
        .limit(limit)
    )
    return list(ctx.session.exec(statement))


def awaiting_callback(ctx: Ctx, limit: int = 500) -> list[Complaint]:
    """Resolved complaints whose resident is still to be called back, soonest due first."""
    statement = (
        select(Complaint)
        .where(literal_is(col(Complaint.state), ComplaintState.resolved))
        .order_by(col(Complaint.callback_due_at), col(Complaint.id))
        .limit(limit)
    )
    return list(ctx.session.exec(statement))


def recent(
    ctx: Ctx, limit: int = 200, states: tuple[ComplaintState, ...] | None = None
) -> list[Complaint]:
    statement = select(Complaint).order_by(col(Complaint.received_at).desc()).limit(limit)
    if states:
        statement = statement.where(col(Complaint.state).in_(states))
    return list(ctx.session.exec(statement))


def recently_closed(ctx: Ctx, limit: int = 100) -> list[Complaint]:
    """Closed and merged complaints, the most recently finished first."""
    statement = (
        select(Complaint)
        .where(col(Complaint.state).in_(CLOSED_COMPLAINT_STATES))
        .order_by(col(Complaint.closed_at).desc(), col(Complaint.id).desc())
        .limit(limit)
    )
    return list(ctx.session.exec(statement))
