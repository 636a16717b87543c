"""The resident cards register (board key `c`): the cards of a filter, newest first; ctrl+n takes
an application, Enter opens a card, ctrl+f and ctrl+k change the filter and the kind, and
what is typed in the box (a room, a name, a card number) narrows the list."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Header, Input, Static

from desk import commands
from desk.i18n import t
from desk.models import CardKind
from desk.screens import records
from desk.screens.card_cells import status_cell, valid_cell
from desk.screens.record_table import RecordTable
from desk.services import cards
from desk.services.cards import CardFilter
from desk.services.residents import mask_name
from desk.widgets.base import DeskFooter, DeskScreen

COLUMNS = ("number", "kind", "room", "holder", "status", "valid_until", "pickup")
FILTERS = tuple(CardFilter)
KINDS: tuple[CardKind | None, ...] = (None, CardKind.owner, CardKind.resident)


class CardsScreen(DeskScreen):
    """The cards of the chosen filter and kind, and of what is typed."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("cards")
    LIVE = True
    DEFAULT_CSS = """
    CardsScreen #cards-title { padding: 0 1; height: 1; text-style: bold; }
    CardsScreen #cards-search { height: 1; border: none; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.shown = CardFilter.live
        self.kind: CardKind | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="cards-title")
        yield Input(placeholder=t("cards_ui.search_placeholder"), id="cards-search")
        yield RecordTable(id="cards")
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#cards", RecordTable)
        for key in COLUMNS:
            table.add_column(t(f"cards_ui.col_{key}"), key=key)
        self.refresh_cards()
        table.focus()

    def reread(self) -> None:
        self.refresh_cards()

    def action_refresh(self) -> None:
        self.refresh_cards()

    def refresh_cards(self, select_id: int | None = None) -> None:
        table = self.query_one("#cards", RecordTable)
        if select_id is None:
            select_id = table.selected_id()
        typed = self.query_one("#cards-search", Input).value
        with self.reading() as ctx:
            shown = cards.listing(ctx, self.shown, self.kind, typed)
            today = cards.today(ctx)
        soon = self.desk.settings.cards.expiring_within_days
        with self.app.batch_update():
            table.clear()
            for card in shown:
                table.add_row(
                    card.number,
                    t(f"card_kind.{card.kind}"),
                    card.room,
                    mask_name(card.holder),
                    status_cell(card, today),
                    valid_cell(card, today, soon),
                    card.pickup_on.isoformat() if card.state in ("applied", "ready") else "",
                    key=str(card.id),
                )
            table.select_record(select_id)
        filtered = t(f"card_filter.{self.shown}")
        if self.kind is None:
            title = t("cards_ui.title", filter=filtered)
        else:
            title = t("cards_ui.title_kind", filter=filtered, kind=t(f"card_kind.{self.kind}"))
        self.query_one("#cards-title", Static).update(
            title if shown else f"{title}  {t('cards_ui.empty')}"
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.refresh_cards()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#cards", RecordTable).focus()

    def action_search(self) -> None:
        self.query_one("#cards-search", Input).focus()

    def action_next_filter(self) -> None:
        self.shown = FILTERS[(FILTERS.index(self.shown) + 1) % len(FILTERS)]
        self.refresh_cards()

    def action_next_kind(self) -> None:
        self.kind = KINDS[(KINDS.index(self.kind) + 1) % len(KINDS)]
        self.refresh_cards()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_card()

    def action_open_card(self) -> None:
        card_id = self.query_one("#cards", RecordTable).selected_id()
        if card_id is not None:
            records.open_record(self.app, cards.REGISTER, card_id)

    def action_new_card(self) -> None:
        from desk.forms.card_form import CardFormScreen

        def saved(card_id: int | None) -> None:
            if card_id is not None:
                self.refresh_cards(select_id=card_id)

        self.app.push_screen(CardFormScreen(), callback=saved)
