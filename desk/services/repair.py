"""Register 2: repair work orders — register, dispatch, on site, complete, call back, close."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select

from desk.models import (
    OPEN_REPAIR_STATES,
    Channel,
    ReceptionEntry,
    RepairLocation,
    RepairOrder,
    RepairState,
)
from desk.models.base import literal_in, literal_is
from desk.services import (
    audit,
    callback_step,
    fetch,
    reception,
    repair_billing,
    repair_visits,
    roles,
)
from desk.services import repair_checks as checks
from desk.services.callback_step import CallbackResult as CallbackResult
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.lifecycle import Lifecycle, Step
from desk.services.limits import clean_column
from desk.services.numbering import next_number
from desk.services.repair_visits import VisitReschedule as VisitReschedule
from desk.services.residents import clean_phone
from desk.services.submission import Submission, gather
from desk.services.when import plausible

REGISTER = "repairs"
PREFIX = "WX"


class RepairCreate(Submission):
    reported_at: datetime | None = None
    channel: Channel = Channel.phone
    resident_name: str = ""
    room: str = ""
    phone: str = ""
    description: str = ""
    location: RepairLocation = RepairLocation.unit
    category: str = "other"
    paid: bool = False
    warranty: bool = False
    appointment_at: datetime | None = None
    reception_id: int | None = None


def from_reception(entry: ReceptionEntry) -> RepairCreate:
    """The repair order a repair call becomes, filled in from the entry (saving links them)."""
    return RepairCreate(
        reported_at=entry.received_at,
        channel=entry.channel,
        resident_name=entry.person,
        room=entry.room,
        phone=entry.phone,
        description=entry.request,
        reception_id=entry.id,
    )


class RepairCompletion(Submission):
    completed_at: datetime | None = None
    work_done: str = ""
    labour_fen: int = 0
    material_fen: int = 0
    resident_materials: str = ""
    resident_signed: bool = False
    leak_test_at: datetime | None = None


def get(ctx: Ctx, order_id: int) -> RepairOrder:
    return fetch.get(ctx, RepairOrder, order_id)


def by_number(ctx: Ctx, number: str) -> RepairOrder | None:
    return fetch.by_number(ctx, RepairOrder, number)


S = RepairState
# The lifecycle of a work order: each step, the states it is taken from, where it leads.
LIFECYCLE: Lifecycle[RepairState] = Lifecycle(
    "repair.bad_state",
    {
        "dispatch": Step((S.registered, S.dispatched), to=S.dispatched),
        "on_site": Step((S.dispatched,), to=S.on_site),
        "complete": Step((S.dispatched, S.on_site), to=S.completed),
        # satisfied: closed; not satisfied: registered again; not reached: stays, retried
        "callback": Step((S.completed,)),
        "cancel": Step(OPEN_REPAIR_STATES, to=S.cancelled, who=roles.REPAIR_CANCEL),
        "refer_out": Step((S.registered, S.dispatched), to=S.referred_out),
        # price and consent, billed, paid, corrections: desk.services.repair_billing
        **repair_billing.STEPS,
        # the visit moved with the resident's consent, before anyone is on site
        "reschedule": Step((S.registered, S.dispatched), refusal="repair.reschedule_too_late"),
    },
)


def allowed_actions(order: RepairOrder | None) -> frozenset[str]:
    """The lifecycle steps (LIFECYCLE's names) a screen offers for this order."""
    return LIFECYCLE.offered(order)


def register(ctx: Ctx, data: RepairCreate) -> RepairOrder:
    """Open a work order; it must be dispatched to maintenance within the site's limit."""
    # every field is checked, and every refusal shown at once beside its field
    checked = gather(
        {
            "reported_at": lambda: checks.moment(ctx, data.reported_at, "reported_at"),
            "category": lambda: checks.category(ctx, data.category),
            "room": lambda: checks.room(data.location, data.room),
            "resident_name": lambda: clean_column(data.resident_name, RepairOrder, "resident_name"),
            "phone": lambda: clean_phone(data.phone),
            "description": lambda: clean_column(
                data.description, RepairOrder, "description", required=True
            ),
        }
    )
    reported = checked["reported_at"]
    # a visit agreed with the resident comes after the call, never before it
    if (
        data.appointment_at is not None
        and plausible(data.appointment_at, "appointment_at") < reported
    ):
        raise DeskError("repair.before_reported", field="appointment_at")
    if data.paid and data.warranty:
        raise DeskError("repair.paid_under_warranty", field="paid")
    if data.reception_id is not None:
        reception.linkable(ctx, data.reception_id)  # refused before anything refers to it
    order = RepairOrder(
        number=next_number(ctx, PREFIX),
        reported_at=reported,
        channel=Channel(data.channel),
        resident_name=checked["resident_name"],
        room=checked["room"],
        phone=checked["phone"],
        description=checked["description"],
        location=RepairLocation(data.location),
        category=checked["category"].key,
        paid=data.paid,
        warranty=data.warranty,
        appointment_at=data.appointment_at,
        dispatch_due_at=ctx.due(reported, ctx.settings.repair.dispatch_within),
        reception_id=data.reception_id,
        operator_id=ctx.acting(),
        created_at=ctx.now,
    )
    order.on_site_due_at = repair_visits.on_site_due(ctx, order)
    ctx.session.add(order)
    ctx.session.flush()
    audit.record(ctx, REGISTER, order.id, "registered", data.model_dump(exclude_none=True))
    if data.reception_id is not None:
        assert order.id is not None
        reception.link(ctx, data.reception_id, REGISTER, order.id)
    return order


def dispatch(ctx: Ctx, order_id: int, technician: str, at: datetime | None = None) -> RepairOrder:
    order = get(ctx, order_id)
    LIFECYCLE.require(order, "dispatch")
    checked = gather(
        {
            "technician": lambda: clean_column(
                technician, RepairOrder, "technician", required=True
            ),
            "dispatched_at": lambda: checks.not_before(
                checks.moment(ctx, at, "dispatched_at"),
                order.reported_at,
                "repair.before_reported",
                "dispatched_at",
            ),
        }
    )
    order.technician, order.dispatched_at = checked["technician"], checked["dispatched_at"]
    order.on_site_due_at = repair_visits.due_when_dispatched(ctx, order)
    order.state = RepairState.dispatched
    ctx.session.add(order)
    audit.record(
        ctx,
        REGISTER,
        order.id,
        "dispatched",
        {"technician": order.technician, "at": order.dispatched_at},
    )
    return order


def arrive(ctx: Ctx, order_id: int, at: datetime | None = None) -> RepairOrder:
    order = get(ctx, order_id)
    LIFECYCLE.require(order, "on_site")
    repair_billing.require_consent(order)  # a paid order: the price agreed before work starts
    order.on_site_at = checks.moment(ctx, at, "on_site_at")
    if order.dispatched_at is not None and order.on_site_at < order.dispatched_at:
        raise DeskError("repair.before_dispatched", field="on_site_at")
    order.state = RepairState.on_site
    ctx.session.add(order)
    audit.record(ctx, REGISTER, order.id, "on_site", {"at": order.on_site_at})
    return order


def complete(ctx: Ctx, order_id: int, data: RepairCompletion) -> RepairOrder:
    """Work done; the callback falls due from completion (or from the leak test for leaks)."""
    order = get(ctx, order_id)
    LIFECYCLE.require(order, "complete")
    # a paid order's price is agreed before the work, whether or not "on site" was recorded
    repair_billing.require_consent(order)
    category = ctx.settings.repair_category(order.category)
    from_leak_test = category is not None and category.callback_from == "leak_test"
    # every field is checked, and every refusal shown at once beside its field
    checked = gather(
        {
            "completed_at": lambda: checks.completed_at(ctx, order, data.completed_at),
            "work_done": lambda: clean_column(
                data.work_done, RepairOrder, "work_done", required=True
            ),
            "labour_fen": lambda: repair_billing.checked_money(data.labour_fen, "labour_fen"),
            "material_fen": lambda: repair_billing.checked_money(data.material_fen, "material_fen"),
            "resident_materials": lambda: clean_column(
                data.resident_materials, RepairOrder, "resident_materials"
            ),
            "leak_test_at": lambda: checks.leak_test(data.leak_test_at, required=from_leak_test),
        }
    )
    completed: datetime = checked["completed_at"]
    labour, material = repair_billing.checked_charges(
        order.paid, checked["labour_fen"], checked["material_fen"]
    )
    callback_due_at = checks.callback_due(ctx, order.category, completed, checked["leak_test_at"])
    order.completed_at = completed
    order.work_done = checked["work_done"]
    order.resident_materials = checked["resident_materials"]
    order.resident_signed = data.resident_signed
    order.leak_test_at = data.leak_test_at
    order.callback_due_at = callback_due_at
    order.state = RepairState.completed
    # one row per completion; its charges add to the order's (a second round never overwrites)
    repair_billing.record_completion(ctx, order, labour, material)
    ctx.session.add(order)
    audit.record(ctx, REGISTER, order.id, "completed", data.model_dump(exclude_none=True))
    return order


def call_back(ctx: Ctx, order_id: int, result: CallbackResult) -> RepairOrder:
    """Record a callback: satisfied closes the order, not satisfied sends it back to maintenance."""
    order = get(ctx, order_id)
    LIFECYCLE.require(order, "callback")
    note = callback_step.checked_note(ctx, result, RepairOrder)
    if not callback_step.take(ctx, REGISTER, order, result, note):
        return order
    if result.satisfied:
        order.state = RepairState.closed
        order.closed_at = ctx.now
        audit.record(ctx, REGISTER, order.id, "called_back", {"satisfied": True, "note": note})
    else:
        order.state = RepairState.registered
        order.reopen_count += 1
        order.callback_due_at = None
        # the round that did not satisfy is in the history; the page shows the new round's times
        order.dispatched_at = order.on_site_at = order.completed_at = None
        # the agreed visit was the last round's: the new round agrees its own (or the limit)
        order.appointment_at = order.on_site_due_at = None
        order.dispatch_due_at = ctx.due(ctx.now, ctx.settings.repair.dispatch_within)
        audit.record(ctx, REGISTER, order.id, "reopened", {"satisfied": False}, reason=note)
    ctx.session.add(order)
    return order


def reschedule(ctx: Ctx, order_id: int, data: VisitReschedule) -> RepairOrder:
    """Move the visit to a time the resident agreed to (rules: desk.services.repair_visits)."""
    order = get(ctx, order_id)
    LIFECYCLE.require(order, "reschedule")
    moved = repair_visits.move(ctx, order, data)
    ctx.session.add(order)
    audit.record(ctx, REGISTER, order.id, "rescheduled", moved)
    return order


def cancel(ctx: Ctx, order_id: int, reason: str) -> RepairOrder:
    """A supervisor withdraws an order that should not stand (a duplicate, a mistaken entry, the
    resident no longer wants it), saying why; not the property's to fix is `refer_out`."""
    LIFECYCLE.permit(ctx, "cancel")
    order = get(ctx, order_id)
    LIFECYCLE.require(order, "cancel")
    order.close_reason = clean_column(
        reason, RepairOrder, "close_reason", field="reason", required=True
    )
    order.state = RepairState.cancelled
    order.closed_at = ctx.now
    ctx.session.add(order)
    audit.record(ctx, REGISTER, order.id, "cancelled", reason=order.close_reason)
    return order


def refer_out(ctx: Ctx, order_id: int, referred_to: str, reason: str) -> RepairOrder:
    """Not the property's to fix: note where the resident was pointed, and why."""
    order = get(ctx, order_id)
    LIFECYCLE.require(order, "refer_out")
    checked = gather(
        {
            "referred_to": lambda: clean_column(
                referred_to, RepairOrder, "referred_to", required=True
            ),
            "reason": lambda: clean_column(
                reason, RepairOrder, "close_reason", field="reason", required=True
            ),
        }
    )
    order.referred_to, order.close_reason = checked["referred_to"], checked["reason"]
    order.state = RepairState.referred_out
    order.closed_at = ctx.now
    ctx.session.add(order)
    audit.record(
        ctx,
        REGISTER,
        order.id,
        "referred_out",
        {"referred_to": order.referred_to},
        reason=order.close_reason,
    )
    return order


def recent(
    ctx: Ctx, limit: int = 200, states: tuple[RepairState, ...] | None = None
) -> list[RepairOrder]:
    statement = select(RepairOrder).order_by(col(RepairOrder.reported_at).desc()).limit(limit)
    if states:
        statement = statement.where(col(RepairOrder.state).in_(states))
    return list(ctx.session.exec(statement))


def open_orders(ctx: Ctx, limit: int = 500, *, newest_first: bool = False) -> list[RepairOrder]:
    """The open orders, oldest first (a list on screen: `newest_first`, the newest `limit`)."""
    reported = col(RepairOrder.reported_at)
    statement = (
        select(RepairOrder)
        .where(literal_in(col(RepairOrder.state), OPEN_REPAIR_STATES))
        .order_by(reported.desc() if newest_first else reported)
        .limit(limit)
    )
    return list(ctx.session.exec(statement))


def due_at(order: RepairOrder) -> datetime | None:
    """The next deadline of an open order: dispatch, on site (the agreed visit plus the grace,
    or the category's limit after dispatch), then the callback."""
    if order.state == RepairState.registered:
        return order.dispatch_due_at
    if order.state == RepairState.dispatched:
        # a row the index rebuild read from a revision before the on-site due time has none
        return getattr(order, "on_site_due_at", None) or order.appointment_at
    if order.state == RepairState.completed:
        return order.callback_due_at
    return None


CLOSED_REPAIR_STATES = (RepairState.closed, RepairState.cancelled, RepairState.referred_out)


def recently_closed(ctx: Ctx, limit: int = 100) -> list[RepairOrder]:
    """Closed, cancelled and referred-out orders, the most recently finished first."""
    statement = (
        select(RepairOrder)
        .where(col(RepairOrder.state).in_(CLOSED_REPAIR_STATES))
        .order_by(col(RepairOrder.closed_at).desc(), col(RepairOrder.id).desc())
        .limit(limit)
    )
    return list(ctx.session.exec(statement))


def awaiting_callback(ctx: Ctx, limit: int = 200) -> list[RepairOrder]:
    """Completed orders waiting for their callback, soonest due first."""
    statement = (
        select(RepairOrder)
        .where(literal_is(col(RepairOrder.state), RepairState.completed))
        .order_by(col(RepairOrder.callback_due_at), col(RepairOrder.id))
        .limit(limit)
    )
    return list(ctx.session.exec(statement))
