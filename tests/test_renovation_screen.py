"""Renovations at the keyboard, at 80×24: the clerk's path from the board to the printed permit."""

from __future__ import annotations

from datetime import date

from textual.widgets import Input

from desk.db import Database
from desk.forms.renovation_form import RenovationFormScreen
from desk.models import Operator, Renovation, RenovationState
from desk.screens.renovation_detail import RenovationDetailScreen
from desk.screens.renovation_dialogs import (
    ApproveDialog,
    DocumentsDialog,
    EngineeringDialog,
    PermitDialog,
)
from desk.screens.renovations import RenovationsScreen
from desk.screens.worker_passes import WorkerPassesScreen
from desk.services import renovation
from tests.conftest import Desk
from tests.pilot_support import (
    desk_app,
    field_error,
    printed,
    settle,
    table_cells,
    until,
    until_screen,
)
from tests.renovation_seed import add_owner

SIZE = (80, 24)


def only(desk: Desk) -> Renovation:
    with desk.read() as ctx:
        (found,) = renovation.listing(ctx)
    return found


async def test_a_clerk_takes_an_application_to_the_printed_permit_by_keys(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    add_owner(desk)
    app = desk_app(db, clerk, "zh_CN")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("r")  # the board's key to the register
        await until_screen(pilot, RenovationsScreen)
        await pilot.press("ctrl+n")
        form = await until_screen(pilot, RenovationFormScreen)
        # the room on file offers its owner and the owner's phone
        await pilot.press(*"3-1202")
        await until(pilot, lambda: form.query_one("#applicant", Input).value == "李明")
        assert form.query_one("#applicant_phone", Input).value == "13812345678"
        await pilot.press("tab", "tab", "tab", "tab")  # kind, applicant, phone: as offered
        await pilot.press(*"安居", "tab", *"L1", "tab", *"周工", "tab", *"5550123", "tab")
        await pilot.press(*"11-30", "tab", *"+60d", "tab", *"翻新", "tab")
        # four kinds of special works and the undertaking, then six papers: none ticked yet
        await pilot.press(*["tab"] * 11)
        assert app.focused is form.query_one("#deposit", Input)
        assert form.query_one("#deposit", Input).value == "3000"  # the site's default
        await pilot.press("tab", *"S1", "tab", "tab", *"S2")
        await pilot.press("ctrl+s")
        await until_screen(pilot, RenovationsScreen)
        found = only(desk)
        assert found.number in table_cells(pilot, "#renovations")
        assert (found.contractor, found.deposit_receipt, found.debris_fee_receipt) == (
            "安居",
            "S1",
            "S2",
        )
        assert (found.planned_start, found.planned_end) == (date(2026, 11, 30), date(2027, 1, 22))
        assert renovation.missing_documents(found) == list(renovation.DOCUMENTS)

        await pilot.press("enter")
        page = await until_screen(pilot, RenovationDetailScreen)
        await pilot.press("ctrl+g")  # not offered yet: the papers are not complete
        await settle(pilot)
        assert app.screen is page
        await pilot.press("ctrl+d")
        dialog = await until_screen(pilot, DocumentsDialog)
        await pilot.press("space", "tab", "space", "tab", "space", "tab", "space", "tab")
        await pilot.press("space", "ctrl+s")  # the fire pledge is still missing
        await until(pilot, lambda: field_error(dialog, "fire_pledge_signed").strip())
        await pilot.press("space", "ctrl+s")
        await until_screen(pilot, RenovationDetailScreen)
        assert only(desk).state == RenovationState.documents_complete

        await pilot.press("ctrl+g")
        await until_screen(pilot, EngineeringDialog)
        await pilot.press("ctrl+s")  # the receipts typed on the application stand
        await until_screen(pilot, RenovationDetailScreen)
        assert only(desk).approval_due_at is not None

        await pilot.press("ctrl+a")
        await until_screen(pilot, ApproveDialog)
        await pilot.press(*"李工", "ctrl+s")
        await until_screen(pilot, RenovationDetailScreen)
        assert only(desk).state == RenovationState.approved

        await pilot.press("ctrl+k")
        await until_screen(pilot, PermitDialog)
        await pilot.press("ctrl+s")  # the planned days
        await until_screen(pilot, RenovationDetailScreen)
        found = only(desk)
        assert found.state == RenovationState.permit_issued
        assert found.permit_number.startswith("XK-")

        await pilot.press("ctrl+w")
        await pilot.app.workers.wait_for_complete()
        await until(pilot, lambda: printed(db, f"{found.permit_number}.txt"))

        await pilot.press("w")  # the workers' passes of this renovation
        passes_of = await until_screen(pilot, WorkerPassesScreen)
        assert passes_of.query_one("#wp-filter", Input).value == found.number
        await pilot.press("escape")
        await until_screen(pilot, RenovationDetailScreen)
    (text,) = printed(db, f"{found.permit_number}.txt")
    permit = text.read_text(encoding="utf-8")
    assert "装修许可证" in permit and found.permit_number in permit and "安居" in permit
    assert printed(db, f"{found.permit_number}.pdf")
