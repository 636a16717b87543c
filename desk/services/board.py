"""The board: today's counts per register and every open item with its due time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from sqlalchemy import ScalarSelect, func
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from desk.models import Complaint, KeyLoan, ReceptionEntry, ReleasePass, RepairOrder
from desk.services import (
    card_queries,
    complaint_queries,
    fees,
    finding_queries,
    incident_queries,
    keys,
    move_in_queries,
    nightlog,
    owner_change_queries,
    paid_service_queries,
    passes,
    patrol_queries,
    reception,
    renovation_queries,
    renovation_workers,
    repair,
)
from desk.services.context import Ctx
from desk.services.open_item import OpenItem as OpenItem


@dataclass(frozen=True)
class Counts:
    reception: int
    repairs: int
    complaints: int
    key_loans: int
    passes: int


def start_of_day(ctx: Ctx) -> datetime:
    local = ctx.now.astimezone(ctx.tz)
    return datetime.combine(local.date(), time(0, 0), tzinfo=ctx.tz)


def today_counts(ctx: Ctx) -> Counts:
    """What each register took in since midnight: one statement (the board's first read)."""
    since = start_of_day(ctx)

    def since_midnight(moment: Any) -> ScalarSelect[int]:
        return select(func.count()).where(col(moment) >= since).scalar_subquery()

    reception, repairs, complaints, key_loans, passes = ctx.session.execute(
        sa_select(
            since_midnight(ReceptionEntry.received_at),
            since_midnight(RepairOrder.reported_at),
            since_midnight(Complaint.received_at),
            since_midnight(KeyLoan.out_at),
            since_midnight(ReleasePass.created_at),
        )
    ).one()
    return Counts(reception, repairs, complaints, key_loans, passes)


_REPAIR_DUE_KIND = {"registered": "dispatch", "dispatched": "visit", "completed": "callback"}


def open_items(ctx: Ctx) -> list[OpenItem]:
    """Everything open across the registers: overdue first, then what falls due soonest.

    Items with no deadline of their own come last, oldest first.
    """
    items: list[OpenItem] = []
    for entry in reception.owing_replies(ctx):
        assert entry.id is not None
        items.append(
            OpenItem(
                register="reception",
                record_id=entry.id,
                number=entry.number,
                room=entry.room,
                summary=entry.request,
                state=entry.state,
                opened_at=entry.received_at,
                due_at=entry.reply_due_at,
                due_kind="reply",
            )
        )
    for order in repair.open_orders(ctx):
        assert order.id is not None
        items.append(
            OpenItem(
                register="repairs",
                record_id=order.id,
                number=order.number,
                room=order.room,
                summary=order.description,
                state=order.state,
                opened_at=order.reported_at,
                due_at=repair.due_at(order),
                due_kind=_REPAIR_DUE_KIND.get(order.state, ""),
            )
        )
    for case in complaint_queries.open_complaints(ctx):
        assert case.id is not None
        items.append(
            OpenItem(
                register="complaints",
                record_id=case.id,
                number=case.number,
                room=case.room,
                summary=case.what_happened,
                state=case.state,
                opened_at=case.received_at,
                due_at=complaint_queries.due_at(case, ctx.now),
                due_kind=complaint_queries.due_kind(case, ctx.now),
            )
        )
    # Registers that build their own board rows.
    items.extend(keys.open_items(ctx))
    items.extend(passes.open_items(ctx))
    items.extend(card_queries.open_items(ctx))
    items.extend(nightlog.open_items(ctx))
    items.extend(renovation_queries.open_items(ctx))
    items.extend(renovation_workers.open_items(ctx))
    items.extend(fees.open_items(ctx))  # the reminder ladder's steps due, home collections
    items.extend(owner_change_queries.open_items(ctx))  # declarations awaiting application
    items.extend(incident_queries.open_items(ctx))  # a running incident: on top
    items.extend(patrol_queries.open_items(ctx))  # rounds due or missed, rounds under way
    items.extend(finding_queries.open_items(ctx))  # findings to send, rectify, re-inspect
    # move-ins booked today, re-inspections, 托管 patrols due, readings over their limit
    items.extend(move_in_queries.open_items(ctx))
    items.extend(paid_service_queries.open_items(ctx))  # bookings to send, due today or late
    items.sort(key=due_order)
    return items


def due_order(item: OpenItem) -> tuple[bool, bool, bool, datetime]:
    # a running incident (001 突发事故) leads the board until it is closed; then harm still
    # going on, stopped first (004 「先制止」)
    return (
        item.register != incident_queries.REGISTER,
        item.due_kind != "harm",
        item.due_at is None,
        item.due_at or item.opened_at,
    )
