"""Night log at fixed clocks: logged at night, transferred to a repair in the morning, closed."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from desk.db import Database
from desk.models import NightLogState, Operator, RepairOrder, Role
from desk.services import nightlog
from desk.services.errors import DeskError
from desk.services.nightlog import NightLogCreate
from tests.conftest import NOW, TZ, Desk, add_staff

AT_NIGHT = datetime(2026, 11, 23, 2, 10, tzinfo=TZ)


@pytest.fixture
def night(db: Database) -> Operator:
    return add_staff(db, "张伟", Role.night, "3333")


def test_left_for_the_morning_becomes_a_linked_repair(
    db: Database, desk: Desk, night: Operator
) -> None:
    with Desk(db, night, AT_NIGHT).write() as ctx:
        handled = nightlog.log(
            ctx, NightLogCreate(caller="李", room="2-301", what="停电", action_taken="合闸恢复")
        )
        left = nightlog.log(
            ctx, NightLogCreate(caller="王", room="3-1202", phone="13900001111", what="厨房漏水")
        )
        patched = nightlog.log(
            ctx, NightLogCreate(what="水管爆裂", action_taken="关阀门", left_for_morning=True)
        )
        assert handled.state == NightLogState.handled
        # something done at night may still be left for the morning (a temporary fix)
        assert patched.state == NightLogState.left_for_morning and patched.id is not None
        nightlog.close(ctx, patched.id, "早班已安排")
        assert left.state == NightLogState.left_for_morning and left.id is not None
        left_id = left.id
    with desk.read() as ctx:
        # the handled repair awaits its callback (desk.services.night_repair) beside it
        handled_item, item = nightlog.open_items(ctx)
        assert item.register == "nightlog" and item.summary == "厨房漏水"
        assert (handled_item.summary, handled_item.state) == ("停电", "handled")
    with desk.write() as ctx:
        order_id = nightlog.transfer_to_repair(ctx, left_id)
    with desk.read() as ctx:
        order = ctx.session.get(RepairOrder, order_id)
        entry = nightlog.get(ctx, left_id)
        assert order is not None and order.room == "3-1202" and "厨房漏水" in order.description
        assert order.reported_at == NOW  # registered in the morning: dispatch due from now
        assert (entry.state, entry.transferred_to, entry.transferred_id) == (
            NightLogState.transferred,
            "repairs",
            order_id,
        )
        assert [i.state for i in nightlog.open_items(ctx)] == ["handled"]
    with pytest.raises(DeskError, match="not left for the morning"), desk.write() as ctx:
        nightlog.transfer_to_complaint(ctx, left_id)


def test_an_emergency_stays_marked_on_the_repair_order_it_becomes(
    db: Database, desk: Desk, night: Operator
) -> None:
    with Desk(db, night, AT_NIGHT).write() as ctx:
        entry = nightlog.log(
            ctx,
            NightLogCreate(room="3-1202", what="水管爆裂", emergency=True, left_for_morning=True),
        )
        quiet = nightlog.log(ctx, NightLogCreate(what="楼道灯不亮", left_for_morning=True))
    assert entry.id is not None and quiet.id is not None
    with desk.write() as ctx:
        urgent = ctx.session.get(RepairOrder, nightlog.transfer_to_repair(ctx, entry.id))
        plain = ctx.session.get(RepairOrder, nightlog.transfer_to_repair(ctx, quiet.id))
    assert urgent is not None and urgent.description.startswith("[URGENT] 水管爆裂")
    assert plain is not None and plain.description.startswith("楼道灯不亮")


def test_close_with_a_reason(db: Database, desk: Desk, night: Operator) -> None:
    with Desk(db, night, AT_NIGHT).write() as ctx:
        entry_id = nightlog.log(ctx, NightLogCreate(what="门禁失灵")).id
    assert entry_id is not None
    with pytest.raises(DeskError), desk.write() as ctx:
        nightlog.close(ctx, entry_id, "  ")
    with desk.write() as ctx:
        closed = nightlog.close(ctx, entry_id, "住户来电说已恢复")
        assert closed.state == NightLogState.closed and closed.closed_at == NOW
    with desk.read() as ctx:
        assert nightlog.left_for_morning(ctx) == []
        assert [e.id for e in nightlog.recent(ctx, hours=12)] == [entry_id]


def test_future_time_and_empty_what_are_refused(desk: Desk) -> None:
    with pytest.raises(DeskError), desk.write() as ctx:
        nightlog.log(ctx, NightLogCreate(what="x", logged_at=NOW + timedelta(hours=1)))
    with pytest.raises(DeskError), desk.write() as ctx:
        nightlog.log(ctx, NightLogCreate(what=""))
