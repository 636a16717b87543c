"""The complaint intake form: what a clerk writes on the complaint record sheet (客户投诉登记表)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.widgets import Static

from desk.forms.fields import (
    CheckField,
    ChoiceField,
    DeskForm,
    OptionalChoiceField,
    TextField,
    WhenField,
    when_text,
)
from desk.forms.room_field import PersonField, RoomField
from desk.i18n import t
from desk.models import Channel, Complaint, Severity
from desk.services.complaint import ComplaintCreate

if TYPE_CHECKING:
    from desk.app import DeskApp


class ComplaintForm(DeskForm):
    """Intake fields; `data()` reads them into a `ComplaintCreate` (or raises every field's
    DeskError at once).

    The clerk starts at the room; what happened follows the contact details, so the common case is
    typed top to bottom and the choices (category, severity, department) come after.
    """

    def __init__(self, prefill: ComplaintCreate | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.prefill = prefill or ComplaintCreate()

    @property
    def desk(self) -> DeskApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        data = self.prefill
        lang = self.desk.lang
        settings = self.desk.settings
        yield Static("", classes="form-error")
        yield WhenField("received_at")
        yield ChoiceField(
            "channel", [(t(f"channel.{c.value}"), c.value) for c in Channel], data.channel.value
        )
        yield RoomField("room")
        yield PersonField("complainant", of=Complaint)
        yield TextField("phone", of=Complaint)
        yield TextField("what_happened", of=Complaint)
        yield TextField("resident_asks", of=Complaint)
        categories = settings.complaint_categories
        keys = [c.key for c in categories]
        yield ChoiceField(
            "category",
            [(c.label(lang), c.key) for c in categories],
            data.category if data.category in keys else (keys[-1] if keys else "other"),
        )
        yield ChoiceField(
            "severity", [(t(f"severity.{s.value}"), s.value) for s in Severity], data.severity.value
        )
        yield CheckField("harm_ongoing", data.harm_ongoing)
        yield OptionalChoiceField(
            "department",
            [(d.label(lang), d.key) for d in settings.departments],
            data.department,
            label=t("fields.complaint_department"),
        )
        yield TextField("person_complained", of=Complaint)
        yield WhenField("resident_deadline_at")

    def on_mount(self) -> None:
        data, fields = self.prefill, self.fields()
        tz = self.desk.settings.tz
        for name in ("room", "complainant", "phone", "what_happened", "resident_asks"):
            self._text(name).set_value(getattr(data, name))
        self._text("person_complained").set_value(data.person_complained)
        for name in ("received_at", "resident_deadline_at"):
            self._text(name).set_value(when_text(getattr(data, name), tz))
        if data.department and self.desk.settings.department(data.department):
            department = fields["department"]
            assert isinstance(department, OptionalChoiceField)
            department.set_value(data.department)
        fields["received_at"].set_note(t("complaint_ui.dialog.now_hint"))
        fields["severity"].set_note(t("complaint_ui.dialog.severity_hint"))
        fields["harm_ongoing"].set_note(t("complaint_ui.dialog.harm_hint"))
        fields["resident_deadline_at"].set_note(t("complaint_ui.dialog.deadline_hint"))

    def _text(self, name: str) -> TextField:
        field = self.fields()[name]
        assert isinstance(field, TextField)
        return field

    def on_room_field_resolved(self, event: RoomField.Resolved) -> None:
        """A room on file offers its residents (a choice when several); what the clerk already
        typed wins."""
        person = self.fields()["complainant"]
        assert isinstance(person, PersonField)
        person.offer(event.match, self._text("phone"))

    def data(self) -> ComplaintCreate:
        values = self.read()
        return ComplaintCreate(
            received_at=values["received_at"],
            channel=Channel(values["channel"]),
            room=values["room"],
            complainant=values["complainant"],
            phone=values["phone"],
            what_happened=values["what_happened"],
            resident_asks=values["resident_asks"],
            category=values["category"],
            severity=Severity(values["severity"]),
            department=values["department"],
            person_complained=values["person_complained"],
            resident_deadline_at=values["resident_deadline_at"],
            harm_ongoing=bool(values["harm_ongoing"]),
            reception_id=self.prefill.reception_id,
        )
