"""Register 3: complaints — register, judge, escalate, assign, reply, resolve, call back, close."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from desk.models import OPEN_COMPLAINT_STATES, Complaint, ComplaintState, Severity, Validity
from desk.services import audit, callback_step, complaint_deadlines, fetch, roles
from desk.services.callback_step import CallbackResult
from desk.services.complaint_deadlines import deadline_data, regrade, restart_deadlines
from desk.services.complaint_intake import (
    ComplaintCreate,
    department_key,
    find_repeat,
    from_reception,
    register,
)
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
from desk.services.residents import clean_text
from desk.services.submission import gather
from desk.services.when import happened

__all__ = [
    "CLOSED_COMPLAINT_STATES",
    "HANDLING_STATES",
    "ComplaintCreate",
    "awaiting_callback",
    "due_at",
    "due_kind",
    "escalated_late",
    "find_repeat",
    "from_reception",
    "open_complaints",
    "overdue",
    "recent",
    "recently_closed",
    "register",
]

REGISTER = complaint_deadlines.REGISTER  # "complaints"
# verdicts that close a complaint without handling it (supervisor only)
DISMISSALS = (Validity.invalid, Validity.out_of_scope)


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
        # the steps of desk.services.complaint_steps (004, 002):
        # harm still going on is stopped first; offered while it goes on
        "harm_stopped": Step(
            OPEN_COMPLAINT_STATES,
            offer_if=lambda c: (
                getattr(c, "harm_ongoing", False) and getattr(c, "harm_stopped_at", None) is None
            ),
        ),
        # the department's own answer (refused before it was dispatched to one)
        "answered": Step(ANSWERING),
        # the resident told the department's answer the same day (refused before the answer)
        "told": Step((*ANSWERING, S.resolved)),
        # past the normal limit of a table with an "at most" one: the resident is told
        "late_notice": Step(
            HANDLING_STATES,
            offer_if=lambda c: (
                getattr(c, "late_notice_due_at", None) is not None
                and getattr(c, "late_notice_at", None) is None
            ),
        ),
    },
)


def allowed_actions(complaint: Complaint | None) -> frozenset[str]:
    """The lifecycle steps (LIFECYCLE's names) a screen offers for this complaint."""
    return LIFECYCLE.offered(complaint)


def _require_valid(complaint: Complaint) -> None:
    if complaint.validity != Validity.valid:
        raise DeskError("complaint.judge_first", number=complaint.number)


def merge(ctx: Ctx, complaint_id: int, into_id: int, reason: str = "") -> Complaint:
    """The newer complaint repeats an open one: it is kept, marked merged, and points to it."""
    if complaint_id == into_id:
        raise DeskError("complaint.merge_self")
    complaint, into = get(ctx, complaint_id), get(ctx, into_id)
    if complaint.estate_id != into.estate_id:  # the call-centre desk sees every estate's
        raise DeskError("complaint.merge_other_estate")
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
            regrade(ctx, complaint, Severity(severity), data)
    else:
        complaint.state = ComplaintState.closed
        complaint.closed_at = ctx.now
        complaint.close_reason = complaint.validity_note
    ctx.session.add(complaint)
    why = complaint.validity_note if verdict in DISMISSALS else ""
    audit.record(ctx, REGISTER, complaint.id, "judged", data, reason=why)
    return complaint


def _escalated_at(ctx: Ctx, complaint: Complaint, at: datetime | None) -> datetime:
    """When it was reported up: not after now, nor before the complaint came in."""
    escalated = happened(at, ctx.now, "escalated_at")
    if escalated < complaint.received_at:
        raise DeskError("complaint.before_received", field="escalated_at")
    return escalated


def escalate(ctx: Ctx, complaint_id: int, to_whom: str, at: datetime | None = None) -> Complaint:
    """Report the complaint up to a role or person on the site's list (escalation_roles: the
    office head, a department head), kept by its key; the time is recorded."""
    complaint = get(ctx, complaint_id)
    LIFECYCLE.require(complaint, "escalate")

    def role_key() -> str:
        named = clean_column(to_whom, Complaint, "escalated_to", required=True)
        role = ctx.settings.escalation_role(named)
        if role is None:
            raise DeskError("complaint.not_an_escalation_role", field="escalated_to", value=named)
        return role.key

    # whom and when are checked together, each refusal beside its field
    checked = gather(
        {
            "escalated_to": role_key,
            "escalated_at": lambda: _escalated_at(ctx, complaint, at),
        }
    )
    escalated: datetime = checked["escalated_at"]
    complaint.escalated_to, complaint.escalated_at = checked["escalated_to"], escalated
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
    key = department_key(ctx, department, "assigned_department")
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
        "was": {
            **deadline_data(complaint),
            "reply_text": complaint.reply_text,
            "resolution": complaint.resolution,
            "state": complaint.state,
        },
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
    restart_deadlines(ctx, complaint)
    data.update(deadline_data(complaint))
    ctx.session.add(complaint)
    audit.record(ctx, REGISTER, complaint.id, "reopened", data, reason=reason)


def call_back(ctx: Ctx, complaint_id: int, result: CallbackResult) -> Complaint:
    """Record the callback: satisfied closes, not satisfied reopens, not reached sets a retry."""
    complaint = get(ctx, complaint_id)
    LIFECYCLE.require(complaint, "callback")
    note = callback_step.checked_note(ctx, result, Complaint)
    if not callback_step.take(ctx, REGISTER, complaint, result, note):
        return complaint
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
