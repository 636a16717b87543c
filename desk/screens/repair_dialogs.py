"""Lifecycle dialogs of a repair order: dispatch, on site, complete, callback, cancel, refer out."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

from textual.widget import Widget
from textual.widgets import Checkbox, Static

from desk.forms.dialogs import FormDialog, banner_form
from desk.forms.fields import (
    CheckField,
    DeskForm,
    MoneyField,
    NameField,
    OptionalChoiceField,
    TextField,
    WhenField,
)
from desk.i18n import t
from desk.models import Complaint, RepairOrder, ServiceBooking
from desk.services import callbacks, repair
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.repair import CallbackResult, RepairCompletion
from desk.services.repair_visits import VisitReschedule

# the records a resident is called back about
R = TypeVar("R", RepairOrder, Complaint, ServiceBooking)


class OrderDialog(FormDialog[RepairOrder | None]):
    """A lifecycle step on one order; returns the saved order."""

    title_key = ""

    def __init__(self, order: RepairOrder) -> None:
        super().__init__()
        self.order = order
        assert order.id is not None
        self.order_id: int = order.id

    def heading(self) -> str:
        return t(self.title_key, number=self.order.number)

    def run(self, action: Callable[[Ctx], RepairOrder]) -> RepairOrder | DeskError:
        return self.attempt(action)


class DispatchDialog(OrderDialog):
    title_key = "repair_ui.dialog.dispatch"

    def build_form(self) -> DeskForm:
        names = [member.name for member in self.desk.settings.staff]
        return banner_form(
            NameField("technician", names, of=RepairOrder), WhenField("dispatched_at")
        )

    def prepare(self) -> None:
        if self.order.technician:
            self.query_one("#field-technician", TextField).set_value(self.order.technician)
        self.query_one("#field-dispatched_at", WhenField).set_note(t("repair_ui.dialog.now_hint"))

    def submit(self, form: DeskForm) -> RepairOrder | DeskError:
        values = form.read()
        return self.run(
            lambda ctx: repair.dispatch(
                ctx, self.order_id, values["technician"], values["dispatched_at"]
            )
        )


class ArriveDialog(OrderDialog):
    title_key = "repair_ui.dialog.arrive"

    def build_form(self) -> DeskForm:
        return banner_form(WhenField("on_site_at"))

    def prepare(self) -> None:
        self.query_one("#field-on_site_at", WhenField).set_note(t("repair_ui.dialog.now_hint"))

    def submit(self, form: DeskForm) -> RepairOrder | DeskError:
        values = form.read()
        return self.run(lambda ctx: repair.arrive(ctx, self.order_id, values["on_site_at"]))


class CompleteDialog(OrderDialog):
    """Charges only on paid orders; the leak test time only where the category counts from it."""

    title_key = "repair_ui.dialog.complete"

    @property
    def needs_leak_test(self) -> bool:
        category = self.desk.settings.repair_category(self.order.category)
        return category is not None and category.callback_from == "leak_test"

    def build_form(self) -> DeskForm:
        fields: list[Widget] = [WhenField("completed_at"), TextField("work_done", of=RepairOrder)]
        if self.order.paid:
            fields += [
                MoneyField("labour_fen", max_length=12),
                MoneyField("material_fen", max_length=12),
            ]
        else:
            fields.append(Static(t("repair_ui.dialog.free_no_charges"), classes="form-note"))
        fields += [
            TextField(
                "resident_materials",
                of=RepairOrder,
                label=t("repair_ui.dialog.resident_materials"),
            ),
            CheckField("resident_signed"),
        ]
        if self.needs_leak_test:
            label = t("fields.leak_test_at") + " *"
            fields.append(WhenField("leak_test_at", label=label))
        return banner_form(*fields)

    def prepare(self) -> None:
        self.query_one("#field-completed_at", WhenField).set_note(t("repair_ui.dialog.now_hint"))
        if self.needs_leak_test:
            leak = self.query_one("#field-leak_test_at", WhenField)
            leak.set_note(t("repair_ui.dialog.leak_hint"))

    def submit(self, form: DeskForm) -> RepairOrder | DeskError:
        values = form.read()
        data = RepairCompletion(
            completed_at=values["completed_at"],
            work_done=values["work_done"],
            labour_fen=values.get("labour_fen", 0),
            material_fen=values.get("material_fen", 0),
            resident_materials=values["resident_materials"],
            resident_signed=values["resident_signed"],
            leak_test_at=values.get("leak_test_at"),
        )
        return self.run(lambda ctx: repair.complete(ctx, self.order_id, data))


class CallbackDialog(FormDialog[R | None]):
    """A callback on a repair order or a complaint, recorded through the callback queue's service.

    Reached: satisfied closes, not satisfied needs what they said (and reopens the record);
    not reached: when to try again.
    """

    def __init__(self, record: R) -> None:
        super().__init__()
        self.record: R = record
        self.register = (
            "complaints"
            if isinstance(record, Complaint)
            else "services"
            if isinstance(record, ServiceBooking)
            else repair.REGISTER
        )
        assert record.id is not None
        self.record_id: int = record.id

    def heading(self) -> str:
        """The number, and whom to call."""
        record = self.record
        who = (
            record.complainant
            if isinstance(record, Complaint)
            else record.resident
            if isinstance(record, ServiceBooking)
            else record.resident_name
        )
        title = t("repair_ui.dialog.callback", number=record.number)
        return "  ".join(part for part in (title, who, record.phone) if part)

    def build_form(self) -> DeskForm:
        choices = [(t("repair_ui.satisfied_yes"), "yes"), (t("repair_ui.satisfied_no"), "no")]
        note = TextField(
            "note",
            of=RepairOrder,
            column="callback_note",
            label=t("repair_ui.dialog.callback_note"),
        )
        return banner_form(
            CheckField("reached", True, label=t("repair_ui.dialog.reached")),
            OptionalChoiceField("satisfied", choices, ""),
            note,
            WhenField("retry_at"),
        )

    def prepare(self) -> None:
        self.query_one("#field-note", TextField).set_note(t("repair_ui.dialog.note_hint"))
        self.query_one("#field-retry_at", WhenField).set_note(t("repair_ui.dialog.retry_hint"))
        self._show_for(reached=True)

    def first_focus(self) -> Widget | None:
        return self.query_one("#reached", Checkbox)

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        if event.checkbox.id == "reached":
            self._show_for(reached=event.value)

    def _show_for(self, *, reached: bool) -> None:
        self.query_one("#field-satisfied").display = reached
        self.query_one("#field-retry_at").display = not reached

    def submit(self, form: DeskForm) -> R | DeskError:
        values = form.read()
        reached = bool(values["reached"])
        chosen = values["satisfied"]
        result = CallbackResult(
            reached=reached,
            satisfied=None if not chosen or not reached else chosen == "yes",
            note=values["note"],
            retry_at=values["retry_at"] if not reached else None,
        )
        saved = self.attempt(
            lambda ctx: callbacks.record(ctx, self.register, self.record_id, result)
        )
        return cast("R | DeskError", saved)


class CancelDialog(OrderDialog):
    title_key = "repair_ui.dialog.cancel"

    def build_form(self) -> DeskForm:
        return banner_form(TextField("reason", of=RepairOrder, column="close_reason"))

    def submit(self, form: DeskForm) -> RepairOrder | DeskError:
        values = form.read()
        return self.run(lambda ctx: repair.cancel(ctx, self.order_id, values["reason"]))


class ReferOutDialog(OrderDialog):
    title_key = "repair_ui.dialog.refer_out"

    def build_form(self) -> DeskForm:
        return banner_form(
            TextField("referred_to", of=RepairOrder),
            TextField("reason", of=RepairOrder, column="close_reason"),
        )

    def submit(self, form: DeskForm) -> RepairOrder | DeskError:
        values = form.read()
        return self.run(
            lambda ctx: repair.refer_out(
                ctx, self.order_id, values["referred_to"], values["reason"]
            )
        )


class RescheduleDialog(OrderDialog):
    """The visit moved with the resident's consent: the new time, who agreed, when."""

    title_key = "repair_ui.dialog.reschedule"

    def build_form(self) -> DeskForm:
        names = [self.order.resident_name] if self.order.resident_name else []
        return banner_form(
            Static(self.was(), classes="form-note", id="reschedule-was"),
            WhenField("appointment_at", label=t("repair_ui.dialog.new_time")),
            NameField(
                "agreed_by", names, hint=False, of=RepairOrder, column="reschedule_agreed_by"
            ),
            WhenField("agreed_at"),
        )

    def was(self) -> str:
        show = self.desk.show_time
        due = show(self.order.on_site_due_at) or t("repair_ui.no_due")
        if self.order.appointment_at is None:
            return t("repair_ui.dialog.was_none", due=due)
        return t("repair_ui.dialog.was", when=show(self.order.appointment_at), due=due)

    def prepare(self) -> None:
        if self.order.resident_name:
            hint = t("repair_ui.dialog.agreed_by_hint", name=self.order.resident_name)
            self.query_one("#field-agreed_by", TextField).set_note(hint)
        self.query_one("#field-agreed_at", WhenField).set_note(t("repair_ui.dialog.agreed_at_hint"))

    def submit(self, form: DeskForm) -> RepairOrder | DeskError:
        values = form.read()
        data = VisitReschedule(
            appointment_at=values["appointment_at"],
            agreed_by=values["agreed_by"],
            agreed_at=values["agreed_at"],
        )
        return self.run(lambda ctx: repair.reschedule(ctx, self.order_id, data))
