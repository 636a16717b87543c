"""Register 17: paid convenience and entrusted services (便民服务 / 委托服务 / 有偿服务, 000 五; 004
家政保洁 and 增值服务回访).

A booking agrees the details with the resident (what, how much, when, the price, the result
expected: 000 五.3) → sent to the department head (五.4), due `send_within` after the agreement
→ done at the agreed time (late when after it plus `late_after`) → accepted by the resident, or
redone at a new agreed time, round after round → paid, the amount the agreed price and a receipt
number → called back on the shared callback queue within `callback_within` → closed. A price,
time or quantity changed before the work is done is a new agreement, with the resident's consent
(`reagree`); a booking is cancelled with a reason before the work is done.

Each step is a row of `LIFECYCLE`; every write is audited under the register "services".
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlmodel import select

from desk.config import ServiceItem
from desk.models import RoundResult, ServiceBooking, ServiceRound, ServiceState
from desk.services import audit, callback_step
from desk.services.callback_step import CallbackResult
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.lifecycle import Lifecycle, Step
from desk.services.limits import clean_column
from desk.services.numbering import next_number
from desk.services.paid_service_queries import (
    AT_WORK,
    CANCELLABLE,
    PREFIX,
    REGISTER,
    awaiting_callback,
    canonical_number,
    due_today,
    find,
    get,
    is_late,
    late,
    late_at,
    listing,
    rounds_of,
    to_collect,
    to_send,
)
from desk.services.residents import clean_phone, find_unit
from desk.services.submission import Submission, gather
from desk.services.when import happened, plausible

__all__ = [
    "PREFIX",
    "REGISTER",
    "awaiting_callback",
    "canonical_number",
    "due_today",
    "find",
    "get",
    "is_late",
    "late",
    "listing",
    "rounds_of",
    "to_collect",
    "to_send",
]

S = ServiceState
# the most of one unit a booking may agree (a bigger number is a typing mistake)
MAX_QUANTITY = Decimal(100_000)
# a price above this (fen) is a typing mistake
MAX_PRICE_FEN = 100_000_000

LIFECYCLE: Lifecycle[ServiceState] = Lifecycle(
    "services_error.not_now",
    {
        "reagree": Step((S.agreed, S.sent), to=S.agreed, refusal="services_error.cannot_reagree"),
        "send": Step((S.agreed,), to=S.sent, refusal="services_error.cannot_send"),
        "done": Step(AT_WORK, to=S.done, refusal="services_error.cannot_done"),
        "accept": Step((S.done,), to=S.accepted, refusal="services_error.cannot_accept"),
        "redo": Step((S.done,), to=S.redo, refusal="services_error.cannot_redo"),
        "pay": Step((S.accepted,), to=S.paid, refusal="services_error.cannot_pay"),
        "call_back": Step((S.paid,), refusal="services_error.cannot_call_back"),
        "close": Step((S.called_back,), to=S.closed, refusal="services_error.cannot_close"),
        "cancel": Step(CANCELLABLE, to=S.cancelled, refusal="services_error.cannot_cancel"),
    },
    state_words="services_state",
)


def allowed_actions(found: ServiceBooking | None) -> frozenset[str]:
    """The steps (LIFECYCLE's names) a screen offers for this booking now."""
    return LIFECYCLE.offered(found)


def _step(ctx: Ctx, booking_id: int, action: str) -> ServiceBooking:
    return LIFECYCLE.take(ctx, action, lambda: get(ctx, booking_id))


def _move(ctx: Ctx, found: ServiceBooking, action: str, event: str, data: dict[str, Any]) -> None:
    LIFECYCLE.move(ctx, found, action, REGISTER, event, data)


# --- field checks ---------------------------------------------------------------------------


def _text(value: str, column: str, *, required: bool = False, field: str | None = None) -> str:
    return clean_column(value, ServiceBooking, column, field=field, required=required)


def _item(ctx: Ctx, key: str) -> ServiceItem:
    if not key.strip():
        raise DeskError("field.required", field="service")
    found = ctx.settings.services.item(key.strip())
    if found is None:
        raise DeskError("services_error.unknown_service", field="service", service=key)
    return found


def quantity_of(typed: str) -> Decimal:
    """How much, as typed: a number above 0 with at most 2 decimals."""
    text = typed.strip()
    if not text:
        raise DeskError("field.required", field="quantity")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise DeskError("services_error.bad_quantity", field="quantity", value=text) from None
    if not value.is_finite() or value <= 0 or value > MAX_QUANTITY or value != round(value, 2):
        raise DeskError("services_error.bad_quantity", field="quantity", value=text)
    return value


def list_price(item: ServiceItem, quantity: Decimal) -> int:
    """The list's price for `quantity` units, in fen (half a fen up)."""
    return int((item.price_fen * quantity).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _price(fen: int) -> int:
    if fen < 0:
        raise DeskError("field.negative_money", field="price")
    if fen > MAX_PRICE_FEN:
        raise DeskError("field.bad_money", field="price", value=f"{fen / 100:.2f}")
    return fen


def _agreed_for(ctx: Ctx, moment: datetime | None, field: str = "agreed_for") -> datetime:
    """The time agreed for the work: given, and not already past."""
    if moment is None:
        raise DeskError("field.required", field=field)
    found = plausible(moment, field)
    if found < ctx.now:
        raise DeskError("services_error.time_past", field=field)
    return found


def _unit(ctx: Ctx, room: str) -> str:
    typed = _text(room, "room", required=True)
    found = find_unit(ctx, typed)
    if found is None:
        raise DeskError("services_error.unknown_room", field="room", room=typed)
    return found.code


# --- booking ---------------------------------------------------------------------------------


class BookingIn(Submission):
    """The details agreed with the resident (000 五.3)."""

    room: str = ""
    resident: str = ""
    phone: str = ""
    service: str = ""
    quantity: str = ""
    # fen; None: the list's price times the quantity
    price_fen: int | None = None
    agreed_for: datetime | None = None
    expected_result: str = ""
    note: str = ""


def book(ctx: Ctx, data: BookingIn) -> ServiceBooking:
    """Record a booking as agreed with the resident; it is due to go to the department head
    within the site's `send_within`."""
    checked = gather(
        {
            "room": lambda: _unit(ctx, data.room),
            "resident": lambda: _text(data.resident, "resident", required=True),
            "phone": lambda: clean_phone(data.phone, required=True),
            "service": lambda: _item(ctx, data.service),
            "quantity": lambda: quantity_of(data.quantity),
            "price": lambda: None if data.price_fen is None else _price(data.price_fen),
            "agreed_for": lambda: _agreed_for(ctx, data.agreed_for),
            "expected_result": lambda: _text(
                data.expected_result, "expected_result", required=True
            ),
            "note": lambda: _text(data.note, "note"),
        }
    )
    item: ServiceItem = checked["service"]
    quantity: Decimal = checked["quantity"]
    listed = list_price(item, quantity)
    price = listed if checked["price"] is None else checked["price"]
    found = ServiceBooking(
        number=next_number(ctx, PREFIX),
        room=checked["room"],
        resident=checked["resident"],
        phone=checked["phone"],
        service=item.key,
        service_name=item.zh_CN,
        unit=item.unit_zh_CN,
        department=item.department,
        quantity=str(quantity),
        price_fen=price,
        agreed_for=checked["agreed_for"],
        due_at=checked["agreed_for"],
        expected_result=checked["expected_result"],
        note=checked["note"],
        agreed_at=ctx.now,
        agreed_with=checked["resident"],
        send_due_at=ctx.due(ctx.now, ctx.settings.services.send_within),
        operator_id=ctx.acting(),
        created_at=ctx.now,
    )
    ctx.session.add(found)
    ctx.session.flush()
    audit.record(
        ctx,
        REGISTER,
        found.id,
        "booked",
        {
            "room": found.room,
            "service": found.service,
            "quantity": found.quantity,
            "price_fen": price,
            "list_price_fen": listed,
            "agreed_for": found.agreed_for,
            "expected_result": found.expected_result,
        },
    )
    return found


class AgreementIn(Submission):
    """A new agreement: what changes (quantity, price, time, result), and who agreed to it."""

    quantity: str = ""
    price_fen: int | None = None
    agreed_for: datetime | None = None
    expected_result: str = ""
    agreed_with: str = ""


def agreement_of(found: ServiceBooking) -> AgreementIn:
    return AgreementIn(
        quantity=found.quantity,
        price_fen=found.price_fen,
        agreed_for=found.agreed_for,
        expected_result=found.expected_result,
    )


def reagree(ctx: Ctx, booking_id: int, data: AgreementIn) -> ServiceBooking:
    """Change the agreed details before the work is done, with the resident's consent (who
    agreed): a new agreement, numbered; a booking already sent goes back to be sent again."""
    found = _step(ctx, booking_id, "reagree")
    checked = gather(
        {
            "quantity": lambda: quantity_of(data.quantity),
            "price": lambda: _price(found.price_fen if data.price_fen is None else data.price_fen),
            "agreed_for": lambda: _agreed_for(ctx, data.agreed_for),
            "expected_result": lambda: _text(
                data.expected_result, "expected_result", required=True
            ),
            "agreed_with": lambda: _text(data.agreed_with, "agreed_with", required=True),
        }
    )
    was = {
        "quantity": found.quantity,
        "price_fen": found.price_fen,
        "agreed_for": found.agreed_for,
        "expected_result": found.expected_result,
    }
    found.quantity = str(checked["quantity"])
    found.price_fen = checked["price"]
    found.agreed_for = found.due_at = checked["agreed_for"]
    found.expected_result = checked["expected_result"]
    found.agreed_with = checked["agreed_with"]
    found.agreed_at = ctx.now
    found.agreement += 1
    found.sent_at, found.head = None, ""
    found.send_due_at = ctx.due(ctx.now, ctx.settings.services.send_within)
    now = {
        "quantity": found.quantity,
        "price_fen": found.price_fen,
        "agreed_for": found.agreed_for,
        "expected_result": found.expected_result,
    }
    data_out = {"agreement": found.agreement, "agreed_with": found.agreed_with, "was": was, **now}
    _move(ctx, found, "reagree", "reagreed", data_out)
    return found


def send(ctx: Ctx, booking_id: int, head: str) -> ServiceBooking:
    """Tell the department head (000 五.4), who sends someone at the agreed time."""
    found = _step(ctx, booking_id, "send")
    found.head = _text(head, "head", required=True)
    found.sent_at = ctx.now
    data = {
        "head": found.head,
        "department": found.department,
        "late": ctx.now > (found.send_due_at or ctx.now),
    }
    _move(ctx, found, "send", "sent", data)
    return found


class DoneIn(Submission):
    worker: str = ""
    done_at: datetime | None = None


def done(ctx: Ctx, booking_id: int, data: DoneIn) -> ServiceBooking:
    """The work done (a round): on time, or late against the time agreed for this round."""
    found = _step(ctx, booking_id, "done")
    checked = gather(
        {
            "worker": lambda: clean_column(data.worker, ServiceRound, "worker", required=True),
            "done_at": lambda: happened(data.done_at, ctx.now, "done_at"),
        }
    )
    if checked["done_at"] < found.agreed_at:
        raise DeskError("services_error.before_agreed", field="done_at")
    when_done: datetime = checked["done_at"]
    was_late = when_done > late_at(ctx, found.due_at)
    found.rounds += 1
    ctx.session.add(
        ServiceRound(
            booking_id=booking_id,
            round=found.rounds,
            due_at=found.due_at,
            done_at=when_done,
            worker=checked["worker"],
            late=was_late,
            operator_id=ctx.acting(),
            created_at=ctx.now,
        )
    )
    if found.rounds == 1:
        found.late = was_late
    found.done_at = when_done
    data_out = {
        "round": found.rounds,
        "worker": checked["worker"],
        "done_at": when_done,
        "late": was_late,
    }
    _move(ctx, found, "done", "done", data_out)
    return found


def _last_round(ctx: Ctx, found: ServiceBooking) -> ServiceRound:
    return rounds_of(ctx, found.id or 0)[-1]


def accept(ctx: Ctx, booking_id: int, accepted_by: str) -> ServiceBooking:
    """The resident accepts the work (验收合格): it may now be paid."""
    found = _step(ctx, booking_id, "accept")
    name = _text(accepted_by, "accepted_by", required=True)
    last = _last_round(ctx, found)
    last.result, last.result_at = RoundResult.accepted, ctx.now
    ctx.session.add(last)
    found.accepted_at, found.accepted_by = ctx.now, name
    _move(ctx, found, "accept", "accepted", {"round": last.round, "accepted_by": name})
    return found


def redo(ctx: Ctx, booking_id: int, reason: str, redo_for: datetime | None) -> ServiceBooking:
    """The resident does not accept: why, and the time agreed for the work to be redone."""
    found = _step(ctx, booking_id, "redo")
    checked = gather(
        {
            "reason": lambda: clean_column(
                reason, ServiceRound, "result_note", field="reason", required=True
            ),
            "redo_for": lambda: _agreed_for(ctx, redo_for, "redo_for"),
        }
    )
    last = _last_round(ctx, found)
    last.result, last.result_at = RoundResult.redo, ctx.now
    last.result_note = checked["reason"]
    ctx.session.add(last)
    found.due_at = checked["redo_for"]
    data = {"round": last.round, "reason": checked["reason"], "redo_for": found.due_at}
    _move(ctx, found, "redo", "redo", data)
    return found


def pay(ctx: Ctx, booking_id: int, amount_fen: int, receipt: str) -> ServiceBooking:
    """Take the agreed price after the acceptance, with the receipt's number (开具票据); the
    callback (增值服务回访) is then due within the site's `callback_within`. An amount other
    than the agreed price is refused: a new price needs a new agreement before the work."""
    found = _step(ctx, booking_id, "pay")
    checked = gather(
        {
            "amount": lambda: _paid(found, amount_fen),
            "receipt": lambda: _receipt(ctx, found, receipt),
        }
    )
    found.paid_fen, found.receipt, found.paid_at = checked["amount"], checked["receipt"], ctx.now
    found.callback_due_at = ctx.due(ctx.now, ctx.settings.services.callback_within)
    data = {
        "paid_fen": found.paid_fen,
        "receipt": found.receipt,
        "callback_due_at": found.callback_due_at,
    }
    _move(ctx, found, "pay", "paid", data)
    return found


def _receipt(ctx: Ctx, found: ServiceBooking, typed: str) -> str:
    """The receipt's number: one receipt is one payment (not another booking's of the estate)."""
    number = _text(typed, "receipt", required=True)
    statement = select(ServiceBooking).where(
        ServiceBooking.receipt == number, ServiceBooking.id != found.id
    )
    used = ctx.session.exec(statement).first()
    if used is not None:
        raise DeskError(
            "services_error.receipt_used", field="receipt", receipt=number, number=used.number
        )
    return number


def _paid(found: ServiceBooking, amount_fen: int) -> int:
    if amount_fen != found.price_fen:
        raise DeskError(
            "services_error.not_agreed_price",
            field="amount",
            agreed=f"{found.price_fen / 100:.2f}",
            typed=f"{amount_fen / 100:.2f}",
        )
    return amount_fen


def call_back(ctx: Ctx, booking_id: int, result: CallbackResult) -> ServiceBooking:
    """The callback (增值服务回访): reached, the resident's word is kept and the booking may be
    closed; not reached, the retry time is set and it stays on the queue."""
    found = _step(ctx, booking_id, "call_back")
    note = callback_step.checked_note(ctx, result, ServiceBooking)
    if not callback_step.take(ctx, REGISTER, found, result, note):
        return found
    found.state = S.called_back
    _move(ctx, found, "call_back", "called_back", {"satisfied": result.satisfied, "note": note})
    return found


def close(ctx: Ctx, booking_id: int) -> ServiceBooking:
    """Close a booking whose callback reached the resident."""
    found = _step(ctx, booking_id, "close")
    found.closed_at = ctx.now
    _move(ctx, found, "close", "closed", {})
    return found


def cancel(ctx: Ctx, booking_id: int, reason: str) -> ServiceBooking:
    """Cancel a booking before the work is done, saying why."""
    found = _step(ctx, booking_id, "cancel")
    found.cancel_reason = _text(reason, "cancel_reason", field="reason", required=True)
    found.cancelled_at = ctx.now
    _move(ctx, found, "cancel", "cancelled", {"reason": found.cancel_reason})
    return found
