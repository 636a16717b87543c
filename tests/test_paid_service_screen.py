"""Paid services at the keyboard, at 80×24: a clerk books a service at the counter (s on the
board) and takes it to the department head, the work done and accepted by the resident."""

from __future__ import annotations

from textual.widgets import Input

from desk.db import Database
from desk.forms.paid_service_form import BookingDialog
from desk.models import Operator, ServiceBooking, ServiceState
from desk.screens.paid_service_detail import PaidServiceDetailScreen
from desk.screens.paid_service_dialogs import AcceptDialog, DoneDialog, SendDialog
from desk.screens.paid_services import PaidServicesScreen
from desk.services import paid_service
from tests.conftest import Desk
from tests.pilot_support import (
    MovableClock,
    desk_app,
    field_error,
    settle,
    until,
    until_screen,
)
from tests.test_paid_service_service import add_owner

SIZE = (80, 24)


def only(desk: Desk) -> ServiceBooking:
    with desk.read() as ctx:
        (found,) = paid_service.listing(ctx)
    return found


async def test_a_clerk_books_a_service_and_takes_it_to_accepted_by_keys(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    add_owner(desk)
    app = desk_app(db, clerk, "zh_CN")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("s")  # the board's key to the register
        await until_screen(pilot, PaidServicesScreen)
        await pilot.press("ctrl+n")
        form = await until_screen(pilot, BookingDialog)
        await pilot.press(*"3-1202", "tab", *"李明", "tab", *"13812345678", "tab")
        await pilot.press("tab", *"80", "tab", *"11-24 10:00", "tab", "tab")
        await pilot.press("ctrl+s")  # the result agreed is missing: said beside it, kept
        await until(pilot, lambda: field_error(form, "expected_result").strip())
        assert form.query_one("#quantity", Input).value == "80"
        await pilot.press(*"全屋无灰尘", "ctrl+s")
        page = await until_screen(pilot, PaidServiceDetailScreen)
        found = only(desk)
        # 开荒清洁, the list's first: 5.00 元/平方米 × 80
        assert (found.service, found.price_fen, found.state) == ("move_in_clean", 40000, "agreed")
        await pilot.press("ctrl+k")  # payment is not offered before the acceptance
        await settle(pilot)
        assert app.screen is page
        await pilot.press("ctrl+d")
        await until_screen(pilot, SendDialog)
        await pilot.press(*"王主管", "ctrl+s")
        await until(pilot, lambda: only(desk).state == ServiceState.sent)
        await pilot.press("ctrl+e")
        await until_screen(pilot, DoneDialog)
        await pilot.press(*"刘阿姨", "ctrl+s")
        await until(pilot, lambda: only(desk).state == ServiceState.done)
        await pilot.press("ctrl+y")
        await until_screen(pilot, AcceptDialog)  # the resident's name offered
        await pilot.press("ctrl+s")
        await until(pilot, lambda: only(desk).state == ServiceState.accepted)
        found = only(desk)
        assert (found.head, found.accepted_by, found.rounds) == ("王主管", "李明", 1)
        await until_screen(pilot, PaidServiceDetailScreen)


async def test_a_paid_services_callback_is_taken_from_the_shared_queue(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    from textual.widgets import DataTable

    from desk.screens.callbacks import CallbackQueueScreen
    from desk.screens.repair_dialogs import CallbackDialog
    from tests.test_paid_service_service import reach, stored

    add_owner(desk)
    booking_id = reach(desk, ServiceState.paid)
    app = desk_app(db, clerk, "en", clock=MovableClock(desk.now))
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(CallbackQueueScreen())
        await until_screen(pilot, CallbackQueueScreen)
        table = app.screen.query_one("#queue", DataTable)
        assert [k.value for k in table.rows] == [f"services:{booking_id}"]
        await pilot.press("enter")
        await until_screen(pilot, CallbackDialog)
        await pilot.press("tab", "enter")  # satisfaction: open the list
        await settle(pilot)
        await pilot.press("down", "enter")  # satisfied
        await pilot.press("tab", *"good", "ctrl+s")
        await until_screen(pilot, CallbackQueueScreen)
        assert not table.row_count
    found = stored(desk, booking_id)
    assert found.state == ServiceState.called_back and found.callback_note == "good"
