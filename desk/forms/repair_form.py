"""The repair intake form: what a clerk writes down when a resident reports something broken."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.widgets import Static

from desk.forms.fields import CheckField, ChoiceField, DeskForm, TextField, WhenField, when_text
from desk.forms.room_field import PersonField, RoomField
from desk.i18n import t
from desk.models import Channel, RepairLocation, RepairOrder
from desk.services.repair import RepairCreate

if TYPE_CHECKING:
    from desk.app import DeskApp


class RepairForm(DeskForm):
    """Intake fields; `data()` reads them into a `RepairCreate` (or raises every field's
    DeskError at once)."""

    def __init__(self, prefill: RepairCreate | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.prefill = prefill or RepairCreate()

    def compose(self) -> ComposeResult:
        data = self.prefill
        lang = self.desk.lang
        yield Static("", classes="form-error")
        yield WhenField("reported_at")
        yield ChoiceField(
            "channel", [(t(f"channel.{c.value}"), c.value) for c in Channel], data.channel.value
        )
        yield RoomField("room")
        yield PersonField("resident_name", of=RepairOrder)
        yield TextField("phone", of=RepairOrder)
        yield TextField("description", of=RepairOrder)
        yield ChoiceField(
            "location",
            [(t(f"location.{loc.value}"), loc.value) for loc in RepairLocation],
            data.location.value,
        )
        categories = self.desk.settings.repair_categories
        keys = [c.key for c in categories]
        yield ChoiceField(
            "category",
            [(c.label(lang), c.key) for c in categories],
            data.category if data.category in keys else (keys[-1] if keys else "other"),
        )
        yield CheckField("paid", data.paid)
        yield CheckField("warranty", data.warranty)
        yield WhenField("appointment_at")

    @property
    def desk(self) -> DeskApp:
        return self.app  # type: ignore[return-value]

    def on_mount(self) -> None:
        data, fields = self.prefill, self.fields()
        tz = self.desk.settings.tz
        for name in ("room", "resident_name", "phone", "description"):
            field = fields[name]
            assert isinstance(field, TextField)
            field.set_value(getattr(data, name))
        for name in ("reported_at", "appointment_at"):
            field = fields[name]
            assert isinstance(field, TextField)
            field.set_value(when_text(getattr(data, name), tz))
        fields["reported_at"].set_note(t("repair_ui.dialog.now_hint"))

    def on_room_field_resolved(self, event: RoomField.Resolved) -> None:
        """A room on file offers its residents (a choice when several); what the clerk already
        typed wins."""
        fields = self.fields()
        person, phone = fields["resident_name"], fields["phone"]
        if isinstance(person, PersonField) and isinstance(phone, TextField):
            person.offer(event.match, phone)

    def data(self) -> RepairCreate:
        values = self.read()
        return RepairCreate(
            reported_at=values["reported_at"],
            channel=Channel(values["channel"]),
            room=values["room"],
            resident_name=values["resident_name"],
            phone=values["phone"],
            description=values["description"],
            location=RepairLocation(values["location"]),
            category=values["category"],
            paid=values["paid"],
            warranty=values["warranty"],
            appointment_at=values["appointment_at"],
            reception_id=self.prefill.reception_id,
        )
