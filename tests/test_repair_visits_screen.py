"""Moving a repair visit at the keyboard: the order's page shows the on-site due time; ctrl+l
asks for the new time and who agreed, refuses without the resident's name, and the page then
shows the move in its fields and its history."""

from __future__ import annotations

import pytest

from desk.db import Database
from desk.i18n import t
from desk.models import Operator, RepairOrder
from desk.screens.repair_detail import RepairDetailScreen
from desk.screens.repair_dialogs import RescheduleDialog
from desk.screens.repairs import RepairsScreen
from desk.services import repair
from desk.services.repair import RepairCreate
from tests.conftest import NOW, Desk
from tests.pilot_support import (
    desk_app,
    field_error,
    open_row,
    settle,
    table_cells,
    until,
    until_screen,
)


@pytest.mark.parametrize("lang", ["zh_CN"])
async def test_reschedule_a_visit_by_keys(
    db: Database, clerk: Operator, desk: Desk, lang: str
) -> None:
    data = RepairCreate(
        room="3-1202",
        resident_name="张伟",
        description="入户门锁芯卡死",
        category="door",
        appointment_at=NOW.replace(hour=14, minute=0),
    )
    with desk.write() as ctx:
        order_id = repair.register(ctx, data).id
        assert order_id is not None
        repair.dispatch(ctx, order_id, "李建国")

    def order() -> RepairOrder:
        with desk.read() as ctx:
            return repair.get(ctx, order_id)

    app = desk_app(db, clerk, lang=lang)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        await until_screen(pilot, RepairsScreen)
        page = await open_row(pilot, "#orders", str(order_id), RepairDetailScreen)
        fields = dict(page.shown_fields)
        assert fields[t("fields.on_site_due_at")].endswith("14:10")

        await pilot.press("ctrl+l")
        dialog = await until_screen(pilot, RescheduleDialog)
        await pilot.press(*"16:00", "tab")  # the new time; then who agreed, left empty
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert field_error(dialog, "agreed_by")  # refused beside the field, nothing saved
        assert order().reschedule_count == 0
        await pilot.press("张", "right", "ctrl+s")  # → takes the resident's name offered
        await until(pilot, lambda: order().reschedule_count == 1)
        moved = order()
        assert moved.appointment_at == NOW.replace(hour=16, minute=0)
        assert moved.on_site_due_at == NOW.replace(hour=16, minute=10)
        assert moved.reschedule_agreed_by == "张伟"

        await until_screen(pilot, RepairDetailScreen)
        fields = dict(page.shown_fields)
        assert fields[t("fields.on_site_due_at")].endswith("16:10")
        assert "张伟" in "\n".join(fields.values())
        history = "\n".join(table_cells(pilot, "#history"))
        assert t("repair_ui.action.rescheduled") in history
        assert "14:00" in history and "16:00" in history
