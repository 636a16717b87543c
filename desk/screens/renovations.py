"""The renovation register (r on the board): open applications and works, newest first; what
each one owes now (approval, permit ending, inspection, refund) with its urgency."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Header, Static

from desk import commands
from desk.i18n import t
from desk.models import OPEN_RENOVATION_STATES
from desk.safe_text import printable
from desk.screens import records
from desk.screens.due import due_cell
from desk.screens.plain import Fit
from desk.screens.record_table import RecordTable
from desk.screens.reveal import RevealSelected
from desk.services import renovation
from desk.services.residents import mask_name
from desk.widgets.base import DeskFooter, DeskScreen

COLUMNS = ("number", "room", "applicant", "contractor", "works", "state", "due")
# the contractor gives way to what is owed; narrower still, the works' days and the applicant go
FIT = Fit("contractor", least=6, most=20, drop=("works", "applicant"))


def short(text: str, width: int) -> str:
    """`text` in at most `width` terminal cells, ending with "…" when cut."""
    shown = Text(printable(text, one_line=True))
    shown.truncate(width, overflow="ellipsis")
    return shown.plain


class RenovationsScreen(RevealSelected, DeskScreen):
    """Renovations; ctrl+n takes an application, Enter opens one, ctrl+f shows closed ones."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("renovations")
    LIVE = True
    DEFAULT_CSS = """
    RenovationsScreen #renovations-title { padding: 0 1; height: 1; text-style: bold; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.show_all = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="renovations-title")
        yield RecordTable(id="renovations", fit=FIT)
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#renovations", RecordTable)
        for key in COLUMNS:
            table.add_column(t(f"renovation_ui.col_{key}"), key=key)
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
        table = self.query_one("#renovations", RecordTable)
        if select_id is None:
            select_id = table.selected_id()
        with self.reading() as ctx:
            shown = renovation.listing(ctx, everything=self.show_all)
            owed = {found.id: renovation.owed(ctx, found) for found in shown}
        with self.app.batch_update():
            table.clear()
            for found in shown:
                item = owed.get(found.id)
                due = Text("")
                if item is not None and item.due_at is not None:
                    words = f"{t(f'due_kind.{item.due_kind}')} {self.desk.show_time(item.due_at)}"
                    due = due_cell(item.due_at, now, words)
                state = Text(
                    t(f"renovation_state.{found.state}"),
                    style="" if found.state in OPEN_RENOVATION_STATES else "dim",
                )
                table.add_row(
                    found.number,
                    found.room,
                    short(mask_name(found.applicant), 6),
                    found.contractor,
                    f"{found.planned_start:%m-%d}~{found.planned_end:%m-%d}",
                    state,
                    due,
                    key=str(found.id),
                )
            table.select_record(select_id)
        which = t("renovation_ui.showing_all" if self.show_all else "renovation_ui.showing_open")
        self.query_one("#renovations-title", Static).update(
            f"{t('renovation_ui.title')} — {which}" if shown else t("renovation_ui.empty")
        )

    def selected_id(self) -> int | None:
        return self.query_one("#renovations", RecordTable).selected_id()

    def reveal_target(self) -> tuple[str, int] | None:
        chosen = self.selected_id()
        return None if chosen is None else (renovation.REGISTER, chosen)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_renovation()

    def action_open_renovation(self) -> None:
        chosen = self.selected_id()
        if chosen is not None:
            records.open_record(self.app, renovation.REGISTER, chosen)

    def action_new_renovation(self) -> None:
        from desk.forms.renovation_form import RenovationFormScreen

        def saved(renovation_id: int | None) -> None:
            if renovation_id is not None:
                self.refresh_list(select_id=renovation_id)

        self.app.push_screen(RenovationFormScreen(), callback=saved)
