"""A repair the night duty fixed becomes a completed repair order in the morning, so it gets its
callback like any other (000 「回访处理率达100%」) and reaches the paid/free register.

The night-log entry was logged "handled"; the morning clerk transfers it (the same key as an
entry left for the morning): the order is registered at the night's time, dispatched to the
night duty at the call, on site and completed at the night's times, with what was done and the
charges, and its callback falls due by its category as for any order (`repair.complete`).
The entry links to the order; until then it stays on the board and every handover.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select

from desk.i18n import t
from desk.models import (
    Channel,
    NightLogEntry,
    NightLogState,
    RepairLocation,
    RepairOrder,
    RepairState,
)
from desk.services import audit, nightlog, repair, repair_billing
from desk.services.context import Ctx
from desk.services.errors import DeskError, NotFound
from desk.services.limits import clean_column
from desk.services.operator_names import operator_names
from desk.services.repair import RepairCreate
from desk.services.submission import Submission, gather
from desk.services.when import happened, plausible

STEP = "record_repair"  # its step in nightlog.LIFECYCLE


class NightRepair(Submission):
    """What the morning clerk enters for a repair done at night (from the night log and the
    night duty's word): the category (it sets the callback), the work, the times, the charges."""

    category: str = "other"
    work_done: str = ""
    technician: str = ""
    on_site_at: datetime | None = None
    completed_at: datetime | None = None
    paid: bool = False
    consent_by: str = ""  # a paid repair: who agreed to the price that night (003)
    labour_fen: int = 0
    material_fen: int = 0
    leak_test_at: datetime | None = None


def night_duty(ctx: Ctx, entry: NightLogEntry) -> str:
    """Who was on night duty (the electrician who logged the call and did the work)."""
    return operator_names(ctx, {entry.operator_id}).get(entry.operator_id, "")


def prefill(ctx: Ctx, entry: NightLogEntry) -> NightRepair:
    """What the night log already says: the work done, who did it, the night's time."""
    return NightRepair(
        category="other",
        work_done=entry.action_taken,
        technician=night_duty(ctx, entry),
        on_site_at=entry.logged_at,
        completed_at=entry.logged_at,
        consent_by=entry.caller,
    )


def awaiting(ctx: Ctx) -> list[NightLogEntry]:
    """Repairs handled at night not yet transferred: their callback is not yet on any order."""
    return [e for e in nightlog.morning_work(ctx) if e.state == NightLogState.handled]


def _category(ctx: Ctx, key: str) -> str:
    if ctx.settings.repair_category(key) is None:
        raise DeskError("repair.unknown_category", field="category", value=key)
    return key


def _locked(ctx: Ctx, entry_id: int) -> NightLogEntry:
    """The entry, its row locked until the transaction ends (PostgreSQL; SQLite's writers are
    already serialised by BEGIN IMMEDIATE): two desks cannot both make it an order."""
    statement = (
        select(NightLogEntry)
        .where(col(NightLogEntry.id) == entry_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    entry = ctx.session.exec(statement).first()
    if entry is None:
        raise NotFound("record.not_found", id=entry_id)
    return entry


def transfer(ctx: Ctx, entry_id: int, data: NightRepair) -> RepairOrder:
    """Turn a repair handled at night into a completed order with its callback due, and link
    the entry to it; one transaction. Refused for an entry not handled, or already transferred
    or closed (a second transfer would give the resident two orders and two callbacks)."""
    entry = _locked(ctx, entry_id)
    if not nightlog.LIFECYCLE.allows(entry, STEP):
        raise DeskError("nightlog_ui.error.not_handled", state=t(f"nightlog_state.{entry.state}"))
    logged = entry.logged_at
    checked = gather(
        {
            "category": lambda: _category(ctx, data.category),
            "work_done": lambda: clean_column(
                data.work_done, RepairOrder, "work_done", required=True
            ),
            "technician": lambda: clean_column(
                data.technician or night_duty(ctx, entry), RepairOrder, "technician", required=True
            ),
            "on_site_at": lambda: happened(data.on_site_at or logged, ctx.now, "on_site_at"),
            "completed_at": lambda: (
                happened(data.completed_at, ctx.now, "completed_at")
                if data.completed_at is not None
                else None
            ),
            "consent_by": lambda: clean_column(
                data.consent_by, RepairOrder, "consent_by", required=data.paid
            ),
            "labour_fen": lambda: repair.checked_charges(
                data.paid, data.labour_fen, data.material_fen
            ),
            "leak_test_at": lambda: (
                plausible(data.leak_test_at, "leak_test_at")
                if data.leak_test_at is not None
                else None
            ),
        }
    )
    on_site: datetime = checked["on_site_at"]
    completed: datetime = checked["completed_at"] or on_site
    if on_site < logged:  # the night duty went after the call, never before it
        raise DeskError("repair.before_reported", field="on_site_at")
    if completed < on_site:
        raise DeskError("repair.before_on_site", field="completed_at")
    labour, material = checked["labour_fen"]
    due = repair.callback_due(ctx, checked["category"], completed, checked["leak_test_at"])
    number = nightlog.number(entry, ctx)
    order = repair.register(
        ctx,
        RepairCreate(
            reported_at=logged,
            channel=Channel.phone,
            resident_name=entry.caller,
            room=entry.room,
            phone=entry.phone,
            description=nightlog.night_note(entry, ctx),
            location=RepairLocation.unit if entry.room else RepairLocation.public,
            category=checked["category"],
            paid=data.paid,
        ),
    )
    assert order.id is not None
    # taken by the night duty at the call, on site and done at the night's times
    order.technician = checked["technician"]
    order.dispatched_at = logged
    order.on_site_at = on_site
    order.completed_at = completed
    order.work_done = checked["work_done"]
    order.leak_test_at = checked["leak_test_at"]
    if data.paid:  # the price the resident agreed to at night, before the work (003)
        order.quoted_fen = labour + material
        order.consent_by, order.consent_at = checked["consent_by"], on_site
    order.callback_due_at = due
    order.state = RepairState.completed
    repair_billing.record_completion(ctx, order, labour, material)
    ctx.session.add(order)
    audit.record(
        ctx,
        repair.REGISTER,
        order.id,
        "completed",
        {
            "night_entry": number,
            "technician": order.technician,
            "on_site_at": on_site,
            "completed_at": completed,
            "work_done": order.work_done,
            "paid": data.paid,
            "consent_by": order.consent_by,
            "labour_fen": labour,
            "material_fen": material,
            "leak_test_at": order.leak_test_at,
            "callback_due_at": due,
        },
    )
    entry.state = NightLogState.transferred
    entry.transferred_to, entry.transferred_id = repair.REGISTER, order.id
    entry.transferred_at = ctx.now
    entry.done_by_id = ctx.acting()
    ctx.session.add(entry)
    audit.record(
        ctx,
        nightlog.REGISTER,
        entry.id,
        "transferred",
        {"register": repair.REGISTER, "id": order.id, "completed": True, "number": order.number},
    )
    return order
