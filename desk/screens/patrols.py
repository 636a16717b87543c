"""The patrol register (p on the board): the rounds the schedule still calls for (due today or
this week, missed), then the rounds of the last week, newest first."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widget import Widget
from textual.widgets import DataTable, Header, Static

from desk import commands
from desk.forms.dialogs import FormDialog, banner_form
from desk.forms.fields import ChoiceField, DeskForm, NameField, TextField, WhenField
from desk.i18n import current_language, t
from desk.models import PatrolRound, PatrolState
from desk.screens import records
from desk.screens.due import due_cell
from desk.screens.plain import Fit, plain
from desk.screens.record_table import RecordTable
from desk.services import findings, patrol
from desk.services.patrol import RoundIn
from desk.widgets.base import DeskFooter, DeskScreen

COLUMNS = ("number", "route", "who", "started", "state", "findings")
FIT = Fit("route", least=8, most=24, drop=("who",))


class StartRoundDialog(FormDialog[Any]):
    """A round begins: the route, who walks it, from when."""

    def heading(self) -> str:
        return t("patrol_ui.new_title")

    def build_form(self) -> DeskForm:
        lang = current_language()
        routes = self.desk.settings.patrol.routes
        choices = [(f"{r.label(lang)}（{t(f'patrol_every.{r.every}')}）", r.key) for r in routes]
        names = [s.name for s in self.desk.settings.staff]
        return banner_form(
            ChoiceField("route", choices, choices[0][1] if choices else ""),
            NameField("patrolled_by", names, of=PatrolRound, hint=False),
            WhenField("started_at"),
            TextField("note", of=PatrolRound, label=t("fields.note")),
        )

    def prepare(self) -> None:
        self.query_one("#field-started_at", WhenField).set_note(t("repair_ui.dialog.now_hint"))

    def first_focus(self) -> Widget | None:
        return self.query_one("#patrolled_by")

    def submit(self, form: DeskForm) -> PatrolRound | Any:
        data = RoundIn(**form.read())
        return self.attempt(lambda ctx: patrol.start(ctx, data))


class PatrolsScreen(DeskScreen):
    """Patrol rounds; ctrl+n starts one, Enter opens one, ctrl+f shows every round."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("patrols")
    LIVE = True
    DEFAULT_CSS = """
    PatrolsScreen #patrols-schedule { padding: 0 1; height: auto; max-height: 8; }
    PatrolsScreen #patrols-title { padding: 0 1; height: 1; text-style: bold; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.show_all = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="patrols-schedule")
        yield Static(id="patrols-title")
        yield RecordTable(id="patrols", fit=FIT)
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#patrols", RecordTable)
        for key in COLUMNS:
            table.add_column(t(f"patrol_ui.col_{key}"), key=key)
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
        table = self.query_one("#patrols", RecordTable)
        if select_id is None:
            select_id = table.selected_id()
        with self.reading() as ctx:
            shown = patrol.listing(ctx, everything=self.show_all)
            due = patrol.schedule(ctx)
            found_by = findings.of_owners(ctx, "patrol", [r.id for r in shown if r.id is not None])
            names = {r.key: patrol.route_name(ctx, r.key) for r in self.desk.settings.patrol.routes}
        lines = Text()
        for item in due:
            said = t(f"patrol_due_state.{'missed' if item.missed else 'due'}")
            period = (
                item.first.isoformat()
                if item.first == item.last
                else f"{item.first:%m-%d}~{item.last:%m-%d}"
            )
            if lines:
                lines.append("\n")
            lines.append_text(
                due_cell(item.due_at, now, f"{said}  {names.get(item.route, item.route)}  {period}")
            )
        self.query_one("#patrols-schedule", Static).update(
            lines if due else Text(t("patrol_ui.schedule_none"), style="dim")
        )
        with self.app.batch_update():
            table.clear()
            for found in shown:
                shown_state = Text(
                    t(f"patrol_state.{found.state}"),
                    style="" if found.state == PatrolState.under_way else "dim",
                )
                table.add_row(
                    found.number,
                    names.get(found.route, found.route),
                    plain(found.patrolled_by),
                    self.desk.show_time(found.started_at),
                    shown_state,
                    str(len(found_by.get(found.id or 0, []))),
                    key=str(found.id),
                )
            table.select_record(select_id)
        which = t("patrol_ui.showing_all" if self.show_all else "patrol_ui.showing_recent")
        self.query_one("#patrols-title", Static).update(
            f"{t('patrol_ui.title')} — {which}" if shown else t("patrol_ui.empty")
        )

    def selected_id(self) -> int | None:
        return self.query_one("#patrols", RecordTable).selected_id()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_round()

    def action_open_round(self) -> None:
        chosen = self.selected_id()
        if chosen is not None:
            records.open_record(self.app, patrol.REGISTER, chosen)

    def action_new_round(self) -> None:
        def saved(found: PatrolRound | None) -> None:
            if found is not None and found.id is not None:
                self.refresh_list(select_id=found.id)
                self.notify(t("patrol_ui.started", number=found.number))
                records.open_record(self.app, patrol.REGISTER, found.id)

        self.app.push_screen(StartRoundDialog(), callback=saved)
