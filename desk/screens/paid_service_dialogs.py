"""The steps of one paid-service booking, one dialog each: a new agreement, to the department
head, the work done, accepted, redone, paid, cancelled (the callback is the queue's dialog)."""

from __future__ import annotations

from typing import Any

from desk.forms.dialogs import FormDialog, banner_form
from desk.forms.fields import DeskForm, MoneyField, TextField, WhenField
from desk.forms.paid_service_form import price_typed
from desk.forms.renovation_form import yuan_text
from desk.i18n import t
from desk.models import ServiceBooking, ServiceRound
from desk.services import paid_service
from desk.services.errors import DeskError
from desk.services.paid_service import AgreementIn, DoneIn


class ServiceDialog(FormDialog[Any]):
    """A step on one booking; returns what it saved (None when cancelled)."""

    title_key = ""

    def __init__(self, found: ServiceBooking) -> None:
        super().__init__()
        self.found = found
        assert found.id is not None
        self.booking_id: int = found.id

    def heading(self) -> str:
        return t(self.title_key, number=self.found.number)

    def names(self) -> list[str]:
        return [s.name for s in self.desk.settings.staff]


class ReagreeDialog(ServiceDialog):
    """A new agreement before the work is done: what changes, and who agreed to it."""

    title_key = "services_ui.dialog.reagree"

    def build_form(self) -> DeskForm:
        return banner_form(
            TextField("quantity", of=ServiceBooking),
            MoneyField("price", max_length=12),
            WhenField("agreed_for", required=True),
            TextField("expected_result", of=ServiceBooking),
            TextField("agreed_with", of=ServiceBooking),
        )

    def prepare(self) -> None:
        found = self.found
        self.query_one("#field-quantity", TextField).set_value(found.quantity)
        self.query_one("#field-price", MoneyField).set_value(yuan_text(found.price_fen))
        shown = self.desk.show_time(found.agreed_for)
        self.query_one("#field-agreed_for", WhenField).set_value(shown)
        self.query_one("#field-expected_result", TextField).set_value(found.expected_result)
        self.query_one("#field-agreed_with", TextField).set_value(found.resident)

    def submit(self, form: DeskForm) -> ServiceBooking | DeskError:
        values = form.read()
        data = AgreementIn(
            quantity=values["quantity"],
            price_fen=price_typed(form, values),
            agreed_for=values["agreed_for"],
            expected_result=values["expected_result"],
            agreed_with=values["agreed_with"],
        )
        return self.attempt(lambda ctx: paid_service.reagree(ctx, self.booking_id, data))


class SendDialog(ServiceDialog):
    title_key = "services_ui.dialog.send"

    def build_form(self) -> DeskForm:
        return banner_form(TextField("head", of=ServiceBooking))

    def submit(self, form: DeskForm) -> ServiceBooking | DeskError:
        head = form.read()["head"]
        return self.attempt(lambda ctx: paid_service.send(ctx, self.booking_id, head))


class DoneDialog(ServiceDialog):
    title_key = "services_ui.dialog.done"

    def build_form(self) -> DeskForm:
        return banner_form(TextField("worker", of=ServiceRound), WhenField("done_at"))

    def prepare(self) -> None:
        self.query_one("#field-done_at", WhenField).set_note(t("repair_ui.dialog.now_hint"))

    def submit(self, form: DeskForm) -> ServiceBooking | DeskError:
        values = form.read()
        data = DoneIn(worker=values["worker"], done_at=values["done_at"])
        return self.attempt(lambda ctx: paid_service.done(ctx, self.booking_id, data))


class AcceptDialog(ServiceDialog):
    title_key = "services_ui.dialog.accept"

    def build_form(self) -> DeskForm:
        return banner_form(TextField("accepted_by", of=ServiceBooking))

    def prepare(self) -> None:
        self.query_one("#field-accepted_by", TextField).set_value(self.found.resident)

    def submit(self, form: DeskForm) -> ServiceBooking | DeskError:
        who = form.read()["accepted_by"]
        return self.attempt(lambda ctx: paid_service.accept(ctx, self.booking_id, who))


class RedoDialog(ServiceDialog):
    title_key = "services_ui.dialog.redo"

    def build_form(self) -> DeskForm:
        return banner_form(
            TextField("reason", of=ServiceRound, column="result_note"),
            WhenField("redo_for", required=True),
        )

    def submit(self, form: DeskForm) -> ServiceBooking | DeskError:
        values = form.read()
        return self.attempt(
            lambda ctx: paid_service.redo(
                ctx, self.booking_id, values["reason"], values["redo_for"]
            )
        )


class PayDialog(ServiceDialog):
    title_key = "services_ui.dialog.pay"

    def build_form(self) -> DeskForm:
        return banner_form(
            MoneyField("amount", max_length=12), TextField("receipt", of=ServiceBooking)
        )

    def prepare(self) -> None:
        self.query_one("#field-amount", MoneyField).set_value(yuan_text(self.found.price_fen))

    def submit(self, form: DeskForm) -> ServiceBooking | DeskError:
        values = form.read()
        return self.attempt(
            lambda ctx: paid_service.pay(
                ctx, self.booking_id, int(values["amount"]), values["receipt"]
            )
        )


class CancelDialog(ServiceDialog):
    title_key = "services_ui.dialog.cancel"

    def build_form(self) -> DeskForm:
        return banner_form(TextField("reason", of=ServiceBooking, column="cancel_reason"))

    def submit(self, form: DeskForm) -> ServiceBooking | DeskError:
        reason = form.read()["reason"]
        return self.attempt(lambda ctx: paid_service.cancel(ctx, self.booking_id, reason))
