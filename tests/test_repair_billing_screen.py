"""A paid order's money at the keyboard: the price agreed before "on site", completed with
charges, billed, paid with a receipt, each completion on the page; a correction refused to a
clerk who did not write the charges."""

from __future__ import annotations

import pytest

from desk.db import Database
from desk.i18n import t
from desk.models import Operator, RepairOrder, RepairState, Role
from desk.screens.repair_billing_dialogs import CorrectChargesDialog, PayDialog
from desk.screens.repair_detail import RepairDetailScreen
from desk.screens.repair_dialogs import ArriveDialog
from desk.screens.repairs import RepairsScreen
from desk.services import repair
from desk.services.repair import RepairCompletion, RepairCreate
from tests.conftest import NOW, Desk, add_staff
from tests.pilot_support import (
    desk_app,
    messages,
    open_row,
    screen_lines,
    settle,
    until,
    until_screen,
)

SIZE = (120, 40)


def _paid_dispatched(desk: Desk) -> int:
    data = RepairCreate(
        room="5-0301",
        resident_name="张伟",
        phone="13900001111",
        description="热水器不打火",
        category="water",
        paid=True,
    )
    with desk.write() as ctx:
        order_id = repair.register(ctx, data).id
        assert order_id is not None
        repair.dispatch(ctx, order_id, "孙文斌")
    return order_id


def _order(desk: Desk, order_id: int) -> RepairOrder:
    with desk.read() as ctx:
        return repair.get(ctx, order_id)


def _shown(app: object) -> str:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, RepairDetailScreen)
    return "\n".join(f"{label} {value}" for label, value in screen.shown_fields)


async def _open(pilot: object, order_id: int) -> None:
    await pilot.press("f3")  # type: ignore[attr-defined]
    await until_screen(pilot, RepairsScreen)  # type: ignore[arg-type]
    await open_row(pilot, "#orders", str(order_id), RepairDetailScreen)  # type: ignore[arg-type]


async def test_price_agreed_on_site_completed_billed_and_paid_by_keys(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    order_id = _paid_dispatched(desk)
    app = desk_app(db, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, order_id)
        assert t("repair_ui.no_consent") in _shown(app)
        # on site before the price is agreed: refused, saying what is missing
        await pilot.press("ctrl+a")
        await until_screen(pilot, ArriveDialog)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: any("consent" in line for line in screen_lines(app)))
        await pilot.press("escape")
        await until_screen(pilot, RepairDetailScreen)
        assert _order(desk, order_id).state == RepairState.dispatched

        await pilot.press("ctrl+g")  # the price, the resident (prefilled), now
        await settle(pilot)
        await pilot.press(*"120", "ctrl+s")
        await until(pilot, lambda: _order(desk, order_id).consent_at is not None)
        assert (_order(desk, order_id).quoted_fen, _order(desk, order_id).consent_by) == (
            12000,
            "张伟",
        )
        await pilot.press("ctrl+a")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: _order(desk, order_id).state == RepairState.on_site)

        await pilot.press("ctrl+e")
        await settle(pilot)
        await pilot.press("tab", *"New igniter", "tab", *"50", "tab", *"35.5", "ctrl+s")
        await until(pilot, lambda: _order(desk, order_id).state == RepairState.completed)

        await pilot.press("ctrl+u")  # billed, now
        await settle(pilot)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: _order(desk, order_id).billed_at == NOW)
        assert t("repair_ui.unpaid") in _shown(app)

        await pilot.press("ctrl+y")  # paid: the receipt is required
        await until_screen(pilot, PayDialog)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PayDialog) and _order(desk, order_id).paid_at is None
        await pilot.press(*"SF000123", "ctrl+s")
        await until(pilot, lambda: _order(desk, order_id).paid_at == NOW)
        await until_screen(pilot, RepairDetailScreen)
        shown = _shown(app)
    assert _order(desk, order_id).receipt_number == "SF000123"
    assert "¥120.00, agreed by 张伟" in shown
    assert "receipt SF000123" in shown
    assert "Completion 1" in shown and "New igniter" in shown and "¥85.50" in shown


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
async def test_a_correction_by_another_clerk_is_refused_before_the_dialog(
    db: Database, desk: Desk, lang: str
) -> None:
    order_id = _paid_dispatched(desk)
    with desk.write() as ctx:
        repair.complete(ctx, order_id, RepairCompletion(work_done="换点火针", labour_fen=5000))
    other = add_staff(db, "刘洋", Role.clerk, "5678")
    app = desk_app(db, other, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, order_id)
        await pilot.press("ctrl+k")
        await until(pilot, lambda: messages(app))
        assert not isinstance(app.screen, CorrectChargesDialog)
        number = _order(desk, order_id).number
        assert t("repair.correct_forbidden", number=number) in messages(app)
    assert _order(desk, order_id).labour_fen == 5000
