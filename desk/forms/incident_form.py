"""A new emergency incident (突发事故): when, where (a room, a common area or equipment), what
happened, who reported it, the first judgement of the cause, its kind and severity. Opened from
the board in one key (`!`), or from a night-log entry flagged emergency, prefilled from it."""

from __future__ import annotations

from textual.widget import Widget

from desk.forms.dialogs import FormDialog, banner_form
from desk.forms.fields import ChoiceField, DeskForm, TextField, WhenField, when_text
from desk.forms.room_field import RoomField
from desk.i18n import t
from desk.models import Incident, PlaceKind
from desk.services import incident
from desk.services.errors import DeskError
from desk.services.incident import IncidentCreate


class IncidentFormDialog(FormDialog[int | None]):
    """Open an incident; returns its id (None when cancelled)."""

    def __init__(self, prefill: IncidentCreate | None = None) -> None:
        super().__init__()
        self.prefill = prefill or IncidentCreate()

    def heading(self) -> str:
        return t("incident_ui.new_title")

    def build_form(self) -> DeskForm:
        rules = self.desk.settings.incidents
        lang = self.desk.lang
        data = self.prefill
        kinds = [(k.label(lang), k.key) for k in rules.kinds]
        severities = [(s.label(lang), s.key) for s in rules.severities]
        kind = data.kind if rules.kind(data.kind) else kinds[-1][1]
        severity = data.severity if rules.severity(data.severity) else severities[0][1]
        return banner_form(
            WhenField("happened_at"),
            ChoiceField(
                "place_kind",
                [(t(f"place_kind.{p.value}"), p.value) for p in PlaceKind],
                PlaceKind(data.place_kind).value,
            ),
            RoomField("room"),
            TextField("incident_place", of=Incident, column="place"),
            TextField("what", of=Incident),
            TextField("reported_by", of=Incident),
            TextField("reporter_phone", of=Incident),
            TextField("first_judgement", of=Incident),
            ChoiceField("incident_kind", kinds, kind),
            ChoiceField("incident_severity", severities, severity),
        )

    def prepare(self) -> None:
        data = self.prefill
        tz = self.desk.settings.tz
        for name, value in (
            ("happened_at", when_text(data.happened_at, tz) if data.happened_at else ""),
            ("room", data.room),
            ("incident_place", data.place),
            ("what", data.what),
            ("reported_by", data.reported_by),
            ("reporter_phone", data.reporter_phone),
            ("first_judgement", data.first_judgement),
        ):
            self.query_one(f"#field-{name}", TextField).set_value(value)
        self.query_one("#field-happened_at", WhenField).set_note(t("incident_ui.now_hint"))

    def first_focus(self) -> Widget | None:
        return self.query_one("#first_judgement" if self.prefill.what else "#place_kind")

    def submit(self, form: DeskForm) -> int | DeskError | None:
        values = form.read()
        data = IncidentCreate(
            happened_at=values["happened_at"],
            place_kind=values["place_kind"],
            room=values["room"],
            place=values["incident_place"],
            what=values["what"],
            reported_by=values["reported_by"],
            reporter_phone=values["reporter_phone"],
            first_judgement=values["first_judgement"],
            kind=values["incident_kind"],
            severity=values["incident_severity"],
            night_log_id=self.prefill.night_log_id,
        )
        outcome = self.attempt(lambda ctx: incident.open_incident(ctx, data))
        if isinstance(outcome, DeskError):
            return outcome
        self.desk.notify(t("app.saved", number=outcome.number))
        return outcome.id
