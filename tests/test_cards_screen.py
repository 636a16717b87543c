"""Resident cards at the keyboard, at 80×24: the clerk takes an application (every refusal at
once), makes the card ready, issues it, takes a loss report and replaces it; the gate refuses
the lost card loudly."""

from __future__ import annotations

import io
from datetime import timedelta

from rich.console import Console
from textual.widgets import Static

from desk.db import Database
from desk.forms.card_form import CardFormScreen
from desk.models import CardState, Operator
from desk.screens.card_detail import CardDetailScreen
from desk.screens.card_dialogs import IssueDialog, LostDialog, ReadyDialog, ReplaceDialog
from desk.screens.cards import CardsScreen
from desk.screens.gate import GateApp, GateScreen
from desk.services import cards
from tests.card_support import add_residents, issued, stored, tenant_card
from tests.conftest import NOW, Desk
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


def _shown(widget: Static) -> str:
    console = Console(width=80, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


def _state(desk: Desk, number: str) -> str:
    with desk.read() as ctx:
        found = cards.find(ctx, number)
    assert found is not None
    return str(found.state)


async def test_the_clerk_applies_makes_ready_issues_then_replaces_a_lost_card(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    add_residents(desk)
    app = desk_app(db, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")  # from the board
        await until_screen(pilot, CardsScreen)
        await pilot.press("ctrl+n")
        form = await until_screen(pilot, CardFormScreen)
        await pilot.press(*"3-1202", "tab")
        await pilot.press(*"李明", "tab", "tab")  # the applicant; the ID's type: an ID card
        await pilot.press(*"123x", "tab")
        await pilot.press(*"赵租", "tab")  # the holder: a tenant on file (his card, the owner's)
        await settle(pilot)
        await pilot.press("tab", "space")  # photos given
        await pilot.press("ctrl+s")  # the terms not explained, the owner not signed: both said
        await until(pilot, lambda: field_error(form, "owner_signed") != "")
        assert field_error(form, "terms_explained") != ""
        assert app.focused is not None and app.focused.id == "terms_explained"
        await pilot.press("space", "tab", "space", "ctrl+s")
        await until_screen(pilot, CardsScreen)
        assert "KA-20261123-001" in table_cells(pilot, "#cards")
        with desk.read() as ctx:
            card = cards.find(ctx, "KA-20261123-001")
        assert card is not None
        assert (card.holder, card.holder_relation, card.kind) == ("赵租", "tenant", "resident")
        assert (card.applicant, card.id_last4, card.photos_given) == ("李明", "123X", True)

        await pilot.press("enter")
        await until_screen(pilot, CardDetailScreen)
        await pilot.press("ctrl+d")
        await until_screen(pilot, ReadyDialog)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: _state(desk, "KA-20261123-001") == CardState.ready)
        await until_screen(pilot, CardDetailScreen)
        await pilot.press("ctrl+g")
        await until_screen(pilot, IssueDialog)  # who takes it: the holder, unless typed
        await pilot.press("ctrl+s")
        await until(pilot, lambda: _state(desk, "KA-20261123-001") == CardState.issued)
        await until_screen(pilot, CardDetailScreen)
        assert "2027-02-23" in _shown(app.screen.query_one("#card-fields", Static))

        await pilot.press("ctrl+l")
        await until_screen(pilot, LostDialog)
        await pilot.press(*"李明", "ctrl+s")  # by phone, now
        await until(pilot, lambda: _state(desk, "KA-20261123-001") == CardState.lost)
        await until_screen(pilot, CardDetailScreen)
        await pilot.press("ctrl+b")
        await until_screen(pilot, ReplaceDialog)
        await pilot.press("ctrl+s")  # no receipt: refused beside its field
        await until(pilot, lambda: field_error(app.screen, "replacement_receipt") != "")
        await pilot.press(*"SJ-0001", "ctrl+s")
        await until(pilot, lambda: _state(desk, "KA-20261123-001") == CardState.replaced)
        await until_screen(pilot, CardDetailScreen)
        await until(pilot, lambda: any("KA-20261123-002" in m for m in messages(app)))
    with desk.read() as ctx:
        new = cards.find(ctx, "KA-20261123-002")
    assert new is not None and new.state == CardState.issued
    assert (new.replacement_receipt, new.replacement_fee_fen) == ("SJ-0001", 2000)


async def test_the_gate_refuses_a_lost_card_loudly(db: Database, desk: Desk) -> None:
    add_residents(desk)
    card_id = issued(desk, tenant_card())
    with desk.write() as ctx:
        cards.report_lost(ctx, card_id, "李明", "phone")
    app = GateApp(db, lang="en", clock=lambda: NOW + timedelta(hours=2), guard="老周")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_screen(pilot, GateScreen)
        banner = screen.query_one("#gate-banner", Static)
        await pilot.press(*"ka-20261123-001", "enter")
        await until(pilot, lambda: banner.has_class("-refused"))
        assert "REPORTED LOST" in str(banner.render())
        assert "赵租" in _shown(screen.query_one("#gate-pass", Static))
        await pilot.press("f2")  # nothing to mark for a card
        await settle(pilot)
    card = stored(desk, card_id)
    assert card.state == CardState.lost and card.gate_checks == 1
