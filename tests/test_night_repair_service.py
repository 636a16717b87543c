"""A repair the night duty fixed becomes, in the morning, a completed order with its callback due
(000 「回访处理率达100%」); until then it is on the board and the handover; once only."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import col, select

from desk.db import Database
from desk.models import (
    AuditEvent,
    NightLogState,
    RepairCompletion,
    RepairOrder,
    RepairState,
    Role,
)
from desk.services import board, night_repair, nightlog, repair, summary
from desk.services.errors import DeskError
from desk.services.night_repair import NightRepair
from desk.services.nightlog import NightLogCreate
from tests.conftest import NOW, TZ, Desk, add_staff

AT_NIGHT = datetime(2026, 11, 23, 2, 10, tzinfo=TZ)


def _refused(desk: Desk, entry_id: int, data: NightRepair) -> DeskError:
    with pytest.raises(DeskError) as refused, desk.write() as ctx:
        night_repair.transfer(ctx, entry_id, data)
    return refused.value


def test_a_night_repair_becomes_a_completed_order_with_its_callback_once(
    db: Database, desk: Desk
) -> None:
    night = add_staff(db, "张伟", Role.night, "3333")
    with Desk(db, night, AT_NIGHT).write() as ctx:
        fixed = nightlog.log(
            ctx, NightLogCreate(caller="李", room="2-301", what="整屋停电", action_taken="合闸恢复")
        )
        left = nightlog.log(ctx, NightLogCreate(room="3-1202", what="厨房漏水"))
        alarm = nightlog.log(ctx, NightLogCreate(what="车库报警器响", action_taken="通知安管部"))
    assert fixed.id and left.id and alarm.id
    # in the morning the handled repair is on the board and the handover, awaiting its callback
    with desk.read() as ctx:
        on_board = {i.record_id: i.state for i in board.open_items(ctx) if i.register == "nightlog"}
        sections = summary.open_sections(ctx)
        assert on_board == {fixed.id: "handled", left.id: "left_for_morning", alarm.id: "handled"}
        assert [i.what for i in sections["night_repairs"]] == ["整屋停电", "车库报警器响"]
        assert [i.what for i in sections["nightlog"]] == ["厨房漏水"]
        assert night_repair.prefill(ctx, fixed).technician == "张伟"
    # the clerk who tries it anyway: charges on a free order, times out of order, no leak test
    free = NightRepair(category="electric", work_done="合闸", labour_fen=500)
    assert _refused(desk, fixed.id, free).field == "labour_fen"
    # a paid night repair names who agreed to the price, as any paid order must (003)
    unagreed = NightRepair(category="electric", work_done="合闸", paid=True, labour_fen=500)
    assert _refused(desk, fixed.id, unagreed).field == "consent_by"
    early = NightRepair(category="electric", work_done="合闸", on_site_at=AT_NIGHT - timedelta(1))
    assert _refused(desk, fixed.id, early).field == "on_site_at"
    backwards = NightRepair(
        category="electric",
        work_done="合闸",
        completed_at=AT_NIGHT,
        on_site_at=AT_NIGHT.replace(minute=40),
    )
    assert _refused(desk, fixed.id, backwards).field == "completed_at"
    assert _refused(desk, fixed.id, NightRepair(category="leak", work_done="补漏")).field == (
        "leak_test_at"
    )
    # a left entry is not a night repair; a handled one is not registered as a new order
    assert "not yet transferred" in _refused(desk, left.id, NightRepair(work_done="x")).message
    with pytest.raises(DeskError), desk.write() as ctx:
        nightlog.transfer_to_repair(ctx, fixed.id)
    on_site, done = AT_NIGHT.replace(minute=25), AT_NIGHT.replace(minute=55)
    data = NightRepair(
        category="electric",
        work_done="更换空开一只",
        on_site_at=on_site,
        completed_at=done,
        paid=True,
        consent_by="李明",
        labour_fen=3000,
        material_fen=4500,
    )
    with desk.write() as ctx:
        order_id = night_repair.transfer(ctx, fixed.id, data).id
        nightlog.close(ctx, alarm.id, "安管部已处理，非报修")
        left_order = nightlog.transfer_to_repair(ctx, left.id)
    with desk.read() as ctx:
        order = repair.get(ctx, order_id or 0)
        entry = nightlog.get(ctx, fixed.id)
        assert (order.state, order.reported_at, order.dispatched_at) == (
            RepairState.completed,
            AT_NIGHT,
            AT_NIGHT,
        )
        assert (order.on_site_at, order.completed_at, order.technician) == (on_site, done, "张伟")
        assert (order.paid, order.labour_fen, order.material_fen) == (True, 3000, 4500)
        assert (order.quoted_fen, order.consent_by, order.consent_at) == (7500, "李明", on_site)
        assert order.work_done == "更换空开一只" and "整屋停电" in order.description
        assert order.callback_due_at == ctx.due(done, "2d")  # electric: 2 days after completion
        assert [o.id for o in repair.awaiting_callback(ctx)] == [order_id]
        (completion,) = ctx.session.exec(select(RepairCompletion))
        assert (completion.order_id, completion.round, completion.labour_fen) == (order_id, 1, 3000)
        assert (entry.state, entry.transferred_to, entry.transferred_id) == (
            NightLogState.transferred,
            "repairs",
            order_id,
        )
        assert nightlog.transferred_number(ctx, entry) == order.number
        events = ctx.session.exec(
            select(AuditEvent.register_name, AuditEvent.action).where(col(AuditEvent.at) == NOW)
        ).all()
        assert ("nightlog", "transferred") in events and ("repairs", "completed") in events
        # left for the morning still becomes a registered order, dispatch due from now
        morning_order = ctx.session.get(RepairOrder, left_order)
        assert morning_order is not None and morning_order.state == RepairState.registered
        assert morning_order.reported_at == NOW
        assert nightlog.open_items(ctx) == []
    # transferred twice: refused, no second order and no second callback
    assert "(it is transferred)" in _refused(desk, fixed.id, data).message
    with desk.read() as ctx:
        assert len(ctx.session.exec(select(RepairOrder)).all()) == 2
