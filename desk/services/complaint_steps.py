"""The complaint steps the source documents add to the register's lifecycle (LIFECYCLE in
desk.services.complaint): harm stopped first (004 「先制止」), the department's answer and the
resident told of it the same day (004 「当日完成」, DOMAIN: "the result is reported to the
resident the same day the department answers"), and the late notice past the desk table's
normal limit (002 「超过期限，应主动回复客户」).
"""

from __future__ import annotations

from datetime import datetime

from desk.models import Complaint
from desk.services import audit
from desk.services.complaint import LIFECYCLE, REGISTER, get
from desk.services.complaint_deadlines import same_day
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.limits import clean_column
from desk.services.residents import clean_text
from desk.services.when import happened

NOTE_LENGTH = 500


def _when(ctx: Ctx, complaint: Complaint, at: datetime | None, field: str) -> datetime:
    moment = happened(at, ctx.now, field)
    if moment < complaint.received_at:
        raise DeskError("complaint.before_received", field=field)
    return moment


def harm_stopped(ctx: Ctx, complaint_id: int, at: datetime | None = None) -> Complaint:
    """The harm the complaint is about has been stopped (the handling itself goes on)."""
    complaint = get(ctx, complaint_id)
    LIFECYCLE.require(complaint, "harm_stopped")
    if not complaint.harm_ongoing:
        raise DeskError("complaint.no_harm", number=complaint.number)
    if complaint.harm_stopped_at is not None:
        raise DeskError("complaint.harm_already_stopped", number=complaint.number)
    complaint.harm_stopped_at = _when(ctx, complaint, at, "harm_stopped_at")
    ctx.session.add(complaint)
    audit.record(ctx, REGISTER, complaint.id, "harm_stopped", {"at": complaint.harm_stopped_at})
    return complaint


def answered(ctx: Ctx, complaint_id: int, note: str = "", at: datetime | None = None) -> Complaint:
    """The department it was dispatched to (or the head it was escalated to) has answered; the
    resident is owed the answer the same day (told_due_at)."""
    complaint = get(ctx, complaint_id)
    LIFECYCLE.require(complaint, "answered")
    handed = [m for m in (complaint.assigned_at, complaint.escalated_at) if m is not None]
    if not handed:
        raise DeskError("complaint.not_dispatched", number=complaint.number)
    if complaint.department_answered_at is not None:
        raise DeskError("complaint.already_answered", number=complaint.number)
    text = clean_text(note, NOTE_LENGTH, field="note")
    moment = _when(ctx, complaint, at, "department_answered_at")
    if moment < min(handed):
        raise DeskError("complaint.answer_before_dispatch", field="department_answered_at")
    complaint.department_answered_at = moment
    complaint.told_due_at = same_day(ctx, moment)
    ctx.session.add(complaint)
    data = {"at": moment, "note": text, "told_due_at": complaint.told_due_at}
    audit.record(ctx, REGISTER, complaint.id, "department_answered", data)
    return complaint


def told(ctx: Ctx, complaint_id: int, note: str = "", at: datetime | None = None) -> Complaint:
    """The resident has been told the department's answer (late once past told_due_at)."""
    complaint = get(ctx, complaint_id)
    LIFECYCLE.require(complaint, "told")
    answer = complaint.department_answered_at
    if answer is None:
        raise DeskError("complaint.told_before_answer", number=complaint.number)
    if complaint.told_at is not None:
        raise DeskError("complaint.already_told", number=complaint.number)
    text = clean_text(note, NOTE_LENGTH, field="note")
    moment = _when(ctx, complaint, at, "told_at")
    if moment < answer:
        raise DeskError("complaint.told_before_answer", number=complaint.number, field="told_at")
    complaint.told_at = moment
    late = complaint.told_due_at is not None and moment > complaint.told_due_at
    ctx.session.add(complaint)
    data = {"at": moment, "note": text, "late": late}
    audit.record(ctx, REGISTER, complaint.id, "resident_told", data)
    return complaint


def late_notice(ctx: Ctx, complaint_id: int, note: str) -> Complaint:
    """The resident told that the complaint will take longer (and until when): owed past the
    normal limit of a table with an "at most" one; the complaint is overdue past "at most"."""
    complaint = get(ctx, complaint_id)
    LIFECYCLE.require(complaint, "late_notice")
    if complaint.late_notice_due_at is None:
        raise DeskError("complaint.no_late_notice", number=complaint.number)
    if complaint.late_notice_at is not None:
        raise DeskError("complaint.late_notice_sent", number=complaint.number)
    text = clean_column(note, Complaint, "late_notice_note", field="note", required=True)
    complaint.late_notice_at = ctx.now
    complaint.late_notice_note = text
    ctx.session.add(complaint)
    data = {"note": text, "resolve_due_at": complaint.resolve_due_at}
    audit.record(ctx, REGISTER, complaint.id, "late_notice", data)
    return complaint
