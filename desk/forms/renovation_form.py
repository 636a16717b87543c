"""The renovation application (装修申请): who applies, the contractor, the works, the papers
checked and the money paid. A long form: it scrolls, the field in focus always in view, so it is
filled in at 80×24 as on a wide screen; ctrl+s saves, every refusal beside its field."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Input, Select, Static

from desk.forms.dialogs import FormDialog
from desk.forms.fields import (
    CheckField,
    ChoiceField,
    DeskForm,
    MoneyField,
    TextField,
    WhenField,
)
from desk.forms.room_field import PersonField, RoomField
from desk.i18n import listed, t
from desk.models import ApplicantKind, Renovation
from desk.services import renovation
from desk.services.errors import DeskError
from desk.services.renovation import RenovationCreate
from desk.services.residents import RoomPerson, mask_phone
from desk.services.when import parse_when

if TYPE_CHECKING:
    from desk.app import DeskApp

SPECIAL = ("touches_structure", "touches_walls", "touches_lines", "touches_facade")


class DayField(TextField):
    """A day typed in the desk's grammar (明天, 12-01, 2026-12-01, +7d), shown back as a date."""

    checks_live = True

    def __init__(self, name: str, *, required: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("placeholder", t("renovation_ui.day_placeholder"))
        kwargs.setdefault("max_length", 30)
        super().__init__(name, **kwargs)
        self.required = required

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        try:
            day = self.value
        except DeskError as error:
            self.set_note("")
            self.set_error(error.message)
            return
        self.set_error("")
        self.set_note(t("form.resolved", when=day.isoformat()) if day else "")

    @property
    def value(self) -> date | None:  # type: ignore[override]
        moment = parse_when(self.input.value, self.desk.now(), self.desk.settings.tz)
        if moment is None:
            if self.required:
                raise DeskError("field.required", field=self.field_name)
            return None
        return moment.astimezone(self.desk.settings.tz).date()

    def set_day(self, day: date | None) -> None:
        self.input.value = day.isoformat() if day else ""


def yuan_text(fen: int) -> str:
    """Fen as the money fields take it: 300000 -> "3000", 35050 -> "350.50"."""
    return f"{fen // 100}" if fen % 100 == 0 else f"{fen // 100}.{fen % 100:02d}"


def label(name: str) -> str:
    return t(f"fields.{name}")


class RenovationForm(DeskForm):
    """The application's fields in five parts; `data()` reads them into a RenovationCreate or
    raises every field's DeskError at once."""

    DEFAULT_CSS = """
    RenovationForm .form-section { text-style: bold; color: $accent; padding: 0 0 0 1; }
    RenovationForm #owner-block { height: auto; border-left: thick $warning; }
    """

    @property
    def desk(self) -> DeskApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static("", classes="form-error")
        yield Static(t("renovation_ui.part.applicant"), classes="form-section")
        yield RoomField("room")
        yield ChoiceField(
            "applicant_kind",
            [(t(f"applicant_kind.{kind.value}"), kind.value) for kind in ApplicantKind],
            ApplicantKind.owner.value,
        )
        yield PersonField("applicant", of=Renovation)
        yield TextField("applicant_phone", of=Renovation)
        with Vertical(id="owner-block"):
            yield Static(t("renovation_ui.owner_block"), classes="form-note")
            yield TextField("owner_phone_called", of=Renovation)
            yield TextField("owner_confirmed_by", of=Renovation)
            yield WhenField("owner_confirmed_at")
        yield Static(t("renovation_ui.part.contractor"), classes="form-section")
        yield TextField("contractor", of=Renovation)
        yield TextField("contractor_licence", of=Renovation)
        yield TextField("contractor_person", of=Renovation)
        yield TextField("contractor_phone", of=Renovation)
        yield Static(t("renovation_ui.part.works"), classes="form-section")
        yield DayField("planned_start")
        yield DayField("planned_end")
        yield TextField("scope", of=Renovation)
        for name in SPECIAL:
            yield CheckField(name)
        yield CheckField("undertaking_signed")
        yield Static(t("renovation_ui.part.documents"), classes="form-section")
        for name in renovation.DOCUMENTS:
            yield CheckField(name)
        yield Static(t("renovation_ui.part.fees"), classes="form-section")
        yield MoneyField("deposit", max_length=12)
        yield TextField("deposit_receipt", of=Renovation)
        yield MoneyField("debris_fee", max_length=12)
        yield TextField("debris_fee_receipt", of=Renovation)

    def on_mount(self) -> None:
        self.show_owner_block(ApplicantKind.owner.value)
        self._text("owner_confirmed_at").set_note(t("repair_ui.dialog.now_hint"))
        fees = self.desk.settings.renovation
        deposit, debris = fees.deposit, fees.debris_fee
        self._text("deposit").set_value(str(deposit))
        self._text("debris_fee").set_value(str(debris))
        self._text("deposit").set_note(t("renovation_ui.fee_default", amount=deposit))
        self._text("debris_fee").set_note(t("renovation_ui.fee_default", amount=debris))
        special = self.desk.settings.renovation.special_approval
        for name in SPECIAL:
            if name.removeprefix("touches_") in special:
                self.fields()[name].set_note(t("renovation_ui.needs_special"))

    def _text(self, name: str) -> TextField:
        field = self.fields()[name]
        assert isinstance(field, TextField)
        return field

    def show_owner_block(self, kind: str) -> None:
        self.query_one("#owner-block").display = kind == ApplicantKind.agent.value

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "applicant_kind":
            self.show_owner_block(str(event.value))

    def on_room_field_resolved(self, event: RoomField.Resolved) -> None:
        """The owners on file: the applicant offered (an owner applies most often), and whom
        an agent's owner is called on."""
        with self.desk.database.reading() as session:
            owners = renovation.owners_of(self.desk.ctx(session), event.match.code)
        called = self._text("owner_phone_called")
        shown = listed(f"{o.name} {mask_phone(o.phone)}" for o in owners)
        called.set_note(t("renovation_ui.owners_on_file", owners=shown) if shown else "")
        if owners and not called.value.strip():
            called.set_value(owners[0].phone)
        applicant = self.fields()["applicant"]
        if isinstance(applicant, PersonField) and owners:
            people = tuple(RoomPerson(o.name, o.phone, "owner") for o in owners)
            applicant.offer(replace(event.match, people=people), self._text("applicant_phone"))

    def data(self) -> RenovationCreate:
        values = self.read()
        return RenovationCreate(
            room=values["room"],
            applicant=values["applicant"],
            applicant_kind=ApplicantKind(values["applicant_kind"]),
            applicant_phone=values["applicant_phone"],
            owner_phone_called=values["owner_phone_called"],
            owner_confirmed_by=values["owner_confirmed_by"],
            owner_confirmed_at=values["owner_confirmed_at"],
            contractor=values["contractor"],
            contractor_licence=values["contractor_licence"],
            contractor_person=values["contractor_person"],
            contractor_phone=values["contractor_phone"],
            planned_start=values["planned_start"],
            planned_end=values["planned_end"],
            scope=values["scope"],
            **{name: values[name] for name in (*SPECIAL, "undertaking_signed")},
            **{name: values[name] for name in renovation.DOCUMENTS},
            deposit_fen=values["deposit"],
            deposit_receipt=values["deposit_receipt"],
            debris_fee_fen=values["debris_fee"],
            debris_fee_receipt=values["debris_fee_receipt"],
        )


class RenovationFormScreen(FormDialog[int | None]):
    """Take an application; returns its id (None when cancelled)."""

    DEFAULT_CSS = """
    RenovationFormScreen FormField .field-note.-empty { display: none; }
    """

    def heading(self) -> str:
        return t("renovation_ui.new_title")

    def build_form(self) -> DeskForm:
        return RenovationForm(id="renovation-form")

    def first_focus(self) -> Widget | None:
        return self.query_one("#room")

    def submit(self, form: DeskForm) -> int | DeskError:
        assert isinstance(form, RenovationForm)
        data = form.data()
        outcome = self.attempt(lambda ctx: renovation.apply(ctx, data))
        if isinstance(outcome, DeskError):
            return outcome
        self.desk.notify(t("app.saved", number=outcome.number))
        assert outcome.id is not None
        return outcome.id
