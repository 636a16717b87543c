"""One paid-service booking: what was agreed, the rounds of work, payment and callback, and the
history; one key per step, offered as the booking's state allows (its service says which)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from desk import commands
from desk.forms.dialogs import ConfirmDialog
from desk.i18n import current_language, t
from desk.models import AuditEvent, ServiceBooking, ServiceRound
from desk.screens.due import due_cell
from desk.screens.history import HistoryTable
from desk.screens.paid_service_dialogs import (
    AcceptDialog,
    CancelDialog,
    DoneDialog,
    PayDialog,
    ReagreeDialog,
    RedoDialog,
    SendDialog,
    ServiceDialog,
)
from desk.screens.paid_services import yuan
from desk.screens.plain import field_grid, plain
from desk.services import audit, paid_service
from desk.services.errors import DeskError
from desk.widgets.base import DeskFooter, RecordScreen

DIALOGS: dict[str, Callable[[ServiceBooking], ServiceDialog]] = {
    "reagree": ReagreeDialog,
    "send": SendDialog,
    "done": DoneDialog,
    "accept": AcceptDialog,
    "redo": RedoDialog,
    "pay": PayDialog,
    "cancel": CancelDialog,
}


class PaidServiceDetailScreen(RecordScreen):
    """Read-only view of a booking; each step opens its own dialog."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("service_detail")
    DEFAULT_CSS = """
    PaidServiceDetailScreen #service-title { padding: 0 1; height: 1; text-style: bold; }
    PaidServiceDetailScreen #service-body { height: 1fr; padding: 0 1; }
    PaidServiceDetailScreen #service-body Static { height: auto; }
    PaidServiceDetailScreen .section { height: 1; margin: 1 0 0 0; text-style: bold; }
    PaidServiceDetailScreen #service-history { height: auto; max-height: 100%; }
    """

    def __init__(self, booking_id: int) -> None:
        super().__init__()
        self.booking_id = booking_id
        self.booking: ServiceBooking | None = None
        self.rounds: list[ServiceRound] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="service-title")
        with VerticalScroll(id="service-body"):
            yield Static(id="service-fields")
            yield Static(t("services_ui.rounds_title"), classes="section")
            yield Static(id="service-rounds")
            yield Static(t("repair_ui.history"), classes="section")
            yield HistoryTable(action_labels="services_ui.action", id="service-history")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.refresh_detail()

    def reread(self) -> None:
        self.refresh_detail()

    def refresh_detail(self) -> None:
        with self.reading() as ctx:
            found = paid_service.get(ctx, self.booking_id)
            self.rounds = paid_service.rounds_of(ctx, self.booking_id)
            events, names = audit.named_history(
                ctx, paid_service.REGISTER, self.booking_id, found.operator_id
            )
        self.booking = found
        title = t("services_ui.detail_title", number=found.number)
        state = t(f"services_state.{found.state}")
        self.query_one("#service-title", Static).update(plain(f"{title}  {state}"))
        self.query_one("#service-fields", Static).update(self.fields_table(found, names))
        self.query_one("#service-rounds", Static).update(self.rounds_table())
        self.query_one(HistoryTable).show(events, names, self.event_detail)
        self.refresh_bindings()

    def fields_table(self, found: ServiceBooking, names: dict[int, str]) -> Table:
        show = self.desk.show_time
        lang = current_language()
        item = self.desk.settings.services.item(found.service)
        unit = item.unit(lang) if item else found.unit
        name = item.label(lang) if item else found.service_name
        department = self.desk.settings.department(found.department)
        where = department.label(lang) if department else found.department
        due: str | Text = show(found.due_at)
        if found.state in ("agreed", "sent", "redo"):
            due = due_cell(found.due_at, self.desk.now(), show(found.due_at))
        agreement = t(
            "services_ui.agreement_line",
            n=found.agreement,
            who=found.agreed_with,
            at=show(found.agreed_at),
        )
        rows: list[tuple[str, str | Text]] = [
            (t("fields.room"), f"{found.room}  {found.resident}  {found.phone}"),
            (t("services_ui.label_service"), f"{name}  {found.quantity} {unit}  ({where})"),
            (t("fields.price"), yuan(found.price_fen)),
            (t("fields.agreed_for"), show(found.agreed_for)),
            (t("services_ui.label_due"), due),
            (t("fields.expected_result"), found.expected_result),
            (t("services_ui.label_agreed"), agreement),
            (t("fields.note"), found.note),
            (t("fields.operator"), f"{names.get(found.operator_id, '')}  {show(found.created_at)}"),
        ]
        if found.head:
            rows.append((t("services_ui.label_head"), f"{found.head}  {show(found.sent_at)}"))
        if found.accepted_at:
            rows.append(
                (t("fields.accepted_by"), f"{found.accepted_by}  {show(found.accepted_at)}")
            )
        if found.paid_at:
            paid = f"{yuan(found.paid_fen or 0)}  {found.receipt}  {show(found.paid_at)}"
            rows.append((t("services_ui.label_paid"), paid))
        if found.callback_due_at and found.state == "paid":
            rows.append((t("services_ui.label_callback"), show(found.callback_due_at)))
        if found.callback_at:
            said = t("repair_ui.satisfied_yes" if found.satisfied else "repair_ui.satisfied_no")
            line = f"{show(found.callback_at)}  {said}  {found.callback_note}"
            rows.append((t("services_ui.label_callback"), line))
        if found.cancelled_at:
            rows.append(
                (
                    t("services_state.cancelled"),
                    f"{show(found.cancelled_at)}  {found.cancel_reason}",
                )
            )
        return field_grid((label, value) for label, value in rows if value)

    def rounds_table(self) -> Table | Text:
        if not self.rounds:
            return Text(t("services_ui.none_yet"), style="dim")
        table = Table(box=None, padding=(0, 1), show_edge=False)
        for key in ("round", "due", "done_at", "worker", "result"):
            table.add_column(t(f"services_ui.col_{key}"))
        for row in self.rounds:
            late = Text(t("services_ui.late"), style="bold red") if row.late else Text("")
            result = t(f"round_result.{row.result}") if row.result else ""
            table.add_row(
                str(row.round),
                self.desk.show_time(row.due_at),
                Text.assemble(self.desk.show_time(row.done_at), " ", late),
                plain(row.worker),
                plain(f"{result} {row.result_note}".strip()),
            )
        return table

    def event_detail(self, event: AuditEvent) -> str:
        data: dict[str, Any] = audit.event_data(event)
        parts = [
            str(data.get(key, ""))
            for key in ("head", "worker", "accepted_by", "reason", "receipt", "note")
        ]
        if data.get("late"):
            parts.append(t("services_ui.late"))
        if "price_fen" in data:
            parts.append(yuan(int(data["price_fen"])))
        parts.append(event.reason)
        return "; ".join(part for part in parts if part)

    # --- keys -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The booking's steps (one key each) as its service offers them now."""
        if action not in paid_service.LIFECYCLE.steps:
            return True
        return action in paid_service.allowed_actions(self.booking)

    def action_refresh(self) -> None:
        self.refresh_detail()

    def action_back(self) -> None:
        self.dismiss()

    def done(self, saved: object) -> None:
        self.refresh_detail()
        if saved is not None and self.booking is not None:
            state = t(f"services_state.{self.booking.state}")
            self.notify(t("services_ui.done", number=self.booking.number, state=state))

    def step(self, action: str) -> None:
        found = self.booking
        if found is not None:
            self.app.push_screen(DIALOGS[action](found), callback=self.done)

    def action_reagree(self) -> None:
        self.step("reagree")

    def action_send(self) -> None:
        self.step("send")

    def action_done(self) -> None:
        self.step("done")

    def action_accept(self) -> None:
        self.step("accept")

    def action_redo(self) -> None:
        self.step("redo")

    def action_pay(self) -> None:
        self.step("pay")

    def action_cancel(self) -> None:
        self.step("cancel")

    def action_call_back(self) -> None:
        from desk.screens.repair_dialogs import CallbackDialog

        if self.booking is not None:
            self.app.push_screen(CallbackDialog(self.booking), callback=self.done)

    def action_close(self) -> None:
        found = self.booking
        if found is None:
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            outcome = self.attempt(lambda ctx: paid_service.close(ctx, self.booking_id))
            if isinstance(outcome, DeskError):
                self.notify(outcome.message, severity="error")
            self.done(None if isinstance(outcome, DeskError) else outcome)

        question = t("services_ui.dialog.close_question", number=found.number)
        self.app.push_screen(ConfirmDialog(question), callback=answered)
