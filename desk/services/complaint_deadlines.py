"""When a complaint's duties fall due: escalation, reply and resolution, from the site's table for
its severity (desk.config), set at registration, re-run when it is re-graded, restarted when it
is reopened. What is owed next and whether it is late: desk.services.complaint_queries.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import col, select

from desk.models import AuditEvent, Complaint, Severity
from desk.services.context import Ctx

REGISTER = "complaints"


def set_deadlines(ctx: Ctx, complaint: Complaint, start: datetime) -> None:
    """Set escalation, reply and resolve due times from `start` by the complaint's table."""
    rule = ctx.settings.complaint_rule(complaint.severity, complaint.deadline_table)
    complaint.escalation_due_at = ctx.due(start, rule.escalate) if rule.escalate else None
    complaint.reply_due_at = ctx.due(start, rule.reply) if rule.reply else None
    resolve = ctx.due(start, rule.resolve)
    own = complaint.resident_deadline_at
    if rule.resident_deadline and own is not None and own < resolve:
        resolve = own
    complaint.resolve_due_at = resolve


def deadline_data(complaint: Complaint) -> dict[str, Any]:
    """The severity and due times, as the history keeps them."""
    return {
        "severity": complaint.severity,
        "escalation_due_at": complaint.escalation_due_at,
        "reply_due_at": complaint.reply_due_at,
        "resolve_due_at": complaint.resolve_due_at,
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
    """Reopened: the deadlines run again from now, but escalation is not owed twice."""
    escalation_due = complaint.escalation_due_at
    set_deadlines(ctx, complaint, ctx.now)
    if complaint.escalated_at is not None:
        # already reported up: escalation is not owed again, and its lateness stays judged
        complaint.escalation_due_at = escalation_due
