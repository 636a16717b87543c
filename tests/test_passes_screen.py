"""Release passes at the keyboard: issue with items, owner confirmation, detail, reconciliation."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from desk.db import Database
from desk.forms.pass_items import ItemsField
from desk.i18n import t
from desk.models import Operator, PassState
from desk.printing.pass_slip import pass_slip_pages, pass_slip_text
from desk.screens.pass_detail import PassDetailScreen
from desk.screens.pass_dialogs import GateAtDeskDialog
from desk.screens.pass_form import PassFormScreen
from desk.screens.pass_reconcile import ReconcileScreen
from desk.screens.passes import PassesScreen
from desk.services import passes, residents
from desk.services.passes import PassCreate, PassItemIn
from tests.conftest import NOW, Desk
from tests.pilot_support import (
    MovableClock,
    desk_app,
    field_error,
    messages,
    settle,
    table_cells,
    until,
    until_screen,
)

SIZE = (120, 40)


@pytest.fixture
def site(desk: Desk) -> Desk:
    with desk.write() as ctx:
        residents.add_resident(ctx, "3", "1202", "李明", "13812345678", "owner")
    return desk


def _issue(desk: Desk, lines: int = 2) -> str:
    items = [PassItemIn(description=f"纸箱{i}", quantity=i) for i in range(1, lines + 1)]
    data = PassCreate(room="3-1202", applicant="李明", id_last4="1234", items=items)
    with desk.write() as ctx:
        return passes.issue(ctx, data).number


def _stub_back(desk: Desk, number: str) -> bool:
    """Whether the pass `number` has its stub back at the desk."""
    with desk.read() as ctx:
        found = passes.find(ctx, number)
    return found is not None and found.stub_returned_at is not None


async def _open_form(pilot: Pilot[None]) -> None:
    await pilot.press("f6")
    await until_screen(pilot, PassesScreen)
    await pilot.press("ctrl+n")
    await until_screen(pilot, PassFormScreen)


async def _type_head(pilot: Pilot[None], applicant: str) -> None:
    """Room, applicant; (relationship and ID type keep their defaults); the ID's last 4."""
    await pilot.press(*"3-1202", "tab")
    await pilot.press(*applicant, "tab", "tab", "tab")
    await pilot.press(*"123x", "tab")


@pytest.mark.parametrize(("lang", "used"), [("zh_CN", "门岗已放行")])
async def test_issue_a_pass_with_three_item_lines_by_keyboard(
    db: Database, clerk: Operator, site: Desk, lang: str, used: str
) -> None:
    app = desk_app(db, clerk, lang)
    async with app.run_test(size=SIZE) as pilot:
        await _open_form(pilot)
        await _type_head(pilot, "李明")
        await pilot.press(*"SHA12345", "tab", "tab")  # plate; valid on: today
        await pilot.press(*"双人沙发", "tab", "tab", *"布艺", "enter")  # Enter adds a line
        await pilot.press(*"冰箱", "tab", "2")
        await pilot.press("ctrl+l")
        await pilot.press(*"纸箱", "tab", *"6")
        await pilot.press("ctrl+l", "ctrl+l")  # two empty lines at the end are left out
        assert len(app.screen.query_one(ItemsField).lines()) == 5
        await pilot.press("ctrl+y")
        assert len(app.screen.query_one(ItemsField).lines()) == 4
        await pilot.press("ctrl+s")
        await until_screen(pilot, PassesScreen)
        with site.read() as ctx:
            found = passes.find(ctx, "FX-20261123-001")
            assert found is not None and found.id is not None
            items = passes.items_of(ctx, found.id)
        assert (found.room, found.applicant, found.id_last4) == ("3-1202", "李明", "123X")
        assert found.vehicle_plate == "SHA12345" and found.relationship == "owner"
        assert [(i.description, i.quantity, i.remark) for i in items] == [
            ("双人沙发", 1, "布艺"),
            ("冰箱", 2, ""),
            ("纸箱", 6, ""),
        ]
        cells = table_cells(pilot, "#passes")
        assert "FX-20261123-001" in cells and "李*" in cells and "3" in cells
        with site.write() as ctx:
            passes.gate_check(ctx, found.number, "all_out", "老周")
        await pilot.press("ctrl+r")
        assert used in table_cells(pilot, "#passes")


async def test_a_tenant_needs_the_owners_yes_and_the_form_keeps_what_was_typed(
    db: Database, clerk: Operator, site: Desk
) -> None:
    app = desk_app(db, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await _open_form(pilot)
        await pilot.press(*"3-1202", "tab", *"赵租", "tab")
        await pilot.press("enter", "down", "enter")  # relationship: tenant
        await until(pilot, lambda: app.screen.query_one("#owner-block").display)
        # the owner's number on file is offered as the number to call
        assert app.screen.query_one("#owner_phone_called", Input).value == "13812345678"
        await pilot.press("tab", "tab", *"4321")
        app.screen.query_one("#owner_confirmed_by", Input).value = "李明"
        items = app.screen.query_one(ItemsField).lines()[0]
        items.query_one(".item-description", Input).value = "电视机"
        await pilot.press("ctrl+s")
        await until_screen(pilot, PassFormScreen)
        assert "owner has not confirmed" in field_error(app.screen, "owner_confirmed")
        assert app.screen.query_one("#applicant", Input).value == "赵租"
        with site.read() as ctx:
            assert passes.listing(ctx) == []
        app.screen.query_one("#owner_confirmed").focus()
        await pilot.press("enter", "down", "enter")  # yes
        await pilot.press("ctrl+s")
        await until_screen(pilot, PassesScreen)
        with site.read() as ctx:
            (found,) = passes.listing(ctx)
        assert found.owner_confirmed is True and found.owner_confirmed_by == "李明"


async def test_a_full_id_number_is_refused_at_the_field(
    db: Database, clerk: Operator, site: Desk
) -> None:
    app = desk_app(db, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await _open_form(pilot)
        await pilot.press(*"3-1202", "tab", *"李明", "tab", "tab", "tab")
        await pilot.press(*"310101199001011234")
        assert "last 4" in field_error(app.screen, "id_last4")
        await pilot.press("ctrl+s")
        await until_screen(pilot, PassFormScreen)
        with site.read() as ctx:
            assert passes.listing(ctx) == []


async def test_the_pass_form_says_every_bad_field_at_once_and_keeps_the_text(
    db: Database, clerk: Operator, site: Desk
) -> None:
    app = desk_app(db, clerk, "en")
    async with app.run_test(size=SIZE) as pilot:
        await _open_form(pilot)
        # no applicant (the room's owner offered, and rubbed out), two characters of the ID,
        # no item
        await pilot.press(*"3-1202", "tab", "home", "ctrl+k", "tab", "tab", "tab", *"12")
        await pilot.press("tab", *"SHA12345")
        await pilot.press("ctrl+s")
        screen = app.screen
        await until(pilot, lambda: field_error(screen, "applicant").strip())
        assert isinstance(screen, PassFormScreen)
        assert field_error(screen, "applicant").strip() == t("field.required")
        assert field_error(screen, "id_last4").strip() == t("pass_error.id_last4_exactly")
        assert field_error(screen, "items").strip() == t("pass_error.no_items")
        assert not screen.query_one("#field-vehicle_plate").has_class("-invalid")
        typed = [
            screen.query_one(f"#{name}", Input).value
            for name in ("room", "id_last4", "vehicle_plate")
        ]
        assert typed == ["3-1202", "12", "SHA12345"]
        assert app.focused is screen.query_one("#applicant", Input)
        with site.read() as ctx:
            assert passes.listing(ctx) == []


async def test_detail_stub_back_void_refused_for_a_clerk_and_slip_printed(
    db: Database, clerk: Operator, site: Desk
) -> None:
    number = _issue(site, lines=2)
    app = desk_app(db, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await settle(pilot)
        await pilot.press("enter")
        await until_screen(pilot, PassDetailScreen)
        await pilot.press("ctrl+x")  # told why at once; no reason is asked of a clerk
        await until_screen(pilot, PassDetailScreen)
        said = messages(app)
        assert any(m.startswith("only a supervisor may void a release pass, because") for m in said)
        await pilot.press("ctrl+w")
        await pilot.app.workers.wait_for_complete()
        await pilot.press("ctrl+g")
        await settle(pilot)
        await pilot.press(*"老周", "ctrl+s")  # the result defaults to all out
        await settle(pilot)
        await pilot.press("ctrl+t")
        await until(pilot, lambda: _stub_back(site, number))
    with site.read() as ctx:
        found = passes.find(ctx, number)
    assert found is not None and found.state == PassState.used
    assert found.guard_name == "老周" and found.stub_returned_at is not None
    assert db.path is not None
    slip = (db.path.parent / "printed" / f"{number}.txt").read_text(encoding="utf-8")
    assert "Goods release pass" in slip and "纸箱2" in slip


async def test_the_gate_at_the_desk_says_guard_and_note_at_once_and_keeps_the_result(
    db: Database, clerk: Operator, site: Desk
) -> None:
    number = _issue(site)
    app = desk_app(db, clerk, "en")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await settle(pilot)
        await pilot.press("enter")
        await until_screen(pilot, PassDetailScreen)
        await pilot.press("ctrl+g")
        dialog = await until_screen(pilot, GateAtDeskDialog)
        dialog.query_one("#result", Select).value = "partly"  # no guard, nothing said stayed
        await pilot.press("tab", *"  ", "ctrl+s")
        await until(pilot, lambda: field_error(dialog, "guard_name").strip())
        assert app.screen is dialog
        assert field_error(dialog, "guard_name").strip() == t("field.required")
        assert field_error(dialog, "gate_note").strip() == t("pass_error.partly_needs_note")
        assert dialog.query_one("#result", Select).value == "partly"
        assert dialog.query_one("#gate_note", Input).value == "  "
        assert app.focused is dialog.query_one("#guard_name", Input)
    with site.read() as ctx:
        found = passes.find(ctx, number)
    assert found is not None and found.state == PassState.issued


async def test_a_supervisor_voids_with_a_reason_shown_in_the_history(
    db: Database, supervisor: Operator, site: Desk
) -> None:
    number = _issue(site)
    app = desk_app(db, supervisor)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+x", *"业主取消搬家", "ctrl+s")
        await until_screen(pilot, PassDetailScreen)
        history = table_cells(pilot, "#pass-history")
        assert "业主取消搬家" in history and "陈主管" in history
    with site.read() as ctx:
        found = passes.find(ctx, number)
    assert found is not None and found.state == PassState.voided


async def test_reconcile_a_day_by_scanning_stubs(db: Database, clerk: Operator, site: Desk) -> None:
    used, expired = _issue(site), _issue(site)
    with site.write() as ctx:
        passes.gate_check(ctx, used, "all_out", "老周")
    app = desk_app(db, clerk, "zh_CN", MovableClock(NOW + timedelta(days=1)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await settle(pilot)
        await pilot.press("ctrl+l")
        await until_screen(pilot, ReconcileScreen)
        assert table_cells(pilot, "#recon") == []  # today: nothing issued yet
        app.screen.query_one("#recon-from", Input).value = "11-23"
        app.screen.query_one("#recon-to", Input).value = "11-23"
        app.screen.query_one("#recon-to", Input).focus()
        await pilot.press("enter")
        cells = table_cells(pilot, "#recon")
        assert "门岗已放行" in cells and "过期未用" in cells and cells.count("未交回") == 2
        app.screen.query_one("#recon-scan", Input).focus()
        await pilot.press(*used.lower().replace("-", ""), "enter")
        await until(pilot, lambda: table_cells(pilot, "#recon").count("未交回") == 1)
        assert "未交回 1" in str(app.screen.query_one("#recon-counts", Static).render())
    site.now = NOW + timedelta(days=1)
    with site.read() as ctx:
        assert [p.number for p in passes.missing_stubs(ctx)] == [expired]


def test_a_long_items_list_continues_on_the_next_page(site: Desk, tmp_path: Path) -> None:
    number = _issue(site, lines=70)
    with site.read() as ctx:
        found = passes.find(ctx, number)
        assert found is not None and found.id is not None
        items = passes.items_of(ctx, found.id)
    pages = pass_slip_pages(found, items, site.db.settings, clerk="王芳")
    assert len(pages) == 2
    assert all(len(page) <= 52 for page in pages)
    assert "continued, page 2" in pages[1][0]
    text = pass_slip_text(found, items, site.db.settings)
    assert "70." in text and "Guard signs" in text


async def test_a_fields_error_goes_once_the_clerk_corrects_it(
    db: Database, clerk: Operator, site: Desk
) -> None:
    app = desk_app(db, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await _open_form(pilot)
        await pilot.press("ctrl+s")  # nothing typed: the room is asked for
        await until(pilot, lambda: app.screen.query_one("#field-room").has_class("-invalid"))
        field = app.screen.query_one("#field-room")
        error = field.query_one(".field-error", Static)
        assert field.has_class("-invalid") and str(error.render())
        field.query_one(Input).focus()
        await pilot.press(*"3-1202")
        await until(pilot, lambda: not field.has_class("-invalid") and not str(error.render()))
