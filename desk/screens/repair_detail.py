"""One repair work order: every field, the next deadline, its history, and its lifecycle keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import work
from textual.binding import BindingType
from textual.screen import ModalScreen
from textual.widgets import Static

from desk import commands
from desk.i18n import t
from desk.models import AuditEvent, RepairCompletion, RepairOrder
from desk.screens.due import countdown, due_cell, estimated_hint, estimated_mark
from desk.screens.history import HistoryTable
from desk.screens.new_here import NewRepairHere
from desk.screens.plain import field_grid, plain
from desk.screens.printout import deliver
from desk.screens.record_page import RecordPage
from desk.screens.repair_billing_dialogs import money_event, money_rows
from desk.screens.tones import WARNING
from desk.services import audit, reception, repair, repair_billing

# each key's lifecycle step in desk.services.repair.LIFECYCLE (which says when it is offered)
STEPS = {
    "dispatch": "dispatch",
    "arrive": "on_site",
    "complete": "complete",
    "callback": "callback",
    "cancel_order": "cancel",
    "refer_out": "refer_out",
    "agree_price": "agree_price",
    "bill": "bill",
    "pay": "pay",
    "correct_charges": "correct_charges",
    "reschedule": "reschedule",
}


def yuan(fen: int) -> str:
    return t("repair_ui.yuan", amount=f"{fen / 100:.2f}")


class RepairDetailScreen(NewRepairHere, RecordPage):
    """Read-only view of an order; each lifecycle step opens its own dialog."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("repair_detail")
    HISTORY_TITLE = "repair_ui.history"
    ACTION_LABELS = "repair_ui.action"
    SHOWS_DUE = True

    def __init__(self, order_id: int) -> None:
        super().__init__()
        self.order_id = order_id
        self.order: RepairOrder | None = None
        self.from_reception = ""  # the number of the reception entry it came from
        self.shown_fields: list[tuple[str, str]] = []
        self.rounds: list[RepairCompletion] = []  # each completion, the first first

    # --- showing ----------------------------------------------------------------------

    def refresh_detail(self) -> None:
        with self.reading() as ctx:
            order = repair.get(ctx, self.order_id)
            events, names = audit.named_history(
                ctx, repair.REGISTER, self.order_id, order.operator_id
            )
            self.from_reception = reception.number_of(ctx, order.reception_id)
            self.rounds = repair_billing.completions(ctx, self.order_id)
        self.order = order
        state = t(f"repair_state.{order.state}")
        self.query_one("#detail-title", Static).update(
            plain(f"{t('repair_ui.detail_title', number=order.number)} — {state}")
        )
        self.query_one("#detail-fields", Static).update(self.fields_table(order, names))
        due = repair.due_at(order)
        due_line = Text(t("repair_ui.next_due_label"))
        if due is None:
            due_line.append(t("repair_ui.no_due"))
        else:
            now, late = self.desk.now(), t("repair_ui.overdue_mark")
            due_line.append(due_cell(due, now, self.desk.show_time(due), late_mark=late))
            due_line.append(f"  ({countdown(due, now)})")
            # a due time in a year whose holidays are estimated: marked, and why
            if hint := estimated_hint(due, self.desk.settings.tz):
                due_line.append(estimated_mark(due, self.desk.settings.tz))
                due_line.append(f"\n{hint}", style=WARNING)
        self.query_one("#detail-due", Static).update(due_line)
        self.query_one(HistoryTable).show(events, names, self.event_detail)
        self.refresh_bindings()

    def fields_table(self, order: RepairOrder, names: dict[int, str]) -> Table:
        show = self.desk.show_time
        lang = self.desk.lang
        category = self.desk.settings.repair_category(order.category)
        kind = t("repair_ui.paid") if order.paid else t("repair_ui.free")
        if order.warranty:
            kind += f"，{t('repair_ui.under_warranty')}"
        rows: list[tuple[str, str]] = [
            (t("fields.number"), order.number),
            (t("fields.state"), t(f"repair_state.{order.state}")),
            (t("fields.reported_at"), show(order.reported_at)),
            (t("fields.channel"), t(f"channel.{order.channel}")),
            (t("fields.room"), order.room),
            (t("fields.resident_name"), order.resident_name),
            (t("fields.phone"), order.phone),
            (t("fields.location"), t(f"location.{order.location}")),
            (t("fields.category"), category.label(lang) if category else order.category),
            (t("repair_ui.label_kind"), kind),
            (t("fields.appointment_at"), show(order.appointment_at)),
            (t("fields.on_site_due_at"), show(order.on_site_due_at)),
            ("", self.moved_line(order)),
            (t("fields.operator"), names.get(order.operator_id, "")),
            (t("fields.description"), order.description),
            (t("fields.technician"), order.technician),
            (t("fields.dispatched_at"), show(order.dispatched_at)),
            (t("fields.on_site_at"), show(order.on_site_at)),
            (t("fields.completed_at"), show(order.completed_at)),
            (t("fields.work_done"), order.work_done),
        ]
        if order.paid:
            total = order.labour_fen + order.material_fen
            rows.append(
                (
                    t("repair_ui.charges"),
                    t(
                        "repair_ui.charges_line",
                        labour=yuan(order.labour_fen),
                        material=yuan(order.material_fen),
                        total=yuan(total),
                    ),
                )
            )
        rows += money_rows(order, self.rounds, show)
        if order.completed_at:
            signed = t("app.yes") if order.resident_signed else t("app.no")
            rows += [
                (t("fields.resident_materials"), order.resident_materials),
                (t("fields.resident_signed"), signed),
            ]
        if order.leak_test_at:
            rows.append((t("fields.leak_test_at"), show(order.leak_test_at)))
        if order.callback_at:
            verdict = t("repair_ui.satisfied_yes" if order.satisfied else "repair_ui.satisfied_no")
            rows.append(
                (
                    t("repair_ui.label_callback"),
                    f"{show(order.callback_at)} {verdict} {order.callback_note}".strip(),
                )
            )
        if order.reopen_count:
            rows.append(("", t("repair_ui.reopened", n=order.reopen_count)))
        if order.closed_at:
            rows.append((t("repair_ui.label_closed"), show(order.closed_at)))
        if order.referred_to:
            rows.append((t("fields.referred_to"), order.referred_to))
        if order.close_reason:
            rows.append((t("fields.reason"), order.close_reason))
        if self.from_reception:
            rows.append(("", t("records.from_reception", number=self.from_reception)))
        rows = [(label, value) for label, value in rows if value]
        self.shown_fields = rows
        return field_grid(rows)

    def moved_line(self, order: RepairOrder) -> str:
        """How often the visit was moved, and who agreed to the last move, when."""
        if not order.reschedule_count:
            return ""
        return t(
            "repair_ui.visit.moved",
            n=order.reschedule_count,
            name=order.reschedule_agreed_by,
            when=self.desk.show_time(order.rescheduled_at),
        )

    def moved_detail(self, data: dict[str, Any]) -> str:
        """A moved visit in the history: the old time, the new, who agreed."""

        def shown(key: str) -> str:
            value = data.get(key)
            if not value:
                return t("repair_ui.visit.none")
            return self.desk.show_time(datetime.fromisoformat(str(value)))

        return t(
            "repair_ui.visit.moved_detail",
            old=shown("from"),
            new=shown("to"),
            name=str(data.get("agreed_by", "")),
        )

    def event_detail(self, event: AuditEvent) -> str:
        data: dict[str, Any] = audit.event_data(event)
        parts: list[str] = []
        if event.action == "rescheduled":
            parts.append(self.moved_detail(data))
        if data.get("technician") and event.action == "dispatched":
            parts.append(str(data["technician"]))
        if data.get("retry_at"):
            parts.append(self.desk.show_time(datetime.fromisoformat(str(data["retry_at"]))))
        if data.get("referred_to"):
            parts.append(str(data["referred_to"]))
        if data.get("night_entry"):  # a repair done at night (desk.services.night_repair)
            parts.append(t("nightlog_ui.from_night", number=data["night_entry"]))
        if data.get("note") and event.action != "registered":
            parts.append(str(data["note"]))
        parts += money_event(event.action, data)
        if event.reason:
            parts.append(event.reason)
        return "；".join(parts) if self.desk.lang == "zh_CN" else "; ".join(parts)

    # --- keys -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        step = STEPS.get(action)
        if step is None:
            return True
        return step in repair.allowed_actions(self.order)

    def action_refresh(self) -> None:
        self.refresh_detail()

    def action_back(self) -> None:
        self.dismiss()

    def _open(self, dialog: ModalScreen[RepairOrder | None]) -> None:
        def done(order: RepairOrder | None) -> None:
            self.refresh_detail()
            if order is not None:
                self.notify(
                    t(
                        "repair_ui.done",
                        number=order.number,
                        state=t(f"repair_state.{order.state}"),
                    )
                )

        self.app.push_screen(dialog, callback=done)

    def _current(self) -> RepairOrder | None:
        self.refresh_detail()
        return self.order

    def action_dispatch(self) -> None:
        from desk.screens.repair_dialogs import DispatchDialog

        if order := self._current():
            self._open(DispatchDialog(order))

    def action_arrive(self) -> None:
        from desk.screens.repair_dialogs import ArriveDialog

        if order := self._current():
            self._open(ArriveDialog(order))

    def action_complete(self) -> None:
        from desk.screens.repair_dialogs import CompleteDialog

        if order := self._current():
            self._open(CompleteDialog(order))

    def action_callback(self) -> None:
        from desk.screens.repair_dialogs import CallbackDialog

        if order := self._current():
            self._open(CallbackDialog(order))

    def action_cancel_order(self) -> None:
        from desk.screens.repair_dialogs import CancelDialog

        who = repair.LIFECYCLE.who("cancel")
        if (order := self._current()) and not (who and self.refused(who.require)):
            self._open(CancelDialog(order))

    def action_refer_out(self) -> None:
        from desk.screens.repair_dialogs import ReferOutDialog

        if order := self._current():
            self._open(ReferOutDialog(order))

    def action_agree_price(self) -> None:
        from desk.screens.repair_billing_dialogs import AgreePriceDialog

        if order := self._current():
            self._open(AgreePriceDialog(order))

    def action_bill(self) -> None:
        from desk.screens.repair_billing_dialogs import BillDialog

        if order := self._current():
            self._open(BillDialog(order))

    def action_pay(self) -> None:
        from desk.screens.repair_billing_dialogs import PayDialog

        if order := self._current():
            self._open(PayDialog(order))

    def action_correct_charges(self) -> None:
        from desk.screens.repair_billing_dialogs import CorrectChargesDialog

        order = self._current()
        if order and not self.refused(lambda ctx: repair_billing.require_corrector(ctx, order)):
            self._open(CorrectChargesDialog(order))

    def action_correct(self) -> None:
        from desk.screens.correct_dialog import open_correction

        if order := self._current():
            open_correction(self, repair.REGISTER, order, self.refresh_detail)

    def action_reschedule(self) -> None:
        from desk.screens.repair_dialogs import RescheduleDialog

        if order := self._current():
            self._open(RescheduleDialog(order))

    # --- printing ---------------------------------------------------------------------

    def action_print_slip(self) -> None:
        if self.order is not None:
            self.print_slip(self.order)

    @work(thread=True, exclusive=True, exit_on_error=False, group="print")
    def print_slip(self, order: RepairOrder) -> None:
        """The work-order slip as text and PDF beside the database, and to the site's printer."""
        from desk.printing import slip

        app = self.desk
        settings = app.settings
        extra: dict[str, Any] = {
            "operator": app.operator.name if app.operator else "",
            "printed_at": app.now(),
        }
        deliver(
            app,
            order.number,
            lambda: slip.slip_text(order, settings, settings.tz, **extra),
            lambda pdf: slip.slip_pdf(order, settings, settings.tz, pdf, **extra),
            written="repair_ui.print.written",
        )
