"""One reception entry: every field, what it turned into, its history; answer it or close it."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Header, Input, Label, Static

from desk import commands
from desk.i18n import t
from desk.models import AuditEvent, ReceptionEntry
from desk.screens.due import due_cell, estimated_hint, estimated_mark
from desk.screens.history import correction_detail
from desk.screens.new_here import NewRepairHere
from desk.screens.plain import PlainTable, field_grid, plain
from desk.screens.reception_links import open_linked_form
from desk.screens.tones import WARNING
from desk.services import audit, operators, reception
from desk.services.context import Ctx
from desk.services.corrections import CORRECTED
from desk.services.errors import DeskError
from desk.widgets.base import DeskDialog, DeskFooter, RecordScreen

# each key's lifecycle step in desk.services.reception.LIFECYCLE (which says when it is offered)
STEPS = {"answer": "answer", "close_entry": "close", "make_linked": "become"}


class ReasonDialog(DeskDialog[bool]):
    """One line of text (a reply, a reason) handed to a service; True once it is saved.

    Enter or ctrl+s saves, escape cancels; a refusal is shown here and the text is kept.
    """

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("reason_dialog")
    DEFAULT_CSS = """
    ReasonDialog { align: center middle; }
    ReasonDialog #reason-box {
        width: 80; height: auto; border: round $primary; padding: 1 2; background: $panel;
    }
    ReasonDialog #reason-title { text-style: bold; }
    ReasonDialog Label { margin: 1 0 0 0; }
    ReasonDialog #reason-error { color: $error; height: auto; }
    ReasonDialog #reason-keys { color: $text-muted; margin: 1 0 0 0; }
    """

    def __init__(
        self, title: str, field: str, hint: str, action: Callable[[Ctx, str], object]
    ) -> None:
        super().__init__()
        self.title_text, self.field, self.hint, self.action = title, field, hint, action

    def compose(self) -> ComposeResult:
        with Vertical(id="reason-box"):
            yield Static(plain(self.title_text), id="reason-title")
            yield Label(t(f"fields.{self.field}"))
            yield Input(placeholder=self.hint, max_length=2000, id="reason-text")
            yield Static("", id="reason-error")
            yield Static(t("reception_detail.dialog_keys"), id="reason-keys")

    def on_mount(self) -> None:
        self.query_one("#reason-text", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        text = self.query_one("#reason-text", Input).value
        outcome = self.attempt(lambda ctx: self.action(ctx, text))
        if isinstance(outcome, DeskError):
            self.query_one("#reason-error", Static).update(plain(outcome.message))
            self.app.bell()
            return
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class ReceptionDetailScreen(NewRepairHere, RecordScreen):
    """An entry of the reception log. ctrl+y answers it, ctrl+x closes it, ctrl+l makes the repair
    order or complaint it was not turned into when logged, escape goes back."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("reception_detail")
    DEFAULT_CSS = """
    ReceptionDetailScreen #entry-title { padding: 0 1; height: 1; }
    ReceptionDetailScreen #entry-box { height: auto; max-height: 60%; padding: 0 1; }
    ReceptionDetailScreen #history-title { padding: 1 1 0 1; height: 2; }
    ReceptionDetailScreen #history { height: 1fr; min-height: 4; }
    """

    def __init__(self, entry_id: int) -> None:
        super().__init__()
        self.entry_id = entry_id
        self.entry: ReceptionEntry | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="entry-title", classes="title")
        with VerticalScroll(id="entry-box"):
            yield Static("", id="entry")
        yield Static(t("reception_detail.history"), id="history-title", classes="title")
        table: PlainTable = PlainTable(cursor_type="row", zebra_stripes=True, id="history")
        yield table
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#history", DataTable)
        for key in ("at", "operator", "action", "detail"):
            table.add_column(t(f"reception_detail.col_{key}"), key=key)
        self.load()

    def reread(self) -> None:
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The entry's steps as its lifecycle offers them (footer follows)."""
        step = STEPS.get(action)
        if step is None or self.entry is None:
            return True
        return step in reception.allowed_actions(self.entry)

    def load(self) -> None:
        with self.reading() as ctx:
            try:
                entry = reception.get(ctx, self.entry_id)
            except DeskError as error:
                self.notify(error.message, severity="error")
                self.app.pop_screen()
                return
            events = audit.history(ctx, reception.REGISTER, self.entry_id)
            names = operators.operator_names(
                ctx, {e.operator_id for e in events if e.operator_id is not None}
            )
            linked = self.linked_text(ctx, entry)
        self.entry = entry
        self.query_one("#entry-title", Static).update(
            plain(t("reception_detail.title", number=entry.number))
        )
        self.query_one("#entry", Static).update(self.fields_table(entry, linked))
        table = self.query_one("#history", DataTable)
        with self.app.batch_update():
            table.clear()
            for event in events:
                table.add_row(
                    self.desk.show_time(event.at),
                    names.get(event.operator_id or 0, ""),
                    t(f"reception_detail.action.{event.action}"),
                    linked if event.action == "linked" else self.event_detail(event),
                )
        self.refresh_bindings()

    def linked_text(self, ctx: Ctx, entry: ReceptionEntry) -> str:
        number = reception.linked_number(ctx, entry)
        if not number:
            return t("reception_detail.linked_none")
        return f"{t(f'registers.{entry.linked_register}')} {number}"

    def event_detail(self, event: AuditEvent) -> str:
        if event.action == CORRECTED:  # each field's old and new value
            return correction_detail(event, self.desk.settings, self.desk.lang)
        data = audit.event_data(event)
        text = event.reason or str(data.get("answer") or data.get("request") or "")
        return text.replace("\n", " ")[:60]

    def fields_table(self, entry: ReceptionEntry, linked: str) -> Table:
        department = self.desk.settings.department(entry.department)
        # an answer still owed is marked once its reply is late (not before)
        due = entry.reply_due_at if entry.state in reception.OWING else None
        state = t(f"reception_state.{entry.state}")
        rows: list[tuple[str, str | Text]] = [
            (t("fields.number"), entry.number),
            (
                t("fields.state"),
                due_cell(due, self.desk.now(), state, soon=False),
            ),
            (t("fields.received_at"), self.desk.show_time(entry.received_at)),
            (t("fields.channel"), t(f"channel.{entry.channel}")),
            (t("fields.room"), entry.room),
            (t("fields.person"), entry.person),
            (t("fields.phone"), entry.phone),
            (t("fields.category"), t(f"reception_category.{entry.category}")),
            (t("fields.request"), entry.request),
            (t("fields.action_taken"), entry.action_taken),
            (t("fields.department"), department.label(self.desk.lang) if department else ""),
            (t("fields.reply_due_at"), self.reply_due(entry)),
            (t("reception_detail.answered_at"), self.desk.show_time(entry.answered_at)),
            (t("fields.answer"), entry.answer),
            (t("reception_detail.close_reason"), entry.close_reason),
            (t("reception_detail.linked"), linked),
        ]
        return field_grid(rows, fold=True)

    def reply_due(self, entry: ReceptionEntry) -> Text:
        """The reply's due time; in a year whose holidays are estimated, marked and why."""
        tz, due = self.desk.settings.tz, entry.reply_due_at
        shown = Text(self.desk.show_time(due) + estimated_mark(due, tz))
        if hint := estimated_hint(due, tz):
            shown.append(f"\n{hint}", style=WARNING)
        return shown

    # --- keys -------------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_answer(self) -> None:
        if self.entry is None:
            return
        number = self.entry.number
        self.app.push_screen(
            ReasonDialog(
                t("reception_detail.answer_title", number=number),
                "answer",
                t("reception_detail.answer_hint"),
                lambda ctx, text: reception.answer(ctx, self.entry_id, text),
            ),
            callback=lambda saved: self.after(saved, "reception_detail.answered", number),
        )

    def action_make_linked(self) -> None:
        """A repair call or complaint not turned into its record when it was logged: now."""
        if self.entry is not None and reception.may_become_record(self.entry):
            open_linked_form(self, self.entry, self.load)

    def action_correct(self) -> None:
        from desk.screens.correct_dialog import open_correction

        if self.entry is not None:
            open_correction(self, reception.REGISTER, self.entry, self.load)

    def action_close_entry(self) -> None:
        entry = self.entry
        if entry is None or self.refused(lambda ctx: reception.check_close(ctx, entry)):
            return
        number = entry.number
        self.app.push_screen(
            ReasonDialog(
                t("reception_detail.close_title", number=number),
                "reason",
                t("reception_detail.close_hint"),
                lambda ctx, text: reception.close(ctx, self.entry_id, text),
            ),
            callback=lambda saved: self.after(saved, "reception_detail.closed", number),
        )

    def after(self, saved: bool | None, message: str, number: str) -> None:
        if saved:
            self.notify(t(message, number=number))
            self.load()
