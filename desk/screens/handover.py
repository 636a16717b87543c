"""The shift handover (F7): the shift, who holds it, the checklist, notes, the summary preview;
sign off, take over or refuse with PINs, print, and reprint past handovers."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.notifications import SeverityLevel
from textual.widgets import Checkbox, Header, Input, Label, Static

from desk import commands
from desk.i18n import current_language, t
from desk.models import Handover, HandoverState
from desk.printing.cups import PrintError
from desk.printing.summary_pdf import archive_folder, copies, print_handover, send
from desk.printing.summary_text import summary_lines
from desk.safe_text import printable
from desk.screens.handover_dialogs import HistoryDialog, IncomingDialog, PinDialog
from desk.screens.plain import brief, plain
from desk.services import handover, operators
from desk.services.context import Ctx
from desk.services.errors import DeskError, FieldErrors
from desk.services.handover import CheckCount, HandoverUpdate
from desk.widgets.base import DeskFooter, DeskScreen

# the preview pane's width (80 cells of summary, border, padding and scrollbar) and the least
# the checklist beside it needs
NARROW_BELOW = 85 + 30


class HandoverScreen(DeskScreen):
    """The handover of the current (or still pending) shift."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("handover")
    # Below this width the summary (80 cells a line, as printed) and the checklist are not
    # side by side: the summary takes the whole width above the checklist.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW_BELOW, "-wide")]
    DEFAULT_CSS = """
    HandoverScreen #handover-status { height: auto; padding: 0 1; text-style: bold; }
    HandoverScreen #handover-body { height: 1fr; }
    HandoverScreen #preview-pane {
        width: 85; border: round $primary; padding: 0 1; scrollbar-size-vertical: 1;
    }
    HandoverScreen #checklist-pane { width: 1fr; border: round $secondary; padding: 0 1; }
    HandoverScreen .pane-title { text-style: bold; height: 1; }
    HandoverScreen .check-item { height: 2; }
    HandoverScreen .check-row { height: 1; }
    HandoverScreen .check-row Input { border: none; height: 1; padding: 0 1; }
    HandoverScreen .check-row .count { width: 10; }
    HandoverScreen .check-row .holder { width: 1fr; }
    HandoverScreen Input:focus { background: $boost; }
    HandoverScreen Checkbox { border: none; padding: 0; height: 1; }
    HandoverScreen .text-label { height: 1; margin: 1 0 0 0; }
    HandoverScreen #notes, HandoverScreen #watch {
        border: none; height: 1; padding: 0 1; background: $panel;
    }
    HandoverScreen .check-row Input { background: $panel; }
    HandoverScreen.-narrow #handover-body { layout: vertical; }
    HandoverScreen.-narrow #preview-pane {
        width: 100%; height: 1fr; border: none; border-top: round $primary; padding: 0;
        scrollbar-size-vertical: 0;
    }
    HandoverScreen.-narrow #checklist-pane { width: 100%; height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.handover_id: int | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="handover-status")
        with Horizontal(id="handover-body"):
            with VerticalScroll(id="preview-pane"):
                yield Static(id="preview")
            with VerticalScroll(id="checklist-pane"):
                yield Static(t("handover_ui.checklist"), classes="pane-title")
                lang = self.desk.lang
                for item in self.desk.settings.handover.checklist:
                    with Vertical(classes="check-item"):
                        yield Label(f"{item.label(lang)} ({item.expected})")
                        with Horizontal(classes="check-row"):
                            yield Input(
                                type="integer",
                                placeholder=t("handover_ui.counted"),
                                id=f"count-{item.key}",
                                classes="count",
                            )
                            yield Input(
                                placeholder=t("fields.holder"),
                                id=f"holder-{item.key}",
                                classes="holder",
                            )
                yield Checkbox(t("handover_ui.desk_cleaned"), id="desk_cleaned")
                yield Checkbox(t("handover_ui.log_read"), id="log_read")
                yield Label(t("fields.notes"), classes="text-label")
                yield Input(id="notes", max_length=4000)
                yield Label(t("fields.watch"), classes="text-label")
                yield Input(id="watch", max_length=4000)
        yield DeskFooter()

    def on_mount(self) -> None:
        opened = self.attempt(handover.open_handover)
        if isinstance(opened, DeskError):
            self.desk.notify(opened.message, severity="error")
            return
        self.handover_id = opened.id
        self.fill_form(opened)
        self.refresh_view()

    def reread(self) -> None:
        self.refresh_view()

    # --- the form ------------------------------------------------------------------------

    def fill_form(self, record: Handover) -> None:
        with self.reading() as ctx:
            checks = handover.checks(ctx, record)
        for check in checks:
            found = self.query(f"#count-{check.key}")
            if found:
                self.query_one(f"#count-{check.key}", Input).value = (
                    "" if check.counted is None else str(check.counted)
                )
                self.query_one(f"#holder-{check.key}", Input).value = printable(check.holder)
        self.query_one("#desk_cleaned", Checkbox).value = record.desk_cleaned
        self.query_one("#log_read", Checkbox).value = record.log_read
        self.query_one("#notes", Input).value = printable(record.notes)
        self.query_one("#watch", Input).value = printable(record.watch)

    def form_data(self) -> HandoverUpdate:
        checks: list[CheckCount] = []
        lang = current_language()
        for item in self.desk.settings.handover.checklist:
            typed = self.query_one(f"#count-{item.key}", Input).value.strip()
            try:
                counted = int(typed) if typed else None
            except ValueError as exc:
                raise DeskError(
                    "handover_ui.bad_count", item=item.label(lang), value=typed
                ) from exc
            holder = self.query_one(f"#holder-{item.key}", Input).value
            checks.append(CheckCount(key=item.key, counted=counted, holder=holder))
        return HandoverUpdate(
            checks=checks,
            desk_cleaned=self.query_one("#desk_cleaned", Checkbox).value,
            log_read=self.query_one("#log_read", Checkbox).value,
            notes=self.query_one("#notes", Input).value,
            watch=self.query_one("#watch", Input).value,
        )

    def refresh_view(self) -> None:
        if self.handover_id is None:
            return
        with self.reading() as ctx:
            record = handover.get(ctx, self.handover_id)
            summary = handover.summary(ctx, record)
        editable = "update" in handover.LIFECYCLE.offered(record)
        for widget in self.query("#checklist-pane Input, #checklist-pane Checkbox"):
            widget.disabled = not editable
        lines = summary_lines(summary, self.desk.settings.tz)
        self.query_one("#preview", Static).update(plain("\n".join(lines)))
        show = self.desk.show_time
        status = t(
            "handover_ui.status",
            shift=summary.shift_label(self.desk.lang),
            start=show(summary.shift_start),
            end=show(summary.shift_end),
            holders=", ".join(summary.holders) or "-",
            state=t(f"handover_ui.state.{record.state}"),
        )
        if record.state == HandoverState.refused:
            status += f"  ({brief(record.refusal_reason)})"
        self.query_one("#handover-status", Static).update(plain(status))

    def _save(self) -> bool:
        if self.handover_id is None:
            return False
        handover_id = self.handover_id
        try:
            data = self.form_data()
        except DeskError as error:
            self.desk.notify(error.message, severity="error")
            return False
        outcome = self.attempt(lambda ctx: handover.update(ctx, handover_id, data))
        if isinstance(outcome, DeskError):
            # every line refused is said at once, each naming its item
            said = outcome.errors if isinstance(outcome, FieldErrors) else [outcome]
            self.desk.notify("\n".join(error.message for error in said), severity="error")
            return False
        return True

    # --- actions -------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.refresh_view()

    def action_save(self) -> None:
        if self._save():
            self.desk.notify(t("handover_ui.saved"))
            self.refresh_view()

    def action_sign_off(self) -> None:
        operator = self.desk.operator
        if self.handover_id is None or operator is None or not self._save():
            return
        handover_id = self.handover_id

        def sign(pin: str) -> object:
            return self.attempt(lambda ctx: handover.sign_off(ctx, handover_id, pin))

        def signed(pin: str | None) -> None:
            if pin is not None:
                self.desk.notify(t("handover_ui.signed_off"))
                self.refresh_view()

        self.app.push_screen(PinDialog(operator.name, sign), callback=signed)

    def _incoming(self, refusing: bool) -> None:
        if self.handover_id is None:
            return
        handover_id = self.handover_id
        with self.reading() as ctx:
            refused = handover.LIFECYCLE.refusal_of(
                handover.get(ctx, handover_id), "refuse" if refusing else "acknowledge"
            )
        if refused is not None:  # said before the name and PIN are typed in vain
            self.desk.notify(refused.message, severity="warning")
            return

        def take(name: str, pin: str, reason: str) -> object:
            def run(ctx: Ctx) -> Handover:
                if refusing:
                    return handover.refuse(ctx, handover_id, name, pin, reason)
                return handover.acknowledge(ctx, handover_id, name, pin)

            return self.attempt(run)

        def taken(answer: tuple[str, str, str] | None) -> None:
            if answer is not None:
                name, _pin, reason = answer
                key = "handover_ui.refused" if refusing else "handover_ui.acknowledged"
                self.desk.notify(t(key, name=name, reason=brief(reason)))
                self.refresh_view()

        self.app.push_screen(IncomingDialog(refusing=refusing, take=take), callback=taken)

    def action_acknowledge(self) -> None:
        self._incoming(refusing=False)

    def action_refuse(self) -> None:
        self._incoming(refusing=True)

    def action_print(self) -> None:
        if self.handover_id is not None:
            self.print_copy(self.handover_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="print")
    def print_copy(self, handover_id: int) -> None:
        """Archive the summary as text and PDF; send the PDF to the site's printer if set. On a
        worker thread: making the PDF and waiting for the printer never freeze the screen."""
        folder = archive_folder(self.desk.database.path)
        printer = self.desk.settings.site.printer

        def say(message: str, severity: SeverityLevel = "information", timeout: float = 5) -> None:
            self.app.call_from_thread(self.desk.notify, message, severity=severity, timeout=timeout)

        text = self.attempt(lambda ctx: print_handover(ctx, handover_id, fmt="text", folder=folder))
        if isinstance(text, DeskError):
            say(text.message, severity="error")
            return
        pdf = self.attempt(
            lambda ctx: print_handover(ctx, handover_id, fmt="pdf", folder=folder, printer=printer)
        )
        if isinstance(pdf, DeskError):  # no Chinese font: the text copy is archived
            say(pdf.message, severity="warning")
            say(t("handover_ui.printed", path=text.path))
            return
        say(t("handover_ui.printed", path=pdf.path))
        if printer:
            try:
                say(t("handover_ui.queued", answer=send(pdf, printer)))
            except PrintError as error:
                say(error.message, severity="error", timeout=10)

    def action_history(self) -> None:
        rows: list[tuple[int, str]] = []
        with self.reading() as ctx:
            past = handover.history(ctx, 100)
            ids = {i for r in past for i in (r.outgoing_id, r.incoming_id) if i is not None}
            names = operators.operator_names(ctx, ids)
            for record in past:
                assert record.id is not None
                shift = next(
                    (s for s in self.desk.settings.shifts if s.key == record.shift_key), None
                )
                rows.append(
                    (
                        record.id,
                        t(
                            "handover_ui.history_row",
                            id=record.id,
                            shift=shift.label(self.desk.lang) if shift else record.shift_key,
                            start=self.desk.show_time(record.shift_start),
                            outgoing=names.get(record.outgoing_id, ""),
                            incoming=names.get(record.incoming_id or 0, "") or "-",
                            state=t(f"handover_ui.state.{record.state}"),
                            copies=len(copies(ctx, record.id)),
                        ),
                    )
                )

        def chosen(handover_id: int | None) -> None:
            if handover_id is not None:
                self.print_copy(handover_id)

        self.app.push_screen(HistoryDialog(rows), callback=chosen)
