"""When a complaint's duties fall due: escalation, reply and resolution, from the site's table for
its severity (desk.config), set at registration, re-run when it is re-graded, restarted when it
is reopened. What is owed next and whether it is late: desk.services.complaint_queries.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlmodel import col, select

from desk.models import AuditEvent, Complaint, Severity
from desk.services.context import Ctx
from desk.services.deadlines import Duration

REGISTER = "complaints"
SAME_DAY = "same_day"


def minimum(ctx: Ctx) -> timedelta:
    """The working time "the same day" always leaves (the site's same_day_minimum)."""
    spec = Duration.parse(ctx.settings.complaints.same_day_minimum)
    return timedelta(minutes=spec.amount * (60 if spec.unit == "h" else 1))


def same_day(ctx: Ctx, start: datetime) -> datetime:
    """The end of `start`'s day, if that day still has the site's minimum of time in office
    hours after `start`; otherwise the next opening plus that minimum (never earlier than
    `start`: a complaint received at 23:59 is due the next morning).

    Every day has its office hours here, weekends and holidays too: the desk is staffed every
    day and "the same day" (000, 004) is a calendar day; a major complaint on a Saturday is
    not left for Monday. Working-day deadlines ("3wd") keep to the working calendar.
    """
    rules, tz = ctx.settings.complaints, ctx.tz
    local = start.astimezone(tz)
    day = local.date()
    least = minimum(ctx)
    opens = datetime.combine(day, rules.office_opens, tzinfo=tz)
    closes = datetime.combine(day, rules.office_closes, tzinfo=tz)
    if closes - max(local, opens) >= least:
        return datetime.combine(day, time(23, 59, 59), tzinfo=tz).astimezone(start.tzinfo)
    if local < opens:  # office hours shorter than the minimum: from the opening
        return (opens + least).astimezone(start.tzinfo)
    opening = datetime.combine(day + timedelta(days=1), rules.office_opens, tzinfo=tz)
    return (opening + least).astimezone(start.tzinfo)


def due(ctx: Ctx, start: datetime, spec: str) -> datetime:
    """When a complaint duty of `spec` begun at `start` falls due ("same_day": `same_day`)."""
    return same_day(ctx, start) if spec.strip() == SAME_DAY else ctx.due(start, spec)


def set_deadlines(ctx: Ctx, complaint: Complaint, start: datetime) -> None:
    """Set escalation, dispatch, reply and resolve due times from `start` by the complaint's
    table. With an "at most" limit (resolve_max, 002) the normal limit is when a late notice
    is owed and the complaint is overdue only past "at most". A minor complaint takes the
    resident's own deadline when they asked for one, earlier or later than the table's."""
    rule = ctx.settings.complaint_rule(complaint.severity, complaint.deadline_table)
    complaint.escalation_due_at = due(ctx, start, rule.escalate) if rule.escalate else None
    complaint.assign_due_at = same_day(ctx, start)  # 004 「接到投诉立即派发转交，当日完成」
    complaint.reply_due_at = due(ctx, start, rule.reply) if rule.reply else None
    resolve = due(ctx, start, rule.resolve)
    at_most = due(ctx, start, rule.resolve_max) if rule.resolve_max else None
    own = complaint.resident_deadline_at
    if rule.resident_deadline and own is not None:
        resolve = own
        at_most = max(own, at_most) if at_most is not None else None
    if at_most is not None and at_most > resolve:
        complaint.late_notice_due_at, complaint.resolve_due_at = resolve, at_most
    else:
        complaint.late_notice_due_at, complaint.resolve_due_at = None, resolve


def deadline_data(complaint: Complaint) -> dict[str, Any]:
    """The severity and due times, as the history keeps them."""
    return {
        "severity": complaint.severity,
        "escalation_due_at": complaint.escalation_due_at,
        "reply_due_at": complaint.reply_due_at,
        "resolve_due_at": complaint.resolve_due_at,
        "assign_due_at": complaint.assign_due_at,
        "late_notice_due_at": complaint.late_notice_due_at,
    }


def restart_from(ctx: Ctx, complaint: Complaint) -> datetime:
    """When the complaint's deadlines run from: received, or its last reopening."""
    statement = (
        select(AuditEvent.at)
        .where(
            AuditEvent.register_name == REGISTER,
            AuditEvent.record_id == complaint.id,
            AuditEvent.action == "reopened",
        )
        .order_by(col(AuditEvent.id).desc())
    )
    last = ctx.session.exec(statement).first()
    return last or complaint.received_at


def regrade(ctx: Ctx, complaint: Complaint, severity: Severity, data: dict[str, Any]) -> None:
    """A new severity: its deadlines re-run from `restart_from`; `data` gets the old and new."""
    data["was"] = deadline_data(complaint)
    complaint.severity = severity
    set_deadlines(ctx, complaint, restart_from(ctx, complaint))
    data.update(deadline_data(complaint))


def restart_deadlines(ctx: Ctx, complaint: Complaint) -> None:
    """Reopened: the deadlines run again from now, but escalation is not owed twice; the
    department answers, the resident is told (and sent a late notice) again."""
    escalation_due = complaint.escalation_due_at
    complaint.department_answered_at = complaint.told_due_at = complaint.told_at = None
    complaint.late_notice_at = None
    complaint.late_notice_note = ""
    set_deadlines(ctx, complaint, ctx.now)
    if complaint.escalated_at is not None:
        # already reported up: escalation is not owed again, and its lateness stays judged
        complaint.escalation_due_at = escalation_due
