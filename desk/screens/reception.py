"""F2: the reception log — the form for one call or visit, and today's entries below it."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Header, Static

from desk import commands
from desk.forms.dialogs import ConfirmDialog
from desk.forms.reception_form import ReceptionForm
from desk.i18n import t
from desk.models import ReceptionCategory, ReceptionEntry
from desk.screens import records
from desk.screens.due import due_cell
from desk.screens.plain import Fit, PlainTable
from desk.screens.reception_links import open_linked_form
from desk.screens.reveal import RevealSelected
from desk.services import reception
from desk.services.board import start_of_day
from desk.services.errors import DeskError
from desk.services.residents import mask_name
from desk.widgets.base import DeskFooter, DeskScreen

# Today's entries shown under the form; a busy day rarely passes this.
TABLE_LIMIT = 200
COLUMNS = ("time", "number", "channel", "room", "person", "category", "request", "state", "due")
# the request gives way to the reply's deadline (display cells); narrower still, the channel,
# the category and the person are left out
FIT = Fit("request", least=10, most=28, drop=("channel", "category", "person"))


class ReceptionScreen(RevealSelected, DeskScreen):
    """Log a call or visit; ctrl+s saves, Enter on a row of today's entries opens it."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("reception")
    LIVE = True
    DEFAULT_CSS = """
    ReceptionScreen #reception-form-box { height: auto; max-height: 80%; }
    ReceptionScreen ReceptionForm {
        layout: grid; grid-size: 2; grid-columns: 1fr 1fr; grid-gutter: 0 2;
    }
    ReceptionScreen ReceptionForm .form-error { column-span: 2; }
    ReceptionScreen ReceptionForm .-empty { display: none; }
    ReceptionScreen #today-title { padding: 0 1; height: 1; }
    ReceptionScreen #today { height: 1fr; min-height: 5; }
    """

    def compose(self) -> ComposeResult:
        yield Header()
        departments = [(d.label(self.desk.lang), d.key) for d in self.desk.settings.departments]
        with VerticalScroll(id="reception-form-box"):
            yield ReceptionForm(self.desk.lang, departments, id="reception-form")
        yield Static(t("reception_ui.today"), id="today-title", classes="title")
        table = PlainTable(cursor_type="row", zebra_stripes=True, id="today", fit=FIT)
        yield table
        yield DeskFooter()

    @property
    def form(self) -> ReceptionForm:
        return self.query_one(ReceptionForm)

    @property
    def table(self) -> DataTable[str | Text]:
        return self.query_one("#today", DataTable)

    def reveal_target(self) -> tuple[str, int] | None:
        key = records.selected_key(self.table)
        return (reception.REGISTER, int(key)) if key and key.isdigit() else None

    def on_mount(self) -> None:
        for key in COLUMNS:
            self.table.add_column(t(f"reception_ui.col_{key}"), key=key)
        self.refresh_table()

    def reread(self) -> None:
        self.refresh_table()

    # --- today's entries --------------------------------------------------------------

    def refresh_table(self) -> None:
        with self.reading() as ctx:
            entries = reception.recent(ctx, limit=TABLE_LIMIT, since=start_of_day(ctx))
        table = self.table
        kept = records.selected_key(table)  # the cursor stays on its entry (another desk saved)
        with self.app.batch_update():
            table.clear()
            for entry in entries:
                table.add_row(*self.row(entry), key=str(entry.id))
            if kept is not None and kept in table.rows:
                table.move_cursor(row=table.get_row_index(kept), scroll=False)
        self.query_one("#today-title", Static).update(
            t("reception_ui.today_count", n=len(entries))
            if entries
            else t("reception_ui.today_none")
        )

    def row(self, entry: ReceptionEntry) -> list[str | Text]:
        # an answer still owed is marked once its reply is late (not before)
        owing = entry.state in reception.OWING
        due = entry.reply_due_at if owing else None
        shown = t(f"reception_state.{entry.state}")
        state = due_cell(due, self.desk.now(), shown, soon=False)
        return [
            self.desk.show_time(entry.received_at, with_date=False),
            entry.number,
            t(f"channel.{entry.channel}"),
            entry.room,
            mask_name(entry.person),
            t(f"reception_category.{entry.category}"),
            entry.request,
            state,
            self.desk.show_time(entry.reply_due_at) if owing else "",
        ]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.open_entry(int(event.row_key.value))

    def open_entry(self, entry_id: int) -> None:
        from desk.screens.reception_detail import ReceptionDetailScreen

        self.app.push_screen(ReceptionDetailScreen(entry_id))

    # --- keys -------------------------------------------------------------------------

    def action_escape(self) -> None:
        """From the form to today's entries, and from the entries back to the form.

        Nothing typed is lost either way; ctrl+n is the key that empties the form.
        """
        if self.table.has_focus:
            self.form.focus_first()
        elif self.table.row_count:
            self.table.focus()

    def action_new(self) -> None:
        self.form.clear()

    def action_insert_reply(self) -> None:
        """Offer the approved standard replies matching the request; the pick goes in 'done'."""
        from desk.screens.reply_picker import ReplyPickerDialog

        def chosen(body: str | None) -> None:
            if body:
                self.form.insert_reply(body)

        self.app.push_screen(ReplyPickerDialog(self.form.request_text()), callback=chosen)

    def action_save(self) -> None:
        form = self.form
        form.clear_errors()
        try:
            data = form.read_entry()
        except DeskError as error:
            form.show_error(error)
            return
        outcome = self.attempt(lambda ctx: reception.log(ctx, data))
        if isinstance(outcome, DeskError):
            form.show_error(outcome)
            return
        assert outcome.id is not None
        self.notify(t("app.saved", number=outcome.number))
        form.clear()
        self.refresh_table()
        if reception.may_become_record(outcome):
            self.offer_linked(outcome)

    # --- a repair call becomes a repair order, a complaint a complaint ------------------

    def offer_linked(self, entry: ReceptionEntry) -> None:
        question = (
            "offer_repair" if entry.category == ReceptionCategory.repair else "offer_complaint"
        )

        def answered(yes: bool | None) -> None:
            if yes:
                open_linked_form(self, entry, self.refresh_table)

        self.app.push_screen(ConfirmDialog(t(f"reception_ui.{question}")), callback=answered)
