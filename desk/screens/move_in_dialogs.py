"""The steps of one move-in, one dialog each: booked (the form), the papers checked, the
agreements, fees and items, the meters read and confirmed, the inspection, the re-inspection
agreed with the owner, 托管 begun, a 托管 patrol, the owner told, 托管 ended."""

from __future__ import annotations

from typing import Any

from desk.forms.dialogs import FormDialog, banner_form
from desk.forms.fields import CheckField, ChoiceField, DeskForm, MoneyField, TextField, WhenField
from desk.i18n import current_language, t
from desk.models import MoveIn, MoveInApplicant, MoveInReading
from desk.services import move_in
from desk.services.errors import DeskError
from desk.services.move_in import (
    CustodyIn,
    CustodyPatrolIn,
    MetersIn,
    MoveInIn,
    PapersIn,
)
from desk.services.submission import gather


class ReadingField(TextField):
    """A meter's reading as typed (123.4); empty is None (the service says if it is needed)."""

    def __init__(self, name: str, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 12)
        super().__init__(name, **kwargs)

    @property
    def value(self) -> float | None:  # type: ignore[override]
        typed = self.input.value.strip()
        if not typed:
            return None
        try:
            return float(typed)
        except ValueError:
            raise DeskError("move_in_error.bad_reading", field=self.field_name) from None


class CountField(TextField):
    """A small whole number (keys)."""

    def __init__(self, name: str, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 2)
        super().__init__(name, **kwargs)

    @property
    def value(self) -> int:  # type: ignore[override]
        typed = self.input.value.strip()
        if not typed:
            return 0
        if not typed.isdigit():
            raise DeskError("move_in_error.bad_keys", field=self.field_name)
        return int(typed)


def _meter_fields(*, gas: bool = True) -> list[TextField]:
    fields: list[TextField] = [ReadingField("water"), ReadingField("electricity")]
    if gas:
        fields.append(ReadingField("gas"))
    fields += [TextField("read_by", of=MoveInReading), WhenField("read_at")]
    return fields


class MoveInFormDialog(FormDialog[Any]):
    """Book a move-in: the room, the owner, who comes, when."""

    def heading(self) -> str:
        return t("move_in_ui.dialog.book")

    def build_form(self) -> DeskForm:
        kinds = [(t(f"move_in_applicant.{k}"), k.value) for k in MoveInApplicant]
        return banner_form(
            TextField("room", of=MoveIn),
            TextField("owner_name", of=MoveIn),
            TextField("phone", of=MoveIn),
            ChoiceField("applicant_kind", kinds, MoveInApplicant.owner.value),
            TextField("agent_name", of=MoveIn),
            WhenField("booked_for", required=True),
            TextField("note", of=MoveIn),
        )

    def submit(self, form: DeskForm) -> MoveIn | DeskError:
        data = MoveInIn(**form.read())
        return self.attempt(lambda ctx: move_in.book(ctx, data))


class CaseDialog(FormDialog[Any]):
    """A step on one case; returns what it saved (None when cancelled)."""

    title_key = ""

    def __init__(self, found: MoveIn) -> None:
        super().__init__()
        self.found = found
        assert found.id is not None
        self.case_id: int = found.id

    def heading(self) -> str:
        return t(self.title_key, number=self.found.number)


class DocumentsDialog(CaseDialog):
    title_key = "move_in_ui.dialog.documents"

    def build_form(self) -> DeskForm:
        needed = move_in.DOCUMENTS[MoveInApplicant(self.found.applicant_kind)]
        return banner_form(*(CheckField(name, value=getattr(self.found, name)) for name in needed))

    def submit(self, form: DeskForm) -> MoveIn | DeskError:
        ticked = form.read()
        return self.attempt(lambda ctx: move_in.check_documents(ctx, self.case_id, ticked))


class PapersDialog(CaseDialog):
    title_key = "move_in_ui.dialog.papers"

    def build_form(self) -> DeskForm:
        found = self.found
        return banner_form(
            *(CheckField(name, value=getattr(found, name)) for name in move_in.AGREEMENTS),
            MoneyField("fee_fen", max_length=12, label=t("move_in_ui.fee")),
            TextField("fee_receipt", of=MoveIn),
            CountField("keys_handed"),
            CheckField("handbook_handed", value=found.handbook_handed),
            CheckField("drawings_handed", value=found.drawings_handed),
            TextField("items_signed_by", of=MoveIn),
        )

    def prepare(self) -> None:
        found = self.found
        if found.fee_fen:
            fen = found.fee_fen
            yuan = f"{fen // 100}" if fen % 100 == 0 else f"{fen // 100}.{fen % 100:02d}"
            self.query_one("#field-fee_fen", TextField).set_value(yuan)
        self.query_one("#field-fee_receipt", TextField).set_value(found.fee_receipt)
        if found.keys_handed:
            self.query_one("#field-keys_handed", TextField).set_value(str(found.keys_handed))
        self.query_one("#field-items_signed_by", TextField).set_value(found.items_signed_by)

    def submit(self, form: DeskForm) -> MoveIn | DeskError:
        data = PapersIn(**form.read())
        return self.attempt(lambda ctx: move_in.papers(ctx, self.case_id, data))


class MetersDialog(CaseDialog):
    title_key = "move_in_ui.dialog.meters"

    def build_form(self) -> DeskForm:
        return banner_form(*_meter_fields(), TextField("confirmed_by", max_length=60))

    def prepare(self) -> None:
        self.query_one("#field-confirmed_by", TextField).set_value(self.found.owner_name)

    def submit(self, form: DeskForm) -> MoveInReading | DeskError:
        data = MetersIn(**form.read())
        return self.attempt(lambda ctx: move_in.meters(ctx, self.case_id, data))


class InspectDialog(CaseDialog):
    title_key = "move_in_ui.dialog.inspect"

    def build_form(self) -> DeskForm:
        return banner_form(TextField("inspected_by", of=MoveIn), WhenField("inspected_at"))

    def submit(self, form: DeskForm) -> MoveIn | DeskError:
        values = form.read()
        return self.attempt(
            lambda ctx: move_in.inspect(
                ctx, self.case_id, values["inspected_by"], values["inspected_at"]
            )
        )


class ReinspectionDialog(CaseDialog):
    title_key = "move_in_ui.dialog.reinspection"

    def build_form(self) -> DeskForm:
        return banner_form(WhenField("reinspect_at", required=True))

    def submit(self, form: DeskForm) -> MoveIn | DeskError:
        when = form.read()["reinspect_at"]
        return self.attempt(lambda ctx: move_in.book_reinspection(ctx, self.case_id, when))


class CustodyDialog(CaseDialog):
    title_key = "move_in_ui.dialog.custody"

    def build_form(self) -> DeskForm:
        return banner_form(
            TextField("agreement", max_length=40),
            CountField("custody_keys"),
            *_meter_fields(),
        )

    def submit(self, form: DeskForm) -> MoveIn | DeskError:
        values = form.read()
        values["keys"] = values.pop("custody_keys")
        data = CustodyIn(**values)
        return self.attempt(lambda ctx: move_in.start_custody(ctx, self.case_id, data))


class CustodyPatrolDialog(CaseDialog):
    title_key = "move_in_ui.dialog.patrol"

    def build_form(self) -> DeskForm:
        rules = self.desk.settings
        language = current_language()
        options = []
        for key in (rules.move_ins.custody_route, rules.move_ins.custody_rain_route):
            route = rules.patrol.route(key)
            options.append((route.label(language) if route else key, key))
        return banner_form(
            ChoiceField("route", options, rules.move_ins.custody_route),
            *_meter_fields(gas=False),
        )

    def submit(self, form: DeskForm) -> Any:
        data = CustodyPatrolIn(**form.read())
        return self.attempt(lambda ctx: move_in.custody_patrol(ctx, self.case_id, data))


class TellOwnerDialog(CaseDialog):
    """The owner told of the oldest reading over its limit not yet told."""

    title_key = "move_in_ui.dialog.tell"

    def __init__(self, found: MoveIn, reading: MoveInReading) -> None:
        super().__init__(found)
        self.over = reading

    def build_form(self) -> DeskForm:
        return banner_form(TextField("told_by", max_length=60), WhenField("told_at"))

    def submit(self, form: DeskForm) -> MoveInReading | DeskError:
        values = gather({"form": lambda: form.read()})["form"]
        reading_id = self.over.id or 0
        return self.attempt(
            lambda ctx: move_in.tell_owner(
                ctx, self.case_id, reading_id, values["told_by"], values["told_at"]
            )
        )


class CancelDialog(CaseDialog):
    title_key = "move_in_ui.dialog.cancel"

    def build_form(self) -> DeskForm:
        return banner_form(TextField("reason", of=MoveIn, column="cancel_reason"))

    def submit(self, form: DeskForm) -> MoveIn | DeskError:
        reason = form.read()["reason"]
        return self.attempt(lambda ctx: move_in.cancel(ctx, self.case_id, reason))


class EndCustodyDialog(CaseDialog):
    title_key = "move_in_ui.dialog.end_custody"

    def build_form(self) -> DeskForm:
        return banner_form(*_meter_fields())

    def submit(self, form: DeskForm) -> MoveIn | DeskError:
        data = MetersIn(**form.read())
        return self.attempt(lambda ctx: move_in.end_custody(ctx, self.case_id, data))
