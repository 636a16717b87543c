"""The fee desk's dialogs on a room's page: the payment (after the read-back), a reminder, the
letter, the home visit, legal, and a home collection booked, done or missed."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widget import Widget
from textual.widgets import Static

from desk.forms.dialogs import FormDialog, banner_form
from desk.forms.fields import (
    CheckField,
    ChoiceField,
    DayField,
    DeskForm,
    MoneyField,
    TextField,
    WhenField,
)
from desk.i18n import current_language, t
from desk.models import FeeAppointment, FeeChannel, FeeCustody, FeePayment, FeeStep
from desk.printing.paper import yuan
from desk.services import fees
from desk.services.errors import DeskError
from desk.services.fees import AppointmentIn, PaymentIn, ReadBack, StepIn


def read_back_text(back: ReadBack, settings: Any) -> Text:
    """What the clerk reads back: owner, room, each fee's months paid and owing and amounts."""
    lang = current_language()
    owners = "、".join(back.owners) or t("fees_ui.no_owner")
    out = Text(t("fees_ui.read_back_head", room=back.room, owners=owners) + "\n", style="bold")
    for line in back.lines:
        kind = settings.fees.kind(line.kind)
        label = kind.label(lang) if kind else line.kind
        out.append(
            t(
                "fees_ui.read_back_line",
                kind=label,
                paid=line.paid_through,
                first=line.from_month,
                last=line.to_month,
                months=line.months,
                owing=yuan(line.owing_fen),
            )
        )
        if line.custody:
            share = f"{settings.fees.custody_share:.0%}"
            out.append(t("fees_ui.custody_note", share=share, full=yuan(line.file_fen)))
        out.append("\n")
    out.append(t("fees_ui.read_back_total", total=yuan(back.owing_fen)), style="bold")
    return out


class FeeDialog(FormDialog[Any]):
    title_key = ""

    def __init__(self, back: ReadBack) -> None:
        super().__init__()
        self.back = back

    def heading(self) -> str:
        return t(self.title_key, room=self.back.room)


class PaymentDialog(FeeDialog):
    """The read-back, then the fee paid, the amount, the receipt (or our slip), who paid and the
    payer's confirmation."""

    title_key = "fees_ui.dialog.pay"

    def __init__(self, back: ReadBack, appointment_id: int | None = None) -> None:
        super().__init__(back)
        self.appointment_id = appointment_id  # taken on a home collection booked

    def build_form(self) -> DeskForm:
        lang = current_language()
        options = []
        for line in self.back.lines:
            kind = self.desk.settings.fees.kind(line.kind)
            label = kind.label(lang) if kind else line.kind
            words = f"{label} {line.from_month}~{line.to_month} {yuan(line.owing_fen)}"
            options.append((words, str(line.balance_id)))
        first = options[0][1] if options else ""
        return banner_form(
            Static(read_back_text(self.back, self.desk.settings), classes="form-note"),
            ChoiceField("balance", options, first),
            MoneyField("amount", max_length=12),
            TextField("receipt", of=FeePayment),
            CheckField("print_slip"),
            TextField("payer", of=FeePayment),
            CheckField("confirmed"),
        )

    def prepare(self) -> None:
        if self.back.lines:
            owing = self.back.lines[0].owing_fen
            self.query_one("#field-amount", TextField).set_value(yuan(owing))
        if self.back.owners:
            self.query_one("#field-payer", TextField).set_value(self.back.owners[0])

    def first_focus(self) -> Widget | None:
        return self.query_one("#amount")

    def submit(self, form: DeskForm) -> FeePayment | DeskError:
        values = form.read()
        data = PaymentIn(
            balance_id=int(values["balance"] or 0),
            amount_fen=values["amount"],
            receipt=values["receipt"],
            print_slip=values["print_slip"],
            payer=values["payer"],
            confirmed=values["confirmed"],
            appointment_id=self.appointment_id,
        )
        return self.attempt(lambda ctx: fees.pay(ctx, data))


class StepDialog(FeeDialog):
    """A step of the ladder: who, when, whom they spoke to, what was said (a letter: the
    tracking number)."""

    action = "remind"

    @property
    def title_key(self) -> str:  # type: ignore[override]
        return f"fees_ui.dialog.{self.action}"

    def build_form(self) -> DeskForm:
        fields: list[Widget] = []
        if self.action == "remind":
            options = [
                (t(f"fee_channel.{c.value}"), c.value) for c in (FeeChannel.phone, FeeChannel.sms)
            ]
            fields.append(ChoiceField("channel", options, FeeChannel.phone.value))
            if not self.desk.settings.fees.sms_command:
                fields.append(Static(t("fees_ui.sms_recorded_only"), classes="form-note"))
        fields += [WhenField("at"), TextField("by", of=FeeStep)]
        if self.action == "letter":
            fields.append(TextField("tracking", of=FeeStep))
        else:
            fields.append(TextField("spoke_to", of=FeeStep))
        if self.action == "remind":
            fields.append(TextField("phone", of=FeeStep, column="by"))
        fields.append(TextField("said", of=FeeStep))
        return banner_form(*fields)

    def prepare(self) -> None:
        operator = self.desk.operator
        if operator is not None:
            self.query_one("#field-by", TextField).set_value(operator.name)
        if self.back.owners and self.action != "letter":
            self.query_one("#field-spoke_to", TextField).set_value(self.back.owners[0])

    def first_focus(self) -> Widget | None:
        return self.query_one("#tracking" if self.action == "letter" else "#said")

    def submit(self, form: DeskForm) -> FeeStep | DeskError:
        values = form.read()
        data = StepIn(
            room=self.back.room,
            channel=values.get("channel", FeeChannel.phone.value),
            at=values["at"],
            by=values["by"],
            spoke_to=values.get("spoke_to", ""),
            said=values["said"],
            tracking=values.get("tracking", ""),
            phone=values.get("phone", ""),
        )
        step = {
            "remind": fees.remind,
            "letter": fees.letter,
            "visit": fees.visit,
            "legal": fees.legal,
        }[self.action]
        return self.attempt(lambda ctx: step(ctx, data))


def step_dialog(action: str, back: ReadBack) -> StepDialog:
    dialog = StepDialog(back)
    dialog.action = action
    return dialog


class AppointmentDialog(FeeDialog):
    """A home collection: the collector, the owner, the address, the time, the amount, receipts."""

    title_key = "fees_ui.dialog.book"

    def build_form(self) -> DeskForm:
        return banner_form(
            TextField("collector", of=FeeAppointment),
            TextField("owner", of=FeeAppointment),
            TextField("address", of=FeeAppointment),
            WhenField("at", required=True),
            MoneyField("amount", max_length=12),
            CheckField("receipts_prepared"),
        )

    def prepare(self) -> None:
        if self.back.owners:
            self.query_one("#field-owner", TextField).set_value(self.back.owners[0])
        self.query_one("#field-address", TextField).set_value(self.back.room)
        self.query_one("#field-amount", TextField).set_value(yuan(self.back.owing_fen))

    def submit(self, form: DeskForm) -> FeeAppointment | DeskError:
        values = form.read()
        data = AppointmentIn(
            room=self.back.room,
            owner=values["owner"],
            address=values["address"],
            collector=values["collector"],
            at=values["at"],
            amount_fen=values["amount"],
            receipts_prepared=values["receipts_prepared"],
        )
        return self.attempt(lambda ctx: fees.book(ctx, data))


class OutcomeDialog(FormDialog[Any]):
    """A home collection done or missed (a missed one says why)."""

    def __init__(self, booked: FeeAppointment, action: str) -> None:
        super().__init__()
        self.booked, self.action = booked, action

    def heading(self) -> str:
        return t(f"fees_ui.dialog.{self.action}", number=self.booked.number)

    def build_form(self) -> DeskForm:
        return banner_form(TextField("note", of=FeeAppointment))

    def submit(self, form: DeskForm) -> FeeAppointment | DeskError:
        note = form.read()["note"]
        booked_id = self.booked.id or 0
        return self.attempt(lambda ctx: fees.close_appointment(ctx, booked_id, self.action, note))


class CustodyDialog(FormDialog[Any]):
    """A room put in 托管 from a day (charged the site's share of the management fee from the
    next import), or taken out of it on a day."""

    def __init__(self, room: str, ending: bool) -> None:
        super().__init__()
        self.room, self.ending = room, ending

    def heading(self) -> str:
        key = "fees_ui.dialog.custody_end" if self.ending else "fees_ui.dialog.custody"
        return t(key, room=self.room)

    def build_form(self) -> DeskForm:
        fields: list[Widget] = [DayField("day", today_words="fees_ui.custody_today")]
        if not self.ending:
            fields.append(TextField("note", of=FeeCustody))
        return banner_form(*fields)

    def submit(self, form: DeskForm) -> FeeCustody | DeskError:
        values = form.read()
        day = values["day"]
        if self.ending:
            return self.attempt(
                lambda ctx: fees.end_custody(ctx, self.room, day or fees.today(ctx))
            )
        note = values["note"]
        return self.attempt(
            lambda ctx: fees.mark_custody(ctx, self.room, day or fees.today(ctx), note)
        )
