"""The complaint register: open complaints oldest first, new ones, Enter opens one."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Header, Static

from desk import commands
from desk.i18n import t
from desk.models import OPEN_COMPLAINT_STATES, Complaint
from desk.screens import records
from desk.screens.complaint_cells import next_due_cell, severity_cell
from desk.screens.plain import Fit
from desk.screens.record_table import RecordTable
from desk.screens.repairs import short
from desk.screens.reveal import RevealSelected
from desk.services import complaint, operators
from desk.services.residents import mask_name
from desk.widgets.base import DeskFooter, DeskScreen

OPEN_LIMIT = 500
CLOSED_LIMIT = 100
COLUMNS = (
    "number",
    "received",
    "room",
    "complainant",
    "category",
    "severity",
    "state",
    "owner",
    "due",
)
# no free text to give way: on a narrow terminal the time received, the owner, the complainant
# and the category are left out so that the deadline is shown whole
FIT = Fit(drop=("received", "owner", "complainant", "category"))


class ComplaintsScreen(RevealSelected, DeskScreen):
    """Complaints; the list is limited by the service, never a full-table load."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("complaints")
    LIVE = True
    DEFAULT_CSS = """
    ComplaintsScreen #complaints-title { padding: 0 1; height: 1; text-style: bold; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.show_all = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="complaints-title")
        yield RecordTable(id="complaints", fit=FIT)
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#complaints", RecordTable)
        for key in COLUMNS:
            table.add_column(t(f"complaint_ui.col_{key}"), key=key)
        self.refresh_complaints()

    def reread(self) -> None:
        self.refresh_complaints()

    def action_refresh(self) -> None:
        self.refresh_complaints()

    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all
        self.refresh_complaints()

    def complaints(self) -> tuple[list[Complaint], dict[int, str]]:
        with self.reading() as ctx:
            shown = complaint.open_complaints(ctx, limit=OPEN_LIMIT, newest_first=True)
            if self.show_all:
                shown += complaint.recently_closed(ctx, limit=CLOSED_LIMIT)
            names = operators.operator_names(ctx, {c.owner_id for c in shown})
        return shown, names

    def refresh_complaints(self, select_id: int | None = None) -> None:
        now = self.desk.now()
        lang = self.desk.lang
        table = self.query_one("#complaints", RecordTable)
        if select_id is None and table.row_count:
            current, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
            select_id = int(current.value) if current.value else None
        shown, names = self.complaints()
        with self.app.batch_update():
            table.clear()
            for item in shown:
                category = self.desk.settings.complaint_category(item.category)
                due = complaint.due_at(item, now)
                table.add_row(
                    item.number,
                    self.desk.show_time(item.received_at),
                    item.room,
                    short(mask_name(item.complainant), 8),
                    short(category.label(lang) if category else item.category, 12),
                    severity_cell(item.severity),
                    Text(
                        t(f"complaint_state.{item.state}"),
                        style="dim" if item.state not in OPEN_COMPLAINT_STATES else "",
                    ),
                    short(names.get(item.owner_id, ""), 8),
                    next_due_cell(item, now, self.desk.show_time(due)),
                    key=str(item.id),
                )
            table.select_record(select_id)
        title = t("complaint_ui.showing_all" if self.show_all else "complaint_ui.showing_open")
        self.query_one("#complaints-title", Static).update(
            f"{t('complaint_ui.title')} — {title}" if shown else t("complaint_ui.empty")
        )

    def selected_id(self) -> int | None:
        return self.query_one("#complaints", RecordTable).selected_id()

    def reveal_target(self) -> tuple[str, int] | None:
        complaint_id = self.selected_id()
        return None if complaint_id is None else (complaint.REGISTER, complaint_id)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_complaint()

    def action_open_complaint(self) -> None:
        complaint_id = self.selected_id()
        if complaint_id is not None:
            records.open_record(self.app, complaint.REGISTER, complaint_id)

    def action_new_complaint(self) -> None:
        from desk.screens.complaint_entry import ComplaintFormScreen

        def saved(complaint_id: int | None) -> None:
            if complaint_id is not None:
                self.refresh_complaints(select_id=complaint_id)

        self.app.push_screen(ComplaintFormScreen(), callback=saved)
