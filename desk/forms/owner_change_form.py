"""The owner record change declaration (《业主资料更改声明》): the room and the resident, who asked
and how they were identified, the new values, the owner's signature; ctrl+s declares.

Every refusal is shown at once beside its field, what was typed kept; an identity check that
fails is said beside the ID number (and recorded by the service). The ID number typed is sent
to the service, checked, and never stored.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Static

from desk.forms.dialogs import FormDialog
from desk.forms.fields import (
    CheckField,
    ChoiceField,
    DeskForm,
    OptionalChoiceField,
    TextField,
    WhenField,
)
from desk.forms.room_field import PersonField, RoomField
from desk.i18n import listed, t
from desk.models import ChangeKind, IdentityCheck, IdKind, OwnerChange, ResidentKind
from desk.services import owner_changes
from desk.services.errors import DeskError
from desk.services.owner_changes import OwnerChangeCreate

if TYPE_CHECKING:
    from desk.app import DeskApp


class OwnerChangeForm(DeskForm):
    """The declaration's fields; `data()` reads them into an `OwnerChangeCreate` or raises every
    field's DeskError at once."""

    @property
    def desk(self) -> DeskApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static("", classes="form-error")
        yield RoomField("room")
        yield ChoiceField(
            "change",
            [(t(f"owner_change_kind.{kind.value}"), kind.value) for kind in ChangeKind],
            ChangeKind.amend.value,
        )
        yield PersonField("resident", max_length=60)
        yield PersonField("asked_by", of=OwnerChange)
        yield ChoiceField(
            "identity",
            [(t(f"identity_check.{way.value}"), way.value) for way in IdentityCheck],
            IdentityCheck.in_person.value,
        )
        yield ChoiceField(
            "id_kind",
            [(t(f"owner_id_kind.{kind.value}"), kind.value) for kind in IdKind],
            IdKind.id_card.value,
        )
        yield TextField("id_number", max_length=30)
        yield TextField("new_name", of=OwnerChange, column="name_to")
        yield TextField("new_phone", max_length=30)
        kinds = [(t(f"resident_kind.{kind.value}"), kind.value) for kind in ResidentKind]
        yield OptionalChoiceField("new_kind", kinds, "")
        yield TextField("evidence", of=OwnerChange)
        yield CheckField("signed", False)
        yield WhenField("signed_at")
        yield TextField("note", of=OwnerChange)

    def on_mount(self) -> None:
        fields = self.fields()
        for name, hint in (
            ("resident", "resident_hint"),
            ("asked_by", "asked_by_hint"),
            ("id_number", "id_number_hint"),
            ("new_name", "new_values_hint"),
            ("evidence", "evidence_hint"),
            ("signed", "signed_hint"),
        ):
            fields[name].set_note(t(f"owner_change_ui.{hint}"))
        fields["signed_at"].set_note(t("repair_ui.dialog.now_hint"))

    def on_room_field_resolved(self, event: RoomField.Resolved) -> None:
        """The room's residents offered as whose record changes, its owners as who asks."""
        fields = self.fields()
        resident, asker = fields["resident"], fields["asked_by"]
        if isinstance(resident, PersonField):
            resident.offer(event.match, None)
        owners = tuple(person for person in event.match.people if person.kind == "owner")
        if isinstance(asker, PersonField) and owners:
            asker.offer(replace(event.match, people=owners), None)
            if not asker.offered:  # one owner: filled in, and said
                asker.set_note(t("owner_change_ui.asked_by_hint"))
        names = listed(person.name for person in owners)
        if names and isinstance(asker, PersonField) and asker.offered:
            return
        if names:
            fields["room"].set_note(f"{event.match.code}  {names}")

    def data(self) -> OwnerChangeCreate:
        values: dict[str, Any] = self.read()
        return OwnerChangeCreate(
            room=values["room"],
            change=ChangeKind(values["change"]),
            resident=values["resident"],
            asked_by=values["asked_by"],
            identity=IdentityCheck(values["identity"]),
            id_kind=IdKind(values["id_kind"]),
            id_number=values["id_number"],
            new_name=values["new_name"],
            new_phone=values["new_phone"],
            new_kind=values["new_kind"],
            evidence=values["evidence"],
            signed=values["signed"],
            signed_at=values["signed_at"],
            note=values["note"],
        )


class OwnerChangeFormScreen(FormDialog[int | None]):
    """Declare a change; returns its id (None when cancelled). Errors stay at their field."""

    def heading(self) -> str:
        return t("owner_change_ui.new_title")

    def build_form(self) -> DeskForm:
        return OwnerChangeForm(id="owner-change-form")

    def first_focus(self) -> Widget | None:
        return self.query_one("#room")

    def action_save(self) -> None:
        form = self.query_one(OwnerChangeForm)
        form.clear_errors()
        try:
            data = form.data()
        except DeskError as error:
            form.show_error(error)
            return
        outcome = self.attempt(lambda ctx: owner_changes.declare(ctx, data))
        if isinstance(outcome, DeskError):
            form.show_error(outcome)
            return
        self.desk.notify(t("app.saved", number=outcome.number))
        self.dismiss(outcome.id)
