"""A room's fee page: the read-back (owner, room, months paid and owing, amounts; 托管 shown as
such), the payments taken, the reminder ladder and the next step due, the home collections;
one key per step, offered as the room's stage allows (desk.services.fees.LIFECYCLE)."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from desk import commands
from desk.i18n import t
from desk.models import AppointmentState, FeeAppointment, FeePayment, FeeStep
from desk.printing.paper import yuan
from desk.screens.fee_dialogs import (
    AppointmentDialog,
    OutcomeDialog,
    PaymentDialog,
    read_back_text,
    step_dialog,
)
from desk.screens.plain import plain
from desk.screens.printout import deliver
from desk.services import fees
from desk.services.errors import NotFound
from desk.services.fees import ReadBack, RoomDebt
from desk.widgets.base import DeskFooter, RecordScreen


class FeeRoomScreen(RecordScreen):
    """One room's fees (a room code, or a balance's id from the lookup)."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("fee_room")
    DEFAULT_CSS = """
    FeeRoomScreen #fee-title { padding: 0 1; height: 1; text-style: bold; }
    FeeRoomScreen #fee-body { height: 1fr; padding: 0 1; }
    FeeRoomScreen #fee-body Static { height: auto; }
    FeeRoomScreen .section { height: 1; margin: 1 0 0 0; text-style: bold; }
    """

    def __init__(self, room: str | int) -> None:
        super().__init__()
        self.room = room
        self.debt: RoomDebt | None = None
        self.back: ReadBack | None = None
        self.booked: list[FeeAppointment] = []
        self.last_letter: FeeStep | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="fee-title")
        with VerticalScroll(id="fee-body"):
            yield Static(id="fee-next")
            yield Static(id="fee-read-back")
            yield Static(t("fees_ui.payments_title"), classes="section")
            yield Static(id="fee-payments")
            yield Static(t("fees_ui.ladder_title"), classes="section")
            yield Static(id="fee-ladder")
            yield Static(t("fees_ui.appointments_title"), classes="section")
            yield Static(id="fee-appointments")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.refresh_detail()

    def reread(self) -> None:
        self.refresh_detail()

    def refresh_detail(self) -> None:
        with self.reading() as ctx:
            if isinstance(self.room, int):
                try:
                    self.room = fees.room_of(ctx, self.room)
                except NotFound:
                    self.room = ""
            self.debt = fees.debt(ctx, self.room)
            self.back = fees.read_back(ctx, self.room)
            payments = fees.payments_of(ctx, self.debt.room)
            steps = fees.steps_of(ctx, self.debt.room)
            nxt = fees.step_due_on(ctx, self.debt)
            self.booked = fees.appointments_of(ctx, self.debt.room)
        self.room = self.debt.room
        self.last_letter = next((s for s in steps if s.kind == "letter"), None)
        stage = t(f"fee_stage.{self.debt.state}")
        self.query_one("#fee-title", Static).update(
            plain(t("fees_ui.room_title", room=self.debt.room, stage=stage))
        )
        words = Text("")
        if nxt is not None:
            words = Text(f"{t(f'fee_due.{nxt[0]}')}: {nxt[1].isoformat()}", style="bold")
        self.query_one("#fee-next", Static).update(words)
        self.query_one("#fee-read-back", Static).update(
            read_back_text(self.back, self.desk.settings)
        )
        self.query_one("#fee-payments", Static).update(self.payments_table(payments))
        self.query_one("#fee-ladder", Static).update(self.ladder_table(steps))
        self.query_one("#fee-appointments", Static).update(self.appointments_table())
        self.refresh_bindings()

    def payments_table(self, payments: list[FeePayment]) -> Table | Text:
        if not payments:
            return Text(t("fees_ui.none_yet"), style="dim")
        table = Table(box=None, padding=(0, 1), show_edge=False)
        for key in ("number", "at", "amount", "receipt", "payer"):
            table.add_column(t(f"fees_ui.col_pay_{key}"))
        for row in payments:
            table.add_row(
                row.number,
                self.desk.show_time(row.created_at),
                yuan(row.amount_fen),
                plain(row.receipt),
                plain(row.payer),
            )
        return table

    def ladder_table(self, steps: list[FeeStep]) -> Table | Text:
        if not steps:
            return Text(t("fees_ui.none_yet"), style="dim")
        table = Table(box=None, padding=(0, 1), show_edge=False)
        for key in ("at", "kind", "by", "said"):
            table.add_column(t(f"fees_ui.col_step_{key}"))
        for row in steps:
            said = " ".join(p for p in (row.spoke_to, row.said, row.tracking, row.sms_result) if p)
            kind = Text(f"{t(f'fee_step_kind.{row.kind}')} {t(f'fee_channel.{row.channel}')}")
            if row.settled_at is not None:
                kind.stylize("dim")
            table.add_row(self.desk.show_time(row.at), kind, plain(row.by), plain(said))
        return table

    def appointments_table(self) -> Table | Text:
        if not self.booked:
            return Text(t("fees_ui.none_yet"), style="dim")
        table = Table(box=None, padding=(0, 1), show_edge=False)
        for key in ("number", "at", "collector", "amount", "state"):
            table.add_column(t(f"fees_ui.col_app_{key}"))
        for row in self.booked:
            table.add_row(
                row.number,
                self.desk.show_time(row.at),
                plain(row.collector),
                yuan(row.amount_fen),
                t(f"fee_appointment_state.{row.state}"),
            )
        return table

    # --- keys -------------------------------------------------------------------------

    def open_booking(self) -> FeeAppointment | None:
        return next((a for a in self.booked if a.state == AppointmentState.booked), None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("done", "missed"):
            return self.open_booking() is not None
        if action == "print_letter":
            return self.back is not None and bool(self.back.lines)
        if action not in fees.LIFECYCLE.steps:
            return True
        return action in fees.allowed_actions(self.debt)

    def action_refresh(self) -> None:
        self.refresh_detail()

    def action_back(self) -> None:
        self.dismiss()

    def _done(self, saved: object) -> None:
        self.refresh_detail()
        if saved is not None:
            self.notify(t("fees_ui.saved", room=self.room))
        if isinstance(saved, FeePayment) and saved.receipt == saved.number:
            self.print_slip(saved)

    def step(self, action: str) -> None:
        if self.debt is None or self.back is None:
            return
        refused = fees.LIFECYCLE.refusal_of(self.debt, action)
        if refused is not None:
            self.notify(refused.message, severity="error")
            return
        who = fees.LIFECYCLE.who(action)
        if who is not None and self.refused(who.require):
            return
        dialog: Any
        if action == "pay":
            booked = self.open_booking()
            dialog = PaymentDialog(self.back, booked.id if booked is not None else None)
        elif action == "book":
            dialog = AppointmentDialog(self.back)
        else:
            dialog = step_dialog(action, self.back)
        self.app.push_screen(dialog, callback=self._done)

    def action_pay(self) -> None:
        self.step("pay")

    def action_remind(self) -> None:
        self.step("remind")

    def action_letter(self) -> None:
        self.step("letter")

    def action_visit(self) -> None:
        self.step("visit")

    def action_legal(self) -> None:
        self.step("legal")

    def action_book(self) -> None:
        self.step("book")

    def action_done(self) -> None:
        booked = self.open_booking()
        if booked is not None:
            self.app.push_screen(OutcomeDialog(booked, "done"), callback=self._done)

    def action_missed(self) -> None:
        booked = self.open_booking()
        if booked is not None:
            self.app.push_screen(OutcomeDialog(booked, "missed"), callback=self._done)

    def action_custody(self) -> None:
        """Mark the room as in 托管, or end it (the same key)."""
        if self.back is None:
            return
        from desk.screens.fee_dialogs import CustodyDialog

        dialog = CustodyDialog(self.back.room, ending=self.back.custody)
        self.app.push_screen(dialog, callback=self._done)

    def action_print_letter(self) -> None:
        if self.back is not None and self.back.lines:
            self.print_letter(self.back, self.last_letter)

    @work(thread=True, exclusive=True, exit_on_error=False, group="print")
    def print_letter(self, back: ReadBack, step: FeeStep | None) -> None:
        """The letter as text and PDF beside the database, and to the site's printer."""
        from desk.printing import fee_letter

        app = self.desk
        settings = app.settings
        at = app.now()
        deliver(
            app,
            f"CJH-{back.room}",
            lambda: fee_letter.fee_letter_text(back, settings, step=step, printed_at=at),
            lambda pdf: fee_letter.fee_letter_pdf(back, settings, pdf, step=step, printed_at=at),
            written="fees_ui.print_written",
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="print")
    def print_slip(self, payment: FeePayment) -> None:
        from desk.printing import fee_letter

        app = self.desk
        clerk = app.operator.name if app.operator else ""
        deliver(
            app,
            payment.number,
            lambda: fee_letter.fee_slip_text(payment, "", app.settings, clerk=clerk),
            lambda pdf: fee_letter.fee_slip_pdf(payment, "", app.settings, pdf, clerk=clerk),
            written="fees_ui.print_written",
        )
