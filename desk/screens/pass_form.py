"""The new release pass dialog: who applies, the owner's confirmation, the items; ctrl+s issues."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Input, Select, Static

from desk import commands
from desk.forms.dialogs import FormDialog
from desk.forms.fields import (
    ChoiceField,
    DayField,
    DeskForm,
    IdLast4Field,
    OptionalChoiceField,
    TextField,
    WhenField,
)
from desk.forms.pass_items import ItemsField
from desk.forms.room_field import PersonField, RoomField
from desk.i18n import listed, t
from desk.models import IdType, Relationship, ReleasePass
from desk.services import passes
from desk.services.errors import DeskError
from desk.services.passes import PassCreate
from desk.services.residents import RoomPerson, mask_phone

if TYPE_CHECKING:
    from desk.app import DeskApp


class PassForm(DeskForm):
    """The pass's fields; `data()` reads them into a `PassCreate` or raises every field's
    DeskError at once."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.owners: list[tuple[str, str]] = []

    @property
    def desk(self) -> DeskApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static("", classes="form-error")
        yield RoomField("room")
        yield PersonField("applicant", of=ReleasePass)
        yield ChoiceField(
            "relationship",
            [(t(f"relationship.{r.value}"), r.value) for r in Relationship],
            Relationship.owner.value,
        )
        yield ChoiceField(
            "id_type", [(t(f"id_type.{i.value}"), i.value) for i in IdType], IdType.id_card.value
        )
        yield IdLast4Field("id_last4", max_length=30, placeholder=t("passes_ui.last4_hint"))
        with Vertical(id="owner-block"):
            yield Static(t("passes_ui.owner_block"), classes="form-note")
            yield TextField("owner_phone_called", of=ReleasePass)
            yield TextField("owner_confirmed_by", of=ReleasePass)
            yield OptionalChoiceField(
                "owner_confirmed", [(t("app.yes"), "yes"), (t("app.no"), "no")], ""
            )
            yield WhenField("owner_confirmed_at")
        yield TextField("vehicle_plate", of=ReleasePass)
        yield DayField(
            "valid_on", today_words="passes_ui.today", placeholder=t("passes_ui.valid_on_hint")
        )
        yield ItemsField()

    def on_mount(self) -> None:
        self.show_owner_block(Relationship.owner.value)
        self.fields()["owner_confirmed_at"].set_note(t("repair_ui.dialog.now_hint"))
        self.fields()["valid_on"].set_note(t("passes_ui.today"))

    def show_owner_block(self, relationship: str) -> None:
        self.query_one("#owner-block").display = relationship != Relationship.owner.value

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "relationship":
            self.show_owner_block(str(event.value))
            self.check_applicant()

    def _text(self, name: str) -> TextField:
        field = self.fields()[name]
        assert isinstance(field, TextField)
        return field

    def on_room_field_resolved(self, event: RoomField.Resolved) -> None:
        """The owners on file: whom to call, and whose name an owner's pass should carry."""
        with self.desk.database.reading() as session:
            owners = passes.owners_of(self.desk.ctx(session), event.match.code)
        self.owners = [(o.name, o.phone) for o in owners]
        shown = listed(f"{name} {mask_phone(phone)}" for name, phone in self.owners)
        called = self._text("owner_phone_called")
        called.set_note(t("passes_ui.owners_on_file", owners=shown) if shown else "")
        if self.owners and not called.value.strip():
            called.set_value(self.owners[0][1])
        # the room's owner offered as the applicant (a choice when several); an owner's own
        # pass is the most common, and another applicant is typed over it
        applicant = self.fields()["applicant"]
        if isinstance(applicant, PersonField) and owners:
            people = tuple(RoomPerson(o.name, o.phone, "owner") for o in owners)
            applicant.offer(replace(event.match, people=people), None)
        self.check_applicant()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "applicant":
            self.check_applicant()

    def check_applicant(self) -> None:
        """Warn (never refuse) when an owner's pass names someone not on file as the owner."""
        applicant = self._text("applicant")
        name = applicant.value.strip()
        owner = self.fields()["relationship"].value == Relationship.owner.value
        names = [n for n, _ in self.owners]
        unknown = owner and name and names and name not in names
        applicant.set_note(
            t("passes_ui.not_owner_on_file", owners=listed(names)) if unknown else ""
        )

    def data(self) -> PassCreate:
        values = self.read()
        confirmed = values["owner_confirmed"]
        return PassCreate(
            room=values["room"],
            applicant=values["applicant"],
            relationship=Relationship(values["relationship"]),
            id_type=IdType(values["id_type"]),
            id_last4=values["id_last4"],
            owner_phone_called=values["owner_phone_called"],
            owner_confirmed_by=values["owner_confirmed_by"],
            owner_confirmed=None if not confirmed else confirmed == "yes",
            owner_confirmed_at=values["owner_confirmed_at"],
            vehicle_plate=values["vehicle_plate"],
            valid_on=values["valid_on"],
            items=values["items"],
        )


class PassFormScreen(FormDialog[int | None]):
    """Issue a pass; returns its id (None when cancelled). Errors stay at their field."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("pass_form")
    DEFAULT_CSS = """
    PassFormScreen #owner-block { height: auto; border-left: thick $warning; }
    PassFormScreen ItemsField .items-label { width: 100%; text-align: left; padding: 0; }
    """

    def heading(self) -> str:
        return t("passes_ui.new_title")

    def build_form(self) -> DeskForm:
        return PassForm(id="pass-form")

    def first_focus(self) -> Widget | None:
        return self.query_one("#room")

    async def action_add_line(self) -> None:
        await self.query_one(ItemsField).add_line()

    async def action_remove_line(self) -> None:
        await self.query_one(ItemsField).remove_line()

    def action_save(self) -> None:
        form = self.query_one(PassForm)
        form.clear_errors()
        try:
            data = form.data()
        except DeskError as error:
            self.show(form, error)
            return
        outcome = self.attempt(lambda ctx: self._issue(ctx, data))
        if isinstance(outcome, DeskError):
            self.show(form, outcome)
            return
        saved, noted = outcome
        self.desk.notify(t("app.saved", number=saved.number))
        if noted:
            self.desk.notify(
                t("passes_ui.noted_not_owner", number=saved.number), severity="warning"
            )
        self.dismiss(saved.id)

    @staticmethod
    def _issue(ctx: Any, data: PassCreate) -> tuple[ReleasePass, bool]:
        saved = passes.issue(ctx, data)
        return saved, passes.applicant_not_owner_on_file(ctx, saved)

    def show(self, form: PassForm, error: DeskError) -> None:
        form.show_error(error)
        if error.field == "items" and "line" in error.params:
            form.query_one(ItemsField).focus_line(int(error.params["line"]))
