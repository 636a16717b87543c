"""The steps of one incident, one dialog each: a step of the nine recorded (who was called and
when, who arrived and when, the government's reference), a step not needed (the reason), the
cause, security standing in at the desk, a follow-up handed on."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static

from desk.forms.dialogs import FormDialog, banner_form
from desk.forms.fields import ChoiceField, DeskForm, TextField, WhenField, when_text
from desk.i18n import t
from desk.models import Incident, IncidentFollowUp, IncidentStandIn, IncidentStep
from desk.services import incident
from desk.services.errors import DeskError
from desk.services.incident import StepIn


class IncidentDialog(FormDialog[Any]):
    """A step on one incident; returns what it saved (None when cancelled)."""

    title_key = ""

    def __init__(self, found: Incident) -> None:
        super().__init__()
        self.found = found
        assert found.id is not None
        self.incident_id: int = found.id

    def heading(self) -> str:
        return t(self.title_key, number=self.found.number)


def _step_choice(steps: list[IncidentStep], chosen: IncidentStep | None) -> ChoiceField:
    options = [(t(f"incident_step.{s.key}"), str(s.step)) for s in steps]
    first = str(chosen.step) if chosen is not None else options[0][1]
    return ChoiceField("step", options, first)


class StepDialog(IncidentDialog):
    """A step done: who was called (or did it) and when; who arrived and when."""

    title_key = "incident_ui.dialog.step"

    def __init__(self, found: Incident, steps: list[IncidentStep]) -> None:
        super().__init__(found)
        self.steps = [s for s in steps if s.state == "pending"]

    def build_form(self) -> DeskForm:
        return banner_form(
            _step_choice(self.steps, incident.next_step(self.steps)),
            TextField("called", of=IncidentStep),
            WhenField("called_at", required=True),
            TextField("arrived", of=IncidentStep),
            WhenField("arrived_at"),
            TextField("reference", of=IncidentStep),
            TextField("note", of=IncidentStep),
        )

    def prepare(self) -> None:
        now = when_text(self.desk.now(), self.desk.settings.tz)
        self.query_one("#field-called_at", WhenField).set_value(now)
        self.query_one("#field-reference", TextField).set_note(t("incident_ui.reference_hint"))

    def submit(self, form: DeskForm) -> IncidentStep | DeskError:
        values = form.read()
        step = int(values.pop("step"))
        data = StepIn(**values)
        return self.attempt(lambda ctx: incident.record_step(ctx, self.incident_id, step, data))


class NotNeededDialog(IncidentDialog):
    """A step not needed: which, and why (required)."""

    title_key = "incident_ui.dialog.not_needed"

    def __init__(self, found: Incident, steps: list[IncidentStep]) -> None:
        super().__init__(found)
        self.steps = [s for s in steps if s.state == "pending"]

    def build_form(self) -> DeskForm:
        return banner_form(
            _step_choice(self.steps, incident.next_step(self.steps)),
            TextField("reason", of=IncidentStep),
        )

    def submit(self, form: DeskForm) -> IncidentStep | DeskError:
        values = form.read()
        step, reason = int(values["step"]), values["reason"]
        return self.attempt(lambda ctx: incident.not_needed(ctx, self.incident_id, step, reason))


class ArriveDialog(IncidentDialog):
    """Who arrived, and when, for a step recorded before anyone came."""

    title_key = "incident_ui.dialog.arrive"

    def __init__(self, found: Incident, steps: list[IncidentStep]) -> None:
        super().__init__(found)
        self.steps = [s for s in steps if s.state == "done" and not s.arrived]

    def build_form(self) -> DeskForm:
        return banner_form(
            _step_choice(self.steps, self.steps[0] if self.steps else None),
            TextField("arrived", of=IncidentStep),
            WhenField("arrived_at"),
        )

    def submit(self, form: DeskForm) -> IncidentStep | DeskError:
        values = form.read()
        step = int(values["step"])
        return self.attempt(
            lambda ctx: incident.arrive(
                ctx, self.incident_id, step, values["arrived"], values["arrived_at"]
            )
        )


class CauseDialog(IncidentDialog):
    title_key = "incident_ui.dialog.cause"

    def build_form(self) -> DeskForm:
        return banner_form(TextField("cause", of=Incident))

    def prepare(self) -> None:
        self.query_one("#field-cause", TextField).set_value(self.found.cause)

    def submit(self, form: DeskForm) -> Incident | DeskError:
        cause = form.read()["cause"]
        return self.attempt(lambda ctx: incident.record_cause(ctx, self.incident_id, cause))


class StandInDialog(IncidentDialog):
    """Security holding the desk (000 值班制度 六): who, from when, until when if known."""

    title_key = "incident_ui.dialog.stand_in"

    def build_form(self) -> DeskForm:
        return banner_form(
            Static(t("incident_ui.stand_in_note"), classes="form-note"),
            TextField("who", of=IncidentStandIn),
            WhenField("from_at"),
            WhenField("until_at"),
        )

    def submit(self, form: DeskForm) -> IncidentStandIn | DeskError:
        values = form.read()
        return self.attempt(
            lambda ctx: incident.start_stand_in(
                ctx, self.incident_id, values["who"], values["from_at"], values["until_at"]
            )
        )


class HandOnDialog(IncidentDialog):
    """A follow-up still open handed on, with a note (to whom, why)."""

    title_key = "incident_ui.dialog.hand_on"

    def __init__(self, found: Incident, open_ones: list[IncidentFollowUp]) -> None:
        super().__init__(found)
        self.open_ones = open_ones

    def build_form(self) -> DeskForm:
        options = [(f.number, str(f.id)) for f in self.open_ones]
        return banner_form(
            ChoiceField("follow_up", options, options[0][1]),
            TextField("note", of=IncidentFollowUp, column="handed_on_note"),
        )

    def submit(self, form: DeskForm) -> IncidentFollowUp | DeskError:
        values = form.read()
        chosen = int(values["follow_up"])
        return self.attempt(
            lambda ctx: incident.hand_on(ctx, self.incident_id, chosen, values["note"])
        )
