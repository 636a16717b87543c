"""The owner record changes register (the board's `o`): what to apply, then the month's."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Header, Static

from desk import commands
from desk.i18n import t
from desk.screens import records
from desk.screens.due import due_cell
from desk.screens.owner_change_cells import state_cell
from desk.screens.plain import Fit
from desk.screens.record_table import RecordTable
from desk.services import owner_changes
from desk.services.residents import mask_name
from desk.widgets.base import DeskFooter, DeskScreen

COLUMNS = ("number", "room", "change", "what", "asked_by", "identity", "state", "due")
# narrow, what changes gives way first, then who asked, how, and the kind of change
FIT = Fit("what", least=8, most=36, drop=("asked_by", "identity", "change"))


class OwnerChangesScreen(DeskScreen):
    """Declarations still to apply (oldest first), then the last 30 days'; ctrl+n declares,
    Enter opens."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("owner_changes")
    LIVE = True
    DEFAULT_CSS = """
    OwnerChangesScreen #owner-changes-title { padding: 0 1; height: 1; text-style: bold; }
    """

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="owner-changes-title")
        yield RecordTable(id="owner-changes", fit=FIT)
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#owner-changes", RecordTable)
        for key in COLUMNS:
            table.add_column(t(f"owner_change_ui.col_{key}"), key=key)
        self.refresh_list()

    def reread(self) -> None:
        self.refresh_list()

    def action_refresh(self) -> None:
        self.refresh_list()

    def refresh_list(self, select_id: int | None = None) -> None:
        now, show = self.desk.now(), self.desk.show_time
        table = self.query_one("#owner-changes", RecordTable)
        if select_id is None:
            select_id = table.selected_id()
        with self.reading() as ctx:
            shown = owner_changes.listing(ctx)
            lines = {found.id: owner_changes.summary(found) for found in shown}
        with self.app.batch_update():
            table.clear()
            for found in shown:
                due = found.apply_due_at if found.state == "declared" else None
                table.add_row(
                    found.number,
                    found.room,
                    t(f"owner_change_kind.{found.change}"),
                    lines[found.id],
                    mask_name(found.asked_by),
                    t(f"owner_change_ui.identity_{found.channel}"),
                    state_cell(found),
                    due_cell(due, now, show(due)) if due else "",
                    key=str(found.id),
                )
            table.select_record(select_id)
        self.query_one("#owner-changes-title", Static).update(
            t("owner_change_ui.title") if shown else t("owner_change_ui.empty")
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_change()

    def action_open_change(self) -> None:
        change_id = self.query_one("#owner-changes", RecordTable).selected_id()
        if change_id is not None:
            records.open_record(self.app, owner_changes.REGISTER, change_id)

    def action_new_change(self) -> None:
        from desk.forms.owner_change_form import OwnerChangeFormScreen

        def saved(change_id: int | None) -> None:
            if change_id is not None:
                self.refresh_list(select_id=change_id)

        self.app.push_screen(OwnerChangeFormScreen(), callback=saved)
