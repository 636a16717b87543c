"""The callback queue (回访): repairs, complaints and paid services (增值服务回访) awaiting a call,
and the completion rate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import ModuleType

from sqlalchemy import and_, or_
from sqlmodel import col, select

from desk.models import AuditEvent, Complaint, RepairOrder, ServiceBooking
from desk.services import estates, paid_service, repair
from desk.services.callback_step import CallbackResult
from desk.services.context import Ctx
from desk.services.errors import DeskError

REGISTERS = ("repairs", "complaints", "services")


@dataclass(frozen=True)
class CallbackItem:
    """One resident to call back, in the same shape for repairs and complaints."""

    register: str  # "repairs" | "complaints" | "services"
    record_id: int
    number: str
    room: str
    resident: str
    phone: str  # in full: the clerk has to dial it
    summary: str
    due_at: datetime | None
    attempts: int  # calls that did not get through since the work was done

    def overdue(self, now: datetime) -> bool:
        return self.due_at is not None and self.due_at < now


def _complaint_service() -> ModuleType | None:
    """The complaint register's service, when this installation has it."""
    try:
        from desk.services import complaint
    except ImportError:
        return None
    return complaint


def _missed_calls(ctx: Ctx, register: str, since: dict[int, datetime | None]) -> dict[int, int]:
    """Failed calls per record, counted from the start of its current callback cycle."""
    if not since:
        return {}
    statement = select(AuditEvent.record_id, AuditEvent.at).where(
        AuditEvent.register_name == register,
        AuditEvent.action == "callback_missed",
        col(AuditEvent.record_id).in_(since),
    )
    counts: dict[int, int] = {}
    for record_id, at in ctx.session.exec(statement):
        start = since.get(record_id)
        if start is None or at >= start:
            counts[record_id] = counts.get(record_id, 0) + 1
    return counts


def _repair_items(ctx: Ctx, limit: int) -> list[CallbackItem]:
    orders = repair.awaiting_callback(ctx, limit)
    missed = _missed_calls(ctx, "repairs", {o.id: o.completed_at for o in orders if o.id})
    return [
        CallbackItem(
            register="repairs",
            record_id=order.id,
            number=order.number,
            room=order.room,
            resident=order.resident_name,
            phone=order.phone,
            summary=order.description,
            due_at=order.callback_due_at,
            attempts=missed.get(order.id, 0),
        )
        for order in orders
        if order.id is not None
    ]


def _complaint_items(ctx: Ctx, limit: int) -> list[CallbackItem]:
    service = _complaint_service()
    if service is None:
        return []
    complaints: list[Complaint] = list(service.awaiting_callback(ctx, limit))
    missed = _missed_calls(ctx, "complaints", {c.id: c.resolved_at for c in complaints if c.id})
    return [
        CallbackItem(
            register="complaints",
            record_id=complaint.id,
            number=complaint.number,
            room=complaint.room,
            resident=complaint.complainant,
            phone=complaint.phone,
            summary=complaint.what_happened,
            due_at=complaint.callback_due_at,
            attempts=missed.get(complaint.id, 0),
        )
        for complaint in complaints
        if complaint.id is not None
    ]


def _service_items(ctx: Ctx, limit: int) -> list[CallbackItem]:
    bookings = paid_service.awaiting_callback(ctx, limit)
    missed = _missed_calls(ctx, "services", {b.id: b.paid_at for b in bookings if b.id})
    return [
        CallbackItem(
            register="services",
            record_id=booking.id,
            number=booking.number,
            room=booking.room,
            resident=booking.resident,
            phone=booking.phone,
            summary=booking.service_name,
            due_at=booking.callback_due_at,
            attempts=missed.get(booking.id, 0),
        )
        for booking in bookings
        if booking.id is not None
    ]


def queue(ctx: Ctx, limit: int = 200) -> list[CallbackItem]:
    """Every repair, complaint and paid service awaiting a callback, soonest due first (no due
    time last)."""
    items = _repair_items(ctx, limit) + _complaint_items(ctx, limit) + _service_items(ctx, limit)
    items.sort(key=lambda item: (item.due_at is None, item.due_at or ctx.now, item.number))
    return items[:limit]


def _check(register: str) -> ModuleType:
    if register == "repairs":
        return repair
    if register == "services":
        return paid_service
    service = _complaint_service() if register == "complaints" else None
    if service is None:
        raise DeskError("callbacks.unknown_register", register=register)
    return service


def load(ctx: Ctx, register: str, record_id: int) -> RepairOrder | Complaint | ServiceBooking:
    """The record behind a queue row."""
    record: RepairOrder | Complaint | ServiceBooking = _check(register).get(ctx, record_id)
    return record


def record(
    ctx: Ctx, register: str, record_id: int, result: CallbackResult
) -> RepairOrder | Complaint | ServiceBooking:
    """Record a callback on a repair or a complaint; the register's own rules apply.

    Satisfied closes the record, not satisfied reopens it, not reached sets the retry time.
    """
    # at the call-centre desk: the deadlines of the record's own estate
    ctx = estates.in_estate_of(ctx, load(ctx, register, record_id))
    saved: RepairOrder | Complaint | ServiceBooking = _check(register).call_back(
        ctx, record_id, result
    )
    return saved


def _called_back(callback_at: datetime | None, cycle_start: datetime | None) -> bool:
    """Reached after the latest completion or resolution; an older call belongs to a past cycle."""
    return callback_at is not None and (cycle_start is None or callback_at >= cycle_start)


def completion_rate(ctx: Ctx, start: datetime, end: datetime) -> tuple[int, int, float | None]:
    """Callback completion rate (回访完成率) of the period [start, end): (done, due, done / due).

    Definition. Each repair and complaint counts once, by its latest callback cycle.
    - Its callback *fell due* at `callback_due_at` — after a call that did not get through this is
      the agreed retry time — or, when that was cleared because an unsatisfied callback reopened
      the record, at the moment of that callback (`callback_at`).
    - It is *due in the period* when that moment is in [start, end).
    - It was *called back* when the resident was reached (satisfied or not: `callback_at` set) no
      earlier than the latest completion (repairs) or resolution (complaints), whenever the call
      was made. Calls that did not get through do not count.
    The rate is None when nothing fell due in the period (the target is 100%).
    """
    done = due = 0
    r_due, r_at = col(RepairOrder.callback_due_at), col(RepairOrder.callback_at)
    repairs = select(RepairOrder).where(
        or_(
            and_(r_due >= start, r_due < end),
            and_(r_due.is_(None), r_at >= start, r_at < end),
        )
    )
    for order in ctx.session.exec(repairs):
        due += 1
        done += _called_back(order.callback_at, order.completed_at)
    c_due, c_at = col(Complaint.callback_due_at), col(Complaint.callback_at)
    complaints = select(Complaint).where(
        or_(
            and_(c_due >= start, c_due < end),
            and_(c_due.is_(None), c_at >= start, c_at < end),
        )
    )
    for complaint in ctx.session.exec(complaints):
        due += 1
        done += _called_back(complaint.callback_at, complaint.resolved_at)
    return done, due, (done / due if due else None)
