"""Owner record changes at the keyboard, at 80×24: the clerk declares, the supervisor applies."""

from __future__ import annotations

from textual.widgets import DataTable

from desk.db import Database
from desk.forms.dialogs import ConfirmDialog
from desk.forms.owner_change_form import OwnerChangeForm, OwnerChangeFormScreen
from desk.models import Operator
from desk.screens.owner_change_detail import OwnerChangeDetailScreen
from desk.screens.owner_changes import OwnerChangesScreen
from desk.screens.room_history import RoomHistoryScreen
from desk.services import owner_changes, residents
from tests.conftest import Desk
from tests.pilot_support import (
    desk_app,
    field_error,
    messages,
    open_row,
    settle,
    table_cells,
    until,
    until_screen,
)
from tests.test_owner_changes_service import LI_MING, fast_proofs  # noqa: F401

SIZE = (80, 24)


async def test_declare_in_person_then_the_supervisor_applies_and_the_room_remembers(
    db: Database, clerk: Operator, supervisor: Operator
) -> None:
    with Desk(db, clerk).write() as ctx:
        residents.add_resident(ctx, "3", "1202", "李明", "13812345678", "owner")
        residents.add_resident(ctx, "3", "1202", "赵租", "13700001111", "tenant")
    app = desk_app(db, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")  # from the board
        await until_screen(pilot, OwnerChangesScreen)
        await pilot.press("ctrl+n")
        form_screen = await until_screen(pilot, OwnerChangeFormScreen)
        form = form_screen.query_one(OwnerChangeForm)
        await pilot.press(*"3-1202", "tab", "tab")  # room; the change: details (the default)
        await pilot.press(*"李明", "tab")  # whose record; the owner who asks is filled in
        await until(pilot, lambda: form.fields()["asked_by"].value == "李明")
        await pilot.press("tab", "tab", "tab")  # asked by, in person, ID card
        await pilot.press(*LI_MING[:-1], "tab")  # one character short: said at once
        await pilot.press("tab", *"139 0000 2222", "ctrl+s")
        await until(pilot, lambda: field_error(form, "id_number") != "")
        assert "ID number" in field_error(form, "id_number")
        assert "signs" in field_error(form, "signed")  # every refusal at once
        form.query_one("#id_number").focus()
        await settle(pilot)
        await pilot.press("end", LI_MING[-1])
        form.query_one("#signed").focus()
        await settle(pilot)
        await pilot.press("space", "ctrl+s")
        await until_screen(pilot, OwnerChangesScreen)
        await until(pilot, lambda: "BG-20261123-001" in table_cells(pilot, "#owner-changes"))
        assert "李* 138****5678→139****2222" in table_cells(pilot, "#owner-changes")
        await pilot.press("enter")
        page = await until_screen(pilot, OwnerChangeDetailScreen)
        await pilot.press("ctrl+e")  # a clerk may not apply: told why, nothing opens
        await until(pilot, lambda: any("records clerk" in m for m in messages(app)))
        assert app.screen is page

    boss = desk_app(db, supervisor)
    async with boss.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await until_screen(pilot, OwnerChangesScreen)
        with Desk(db, supervisor).read() as ctx:
            (found,) = owner_changes.listing(ctx)
        await open_row(pilot, "#owner-changes", str(found.id), OwnerChangeDetailScreen)
        await pilot.press("ctrl+e")
        await until_screen(pilot, ConfirmDialog)
        await pilot.press("enter")
        await until(pilot, lambda: any("applied to the residents" in m for m in messages(boss)))
        with Desk(db, supervisor).read() as ctx:
            assert owner_changes.get(ctx, found.id or 0).state == "applied"
        boss.push_screen(RoomHistoryScreen("3-1202"))
        history = await until_screen(pilot, RoomHistoryScreen)
        await until(pilot, lambda: history.query_one("#events", DataTable).row_count == 2)
        assert history.found is not None
        lines = {(e.register, e.summary) for e in history.found.timeline}
        assert ("owner_changes", "李明 138****5678→139****2222") in lines
        assert ("residents", "李明: Phone 138****5678 → 139****2222, ID recorded") in lines
