"""The move-in register (m on the board): open cases, the latest booked first; what each one owes
now (booked today, a re-inspection agreed, a 托管 patrol due, a reading over its limit)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Header, Static

from desk import commands
from desk.i18n import t
from desk.models import OPEN_MOVE_IN_STATES
from desk.screens import records
from desk.screens.due import due_cell
from desk.screens.plain import Fit
from desk.screens.record_table import RecordTable
from desk.screens.reveal import RevealSelected
from desk.services import move_in
from desk.services.residents import mask_name
from desk.widgets.base import DeskFooter, DeskScreen

COLUMNS = ("number", "room", "owner", "booked", "state", "due")
FIT = Fit("owner", least=4, most=12, drop=("booked",))


class MoveInsScreen(RevealSelected, DeskScreen):
    """Move-ins; ctrl+n books one, Enter opens one, ctrl+f shows finished ones."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("move_ins")
    LIVE = True
    DEFAULT_CSS = """
    MoveInsScreen #move-ins-title { padding: 0 1; height: 1; text-style: bold; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.show_all = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="move-ins-title")
        yield RecordTable(id="move-ins", fit=FIT)
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#move-ins", RecordTable)
        for key in COLUMNS:
            table.add_column(t(f"move_in_ui.col_{key}"), key=key)
        self.refresh_list()

    def reread(self) -> None:
        self.refresh_list()

    def action_refresh(self) -> None:
        self.refresh_list()

    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all
        self.refresh_list()

    def refresh_list(self, select_id: int | None = None) -> None:
        now = self.desk.now()
        table = self.query_one("#move-ins", RecordTable)
        if select_id is None:
            select_id = table.selected_id()
        with self.reading() as ctx:
            shown = move_in.listing(ctx, everything=self.show_all)
            owed = {found.id: move_in.owed(ctx, found) for found in shown}
        with self.app.batch_update():
            table.clear()
            for found in shown:
                items = owed.get(found.id) or []
                due = Text("")
                if items and items[0].due_at is not None:
                    item = items[0]
                    words = f"{t(f'due_kind.{item.due_kind}')} {self.desk.show_time(item.due_at)}"
                    due = due_cell(item.due_at, now, words)
                state = Text(
                    t(f"move_in_state.{found.state}"),
                    style="" if found.state in OPEN_MOVE_IN_STATES else "dim",
                )
                table.add_row(
                    found.number,
                    found.room,
                    mask_name(found.owner_name),
                    self.desk.show_time(found.booked_for),
                    state,
                    due,
                    key=str(found.id),
                )
            table.select_record(select_id)
        which = t("move_in_ui.showing_all" if self.show_all else "move_in_ui.showing_open")
        self.query_one("#move-ins-title", Static).update(
            f"{t('move_in_ui.title')} — {which}" if shown else t("move_in_ui.empty")
        )

    def selected_id(self) -> int | None:
        return self.query_one("#move-ins", RecordTable).selected_id()

    def reveal_target(self) -> tuple[str, int] | None:
        chosen = self.selected_id()
        return None if chosen is None else (move_in.REGISTER, chosen)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_move_in()

    def action_open_move_in(self) -> None:
        chosen = self.selected_id()
        if chosen is not None:
            records.open_record(self.app, move_in.REGISTER, chosen)

    def action_new_move_in(self) -> None:
        from desk.screens.move_in_dialogs import MoveInFormDialog

        def saved(found: object) -> None:
            case_id = getattr(found, "id", None)
            if case_id is not None:
                self.refresh_list(select_id=case_id)

        self.app.push_screen(MoveInFormDialog(), callback=saved)
