"""The room field: a room code completed from the residents directory as it is typed.

The rooms that match are listed under it (a few with their resident's name and masked phone);
a room on file posts RoomField.Resolved, so a form can offer the resident's name and phone. A
room not on file is said, not refused (a common area, a room not yet in the directory).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from textual.message import Message
from textual.suggester import Suggester
from textual.widget import Widget
from textual.widgets import Input

from desk.forms.fields import TextField
from desk.i18n import t
from desk.models import Unit
from desk.services.limits import max_length
from desk.services.residents import (
    RoomMatch,
    RoomPerson,
    complete_room,
    mask_phone,
    normalise_room,
)


class RoomSuggester(Suggester):
    """Completes a room code from the residents directory."""

    def __init__(self, field: RoomField) -> None:
        super().__init__(use_cache=False, case_sensitive=False)
        self.field = field

    async def get_suggestion(self, value: str) -> str | None:
        matches = self.field.lookup(value)
        if not matches:
            return None
        return matches[0].code if matches[0].code.upper().startswith(value.upper()) else None


class RoomField(TextField):
    """A room, completed from the directory; a room on file offers its resident's name and phone."""

    class Resolved(Message):
        def __init__(self, field: RoomField, match: RoomMatch) -> None:
            super().__init__()
            self.field, self.match = field, match

    def __init__(self, name: str, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", max_length(Unit, "code"))
        super().__init__(name, **kwargs)

    def control(self) -> Widget:
        return self.make_input(
            placeholder=t("form.room_placeholder"),
            suggester=RoomSuggester(self),
            select_on_focus=True,
        )

    # rooms listed under the field: a few with their resident, more (a room number typed without
    # its building: that room in every building) by their codes alone
    WITH_NAMES = 3
    LISTED = 12

    def lookup(self, typed: str) -> list[RoomMatch]:
        if not typed.strip():
            return []
        try:
            with self.desk.database.reading() as session:
                return complete_room(self.desk.ctx(session), typed, limit=self.LISTED)
        except SQLAlchemyError:  # the database lost (desk.widgets.live): typing goes on
            return []

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        matches = self.lookup(event.value)
        if len(matches) <= self.WITH_NAMES:
            shown = [f"{m.code} {m.name} {mask_phone(m.phone)}".strip() for m in matches]
        else:
            shown = [m.code for m in matches]
        # each room with its resident kept on one line when the note wraps
        self.set_note("  ".join(entry.replace(" ", "\u00a0") for entry in shown))
        if event.value.strip() and not matches:
            # said, not refused: a common area or a room not yet on file is written as it is
            self.set_note(t("form.room_not_on_file"))
        typed = normalise_room(event.value).upper()
        exact = [m for m in matches if m.code.upper() == typed]
        if exact:
            self.post_message(self.Resolved(self, exact[0]))


class PersonField(TextField):
    """A resident's name, offered from the room: the one resident filled in, several listed
    under the field by number, a digit typed alone taking that one (and their phone)."""

    def __init__(self, name: str, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.offered: list[RoomPerson] = []
        self.phone_field: TextField | None = None

    def offer(self, match: RoomMatch, phone: TextField | None) -> None:
        """What a resolved room offers; what the clerk already typed wins."""
        people = list(match.people) or (
            [RoomPerson(match.name, match.phone, match.kind)] if match.name else []
        )
        self.phone_field, self.offered = phone, []
        typed = self.value.strip()
        if typed and people:
            # a name already typed stays; the phone of that resident (or of the only one)
            person = next((p for p in people if p.name == typed), None)
            person = person or (people[0] if len(people) == 1 else None)
            if person and phone is not None and not phone.value.strip() and person.phone:
                phone.set_value(person.phone)
            return
        if not people:
            return
        if len(people) == 1:
            self.set_value(people[0].name)
            if phone is not None and not phone.value.strip() and people[0].phone:
                phone.set_value(people[0].phone)
            return
        self.offered = people
        choices = "  ".join(
            f"{number}\u00a0{p.name}（{t(f'resident_kind.{p.kind}')}）{mask_phone(p.phone)}".strip()
            for number, p in enumerate(people[:9], start=1)
        )
        self.set_note(t("form.residents_choice", count=len(people), choices=choices))

    def check_typed(self, typed: str) -> None:
        super().check_typed(typed)
        if not self.offered:
            return
        text = typed.strip()
        if text.isdigit() and 1 <= int(text) <= min(len(self.offered), 9):
            self.input.value = self.offered[int(text) - 1].name  # changes again: taken below
            return
        person = next((p for p in self.offered if p.name == text), None)
        if person is None:
            return
        self.offered = []
        self.set_note("")
        phone = self.phone_field
        if phone is not None and not phone.value.strip() and person.phone:
            phone.set_value(person.phone)
