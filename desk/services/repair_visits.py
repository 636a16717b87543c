"""A repair order's visit (003 第一篇 2): the technician is on site no later than the agreed time
plus the site's grace (「不得超过预约时间10分钟」); with no time agreed, within the category's
limit after dispatch; and a visit is moved only with the resident's consent
(「特殊情况须与客户沟通并取得同意」): who agreed, when, the new time.

`repair.py` takes these rules at registering, dispatch and the `reschedule` step (its
LIFECYCLE says when); the board, the repairs list and the order's page show `on_site_due_at`,
and the monthly figures count a moved visit against its new time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import col, select

from desk.models import AuditEvent, RepairOrder, RepairState
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.limits import clean_column
from desk.services.submission import Submission, gather
from desk.services.when import happened, plausible

# the register's name in the audit trail (desk.services.repair.REGISTER)
REPAIRS = "repairs"
# on site by, after dispatch, for a category the site's settings do not know
DEFAULT_ON_SITE_WITHIN = "2h"


class VisitReschedule(Submission):
    """A visit moved: the new time, the resident who agreed, when they agreed (default now)."""

    appointment_at: datetime | None = None
    agreed_by: str = ""
    agreed_at: datetime | None = None


def on_site_within(ctx: Ctx, category: str) -> str:
    """How long after dispatch the technician must be on site when no time was agreed."""
    found = ctx.settings.repair_category(category)
    return found.on_site_within if found else DEFAULT_ON_SITE_WITHIN


def on_site_due(ctx: Ctx, order: RepairOrder) -> datetime | None:
    """When the technician must be on site: the agreed visit plus the site's grace; with no
    visit agreed, the dispatch plus the category's limit; before dispatch with none, no time."""
    if order.appointment_at is not None:
        return ctx.due(order.appointment_at, ctx.settings.repair.arrival_grace)
    if order.dispatched_at is not None:
        return ctx.due(order.dispatched_at, on_site_within(ctx, order.category))
    return None


def due_when_dispatched(ctx: Ctx, order: RepairOrder) -> datetime | None:
    """The on-site due time once `order` is (re)dispatched (its new `dispatched_at` set, its state
    not yet): dispatching again to another technician never moves a due time already running."""
    if order.state == RepairState.dispatched and order.on_site_due_at is not None:
        return order.on_site_due_at
    return on_site_due(ctx, order)


def move(ctx: Ctx, order: RepairOrder, data: VisitReschedule) -> dict[str, Any]:
    """Move the order's visit to the time the resident agreed to; returns what the audit keeps
    (the old time and due time among it). Refused without who agreed, with a consent given
    after the visit was already late, or a new time before the consent or the report."""
    checked = gather(
        {
            "agreed_by": lambda: clean_column(
                data.agreed_by,
                RepairOrder,
                "reschedule_agreed_by",
                field="agreed_by",
                required=True,
            ),
            "agreed_at": lambda: _agreed_at(ctx, order, data.agreed_at),
            "appointment_at": lambda: _new_time(order, data.appointment_at),
        }
    )
    agreed_at: datetime = checked["agreed_at"]
    new_time: datetime = checked["appointment_at"]
    # a late visit stays late: consent given after the due time does not excuse it
    if order.on_site_due_at is not None and agreed_at > order.on_site_due_at:
        raise DeskError("repair.agreed_after_due", field="agreed_at")
    if new_time < agreed_at:
        raise DeskError("repair.visit_before_agreed", field="appointment_at")
    moved = {
        "from": order.appointment_at,
        "to": new_time,
        "old_due": order.on_site_due_at,
        "agreed_by": checked["agreed_by"],
        "agreed_at": agreed_at,
    }
    order.appointment_at = new_time
    order.on_site_due_at = on_site_due(ctx, order)
    order.rescheduled_at = agreed_at
    order.reschedule_agreed_by = checked["agreed_by"]
    order.reschedule_count += 1
    moved["due"] = order.on_site_due_at
    return moved


def _agreed_at(ctx: Ctx, order: RepairOrder, moment: datetime | None) -> datetime:
    agreed = happened(moment, ctx.now, "agreed_at")
    if agreed < order.reported_at:
        raise DeskError("repair.before_reported", field="agreed_at")
    return agreed


def _new_time(order: RepairOrder, moment: datetime | None) -> datetime:
    if moment is None:
        raise DeskError("repair.new_time_required", field="appointment_at")
    plausible(moment, "appointment_at")
    if moment < order.reported_at:
        raise DeskError("repair.before_reported", field="appointment_at")
    if moment == order.appointment_at:
        raise DeskError("repair.same_visit_time", field="appointment_at")
    return moment


def rescheduled_during(ctx: Ctx, start: datetime, end: datetime) -> list[RepairOrder]:
    """The orders whose visit was moved between `start` and `end` (as recorded: a shift's),
    each once, in the order they were first moved."""
    statement = (
        select(AuditEvent.record_id)
        .where(
            AuditEvent.register_name == REPAIRS,
            AuditEvent.action == "rescheduled",
            col(AuditEvent.at) >= start,
            col(AuditEvent.at) < end,
        )
        .order_by(col(AuditEvent.at), col(AuditEvent.id))
    )
    ids = list(dict.fromkeys(ctx.session.exec(statement)))
    if not ids:
        return []
    found = ctx.session.exec(select(RepairOrder).where(col(RepairOrder.id).in_(ids)))
    by_id = {order.id: order for order in found}
    return [by_id[i] for i in ids if i in by_id]
