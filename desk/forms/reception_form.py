"""The reception form: one call or visit as the clerk types it, read into a ReceptionCreate."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input, Select, Static

from desk.forms.fields import ChoiceField, DeskForm, OptionalChoiceField, TextField, WhenField
from desk.forms.room_field import PersonField, RoomField
from desk.i18n import t
from desk.models import Channel, ReceptionCategory, ReceptionEntry
from desk.services.reception import ReceptionCreate


class ReceptionForm(DeskForm):
    """Time, channel, who, what was asked and done, where it went, when a reply is due."""

    DEFAULT_CSS = """
    ReceptionForm { height: auto; padding: 0 1; }
    """

    def __init__(self, lang: str, departments: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lang = lang
        self.departments = departments

    def compose(self) -> ComposeResult:
        yield Static("", classes="form-error")
        yield WhenField("received_at", placeholder=t("reception_ui.now_placeholder"))
        yield ChoiceField(
            "channel", [(t(f"channel.{c.value}"), c.value) for c in Channel], Channel.visit.value
        )
        yield RoomField("room")
        yield PersonField("person", of=ReceptionEntry)
        yield TextField("phone", of=ReceptionEntry)
        yield ChoiceField(
            "category",
            [(t(f"reception_category.{c.value}"), c.value) for c in ReceptionCategory],
            ReceptionCategory.enquiry.value,
        )
        yield TextField("request", of=ReceptionEntry, placeholder=t("reception_ui.request_hint"))
        yield TextField("action_taken", of=ReceptionEntry)
        yield OptionalChoiceField("department", self.departments, "")
        yield WhenField("reply_due_at", placeholder=t("reception_ui.reply_due_hint"))

    def on_mount(self) -> None:
        self.focus_first()

    def focus_first(self) -> None:
        # the time ("now") and the channel keep their defaults most often: the clerk starts at
        # the room (the channel is one shift+tab back)
        self.fields()["room"].focus_control()

    def on_room_field_resolved(self, message: RoomField.Resolved) -> None:
        """A room on file offers its residents (a choice when several); never overwrite what
        the clerk already typed."""
        fields = self.fields()
        person, phone = fields["person"], fields["phone"]
        assert isinstance(person, PersonField) and isinstance(phone, TextField)
        person.offer(message.match, phone)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in a field moves on to the next one, as on a paper form; ctrl+s saves."""
        event.stop()
        self.screen.focus_next()

    def request_text(self) -> str:
        return str(self.fields()["request"].value)

    def insert_reply(self, body: str) -> None:
        """A standard reply goes into what was done, after anything already written there."""
        field = self.fields()["action_taken"]
        assert isinstance(field, TextField)
        current = field.value.strip()
        field.set_value(f"{current} {body}" if current else body)
        field.focus_control()

    def read_entry(self) -> ReceptionCreate:
        """The typed entry; every unreadable field raises its DeskError at once (field set)."""
        values = self.read()
        return ReceptionCreate(
            received_at=values["received_at"],
            channel=Channel(values["channel"]),
            person=values["person"],
            room=values["room"],
            phone=values["phone"],
            category=ReceptionCategory(values["category"]),
            request=values["request"],
            action_taken=values["action_taken"],
            department=values["department"],
            reply_due_at=values["reply_due_at"],
        )

    def clear(self) -> None:
        """Empty the form for the next visitor; the channel stays as it was (calls come in runs)."""
        self.clear_errors()
        for field in self.query(TextField):
            field.set_value("")
            field.set_note("")
        category = self.fields()["category"]
        assert isinstance(category, ChoiceField)
        category.set_value(ReceptionCategory.enquiry.value)
        self.fields()["department"].query_one(Select).clear()
        self.focus_first()
