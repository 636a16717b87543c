"""Reading paid-service bookings (便民服务 / 有偿服务): by id or number, lists, the site's list of
services, and what is owed next (the board and the handover)."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from sqlmodel import col, select

from desk.config import ServiceItem, Settings
from desk.models import OPEN_SERVICE_STATES, ServiceBooking, ServiceRound, ServiceState
from desk.services import estates, fetch
from desk.services.context import Ctx
from desk.services.open_item import OpenItem

REGISTER = "services"
PREFIX = "FW"
# an estate other than the default one puts its code first: HG-FW-20261123-007
_NUMBER = re.compile(r"^(?:([A-Z0-9]{2,8}?)FW|FW)(\d{8})(\d{3,4})$")

S = ServiceState
# a booking may be cancelled (with a reason) until the work is done
CANCELLABLE = (S.agreed, S.sent)
# the work is owed by the department: due at `due_at`
AT_WORK = (S.sent, S.redo)


def get(ctx: Ctx, booking_id: int) -> ServiceBooking:
    return fetch.get(ctx, ServiceBooking, booking_id)


def canonical_number(typed: str, estate: str = "") -> str | None:
    """`FW-20261123-007` (`HG-FW-…` in estate HG) from what was typed, any case, dashes or not."""
    compact = re.sub(r"[^0-9A-Z]", "", typed.upper())
    match = _NUMBER.match(compact)
    if match is None:
        return None
    code = match.group(1) or estate
    start = f"{code}-" if code else ""
    return f"{start}{PREFIX}-{match.group(2)}-{match.group(3)}"


def find(ctx: Ctx, number: str) -> ServiceBooking | None:
    """The booking with this number as typed, or None."""
    here = estates.number_prefix(ctx).rstrip("-") if estates.chosen(ctx) else ""
    canonical = canonical_number(number, here)
    if canonical is None:
        return None
    return fetch.by_number(ctx, ServiceBooking, canonical)


def rounds_of(ctx: Ctx, booking_id: int) -> list[ServiceRound]:
    statement = (
        select(ServiceRound)
        .where(ServiceRound.booking_id == booking_id)
        .order_by(col(ServiceRound.round), col(ServiceRound.id))
    )
    return list(ctx.session.exec(statement))


def listing(ctx: Ctx, *, open_only: bool = False, limit: int = 500) -> list[ServiceBooking]:
    """Bookings, the newest first; `open_only`: those not closed or cancelled."""
    statement = select(ServiceBooking)
    if open_only:
        statement = statement.where(col(ServiceBooking.state).in_(OPEN_SERVICE_STATES))
    statement = statement.order_by(
        col(ServiceBooking.created_at).desc(), col(ServiceBooking.id).desc()
    )
    return list(ctx.session.exec(statement.limit(limit)))


def item_of(settings: Settings, key: str) -> ServiceItem | None:
    return settings.services.item(key)


def late_at(ctx: Ctx, due_at: datetime) -> datetime:
    """After this moment the work due at `due_at` is late (the site's `late_after` grace)."""
    return ctx.due(due_at, ctx.settings.services.late_after)


def is_late(ctx: Ctx, booking: ServiceBooking) -> bool:
    """Owed by the department and past its agreed time plus the grace."""
    return booking.state in AT_WORK and late_at(ctx, booking.due_at) < ctx.now


def _day_bounds(ctx: Ctx) -> tuple[datetime, datetime]:
    local = ctx.now.astimezone(ctx.tz)
    start = datetime.combine(local.date(), time.min, ctx.tz)
    return start, start + timedelta(days=1)


def due_today(ctx: Ctx) -> list[ServiceBooking]:
    """Bookings whose work is due today (agreed or sent, or a redo), the soonest first."""
    start, end = _day_bounds(ctx)
    statement = (
        select(ServiceBooking)
        .where(col(ServiceBooking.state).in_((S.agreed, S.sent, S.redo)))
        .where(col(ServiceBooking.due_at) >= start, col(ServiceBooking.due_at) < end)
        .order_by(col(ServiceBooking.due_at))
    )
    return list(ctx.session.exec(statement))


def late(ctx: Ctx) -> list[ServiceBooking]:
    """Bookings whose work is past its agreed time plus the grace and not done."""
    statement = (
        select(ServiceBooking)
        .where(col(ServiceBooking.state).in_((S.agreed, *AT_WORK)))
        .where(col(ServiceBooking.due_at) < ctx.now)
        .order_by(col(ServiceBooking.due_at))
    )
    return [b for b in ctx.session.exec(statement) if late_at(ctx, b.due_at) < ctx.now]


def to_send(ctx: Ctx) -> list[ServiceBooking]:
    """Agreed bookings not yet sent to the department head, the oldest first."""
    statement = (
        select(ServiceBooking)
        .where(ServiceBooking.state == S.agreed)
        .order_by(col(ServiceBooking.send_due_at))
    )
    return list(ctx.session.exec(statement))


def to_collect(ctx: Ctx) -> list[ServiceBooking]:
    """Accepted bookings not yet paid."""
    statement = (
        select(ServiceBooking)
        .where(ServiceBooking.state == S.accepted)
        .order_by(col(ServiceBooking.accepted_at))
    )
    return list(ctx.session.exec(statement))


def awaiting_callback(ctx: Ctx, limit: int = 200) -> list[ServiceBooking]:
    """Paid bookings whose callback (增值服务回访) is owed, soonest due first."""
    statement = (
        select(ServiceBooking)
        .where(ServiceBooking.state == S.paid)
        .order_by(col(ServiceBooking.callback_due_at), col(ServiceBooking.id))
        .limit(limit)
    )
    return list(ctx.session.exec(statement))


def owed(ctx: Ctx, found: ServiceBooking) -> OpenItem | None:
    """What the desk owes on a booking now (None: nothing yet, e.g. work agreed for a later
    day): sending it to the head, the work due today or late, the payment, the callback, the
    closing."""
    assert found.id is not None
    _start, end = _day_bounds(ctx)
    due_at: datetime | None
    if found.state == S.agreed:
        due_at, kind = found.send_due_at, "service_send"
    elif found.state in AT_WORK:
        if found.due_at >= end:
            return None
        due_at, kind = late_at(ctx, found.due_at), "service_work"
    elif found.state == S.done:
        due_at, kind = None, "service_accept"
    elif found.state == S.accepted:
        due_at, kind = None, "service_pay"
    elif found.state == S.paid:
        due_at, kind = found.callback_due_at, "callback"
    elif found.state == S.called_back:
        due_at, kind = None, "service_close"
    else:
        return None
    return OpenItem(
        register=REGISTER,
        record_id=found.id,
        number=found.number,
        room=found.room,
        summary=f"{found.service_name} {found.quantity}{found.unit}",
        state=found.state,
        opened_at=found.created_at,
        due_at=due_at,
        due_kind=kind,
    )


def open_items(ctx: Ctx) -> list[OpenItem]:
    """Every booking the desk owes something on now, for the board and the handover."""
    statement = (
        select(ServiceBooking)
        .where(col(ServiceBooking.state).in_(OPEN_SERVICE_STATES))
        .order_by(col(ServiceBooking.created_at))
        .limit(2000)
    )
    items = [owed(ctx, found) for found in ctx.session.exec(statement)]
    return [item for item in items if item is not None]
