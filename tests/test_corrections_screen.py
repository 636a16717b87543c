"""Correcting a repair order at the keyboard: ctrl+n on its page, the fields filled in, the room
typed again, refused without a reason (nothing saved), saved with one, the history saying the old
and the new room; another clerk told why before any dialog opens."""

from __future__ import annotations

from desk.db import Database
from desk.forms.fields import TextField
from desk.i18n import t
from desk.models import Operator, Role
from desk.screens.correct_dialog import CorrectDialog
from desk.screens.repair_detail import RepairDetailScreen
from desk.screens.repairs import RepairsScreen
from desk.services import repair
from desk.services.repair import RepairCreate
from tests.conftest import Desk, add_staff
from tests.pilot_support import (
    desk_app,
    field_error,
    messages,
    open_row,
    table_cells,
    until,
    until_screen,
)


def _room(desk: Desk, order_id: int) -> str:
    with desk.read() as ctx:
        return repair.get(ctx, order_id).room


async def test_the_clerk_corrects_the_room_of_a_repair_with_a_reason(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    data = RepairCreate(room="3-1202", resident_name="李明", description="水龙头漏水")
    with desk.write() as ctx:
        order = repair.register(ctx, data)
    assert order.id is not None
    app = desk_app(db, clerk)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        await until_screen(pilot, RepairsScreen)
        await open_row(pilot, "#orders", str(order.id), RepairDetailScreen)
        await pilot.press("ctrl+n")
        dialog = await until_screen(pilot, CorrectDialog)
        assert dialog.query_one("#field-resident_name", TextField).value == "李明"
        # the room has the focus, its text selected: typing replaces it
        await pilot.press(*"3-1203", "ctrl+s")
        await until(pilot, lambda: field_error(dialog, "reason"))
        assert isinstance(app.screen, CorrectDialog)
        assert _room(desk, order.id) == "3-1202"
        # the refusal put the cursor in the reason
        await pilot.press(*"房号记错", "ctrl+s")
        await until_screen(pilot, RepairDetailScreen)
        assert _room(desk, order.id) == "3-1203"
        await until(pilot, lambda: t("correct.done", number=order.number) in messages(app))
        history = " ".join(table_cells(pilot, "#history"))
        assert t("repair_ui.action.corrected") in history
        assert t("correct.line", field=t("fields.room"), old="3-1202", new="3-1203") in history
        assert "房号记错" in history


async def test_another_clerk_is_told_why_before_the_dialog(db: Database, desk: Desk) -> None:
    with desk.write() as ctx:
        order = repair.register(ctx, RepairCreate(room="3-1202", description="灯不亮"))
    assert order.id is not None
    other = add_staff(db, "刘洋", Role.clerk, "5678")
    app = desk_app(db, other)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        await until_screen(pilot, RepairsScreen)
        await open_row(pilot, "#orders", str(order.id), RepairDetailScreen)
        await pilot.press("ctrl+n")
        await until(pilot, lambda: messages(app))
        assert not isinstance(app.screen, CorrectDialog)
        assert "only a supervisor may correct a record another clerk wrote" in messages(app)[-1]
