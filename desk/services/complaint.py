"""Register 3: complaints — register, judge, escalate, assign, reply, resolve, call back, close."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import col, select

from desk.models import (
    OPEN_COMPLAINT_STATES,
    AuditEvent,
    Channel,
    Complaint,
    ComplaintState,
    ReceptionEntry,
    Severity,
    Validity,
)
from desk.services import audit, fetch, reception, roles
from desk.services.complaint_queries import (
    CLOSED_COMPLAINT_STATES,
    HANDLING_STATES,
    awaiting_callback,
    due_at,
    due_kind,
    escalated_late,
    open_complaints,
    overdue,
    recent,
    recently_closed,
)
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.lifecycle import Lifecycle, Step
from desk.services.limits import clean_column
from desk.services.numbering import next_number
from desk.services.repair import CallbackResult
from desk.services.residents import clean_phone, clean_text, normalise_room, storable
from desk.services.submission import Submission
from desk.services.when import happened, plausible

__all__ = [
    "CLOSED_COMPLAINT_STATES",
    "HANDLING_STATES",
    "ComplaintCreate",
    "awaiting_callback",
    "due_at",
    "due_kind",
    "escalated_late",
    "open_complaints",
    "overdue",
    "recent",
    "recently_closed",
]

REGISTER = "complaints"
PREFIX = "TS"
# verdicts that close a complaint without handling it (supervisor only)
DISMISSALS = (Validity.invalid, Validity.out_of_scope)


class ComplaintCreate(Submission):
    received_at: datetime | None = None
    channel: Channel = Channel.phone
    complainant: str = ""
    room: str = ""
    phone: str = ""
    category: str = "other"
    department: str = ""
    person_complained: str = ""
    what_happened: str = ""
    resident_asks: str = ""
    severity: Severity = Severity.minor
    resident_deadline_at: datetime | None = None
    reception_id: int | None = None


def from_reception(entry: ReceptionEntry) -> ComplaintCreate:
    """The complaint a complaint made at the desk becomes, filled in from the entry."""
    return ComplaintCreate(
        received_at=entry.received_at,
        channel=entry.channel,
        complainant=entry.person,
        room=entry.room,
        phone=entry.phone,
        what_happened=entry.request,
        reception_id=entry.id,
    )


def get(ctx: Ctx, complaint_id: int) -> Complaint:
    return fetch.get(ctx, Complaint, complaint_id)


def by_number(ctx: Ctx, number: str) -> Complaint | None:
    return fetch.by_number(ctx, Complaint, number)


S = ComplaintState
ANSWERING = (S.judged, S.assigned, S.replied)  # judged valid, not yet resolved
# The lifecycle of a complaint: each step, the states it is taken from, where it leads, who may.
LIFECYCLE: Lifecycle[ComplaintState] = Lifecycle(
    "complaint.bad_state",
    {
        "judge": Step((S.registered, S.judged), to=S.judged),
        "dismiss": Step((S.registered, S.judged), to=S.closed, who=roles.COMPLAINT_DISMISS),
        "merge": Step(OPEN_COMPLAINT_STATES, to=S.merged),
        # reported up: a judged complaint counts as assigned
        "escalate": Step(HANDLING_STATES),
        # only a valid complaint is assigned (refused "judge it first" before it is judged)
        "assign": Step(HANDLING_STATES, to=S.assigned, offered_in=ANSWERING),
        "reply": Step(ANSWERING, to=S.replied),
        "resolve": Step(ANSWERING, to=S.resolved),
        # satisfied: closed; not satisfied: reopened; not reached: stays, retried
        "callback": Step((S.resolved,)),
        "reopen": Step((S.resolved, S.closed)),
        # offered once a callback is due or done; early, pressing it says why not
        "close": Step(
            OPEN_COMPLAINT_STATES,
            to=S.closed,
            who=roles.COMPLAINT_CLOSE,
            offer_if=lambda c: c.state == S.resolved or c.callback_at is not None,
        ),
    },
)


def allowed_actions(complaint: Complaint | None) -> frozenset[str]:
    """The lifecycle steps (LIFECYCLE's names) a screen offers for this complaint."""
    return LIFECYCLE.offered(complaint)


def _require_valid(complaint: Complaint) -> None:
    if complaint.validity != Validity.valid:
        raise DeskError("complaint.judge_first", number=complaint.number)


def _when(ctx: Ctx, moment: datetime | None, field: str) -> datetime:
    return happened(moment, ctx.now, field)


def _department(ctx: Ctx, key: str, field: str) -> str:
    key = key.strip()
    if key and ctx.settings.department(key) is None:
        raise DeskError("field.unknown_department", field=field, value=key)
    return key


def _deadlines(ctx: Ctx, complaint: Complaint, start: datetime) -> None:
    """Set escalation, reply and resolve due times from `start` by the complaint's table."""
    rule = ctx.settings.complaint_rule(complaint.severity, complaint.deadline_table)
    complaint.escalation_due_at = ctx.due(start, rule.escalate) if rule.escalate else None
    complaint.reply_due_at = ctx.due(start, rule.reply) if rule.reply else None
    resolve = ctx.due(start, rule.resolve)
    own = complaint.resident_deadline_at
    if rule.resident_deadline and own is not None and own < resolve:
        resolve = own
    complaint.resolve_due_at = resolve


def _deadline_data(complaint: Complaint) -> dict[str, Any]:
    return {
        "severity": complaint.severity,
        "escalation_due_at": complaint.escalation_due_at,
        "reply_due_at": complaint.reply_due_at,
        "resolve_due_at": complaint.resolve_due_at,
    }


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """Values an audit event can hold inside a nested dict (times as ISO text)."""
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in data.items()}


def register(ctx: Ctx, data: ComplaintCreate) -> Complaint:
    """Register a complaint; whoever takes it owns it (首接负责制) and its deadlines start now."""
    received = _when(ctx, data.received_at, "received_at")
    category = ctx.settings.complaint_category(data.category)
    if category is None:
        raise DeskError("complaint.unknown_category", field="category", value=data.category)
    deadline = data.resident_deadline_at
    if deadline is not None and plausible(deadline, "resident_deadline_at") <= received:
        raise DeskError("complaint.deadline_before_received", field="resident_deadline_at")
    if data.reception_id is not None:
        reception.linkable(ctx, data.reception_id)  # refused before anything refers to it
    owner = ctx.acting()
    complaint = Complaint(
        number=next_number(ctx, PREFIX),
        received_at=received,
        channel=Channel(data.channel),
        complainant=clean_column(data.complainant, Complaint, "complainant"),
        room=normalise_room(clean_column(data.room, Complaint, "room")),
        phone=clean_phone(data.phone),
        category=category.key,
        department=_department(ctx, data.department, "department"),
        person_complained=clean_column(data.person_complained, Complaint, "person_complained"),
        what_happened=clean_column(data.what_happened, Complaint, "what_happened", required=True),
        resident_asks=clean_column(data.resident_asks, Complaint, "resident_asks"),
        owner_id=owner,
        severity=Severity(data.severity),
        deadline_table=ctx.settings.complaints.deadline_table,
        resident_deadline_at=data.resident_deadline_at,
        reception_id=data.reception_id,
        operator_id=owner,
        created_at=ctx.now,
    )
    _deadlines(ctx, complaint, received)
    ctx.session.add(complaint)
    ctx.session.flush()
    audit.record(
        ctx,
        REGISTER,
        complaint.id,
        "registered",
        {**data.model_dump(exclude_none=True), **_deadline_data(complaint)},
    )
    if data.reception_id is not None:
        assert complaint.id is not None
        reception.link(ctx, data.reception_id, REGISTER, complaint.id)
    return complaint


def find_repeat(
    ctx: Ctx, room: str, category: str, exclude_id: int | None = None
) -> Complaint | None:
    """An open complaint from the same room about the same category (the newest), if any."""
    code = normalise_room(room)
    if not code or not storable(code):
        return None
    statement = select(Complaint).where(
        Complaint.room == code,
        Complaint.category == category,
        col(Complaint.state).in_(OPEN_COMPLAINT_STATES),
    )
    if exclude_id is not None:
        statement = statement.where(Complaint.id != exclude_id)
    return ctx.session.exec(statement.order_by(col(Complaint.received_at).desc())).first()


def merge(ctx: Ctx, complaint_id: int, into_id: int, reason: str = "") -> Complaint:
    """The newer complaint repeats an open one: it is kept, marked merged, and points to it."""
    if complaint_id == into_id:
        raise DeskError("complaint.merge_self")
    complaint, into = get(ctx, complaint_id), get(ctx, into_id)
    LIFECYCLE.require(complaint, "merge")
    LIFECYCLE.require(into, "merge")
    why = clean_column(reason, Complaint, "close_reason", field="reason")
    complaint.state = ComplaintState.merged
    complaint.merged_into_id = into_id
    complaint.closed_at = ctx.now
    complaint.close_reason = why
    ctx.session.add(complaint)
    audit.record(ctx, REGISTER, complaint.id, "merged", {"into": into.number}, reason=why)
    audit.record(ctx, REGISTER, into.id, "merged_from", {"from": complaint.number}, reason=why)
    return complaint


def _restart_from(ctx: Ctx, complaint: Complaint) -> datetime:
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


def judge(
    ctx: Ctx,
    complaint_id: int,
    validity: Validity | str,
    note: str,
    severity: Severity | None = None,
) -> Complaint:
    """Valid (optionally re-graded), invalid (the standard answer given) or out of scope.

    Invalid and out of scope close the complaint unhandled: a supervisor's verdict, whose note is
    the reason kept in the history.
    """
    verdict = Validity(validity)
    if verdict in DISMISSALS:
        LIFECYCLE.permit(ctx, "dismiss")
    complaint = get(ctx, complaint_id)
    LIFECYCLE.require(complaint, "judge")
    if verdict == Validity.pending:
        raise DeskError("complaint.choose_validity", field="validity")
    required = verdict != Validity.valid
    complaint.validity = verdict
    complaint.validity_note = clean_column(note, Complaint, "validity_note", required=required)
    data: dict[str, Any] = {"validity": verdict, "note": complaint.validity_note}
    if verdict == Validity.valid:
        complaint.state = ComplaintState.judged
        if severity is not None and Severity(severity) != complaint.severity:
            data["was"] = _plain(_deadline_data(complaint))
            complaint.severity = Severity(severity)
            _deadlines(ctx, complaint, _restart_from(ctx, complaint))
            data.update(_deadline_data(complaint))
    else:
        complaint.state = ComplaintState.closed
        complaint.closed_at = ctx.now
        complaint.close_reason = complaint.validity_note
    ctx.session.add(complaint)
    why = complaint.validity_note if verdict in DISMISSALS else ""
    audit.record(ctx, REGISTER, complaint.id, "judged", data, reason=why)
    return complaint


def escalate(ctx: Ctx, complaint_id: int, to_whom: str, at: datetime | None = None) -> Complaint:
    """Report the complaint up (to the office head, a department head); the time is recorded."""
    complaint = get(ctx, complaint_id)
    LIFECYCLE.require(complaint, "escalate")
    complaint.escalated_to = clean_column(to_whom, Complaint, "escalated_to", required=True)
    escalated = _when(ctx, at, "escalated_at")
    if escalated < complaint.received_at:
        raise DeskError("complaint.before_received", field="escalated_at")
    complaint.escalated_at = escalated
    if complaint.state == ComplaintState.judged:
        complaint.state = ComplaintState.assigned
    late = complaint.escalation_due_at is not None and escalated > complaint.escalation_due_at
    ctx.session.add(complaint)
    audit.record(
        ctx,
        REGISTER,
        complaint.id,
        "escalated",
        {"to": complaint.escalated_to, "at": escalated, "late": late},
    )
    return complaint


def assign(ctx: Ctx, complaint_id: int, department: str) -> Complaint:
    """Hand a valid complaint to the department that will deal with it."""
    complaint = get(ctx, complaint_id)
    LIFECYCLE.require(complaint, "assign")
    _require_valid(complaint)
    key = _department(ctx, department, "assigned_department")
    if not key:
        raise DeskError("field.required", field="assigned_department")
    complaint.assigned_department = key
    complaint.assigned_at = ctx.now
    if complaint.state == ComplaintState.judged:
        complaint.state = ComplaintState.assigned
    ctx.session.add(complaint)
    audit.record(ctx, REGISTER, complaint.id, "assigned", {"department": key})
    return complaint


def reply(ctx: Ctx, complaint_id: int, text: str) -> Complaint:
    """The clear answer given to the resident (the first one stops the reply clock)."""
    complaint = get(ctx, complaint_id)
    LIFECYCLE.require(complaint, "reply")
    complaint.reply_text = clean_column(text, Complaint, "reply_text", required=True)
    complaint.replied_at = complaint.replied_at or ctx.now
    complaint.state = ComplaintState.replied
    ctx.session.add(complaint)
    audit.record(ctx, REGISTER, complaint.id, "replied", {"text": complaint.reply_text})
    return complaint


def resolve(ctx: Ctx, complaint_id: int, resolution: str) -> Complaint:
    """Handled: what was done; the callback now falls due."""
    complaint = get(ctx, complaint_id)
    LIFECYCLE.require(complaint, "resolve")
    complaint.resolution = clean_column(resolution, Complaint, "resolution", required=True)
    complaint.resolved_at = ctx.now
    complaint.callback_due_at = ctx.due(ctx.now, ctx.settings.complaints.callback)
    complaint.state = ComplaintState.resolved
    ctx.session.add(complaint)
    audit.record(
        ctx,
        REGISTER,
        complaint.id,
        "resolved",
        {"resolution": complaint.resolution, "callback_due_at": complaint.callback_due_at},
    )
    return complaint


def _reopen(ctx: Ctx, complaint: Complaint, reason: str, data: dict[str, Any]) -> None:
    """Back to handling; deadlines restart now, the old ones and answers stay in the history."""
    data = {
        **data,
        "was": _plain(
            {
                **_deadline_data(complaint),
                "reply_text": complaint.reply_text,
                "resolution": complaint.resolution,
                "state": complaint.state,
            }
        ),
    }
    if complaint.validity == Validity.valid:
        assigned = complaint.assigned_department or complaint.escalated_to
        complaint.state = ComplaintState.assigned if assigned else ComplaintState.judged
    else:
        complaint.state = ComplaintState.registered
        complaint.validity = Validity.pending
    complaint.reopen_count += 1
    complaint.replied_at = complaint.resolved_at = complaint.closed_at = None
    complaint.reply_text = complaint.resolution = complaint.close_reason = ""
    complaint.callback_due_at = None
    escalation_due = complaint.escalation_due_at
    _deadlines(ctx, complaint, ctx.now)
    if complaint.escalated_at is not None:
        # already reported up: escalation is not owed again, and its lateness stays judged
        complaint.escalation_due_at = escalation_due
    data.update(_deadline_data(complaint))
    ctx.session.add(complaint)
    audit.record(ctx, REGISTER, complaint.id, "reopened", data, reason=reason)


def call_back(ctx: Ctx, complaint_id: int, result: CallbackResult) -> Complaint:
    """Record the callback: satisfied closes, not satisfied reopens, not reached sets a retry."""
    complaint = get(ctx, complaint_id)
    LIFECYCLE.require(complaint, "callback")
    note = clean_column(result.note, Complaint, "callback_note", field="note")
    if not result.reached:
        if result.retry_at is None or plausible(result.retry_at, "retry_at") <= ctx.now:
            raise DeskError("callback.retry_required", field="retry_at")
        complaint.callback_due_at = result.retry_at
        ctx.session.add(complaint)
        audit.record(
            ctx,
            REGISTER,
            complaint.id,
            "callback_missed",
            {"retry_at": result.retry_at, "note": note},
        )
        return complaint
    if result.satisfied is None:
        raise DeskError("callback.satisfaction_required", field="satisfied")
    if not result.satisfied and not note:
        raise DeskError("callback.reason_required", field="note")
    complaint.callback_at = ctx.now
    complaint.callback_note = note
    complaint.satisfied = result.satisfied
    if result.satisfied:
        complaint.state = ComplaintState.closed
        complaint.closed_at = ctx.now
        ctx.session.add(complaint)
        audit.record(ctx, REGISTER, complaint.id, "called_back", {"satisfied": True, "note": note})
    else:
        _reopen(ctx, complaint, note, {"satisfied": False})
    return complaint


def reopen(ctx: Ctx, complaint_id: int, reason: str) -> Complaint:
    """The resident brings new facts about a resolved or closed complaint."""
    complaint = get(ctx, complaint_id)
    LIFECYCLE.require(complaint, "reopen")
    why = clean_text(reason, 500, field="reason", required=True)
    _reopen(ctx, complaint, why, {"new_facts": True})
    return complaint


def close(ctx: Ctx, complaint_id: int, reason: str) -> Complaint:
    """Close after a callback (e.g. the office's final position after a dissatisfied one).

    A satisfied callback closes a complaint by itself; closing one otherwise is a supervisor's.
    """
    LIFECYCLE.permit(ctx, "close")
    complaint = get(ctx, complaint_id)
    LIFECYCLE.require(complaint, "close")
    if complaint.callback_at is None:
        raise DeskError("complaint.close_needs_callback", number=complaint.number)
    complaint.close_reason = clean_column(
        reason, Complaint, "close_reason", field="reason", required=True
    )
    complaint.state = ComplaintState.closed
    complaint.closed_at = ctx.now
    ctx.session.add(complaint)
    audit.record(ctx, REGISTER, complaint.id, "closed", reason=complaint.close_reason)
    return complaint
