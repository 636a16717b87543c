"""The incident log (i on the board): incidents still open, newest first, each with its next
step due; ctrl+f shows the closed ones too, ctrl+n (or ! on the board) opens a new one."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType

from desk import commands
from desk.i18n import t
from desk.screens import records
from desk.screens.due import due_cell
from desk.screens.plain import Fit
from desk.screens.register_list import RegisterList, Row
from desk.services import incident
from desk.services.context import Ctx

COLUMNS = ("number", "happened", "place", "kind", "state", "next")
FIT = Fit("place", least=6, most=24, drop=("kind", "happened"))


class IncidentsScreen(RegisterList):
    """Incidents; ctrl+n opens one, Enter shows it, ctrl+f shows the closed ones too."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("incidents")
    REGISTER = incident.REGISTER
    WORDS = "incident_ui"
    COLUMNS = COLUMNS
    FIT = FIT

    def rows(self, ctx: Ctx) -> list[Row]:
        now, lang, rules = self.desk.now(), self.desk.lang, self.desk.settings.incidents
        shown: list[Row] = []
        for found in incident.listing(ctx, everything=self.show_all):
            following = incident.next_step(incident.steps_of(ctx, found.id or 0))
            due = Text("")
            if found.state == "open" and following is not None:
                words = f"{t(f'incident_step.{following.key}')} "
                due = due_cell(following.due_at, now, words + self.desk.show_time(following.due_at))
            kind = rules.kind(found.kind)
            state = Text(
                t(f"incident_state.{found.state}"),
                style="bold red" if found.state == "open" else "dim",
            )
            cells = (
                found.number,
                self.desk.show_time(found.happened_at),
                incident.place_text(found),
                kind.label(lang) if kind else found.kind,
                state,
                due,
            )
            shown.append((found.id or 0, cells))
        return shown

    def action_new_incident(self) -> None:
        from desk.forms.incident_form import IncidentFormDialog

        def saved(incident_id: int | None) -> None:
            if incident_id is not None:
                records.open_record(self.app, incident.REGISTER, incident_id)
                self.refresh_list(select_id=incident_id)

        self.app.push_screen(IncidentFormDialog(), callback=saved)
