"""Register 6: the shift handover — open, count, sign off (PIN), acknowledge or refuse (PIN).

The outgoing operator opens the handover of the current shift; the desk pulls in everything
open (`desk.services.summary`); signing off freezes it (`handover_summary`). The incoming operator
acknowledges it with their own PIN (the handover is then final) or refuses with a reason, and
the shift stays open until someone takes it over.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlmodel import col, select

from desk.config import ChecklistItem, Shift
from desk.i18n import current_language, t
from desk.models import Handover, HandoverState, Operator
from desk.services import audit, fetch, operators
from desk.services.context import Ctx
from desk.services.errors import DeskError, FieldErrors
from desk.services.handover_summary import build, checks, holders, restamp, summary
from desk.services.lifecycle import Lifecycle, Step
from desk.services.limits import clean_column
from desk.services.residents import clean_text
from desk.services.shifts import bounds, current_shift
from desk.services.submission import Submission

__all__ = ["build", "checks", "holders", "summary"]

REGISTER = "handover"
S = HandoverState
NOT_SIGNED_OFF = "handover_ui.error.not_signed_off"
EDITABLE = (S.open, S.refused)
# The lifecycle of a handover: the outgoing operator fills it in and signs it off; the incoming
# one acknowledges it (final) or refuses it, which opens it again to the outgoing operator.
LIFECYCLE: Lifecycle[HandoverState] = Lifecycle(
    "handover_ui.error.not_editable",
    {
        "update": Step(EDITABLE, refusal="handover_ui.error.frozen"),
        "sign_off": Step(EDITABLE, to=S.signed_off),
        "acknowledge": Step((S.signed_off,), to=S.acknowledged, refusal=NOT_SIGNED_OFF),
        "refuse": Step((S.signed_off,), to=S.refused, refusal=NOT_SIGNED_OFF),
    },
    state_words="handover_ui.state",
)


class CheckCount(Submission):
    key: str
    counted: int | None = None
    holder: str = ""


class HandoverUpdate(Submission):
    """What the outgoing operator fills in before signing off."""

    checks: list[CheckCount] = []
    desk_cleaned: bool = False
    log_read: bool = False
    notes: str = ""
    watch: str = ""


# --- shifts ------------------------------------------------------------------------------


def shift_window(
    ctx: Ctx, shift: Shift, moment: datetime | None = None
) -> tuple[datetime, datetime]:
    """Start and end of the run of `shift` that contains (or last began before) `moment`."""
    local = (moment or ctx.now).astimezone(ctx.tz)
    day: date = local.date()
    start_t, end_t = bounds(ctx.settings, shift, day)
    overnight = end_t <= start_t
    if local.time() < start_t:
        day -= timedelta(days=1)
        start_t, end_t = bounds(ctx.settings, shift, day)
    start = datetime.combine(day, start_t, tzinfo=ctx.tz)
    end_day = day + timedelta(days=1) if overnight else day
    return start, datetime.combine(end_day, end_t, tzinfo=ctx.tz)


def current(ctx: Ctx) -> tuple[Shift, datetime, datetime]:
    """The shift the clock is in, with its start and end (the first shift when none matches)."""
    shift = current_shift(ctx.settings, ctx.now) or _fallback_shift(ctx)
    start, end = shift_window(ctx, shift)
    return shift, start, end


def _fallback_shift(ctx: Ctx) -> Shift:
    if ctx.settings.shifts:
        return ctx.settings.shifts[0]
    return Shift(key="day", zh_CN="值班", en="Duty", start=time(0, 0), end=time(0, 0))


# --- reading -----------------------------------------------------------------------------


def get(ctx: Ctx, handover_id: int) -> Handover:
    return fetch.get(ctx, Handover, handover_id)


def pending(ctx: Ctx) -> Handover | None:
    """The latest handover not yet acknowledged (open, signed off or refused), if any."""
    statement = (
        select(Handover)
        .where(Handover.state != HandoverState.acknowledged)
        .order_by(col(Handover.shift_start).desc(), col(Handover.id).desc())
    )
    return ctx.session.exec(statement).first()


def last(ctx: Ctx) -> Handover | None:
    """The most recently acknowledged handover (else the latest of any state)."""
    done = ctx.session.exec(
        select(Handover)
        .where(Handover.state == HandoverState.acknowledged)
        .order_by(col(Handover.acknowledged_at).desc(), col(Handover.id).desc())
    ).first()
    return done or ctx.session.exec(select(Handover).order_by(col(Handover.id).desc())).first()


def history(ctx: Ctx, limit: int = 100) -> list[Handover]:
    statement = select(Handover).order_by(col(Handover.shift_start).desc(), col(Handover.id).desc())
    return list(ctx.session.exec(statement.limit(limit)))


# --- the lifecycle -----------------------------------------------------------------------


def open_handover(ctx: Ctx) -> Handover:
    """The handover still pending (a shift not yet taken over), or a new one for this shift."""
    found = pending(ctx)
    if found is not None:
        return found
    shift, start, end = current(ctx)
    if _taken_over(ctx, start):
        # Handed over before its end (the night to the morning clerk at 08:05): what is open
        # now is the next shift's, not a second handover of the one already taken over.
        following = current_shift(ctx.settings, end)
        if following is not None:
            shift = following
            start, end = shift_window(ctx, shift, end)
    handover = Handover(
        shift_key=shift.key,
        shift_start=start,
        shift_end=end,
        outgoing_id=ctx.acting(),
        opened_at=ctx.now,
        created_at=ctx.now,
    )
    ctx.session.add(handover)
    ctx.session.flush()
    audit.record(ctx, REGISTER, handover.id, "opened", {"shift": shift.key, "start": start})
    return handover


def _taken_over(ctx: Ctx, shift_start: datetime) -> bool:
    """The shift that began at `shift_start` has been handed over and acknowledged."""
    found = ctx.session.exec(
        select(Handover.id).where(
            Handover.shift_start == shift_start, Handover.state == HandoverState.acknowledged
        )
    ).first()
    return found is not None


def _row(known: dict[str, ChecklistItem], check: CheckCount) -> dict[str, Any]:
    """One checklist line as kept: its item's words and expected count, what was counted."""
    item = known.get(check.key)
    if item is None:
        raise DeskError("handover_ui.error.unknown_item", item=check.key)
    if check.counted is not None and check.counted < 0:
        raise DeskError("handover_ui.error.bad_count", item=item.label(current_language()))
    most = max(2 * item.expected, item.expected + 10)  # a few found besides: not thousands
    if check.counted is not None and check.counted > most:
        raise DeskError(
            "handover_ui.error.too_many",
            item=item.label(current_language()),
            expected=item.expected,
            most=most,
        )
    return {
        "key": item.key,
        "zh_CN": item.zh_CN,
        "en": item.en,
        "expected": item.expected,
        "counted": check.counted,
        "holder": clean_text(check.holder, 60, field="holder"),
    }


def update(ctx: Ctx, handover_id: int, data: HandoverUpdate) -> Handover:
    """Save the checklist counts, notes and things to watch (before signing off)."""
    handover = get(ctx, handover_id)
    LIFECYCLE.require(handover, "update")
    known = {item.key: item for item in ctx.settings.handover.checklist}
    # every line and text is checked, and every refusal said at once (each names its item)
    rows: list[dict[str, Any]] = []
    refused: list[DeskError] = []
    for check in data.checks:
        try:
            rows.append(_row(known, check))
        except DeskError as error:
            refused.append(error)
    texts: dict[str, str] = {}
    for name in ("notes", "watch"):
        try:
            texts[name] = clean_column(getattr(data, name), Handover, name)
        except DeskError as error:
            refused.append(error)
    if refused:
        raise FieldErrors.of(refused)
    handover.checklist = json.dumps(rows, ensure_ascii=False)
    handover.desk_cleaned, handover.log_read = data.desk_cleaned, data.log_read
    handover.notes, handover.watch = texts["notes"], texts["watch"]
    ctx.session.add(handover)
    audit.record(ctx, REGISTER, handover.id, "updated", data.model_dump())
    return handover


def sign_off(ctx: Ctx, handover_id: int, pin: str) -> Handover:
    """The outgoing operator (the one signed in) signs the handover with their PIN."""
    handover = get(ctx, handover_id)
    LIFECYCLE.require(handover, "sign_off")
    name = ctx.operator.name if ctx.operator is not None else ""
    outgoing = operators.confirm_pin(ctx, ctx.operator, name, pin, "handover_ui.error.wrong_pin")
    lang = current_language()
    for check in checks(ctx, handover):
        if check.counted is None:
            raise DeskError("handover_ui.error.not_counted", item=check.label(lang))
        if check.missing and not check.holder:
            raise DeskError("handover_ui.error.holder_needed", item=check.label(lang))
    if ctx.settings.handover.require_desk_cleaned and not handover.desk_cleaned:
        raise DeskError("handover_ui.error.desk_not_cleaned")
    assert outgoing.id is not None
    handover.outgoing_id = outgoing.id
    handover.state = HandoverState.signed_off
    handover.signed_off_at = ctx.now
    handover.summary = build(ctx, handover).to_json()
    ctx.session.add(handover)
    audit.record(ctx, REGISTER, handover.id, "signed_off")
    return handover


def _incoming(ctx: Ctx, handover: Handover, action: str, name: str, pin: str) -> Operator:
    LIFECYCLE.require(handover, action)
    # an unknown name is answered as a wrong PIN, after as long: which names exist is not told
    incoming = operators.confirm_pin(
        ctx, operators.named(ctx, name), name, pin, "handover_ui.error.wrong_pin"
    )
    if incoming.id == handover.outgoing_id:
        raise DeskError("handover_ui.error.same_person", field="incoming")
    return incoming


def acknowledge(
    ctx: Ctx, handover_id: int, incoming_name: str, pin: str, *, log_read: bool = True
) -> Handover:
    """The incoming operator takes the shift over; the handover is final from now on."""
    handover = get(ctx, handover_id)
    incoming = _incoming(ctx, handover, "acknowledge", incoming_name, pin)
    if ctx.settings.handover.require_log_read and not (log_read or handover.log_read):
        raise DeskError("handover_ui.error.log_not_read")
    handover.incoming_id = incoming.id
    handover.state = HandoverState.acknowledged
    handover.acknowledged_at = ctx.now
    handover.log_read = True
    restamp(
        handover,
        state=handover.state,
        incoming=incoming.name,
        acknowledged_at=ctx.now,
        log_read=True,
    )
    ctx.session.add(handover)
    audit.record(ctx, REGISTER, handover.id, "acknowledged", {"incoming": incoming.name})
    return handover


def refuse(ctx: Ctx, handover_id: int, incoming_name: str, pin: str, reason: str) -> Handover:
    """The incoming operator refuses (e.g. the desk is not clean); the shift stays open."""
    handover = get(ctx, handover_id)
    reason = clean_column(reason, Handover, "refusal_reason", required=True)
    incoming = _incoming(ctx, handover, "refuse", incoming_name, pin)
    handover.incoming_id = incoming.id
    handover.state = HandoverState.refused
    handover.refused_at = ctx.now
    handover.refusal_reason = reason
    restamp(
        handover,
        state=handover.state,
        incoming=incoming.name,
        refused_at=ctx.now,
        refusal_reason=reason,
    )
    ctx.session.add(handover)
    audit.record(ctx, REGISTER, handover.id, "refused", {"incoming": incoming.name}, reason=reason)
    return handover


def board_notice(ctx: Ctx, now: datetime | None = None) -> str | None:
    """What the board says about a shift nobody has taken over yet (None when all is well)."""
    now = now or ctx.now
    waiting = pending(ctx)
    if waiting is not None and waiting.shift_end <= now:
        return _notice(ctx, waiting.shift_key, waiting.shift_start, waiting.state)
    if ctx.session.exec(select(Handover.id)).first() is None:
        return None  # the site does not use handovers yet
    _shift, start, _ = current(Ctx(ctx.session, ctx.operator, ctx.settings, now))
    previous = _previous_shift(ctx, start)
    if previous is None:
        return None
    key, previous_start = previous
    return (
        None if _taken_over(ctx, previous_start) else _notice(ctx, key, previous_start, "missing")
    )


def _previous_shift(ctx: Ctx, start: datetime) -> tuple[str, datetime] | None:
    """The shift that ended when the current one began."""
    before = start - timedelta(minutes=1)
    shift = current_shift(ctx.settings, before)
    if shift is None:
        return None
    return shift.key, shift_window(ctx, shift, before)[0]


def _notice(ctx: Ctx, key: str, start: datetime, state: str) -> str:
    shift = next((s for s in ctx.settings.shifts if s.key == key), None)
    label = shift.label(current_language()) if shift else key
    day = start.astimezone(ctx.tz).strftime("%m-%d")
    return t(f"handover_ui.notice.{state}", shift=label, day=day)
