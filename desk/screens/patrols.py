"""The patrol register (p on the board): the rounds the schedule still calls for (due today or
this week, missed), then the rounds of the last week, newest first."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widget import Widget
from textual.widgets import Static

from desk import commands
from desk.forms.dialogs import FormDialog, banner_form
from desk.forms.fields import ChoiceField, DeskForm, NameField, TextField, WhenField
from desk.i18n import current_language, t
from desk.models import PatrolRound, PatrolState
from desk.screens import records
from desk.screens.due import due_cell
from desk.screens.plain import Fit, plain
from desk.screens.register_list import RegisterList, Row
from desk.services import findings, patrol
from desk.services.context import Ctx
from desk.services.patrol import RoundIn

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


class PatrolsScreen(RegisterList):
    """Patrol rounds; ctrl+n starts one, Enter opens one, ctrl+f shows every round."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("patrols")
    REGISTER = patrol.REGISTER
    WORDS = "patrol_ui"
    COLUMNS = COLUMNS
    FIT = FIT
    DEFAULT_CSS = """
    PatrolsScreen #patrols-schedule { padding: 0 1; height: auto; max-height: 8; }
    """

    def compose_above(self) -> ComposeResult:
        yield Static(id="patrols-schedule")

    def read_above(self, ctx: Ctx) -> None:
        """The rounds the schedule still calls for: due today or this week, or missed."""
        now = self.desk.now()
        names = self._route_names(ctx)
        due = patrol.schedule(ctx)
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

    def _route_names(self, ctx: Ctx) -> dict[str, str]:
        return {r.key: patrol.route_name(ctx, r.key) for r in self.desk.settings.patrol.routes}

    def rows(self, ctx: Ctx) -> list[Row]:
        shown = patrol.listing(ctx, everything=self.show_all)
        found_by = findings.of_owners(ctx, "patrol", [r.id for r in shown if r.id is not None])
        names = self._route_names(ctx)
        rows: list[Row] = []
        for found in shown:
            state = Text(
                t(f"patrol_state.{found.state}"),
                style="" if found.state == PatrolState.under_way else "dim",
            )
            cells = (
                found.number,
                names.get(found.route, found.route),
                plain(found.patrolled_by),
                self.desk.show_time(found.started_at),
                state,
                str(len(found_by.get(found.id or 0, []))),
            )
            rows.append((found.id or 0, cells))
        return rows

    def action_new_round(self) -> None:
        def saved(found: PatrolRound | None) -> None:
            if found is not None and found.id is not None:
                self.refresh_list(select_id=found.id)
                self.notify(t("patrol_ui.started", number=found.number))
                records.open_record(self.app, patrol.REGISTER, found.id)

        self.app.push_screen(StartRoundDialog(), callback=saved)
