"""F11 in the morning: a repair the night duty fixed, ctrl+g, the charges, ctrl+s: a completed
order whose callback is due; the entry leaves the morning table and cannot be transferred again."""

from __future__ import annotations

from datetime import datetime

import pytest
from textual.widgets import Input

from desk.app import make_app
from desk.db import Database
from desk.models import NightLogState, Operator, RepairState, Role
from desk.screens.nightlog import NightLogScreen
from desk.screens.nightlog_detail import NightLogDetailScreen
from desk.screens.nightlog_repair import NightRepairDialog
from desk.screens.record_table import RecordTable
from desk.screens.records import open_record
from desk.screens.repair_detail import RepairDetailScreen
from desk.services import nightlog, repair
from desk.services.nightlog import NightLogCreate
from tests.conftest import NOW, TZ, Desk, add_staff
from tests.pilot_support import screen_lines, settle, until, until_screen

SIZE = (120, 40)
AT_NIGHT = datetime(2026, 11, 23, 2, 10, tzinfo=TZ)


@pytest.mark.parametrize("lang", ["en"])
async def test_a_night_repair_becomes_a_completed_order_at_the_keyboard(
    db: Database, clerk: Operator, lang: str
) -> None:
    night = add_staff(db, "张伟", Role.night, "3333")
    with Desk(db, night, AT_NIGHT).write() as ctx:
        data = NightLogCreate(caller="李明", room="2-301", what="整屋停电", action_taken="合闸恢复")
        entry_id = nightlog.log(ctx, data).id
    assert entry_id is not None
    app = make_app(db, lang=lang, clock=lambda: NOW, operator=clerk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f11")
        screen = await until_screen(pilot, NightLogScreen)
        morning = screen.query_one("#morning", RecordTable)
        assert morning.selected_id() == entry_id  # awaiting its callback, on the clerk's table
        await pilot.press("ctrl+g")
        dialog = await until_screen(pilot, NightRepairDialog)
        # what the night duty did and who did it, the night's times: already filled in
        assert dialog.query_one("#work_done", Input).value == "合闸恢复"
        assert dialog.query_one("#technician", Input).value == "张伟"
        assert dialog.query_one("#completed_at", Input).value == "2026-11-23 02:10"
        # category (kept), work, technician, on site, completed: to "paid", then the charges
        await pilot.press(*["tab"] * 5, "space", "tab", *"30", "tab", *"12.5", "ctrl+s")
        await until_screen(pilot, NightLogScreen)
        await until(pilot, lambda: morning.row_count == 0)
        with Desk(db, clerk).read() as ctx:
            entry = nightlog.get(ctx, entry_id)
            order = repair.get(ctx, entry.transferred_id or 0)
            assert entry.state == NightLogState.transferred
            assert (order.state, order.paid, order.labour_fen, order.material_fen) == (
                RepairState.completed,
                True,
                3000,
                1250,
            )
            assert order.completed_at == AT_NIGHT and order.technician == "张伟"
            assert order.callback_due_at == ctx.due(AT_NIGHT, "2d")
        # on its page it says what it became; it is not transferred again
        assert open_record(app, "nightlog", entry_id)
        page = await until_screen(pilot, NightLogDetailScreen)
        await settle(pilot)
        assert page.check_action("to_repair", ()) is False
        assert page.check_action("close_entry", ()) is False
        assert page.linked == order.number
        # the order's history says it was repaired at night, and which entry it came from
        assert open_record(app, "repairs", order.id or 0)
        await until_screen(pilot, RepairDetailScreen)
        await settle(pilot)
        assert "YJ-20261123-001" in "".join(screen_lines(app))
