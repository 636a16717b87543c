"""The incident log (i on the board): incidents still open, newest first, each with its next
step due; ctrl+f shows the closed ones too, ctrl+n (or ! on the board) opens a new one."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Header, Static

from desk import commands
from desk.i18n import t
from desk.screens import records
from desk.screens.due import due_cell
from desk.screens.plain import Fit
from desk.screens.record_table import RecordTable
from desk.services import incident
from desk.widgets.base import DeskFooter, DeskScreen

COLUMNS = ("number", "happened", "place", "kind", "state", "next")
FIT = Fit("place", least=6, most=24, drop=("kind", "happened"))


class IncidentsScreen(DeskScreen):
    """Incidents; ctrl+n opens one, Enter shows it, ctrl+f shows the closed ones too."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("incidents")
    LIVE = True
    DEFAULT_CSS = """
    IncidentsScreen #incidents-title { padding: 0 1; height: 1; text-style: bold; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.show_all = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="incidents-title")
        yield RecordTable(id="incidents", fit=FIT)
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#incidents", RecordTable)
        for key in COLUMNS:
            table.add_column(t(f"incident_ui.col_{key}"), key=key)
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
        lang = self.desk.lang
        rules = self.desk.settings.incidents
        table = self.query_one("#incidents", RecordTable)
        if select_id is None:
            select_id = table.selected_id()
        with self.reading() as ctx:
            shown = incident.listing(ctx, everything=self.show_all)
            steps = {found.id: incident.steps_of(ctx, found.id or 0) for found in shown}
        with self.app.batch_update():
            table.clear()
            for found in shown:
                following = incident.next_step(steps.get(found.id, []))
                due = Text("")
                if found.state == "open" and following is not None:
                    words = f"{t(f'incident_step.{following.key}')} "
                    due = due_cell(
                        following.due_at, now, words + self.desk.show_time(following.due_at)
                    )
                kind = rules.kind(found.kind)
                table.add_row(
                    found.number,
                    self.desk.show_time(found.happened_at),
                    incident.place_text(found),
                    kind.label(lang) if kind else found.kind,
                    Text(
                        t(f"incident_state.{found.state}"),
                        style="bold red" if found.state == "open" else "dim",
                    ),
                    due,
                    key=str(found.id),
                )
            table.select_record(select_id)
        which = t("incident_ui.showing_all" if self.show_all else "incident_ui.showing_open")
        self.query_one("#incidents-title", Static).update(
            f"{t('incident_ui.title')} — {which}" if shown else t("incident_ui.empty")
        )

    def selected_id(self) -> int | None:
        return self.query_one("#incidents", RecordTable).selected_id()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_incident()

    def action_open_incident(self) -> None:
        chosen = self.selected_id()
        if chosen is not None:
            records.open_record(self.app, incident.REGISTER, chosen)

    def action_new_incident(self) -> None:
        from desk.forms.incident_form import IncidentFormDialog

        def saved(incident_id: int | None) -> None:
            if incident_id is not None:
                records.open_record(self.app, incident.REGISTER, incident_id)
                self.refresh_list(select_id=incident_id)

        self.app.push_screen(IncidentFormDialog(), callback=saved)
