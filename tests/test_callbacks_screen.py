"""The callback queue at the keyboard: satisfied closes, unsatisfied reopens, unreached waits."""

from __future__ import annotations

from datetime import timedelta

from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from desk.app import make_app
from desk.db import Database
from desk.models import Operator, RepairState
from desk.screens.callbacks import CallbackQueueScreen
from desk.screens.repair_dialogs import CallbackDialog
from desk.services import repair
from tests.conftest import NOW, Desk
from tests.pilot_support import MovableClock, field_error, settle, table_cells, until_screen
from tests.seed import complete_repair

SIZE = (120, 40)


def _text(pilot: Pilot[None], selector: str) -> str:
    return str(pilot.app.screen.query_one(selector, Static).render())


async def _open_queue(pilot: Pilot[None]) -> None:
    await pilot.app.push_screen(CallbackQueueScreen())
    await until_screen(pilot, CallbackQueueScreen)


async def test_a_satisfied_callback_from_the_queue_closes_the_repair(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    earlier = Desk(db, clerk, NOW - timedelta(days=3))
    overdue_id = complete_repair(earlier, "换密封圈", room="3-1202", phone="13812345678")
    order_id = complete_repair(desk, "换密封圈")
    app = make_app(db, lang="en", clock=MovableClock(NOW), operator=clerk)
    async with app.run_test(size=SIZE) as pilot:
        await _open_queue(pilot)
        table = app.screen.query_one("#queue", DataTable)
        assert [k.value for k in table.rows] == [f"repairs:{overdue_id}", f"repairs:{order_id}"]
        cells = table_cells(pilot, "#queue")
        assert "13812345678" in cells and "13900001111" in cells  # phones in full
        assert "张*" in cells and "Repairs" in cells
        assert "late 24 h 0 min" in cells and "2 d 0 h left" in cells
        assert "0% (0 of 1 due were called back" in _text(pilot, "#callback-rate")

        table.move_cursor(row=1)
        await pilot.press("enter")
        await until_screen(pilot, CallbackDialog)
        await pilot.press("tab", "enter")  # satisfaction: open the list
        await settle(pilot)
        await pilot.press("down", "enter")  # satisfied
        await pilot.press("tab", *"很满意", "ctrl+s")
        await until_screen(pilot, CallbackQueueScreen)
        assert [k.value for k in table.rows] == [f"repairs:{overdue_id}"]
        # the closed one falls due on 11-25: not yet counted in this month's rate so far
        assert "0% (0 of 1 due" in _text(pilot, "#callback-rate")
    with desk.read() as ctx:
        order = repair.get(ctx, order_id)
    assert order.state == RepairState.closed and order.satisfied is True
    assert order.callback_note == "很满意" and order.callback_at == NOW


async def test_not_satisfied_reopens_the_repair_in_chinese(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    order_id = complete_repair(Desk(db, clerk, NOW - timedelta(days=1)), "换密封圈")
    app = make_app(db, lang="zh_CN", clock=MovableClock(NOW), operator=clerk)
    async with app.run_test(size=SIZE) as pilot:
        await _open_queue(pilot)
        assert "报修" in table_cells(pilot, "#queue")
        assert "本月至今回访完成率" in _text(pilot, "#callback-rate")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("tab", "enter")
        await settle(pilot)
        await pilot.press("down", "down", "enter")  # not satisfied
        await pilot.press("ctrl+s")  # no reason yet: refused, the dialog stays
        await until_screen(pilot, CallbackDialog)
        assert "不满意" in field_error(app.screen, "note")
        await pilot.press(*"还在漏水", "ctrl+s")
        await until_screen(pilot, CallbackQueueScreen)
        assert app.screen.query_one("#queue", DataTable).row_count == 0
        assert "没有待回访" in _text(pilot, "#callback-title")
    with desk.read() as ctx:
        order = repair.get(ctx, order_id)
    assert order.state == RepairState.registered and order.reopen_count == 1
    assert order.callback_note == "还在漏水"


async def test_not_reached_moves_the_row_to_the_retry_time(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    first = complete_repair(Desk(db, clerk, NOW - timedelta(days=1)), "换密封圈")
    second = complete_repair(
        Desk(db, clerk, NOW - timedelta(days=1, minutes=-30)), "换密封圈", room="6-0101"
    )
    app = make_app(db, lang="en", clock=MovableClock(NOW), operator=clerk)
    async with app.run_test(size=SIZE) as pilot:
        await _open_queue(pilot)
        table = app.screen.query_one("#queue", DataTable)
        assert [k.value for k in table.rows] == [f"repairs:{first}", f"repairs:{second}"]
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("space")  # not reached: the retry time appears
        await settle(pilot)
        await pilot.press("tab", *"no answer", "tab", *"+2d", "ctrl+s")
        await until_screen(pilot, CallbackQueueScreen)
        assert [k.value for k in table.rows] == [f"repairs:{second}", f"repairs:{first}"]
        assert "1" in [str(c) for c in table.get_row(f"repairs:{first}")]
    with desk.read() as ctx:
        order = repair.get(ctx, first)
    assert order.state == RepairState.completed
    assert order.callback_due_at == NOW + timedelta(days=2)
