"""The fee desk at the keyboard, at 80×24: from the board to a room's page, the read-back, and a
payment taken at the counter (refused until the payer confirmed it)."""

from __future__ import annotations

from textual.widgets import Checkbox

from desk.db import Database
from desk.models import Operator, Role
from desk.screens.fee_dialogs import PaymentDialog
from desk.screens.fee_room import FeeRoomScreen
from desk.screens.fees import FeesScreen
from desk.services import fees
from tests.conftest import Desk, add_staff
from tests.fee_seed import add_rooms, load
from tests.pilot_support import (
    desk_app,
    field_error,
    messages,
    settle,
    table_cells,
    until,
    until_screen,
)

SIZE = (80, 24)


async def test_a_clerk_takes_a_payment_at_the_counter(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    add_rooms(desk)
    load(Desk(db, add_staff(db, "赵主管", Role.supervisor, "8888")))
    app = desk_app(db, clerk, "zh_CN")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("f")  # the board's key to the fee desk
        await until_screen(pilot, FeesScreen)
        assert "3-1202" in table_cells(pilot, "#fees")
        await pilot.press("enter")
        page = await until_screen(pilot, FeeRoomScreen)
        await until(pilot, lambda: page.back is not None)
        await pilot.press("ctrl+k")
        dialog = await until_screen(pilot, PaymentDialog)
        await pilot.press(*"500", "tab", *"CW-0001")
        await pilot.press("ctrl+s")  # the payer has not confirmed the read-back
        await settle(pilot)
        assert field_error(dialog, "confirmed"), messages(app) + [
            field_error(dialog, n) for n in ("amount", "receipt", "payer")
        ]
        dialog.query_one("#confirmed", Checkbox).focus()
        await pilot.press("space", "ctrl+s")
        await until_screen(pilot, FeeRoomScreen)
        await until(pilot, lambda: page.back is not None and page.back.owing_fen == 78650)
    with desk.read() as ctx:
        [paid] = fees.payments_of(ctx, "3-1202")
    assert (paid.amount_fen, paid.receipt, paid.payer) == (50000, "CW-0001", "李明")
