"""The callback step (回访) repairs and complaints share: what the call found, refused when it says
too little, and a call that did not get through set to be tried again. What a satisfied or a
dissatisfied call then does is each register's own (closes; back to maintenance, or reopened).
"""

from __future__ import annotations

from datetime import datetime

from desk.models import Complaint, RepairOrder, ServiceBooking
from desk.services import audit
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.limits import clean_column
from desk.services.submission import Submission, gather
from desk.services.when import plausible


class CallbackResult(Submission):
    reached: bool = True
    satisfied: bool | None = None
    note: str = ""
    retry_at: datetime | None = None


def _found(ctx: Ctx, result: CallbackResult) -> None:
    """What the call found, as a clerk must say it: when to try again when nobody answered,
    whether they were satisfied when someone did."""
    if not result.reached:
        if result.retry_at is None or plausible(result.retry_at, "retry_at") <= ctx.now:
            raise DeskError("callback.retry_required", field="retry_at")
    elif result.satisfied is None:
        raise DeskError("callback.satisfaction_required", field="satisfied")


def checked_note(
    ctx: Ctx, result: CallbackResult, model: type[Complaint | RepairOrder | ServiceBooking]
) -> str:
    """The call's note cleaned for `model`, checked with what the call found: every refusal at
    once, each beside its field. A dissatisfied resident's words are wanted."""
    checked = gather(
        {
            "note": lambda: clean_column(result.note, model, "callback_note", field="note"),
            "found": lambda: _found(ctx, result),
        }
    )
    note: str = checked["note"]
    if result.reached and not result.satisfied and not note:
        raise DeskError("callback.reason_required", field="note")
    return note


def take(
    ctx: Ctx,
    register: str,
    record: Complaint | RepairOrder | ServiceBooking,
    result: CallbackResult,
    note: str,
) -> bool:
    """Record the call on `record` (`note` from `checked_note`): False when nobody answered (the
    retry is set and kept in the history), True when it got through (who said what is set)."""
    if not result.reached:
        record.callback_due_at = result.retry_at
        ctx.session.add(record)
        audit.record(
            ctx, register, record.id, "callback_missed", {"retry_at": result.retry_at, "note": note}
        )
        return False
    record.callback_at = ctx.now
    record.callback_note = note
    record.satisfied = result.satisfied
    return True
