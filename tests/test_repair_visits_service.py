"""A repair order's visit (003 第一篇 2): on site by the appointment plus the grace, or the
category's limit after dispatch; a visit moved only with the resident's consent, audited, and
counted on time against its new time; the shift's moved visits in the handover summary."""

from __future__ import annotations

from datetime import datetime

import pytest

from desk.models import RepairOrder
from desk.services import audit, board, handover, repair, repair_visits, stats, stats_period
from desk.services.errors import DeskError
from desk.services.repair import RepairCompletion, RepairCreate, VisitReschedule
from tests.conftest import NOW, TZ, Desk


def at(hour: int, minute: int = 0) -> datetime:
    return NOW.replace(hour=hour, minute=minute)


def _order(desk: Desk, category: str = "door", appointment: datetime | None = None) -> int:
    data = RepairCreate(
        room="3-1202",
        resident_name="张伟",
        description="入户门锁芯卡死",
        category=category,
        appointment_at=appointment,
    )
    with desk.write() as ctx:
        order_id = repair.register(ctx, data).id
    assert order_id is not None
    return order_id


def _get(desk: Desk, order_id: int) -> RepairOrder:
    with desk.read() as ctx:
        return repair.get(ctx, order_id)


def _do(desk: Desk, when: datetime, action: object, *args: object) -> RepairOrder:
    desk.now = when
    with desk.write() as ctx:
        return action(ctx, *args)  # type: ignore[operator,no-any-return]


def _refused(desk: Desk, when: datetime, action: object, *args: object) -> DeskError:
    with pytest.raises(DeskError) as refused:
        _do(desk, when, action, *args)
    return refused.value


def test_on_site_due_is_the_appointment_plus_grace_or_the_category_limit(desk: Desk) -> None:
    # an agreed visit at 14:00: on site by 14:10 (site's grace, 10 min), from registering on
    visit = _order(desk, appointment=at(14))
    assert _get(desk, visit).on_site_due_at == at(14, 10)
    _do(desk, at(9, 40), repair.dispatch, visit, "李建国")
    assert repair.due_at(_get(desk, visit)) == at(14, 10)
    # no visit agreed: none before dispatch; then the category's limit after it
    door, water = _order(desk, "door"), _order(desk, "water")
    assert _get(desk, door).on_site_due_at is None
    _do(desk, at(9, 40), repair.dispatch, door, "李建国")
    _do(desk, at(9, 40), repair.dispatch, water, "李建国")
    assert _get(desk, door).on_site_due_at == at(11, 40)  # 2 hours (the default)
    assert _get(desk, water).on_site_due_at == at(10, 10)  # plumbing: an emergency, 30 min
    # dispatched again to someone else: the running due time does not move
    _do(desk, at(10, 5), repair.dispatch, water, "孙文斌")
    assert _get(desk, water).on_site_due_at == at(10, 10)
    # the board's urgency goes by the on-site due time, not the appointment
    desk.now = at(10, 15)
    with desk.read() as ctx:
        due = {
            item.record_id: (item.due_at, item.overdue(ctx.now)) for item in board.open_items(ctx)
        }
    assert due[visit] == (at(14, 10), False)
    assert due[water] == (at(10, 10), True)


def test_a_visit_moves_only_with_consent_and_counts_on_time_against_the_new_time(
    desk: Desk,
) -> None:
    order_id = _order(desk, appointment=at(14))
    _do(desk, at(9, 40), repair.dispatch, order_id, "李建国")
    # who agreed is required (the clerk tries without); nothing changes
    nobody = VisitReschedule(appointment_at=at(16), agreed_by="  ")
    assert _refused(desk, at(11), repair.reschedule, order_id, nobody).field == "agreed_by"
    # consent given after the visit was already late does not excuse it
    late = VisitReschedule(appointment_at=at(16), agreed_by="张伟", agreed_at=at(14, 30))
    refused = _refused(desk, at(14, 40), repair.reschedule, order_id, late)
    assert (refused.key, refused.field) == ("repair.agreed_after_due", "agreed_at")
    # a new time before the consent, or none at all
    early = VisitReschedule(appointment_at=at(10), agreed_by="张伟")
    assert _refused(desk, at(11), repair.reschedule, order_id, early).field == "appointment_at"
    assert _refused(desk, at(11), repair.reschedule, order_id, VisitReschedule(agreed_by="张伟"))
    unchanged = _get(desk, order_id)
    assert (unchanged.appointment_at, unchanged.reschedule_count) == (at(14), 0)

    # agreed at 11:00 (recorded at 11:05): 16:00 instead; on site by 16:10
    moved = VisitReschedule(appointment_at=at(16), agreed_by="张伟", agreed_at=at(11))
    order = _do(desk, at(11, 5), repair.reschedule, order_id, moved)
    assert (order.appointment_at, order.on_site_due_at) == (at(16), at(16, 10))
    assert (order.reschedule_agreed_by, order.rescheduled_at, order.reschedule_count) == (
        "张伟",
        at(11),
        1,
    )
    with desk.read() as ctx:
        (event,) = [
            e for e in audit.history(ctx, repair.REGISTER, order_id) if e.action == "rescheduled"
        ]
    kept = audit.event_data(event)
    assert datetime.fromisoformat(kept["from"]) == at(14)
    assert datetime.fromisoformat(kept["to"]) == at(16)
    assert kept["agreed_by"] == "张伟"

    # on site 16:05: late for 14:00, on time for the new 16:00
    _do(desk, at(16, 5), repair.arrive, order_id)
    # once someone is on site the visit can no longer be moved
    again = VisitReschedule(appointment_at=at(18), agreed_by="张伟")
    refused = _refused(desk, at(16, 6), repair.reschedule, order_id, again)
    assert refused.key == "repair.reschedule_too_late"
    _do(desk, at(17), repair.complete, order_id, RepairCompletion(work_done="更换锁芯"))
    with desk.read() as ctx:
        figures = stats.monthly(ctx, stats_period.month(2026, 11, TZ)).repairs
    assert (figures.completed, figures.on_time) == (1, 1)


def test_the_handover_summary_lists_the_shifts_moved_visits(desk: Desk) -> None:
    order_id = _order(desk, appointment=at(14))
    _order(desk, appointment=at(15))  # not moved: not listed
    moved = VisitReschedule(appointment_at=at(16), agreed_by="张伟")
    _do(desk, at(10), repair.reschedule, order_id, moved)
    desk.now = at(10, 30)
    with desk.write() as ctx:
        summary = handover.summary(ctx, handover.open_handover(ctx))
    (item,) = summary.rescheduled
    number = _get(desk, order_id).number
    assert (item.number, item.due_at) == (number, at(16, 10))
    # not an open item of its own: the open count is the board's
    assert summary.open_count() == sum(len(items) for items in summary.sections.values())
    assert type(summary).from_json(summary.to_json()).rescheduled == [item]
    # another shift's summary does not list it
    with desk.read() as ctx:
        assert repair_visits.rescheduled_during(ctx, at(10, 1), at(17, 30)) == []
