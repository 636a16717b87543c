"""The fee desk (f on the board): the rooms owing, the longest owing first, with where each is
on the reminder ladder and the next step due; Enter opens a room's fee page."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Header, Static

from desk import commands
from desk.i18n import t
from desk.printing.paper import yuan
from desk.screens.plain import Fit
from desk.screens.record_table import RecordTable
from desk.services import fees
from desk.widgets.base import DeskFooter, DeskScreen

COLUMNS = ("room", "owing", "since", "stage", "next")
FIT = Fit("next", least=8, most=30, drop=("since",))


class FeesScreen(DeskScreen):
    """Rooms owing; Enter opens one, ctrl+r reads again."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("fees")
    LIVE = True
    DEFAULT_CSS = """
    FeesScreen #fees-title { padding: 0 1; height: 1; text-style: bold; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.rooms: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="fees-title")
        yield RecordTable(id="fees", fit=FIT)
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#fees", RecordTable)
        for key in COLUMNS:
            table.add_column(t(f"fees_ui.col_{key}"), key=key)
        self.refresh_list()

    def reread(self) -> None:
        self.refresh_list()

    def action_refresh(self) -> None:
        self.refresh_list()

    def refresh_list(self) -> None:
        table = self.query_one("#fees", RecordTable)
        chosen = table.selected_id()
        with self.reading() as ctx:
            owing = fees.listing(ctx)
            nexts = {d.room: fees.step_due_on(ctx, d) for d in owing}
            day = fees.today(ctx)
        self.rooms = [d.room for d in owing]
        with self.app.batch_update():
            table.clear()
            for index, found in enumerate(owing):
                nxt = nexts.get(found.room)
                words = Text("")
                if nxt is not None:
                    style = "bold red" if nxt[1] <= day else ""
                    words = Text(f"{t(f'fee_due.{nxt[0]}')} {nxt[1].isoformat()}", style=style)
                table.add_row(
                    found.room,
                    yuan(found.owing_fen),
                    found.oldest_month,
                    t(f"fee_stage.{found.state}"),
                    words,
                    key=str(index),
                )
            table.select_record(chosen)
        total = sum(d.owing_fen for d in owing)
        self.query_one("#fees-title", Static).update(
            t("fees_ui.title", rooms=len(owing), total=yuan(total)) if owing else t("fees_ui.empty")
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_room()

    def action_open_room(self) -> None:
        chosen = self.query_one("#fees", RecordTable).selected_id()
        if chosen is None or chosen >= len(self.rooms):
            return
        from desk.screens.fee_room import FeeRoomScreen

        self.app.push_screen(FeeRoomScreen(self.rooms[chosen]), callback=lambda _: self.reread())
