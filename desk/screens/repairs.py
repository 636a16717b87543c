"""The repairs register: open work orders oldest first, new orders, Enter opens one."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Header, Static

from desk import commands
from desk.i18n import t
from desk.models import OPEN_REPAIR_STATES, RepairOrder
from desk.safe_text import printable
from desk.screens import records
from desk.screens.due import due_cell
from desk.screens.plain import Fit
from desk.screens.record_table import RecordTable
from desk.screens.reveal import RevealSelected
from desk.services import repair
from desk.services.residents import mask_name
from desk.widgets.base import DeskFooter, DeskScreen

OPEN_LIMIT = 500
CLOSED_LIMIT = 100
COLUMNS = (
    "number",
    "reported",
    "room",
    "resident",
    "category",
    "description",
    "state",
    "technician",
    "due",
)
# the description gives way to the deadline (display cells); narrower still, the report time,
# the technician, the resident and the category are left out
FIT = Fit("description", least=10, most=16, drop=("reported", "technician", "resident", "category"))


def short(text: str, width: int) -> str:
    """Cut text to `width` terminal cells, ending with "…" (a Chinese character takes two; one
    that would be halved becomes a space)."""
    shown = Text(printable(text, one_line=True))
    shown.truncate(width, overflow="ellipsis")
    return shown.plain


class RepairsScreen(RevealSelected, DeskScreen):
    """Work orders; the list is limited by the service, never a full-table load."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("repairs")
    LIVE = True
    DEFAULT_CSS = """
    RepairsScreen #repairs-title { padding: 0 1; height: 1; text-style: bold; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.show_all = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="repairs-title")
        yield RecordTable(id="orders", fit=FIT)
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#orders", RecordTable)
        for key in COLUMNS:
            table.add_column(t(f"repair_ui.col_{key}"), key=key)
        self.refresh_orders()

    def reread(self) -> None:
        self.refresh_orders()

    def action_refresh(self) -> None:
        self.refresh_orders()

    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all
        self.refresh_orders()

    def orders(self) -> list[RepairOrder]:
        with self.reading() as ctx:
            shown = repair.open_orders(ctx, limit=OPEN_LIMIT, newest_first=True)
            if self.show_all:
                shown += repair.recently_closed(ctx, limit=CLOSED_LIMIT)
        return shown

    def refresh_orders(self, select_id: int | None = None) -> None:
        now = self.desk.now()
        lang = self.desk.lang
        table = self.query_one("#orders", RecordTable)
        if select_id is None and table.row_count:
            current, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
            select_id = int(current.value) if current.value else None
        orders = self.orders()
        late = t("repair_ui.overdue_mark")
        with self.app.batch_update():
            table.clear()
            for order in orders:
                category = self.desk.settings.repair_category(order.category)
                due = repair.due_at(order)
                table.add_row(
                    order.number,
                    self.desk.show_time(order.reported_at),
                    order.room,
                    short(mask_name(order.resident_name), 6),
                    short(category.label(lang) if category else order.category, 10),
                    order.description,
                    Text(
                        t(f"repair_state.{order.state}"),
                        style="dim" if order.state not in OPEN_REPAIR_STATES else "",
                    ),
                    short(order.technician, 8),
                    due_cell(due, now, self.desk.show_time(due), late_mark=late),
                    key=str(order.id),
                )
            table.select_record(select_id)
        title = t("repair_ui.showing_all" if self.show_all else "repair_ui.showing_open")
        self.query_one("#repairs-title", Static).update(
            f"{t('repair_ui.title')} — {title}" if orders else t("repair_ui.empty")
        )

    def selected_id(self) -> int | None:
        return self.query_one("#orders", RecordTable).selected_id()

    def reveal_target(self) -> tuple[str, int] | None:
        order_id = self.selected_id()
        return None if order_id is None else (repair.REGISTER, order_id)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_order()

    def action_open_order(self) -> None:
        order_id = self.selected_id()
        if order_id is not None:
            records.open_record(self.app, repair.REGISTER, order_id)

    def action_new_order(self) -> None:
        from desk.screens.repair_entry import RepairFormScreen

        def saved(order_id: int | None) -> None:
            if order_id is not None:
                self.refresh_orders(select_id=order_id)

        self.app.push_screen(RepairFormScreen(), callback=saved)
