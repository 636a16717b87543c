"""The resident card application: the owner in person, the holder from the room's residents,
the ID checked (its last 4 only), the papers, the pick-up day; ctrl+s applies.

Every refusal is shown at once beside its field, what was typed is kept and the first refused
field is focused (desk.forms.dialogs.FormDialog, DeskForm.show_error).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Input, Static

from desk.forms.dialogs import FormDialog
from desk.forms.fields import (
    CheckField,
    ChoiceField,
    DayField,
    DeskForm,
    IdLast4Field,
    shown,
)
from desk.forms.room_field import PersonField, RoomField
from desk.i18n import t
from desk.models import HolderRelation, IdType, ResidentCard, ResidentKind
from desk.services import cards
from desk.services.cards import CardApply
from desk.services.errors import DeskError
from desk.services.residents import RoomPerson

if TYPE_CHECKING:
    from desk.app import DeskApp


class CardForm(DeskForm):
    """The application's fields; `data()` reads them into a `CardApply` or raises every field's
    DeskError at once."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.people: list[RoomPerson] = []

    @property
    def desk(self) -> DeskApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        months = self.desk.settings.cards.resident_months
        yield Static(shown(t("cards_ui.terms_note", months=months)), classes="form-note")
        yield Static("", classes="form-error")
        yield RoomField("room")
        yield PersonField("applicant", of=ResidentCard)
        yield ChoiceField(
            "id_type", [(t(f"id_type.{i.value}"), i.value) for i in IdType], IdType.id_card.value
        )
        yield IdLast4Field("id_last4", max_length=30, placeholder=t("passes_ui.last4_hint"))
        yield PersonField("card_holder", of=ResidentCard, column="holder")
        yield ChoiceField(
            "holder_relation",
            [(t(f"holder_relation.{r.value}"), r.value) for r in HolderRelation],
            HolderRelation.owner.value,
        )
        yield CheckField("photos_given")
        yield CheckField("terms_explained")
        yield CheckField("owner_signed")
        yield DayField(
            "pickup_on", today_words="cards_ui.today", placeholder=t("cards_ui.pickup_hint")
        )

    def on_mount(self) -> None:
        self.fields()["pickup_on"].set_note(t("cards_ui.today"))

    def _person(self, name: str) -> PersonField:
        field = self.fields()[name]
        assert isinstance(field, PersonField)
        return field

    def on_room_field_resolved(self, event: RoomField.Resolved) -> None:
        """The room's owners offered as the applicant, its residents as the holder."""
        people = list(event.match.people) or (
            [RoomPerson(event.match.name, event.match.phone, event.match.kind)]
            if event.match.name
            else []
        )
        self.people = people
        owners = tuple(p for p in people if p.kind == ResidentKind.owner)
        applicant = self._person("applicant")
        if owners:
            applicant.offer(replace(event.match, people=owners), None)
        else:  # no owner on file: no one here may apply (the service says so on saving)
            applicant.set_note(t("cards_ui.owners_on_file", owners="—"))
        holder = self._person("card_holder")
        holder.offer(replace(event.match, people=tuple(people)), None)
        self.suggest_relation()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "card_holder":
            self.suggest_relation()

    def suggest_relation(self) -> None:
        """A tenant on file is a tenant's card; an owner on file named as the holder keeps the
        clerk's choice (the owner, or a family member listed as an owner)."""
        name = self._person("card_holder").value.strip()
        person = next((p for p in self.people if p.name == name), None)
        relation = self.fields()["holder_relation"]
        if person is not None and person.kind == ResidentKind.tenant:
            assert isinstance(relation, ChoiceField)
            relation.set_value(HolderRelation.tenant.value)

    def data(self) -> CardApply:
        values = self.read()
        return CardApply(
            room=values["room"],
            applicant=values["applicant"],
            id_type=IdType(values["id_type"]),
            id_last4=values["id_last4"],
            holder=values["card_holder"],
            holder_relation=HolderRelation(values["holder_relation"]),
            photos_given=values["photos_given"],
            terms_explained=values["terms_explained"],
            owner_signed=values["owner_signed"],
            pickup_on=values["pickup_on"],
        )


class CardFormScreen(FormDialog[int | None]):
    """Take an application; returns the new card's id (None when cancelled)."""

    # every field seen at 80×24: a field's note takes a line only when it says something
    DEFAULT_CSS = """
    CardFormScreen FormField .field-note.-empty { display: none; }
    CardFormScreen .form-note { padding: 0; }
    """

    def heading(self) -> str:
        return t("cards_ui.new_title")

    def build_form(self) -> DeskForm:
        return CardForm(id="card-form")

    def first_focus(self) -> Widget | None:
        return self.query_one("#room")

    def submit(self, form: DeskForm) -> int | DeskError | None:
        assert isinstance(form, CardForm)
        data = form.data()
        outcome = self.attempt(lambda ctx: cards.apply(ctx, data))
        if isinstance(outcome, DeskError):
            return outcome
        self.desk.notify(t("app.saved", number=outcome.number))
        return outcome.id
