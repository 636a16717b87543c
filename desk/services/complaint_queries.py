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


def due_kind(complaint: Complaint) -> str:
    """What the complaint owes next: escalation, reply, resolve, callback (or "")."""
    if complaint.state == ComplaintState.resolved:
        return "callback" if complaint.callback_due_at else ""
    if complaint.state not in HANDLING_STATES:
        return ""
    if complaint.escalation_due_at is not None and complaint.escalated_at is None:
        return "escalation"
    if complaint.reply_due_at is not None and complaint.replied_at is None:
        return "reply"
    return "resolve" if complaint.resolve_due_at is not None else ""


def due_at(complaint: Complaint) -> datetime | None:
    """The time the next duty (see `due_kind`) falls due."""
    return {
        "escalation": complaint.escalation_due_at,
        "reply": complaint.reply_due_at,
        "resolve": complaint.resolve_due_at,
        "callback": complaint.callback_due_at,
    }.get(due_kind(complaint))


def overdue(complaint: Complaint, now: datetime) -> bool:
    due = due_at(complaint)
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
