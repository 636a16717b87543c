"""The release passes register (F6): today's passes and every pass still waiting for the gate."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Header, Static

from desk import commands
from desk.i18n import t
from desk.screens import records
from desk.screens.pass_cells import status_cell, stub_cell
from desk.screens.record_table import RecordTable
from desk.services import passes
from desk.services.residents import mask_name
from desk.widgets.base import DeskFooter, DeskScreen

COLUMNS = ("number", "room", "applicant", "items", "valid_until", "status", "gate", "stub")


class PassesScreen(DeskScreen):
    """Passes of today and the ones still valid; ctrl+n issues, Enter opens, ctrl+l reconciles."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("passes")
    LIVE = True
    DEFAULT_CSS = """
    PassesScreen #passes-title { padding: 0 1; height: 1; text-style: bold; }
    """

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="passes-title")
        yield RecordTable(id="passes")
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#passes", RecordTable)
        for key in COLUMNS:
            table.add_column(t(f"passes_ui.col_{key}"), key=key)
        self.refresh_passes()

    def reread(self) -> None:
        self.refresh_passes()

    def action_refresh(self) -> None:
        self.refresh_passes()

    def refresh_passes(self, select_id: int | None = None) -> None:
        now = self.desk.now()
        table = self.query_one("#passes", RecordTable)
        if select_id is None and table.row_count:
            current, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
            select_id = int(current.value) if current.value else None
        with self.reading() as ctx:
            shown = passes.listing(ctx)
            counts = passes.item_counts(ctx, [p.id for p in shown if p.id is not None])
        with self.app.batch_update():
            table.clear()
            for found in shown:
                gate = t(f"gate_result.{found.gate_result}") if found.gate_result else ""
                table.add_row(
                    found.number,
                    found.room,
                    mask_name(found.applicant),
                    str(counts.get(found.id or 0, 0)),
                    self.desk.show_time(found.valid_until),
                    status_cell(found, now, self.desk.settings.tz),
                    gate,
                    stub_cell(found, now),
                    key=str(found.id),
                )
            table.select_record(select_id)
        self.query_one("#passes-title", Static).update(
            t("passes_ui.title") if shown else t("passes_ui.empty")
        )

    def selected_id(self) -> int | None:
        return self.query_one("#passes", RecordTable).selected_id()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_pass()

    def action_open_pass(self) -> None:
        pass_id = self.selected_id()
        if pass_id is not None:
            records.open_record(self.app, passes.REGISTER, pass_id)

    def action_new_pass(self) -> None:
        from desk.screens.pass_form import PassFormScreen

        def saved(pass_id: int | None) -> None:
            if pass_id is not None:
                self.refresh_passes(select_id=pass_id)

        self.app.push_screen(PassFormScreen(), callback=saved)

    def action_reconcile(self) -> None:
        from desk.screens.pass_reconcile import ReconcileScreen

        self.app.push_screen(ReconcileScreen())
