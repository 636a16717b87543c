"""The night log: the night duty logs calls; in the morning the clerk turns each entry left for
the morning into a repair order or a complaint (pre-filled, linked), each repair handled at night
into a completed order with its callback (desk.screens.nightlog_repair), or closes it with a
reason. Enter opens an entry's page (desk.screens.nightlog_detail), which offers the same steps."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widget import Widget
from textual.widgets import DataTable, Header, Static

from desk import commands
from desk.forms.dialogs import FormDialog
from desk.forms.fields import CheckField, DeskForm, TextField, WhenField
from desk.forms.room_field import RoomField
from desk.i18n import t
from desk.models import NightLogEntry
from desk.screens import records
from desk.screens.nightlog_actions import NightLogActions
from desk.screens.plain import Fit
from desk.screens.record_table import RecordTable
from desk.screens.repairs import short
from desk.screens.tones import ALARM, WARNING
from desk.services import nightlog, operators
from desk.services.errors import DeskError
from desk.services.nightlog import NightLogCreate
from desk.services.residents import mask_name
from desk.widgets.base import DeskFooter, DeskScreen

COLUMNS = ("number", "at", "caller", "room", "what", "done", "state", "operator")
# the state is always seen whole: the call gives way first, then who logged it, what was done
FIT = Fit("what", least=8, most=30, drop=("operator", "done", "caller"))


class NightEntryDialog(FormDialog[int | None]):
    """Log one night call or visit; returns the saved entry's id."""

    def heading(self) -> str:
        return t("nightlog_ui.new_title")

    def build_form(self) -> DeskForm:
        return DeskForm(
            Static("", classes="form-error"),
            WhenField("logged_at"),
            TextField("caller", of=NightLogEntry),
            RoomField("room"),
            TextField("phone", of=NightLogEntry),
            TextField("what", of=NightLogEntry),
            TextField("action_taken", of=NightLogEntry),
            CheckField("emergency"),
            # something done at night that still needs the morning (e.g. a temporary fix)
            CheckField("left_for_morning"),
        )

    def first_focus(self) -> Widget | None:
        return self.query_one("#caller")

    def submit(self, form: DeskForm) -> int | DeskError | None:
        data = NightLogCreate.model_validate(form.read())
        outcome = self.attempt(lambda ctx: nightlog.log(ctx, data))
        if isinstance(outcome, DeskError):
            return outcome
        with self.reading() as ctx:
            self.desk.notify(t("nightlog_ui.saved", number=nightlog.number(outcome, ctx)))
        return outcome.id


class NightLogScreen(NightLogActions, DeskScreen):
    """Entries left for the morning and repairs handled at night awaiting their callback (the
    clerk's work) above the last 24 hours of the log.

    Enter opens the entry under the cursor of either table; the morning steps (ctrl+g, ctrl+t,
    ctrl+x) act on the entry selected in the morning table.
    """

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("night_log")
    LIVE = True
    DEFAULT_CSS = """
    NightLogScreen .title { padding: 0 1; height: 1; text-style: bold; }
    NightLogScreen #morning { height: 1fr; }
    NightLogScreen #recent { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(t("nightlog_ui.morning"), id="morning-title", classes="title")
        yield RecordTable(id="morning", fit=FIT)
        yield Static(t("nightlog_ui.recent"), classes="title")
        yield RecordTable(id="recent", fit=FIT)
        yield DeskFooter()

    def on_mount(self) -> None:
        for selector in ("#morning", "#recent"):
            table = self.query_one(selector, DataTable)
            for key in COLUMNS:
                table.add_column(t(f"nightlog_ui.col_{key}"), key=key)
        self.refresh_entries()
        self.query_one("#morning", DataTable).focus()

    def reread(self) -> None:
        self.refresh_entries()

    def action_refresh(self) -> None:
        self.refresh_entries()

    def _row(self, entry: NightLogEntry, number: str, names: dict[int, str]) -> list[str | Text]:
        what = short(entry.what, 24)
        return [
            number,
            self.desk.show_time(entry.logged_at),
            short(mask_name(entry.caller), 8),
            entry.room,
            Text(f"[{t('nightlog_ui.emergency_mark')}] {what}", style=ALARM)
            if entry.emergency
            else what,
            short(entry.action_taken or entry.close_reason, 20),
            Text(
                t(f"nightlog_state.{entry.state}"),
                style=WARNING if entry.state in nightlog.MORNING_STATES else "",
            ),
            names.get(entry.operator_id, ""),
        ]

    def refresh_entries(self) -> None:
        with self.reading() as ctx:
            morning = nightlog.morning_work(ctx)
            recent = nightlog.recent(ctx)
            ids = {e.operator_id for e in morning + recent}
            names = operators.operator_names(ctx, ids)
            numbers = {e.id: nightlog.number(e, ctx) for e in morning + recent}
        with self.app.batch_update():
            for selector, entries in (("#morning", morning), ("#recent", recent)):
                table = self.query_one(selector, RecordTable)
                was_on = table.selected_id()  # the cursor stays on its entry
                table.clear()
                for entry in entries:
                    table.add_row(*self._row(entry, numbers[entry.id], names), key=str(entry.id))
                table.select_record(was_on)
        self.query_one("#morning-title", Static).update(
            t("nightlog_ui.morning") if morning else t("nightlog_ui.morning_empty")
        )

    def chosen_entry(self) -> int | None:
        entry_id = self.query_one("#morning", RecordTable).selected_id()
        if entry_id is None:
            self.desk.notify(t("nightlog_ui.none_selected"), severity="warning")
        return entry_id

    def after_change(self) -> None:
        self.refresh_entries()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.open_entry(int(event.row_key.value))

    def action_open_entry(self) -> None:
        """Enter with neither table focused: the entry under the morning table's cursor."""
        table = self.focused if isinstance(self.focused, RecordTable) else None
        entry_id = (table or self.query_one("#morning", RecordTable)).selected_id()
        if entry_id is not None:
            self.open_entry(entry_id)

    def open_entry(self, entry_id: int) -> None:
        records.open_record(self.app, nightlog.REGISTER, entry_id)

    def action_new_entry(self) -> None:
        self.app.push_screen(NightEntryDialog(), callback=lambda _: self.refresh_entries())
