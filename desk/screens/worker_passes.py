"""Renovation worker passes (施工人员临时出入证), from the board's `w`: the passes still valid or
ended within the week, or every pass of one renovation (its number, permit number or room typed
in the filter); ctrl+n issues one, ctrl+x revokes the one under the cursor, ctrl+w prints it."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widget import Widget
from textual.widgets import Header, Input, Static

from desk import commands
from desk.forms.dialogs import FormDialog, banner_form
from desk.forms.fields import CheckField, DeskForm, MoneyField, TextField
from desk.i18n import t
from desk.models import Renovation, WorkerPass
from desk.screens.printout import deliver
from desk.screens.record_table import RecordTable
from desk.screens.tones import ERROR, WARNING
from desk.services import operators, renovation_workers
from desk.services.errors import DeskError, FieldErrors
from desk.services.renovation_workers import Row, WorkerPassCreate, WorkerPassStatus
from desk.services.residents import mask_name
from desk.services.when import parse_when
from desk.widgets.base import DeskFooter, DeskScreen

COLUMNS = ("number", "name", "id", "room", "works", "valid", "status", "checks")
STATUS_STYLE = {
    WorkerPassStatus.valid: "bold",
    WorkerPassStatus.not_yet: "italic",
    WorkerPassStatus.expired: "dim",
    WorkerPassStatus.revoked: "dim strike",
    WorkerPassStatus.suspended: ERROR,
    WorkerPassStatus.closed: WARNING,
}


def status_cell(status: WorkerPassStatus) -> Text:
    return Text(t(f"worker_pass_status.{status}"), style=STATUS_STYLE.get(status, ""))


class WorkerPassesScreen(DeskScreen):
    """The list and its filter; the steps of the pass under the cursor."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("worker_passes")
    LIVE = True
    DEFAULT_CSS = """
    WorkerPassesScreen #wp-title { padding: 0 1; height: 1; text-style: bold; }
    WorkerPassesScreen #wp-filter { height: 1; border: none; padding: 0 1; }
    """

    def __init__(self, renovation: str = "") -> None:
        """`renovation`: opened from a renovation's page, its passes only (its number)."""
        super().__init__()
        self.filter = renovation
        self.shown: dict[int, Row] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="wp-title")
        yield Input(
            self.filter, placeholder=t("worker_pass_ui.filter"), max_length=40, id="wp-filter"
        )
        yield RecordTable(id="worker-passes")
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#worker-passes", RecordTable)
        for key in COLUMNS:
            table.add_column(t(f"worker_pass_ui.col_{key}"), key=key)
        self.refresh_list()
        table.focus()

    def reread(self) -> None:
        self.refresh_list()

    def action_refresh(self) -> None:
        self.refresh_list()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.filter = event.value.strip()
        self.refresh_list()
        self.query_one("#worker-passes", RecordTable).focus()

    def action_filter(self) -> None:
        self.query_one("#wp-filter", Input).focus()

    def refresh_list(self, select_id: int | None = None) -> None:
        table = self.query_one("#worker-passes", RecordTable)
        select_id = select_id if select_id is not None else table.selected_id()
        with self.reading() as ctx:
            rows = renovation_workers.listing(ctx, self.filter)
        self.shown = {row.worker_pass.id or 0: row for row in rows}
        with self.app.batch_update():
            table.clear()
            for row in rows:
                found = row.worker_pass
                table.add_row(
                    found.number,
                    mask_name(found.name),
                    f"****{found.id_last4}",
                    row.room,
                    row.renovation.permit_number or row.renovation.number,
                    self.day(found.valid_until),
                    status_cell(row.status),
                    str(found.gate_checks),
                    key=str(found.id),
                )
            table.select_record(select_id)
        title = self.query_one("#wp-title", Static)
        if not rows:
            title.update(t("worker_pass_ui.empty"))
        elif self.filter:
            title.update(Text(t("worker_pass_ui.title_filtered", filter=self.filter)))
        else:
            title.update(t("worker_pass_ui.title"))
        self.refresh_bindings()

    def day(self, day: date) -> str:
        """A last day as the list shows it: 12-31 this year, 2027-01-15 another."""
        this_year = self.desk.now().astimezone(self.desk.settings.tz).year
        return f"{day:%m-%d}" if day.year == this_year else day.isoformat()

    def selected(self) -> Row | None:
        selected = self.query_one("#worker-passes", RecordTable).selected_id()
        return self.shown.get(selected) if selected is not None else None

    # --- keys -------------------------------------------------------------------------

    STEPS: ClassVar[dict[str, str]] = {"revoke": "revoke", "print_pass": "print"}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The pass's steps as its service offers them now (the footer follows the cursor)."""
        if action == "back":  # opened from a renovation's page: back to it
            return len(self.app.screen_stack) > 1
        step = self.STEPS.get(action)
        if step is None:
            return True
        row = self.selected()
        if row is None:
            return False
        with self.reading() as ctx:
            return step in renovation_workers.allowed_actions(ctx, row.worker_pass)

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def on_data_table_row_highlighted(self, _event: Any) -> None:
        self.refresh_bindings()

    def action_new_pass(self) -> None:
        def saved(issued: WorkerPass | None) -> None:
            if issued is not None:
                self.notify(t("worker_pass_ui.issued", number=issued.number))
                self.refresh_list(select_id=issued.id)

        self.app.push_screen(WorkerPassFormScreen(self.filter), callback=saved)

    def action_revoke(self) -> None:
        row = self.selected()
        if row is None:
            self.notify(t("worker_pass_ui.none_selected"), severity="warning")
            return

        def done(revoked: WorkerPass | None) -> None:
            if revoked is not None:
                self.notify(t("worker_pass_ui.revoked", number=revoked.number))
            self.refresh_list()

        self.app.push_screen(RevokeDialog(row.worker_pass), callback=done)

    def action_print_pass(self) -> None:
        row = self.selected()
        if row is not None:
            self.print_pass(row.worker_pass, row.renovation)

    @work(thread=True, exclusive=True, exit_on_error=False, group="print")
    def print_pass(self, found: WorkerPass, works: Renovation) -> None:
        """The pass as text and PDF beside the database, and to the site's printer."""
        from desk.printing import worker_pass

        app = self.desk
        settings = app.settings
        with app.database.reading() as session:
            names = operators.operator_names(app.ctx(session), {found.operator_id})
        extra: dict[str, Any] = {"clerk": names.get(found.operator_id, ""), "printed_at": app.now()}
        deliver(
            app,
            found.number,
            lambda: worker_pass.worker_pass_text(found, works, settings, **extra),
            lambda pdf: worker_pass.worker_pass_pdf(found, works, settings, pdf, **extra),
            written="worker_pass_ui.written",
        )


# --- the dialogs ----------------------------------------------------------------------------


class DayField(TextField):
    """A day typed in the desk's grammar (今天, 明天, 11-25, 2026-11-25); empty: `empty_note`."""

    checks_live = True

    def __init__(self, name: str, *, empty_note: str, **kwargs: Any) -> None:
        kwargs.setdefault("placeholder", t("passes_ui.valid_on_hint"))
        kwargs.setdefault("max_length", 20)
        super().__init__(name, **kwargs)
        self.empty_note = empty_note

    def on_mount(self) -> None:
        self.set_note(self.empty_note)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        try:
            day = self.value
        except DeskError as error:
            self.set_note("")
            self.set_error(error.message)
            return
        self.set_error("")
        self.set_note(t("form.resolved", when=day.isoformat()) if day else self.empty_note)

    @property
    def value(self) -> date | None:  # type: ignore[override]
        moment = parse_when(self.input.value, self.desk.now(), self.desk.settings.tz)
        return moment.astimezone(self.desk.settings.tz).date() if moment else None


class IdNumberField(TextField):
    """The ID number, whole or its last 4: says what will be kept (the last 4), nothing more."""

    checks_live = True

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        typed = event.value
        self.set_error("")
        try:
            last4 = renovation_workers.id_last4(typed)
        except DeskError as error:
            self.set_note("")
            if len(typed.replace(" ", "")) >= 15:  # a whole number typed wrong: said at once
                self.set_error(t(error.key, **error.params))
            return
        self.set_note(t("worker_pass_ui.id_kept", last4=last4))


class RenovationField(TextField):
    """The renovation's number or permit number: its room, dates and state shown once found."""

    def on_input_changed(self, event: Input.Changed) -> None:
        super().on_input_changed(event)
        self.describe(event.value)

    def describe(self, typed: str) -> None:
        with self.desk.database.reading() as session:
            found = renovation_workers.find_renovation(self.desk.ctx(session), typed)
        if found is None:
            self.set_note(t("worker_pass_ui.renovation_hint"))
            return
        self.set_note(
            t(
                "worker_pass_ui.renovation_found",
                room=found.room,
                start=found.planned_start.isoformat(),
                end=found.planned_end.isoformat(),
                state=t(f"worker_pass_works.{found.state}"),
            )
        )


class WorkerPassForm(DeskForm):
    """The pass's fields; `data()` reads them into a WorkerPassCreate or raises every field's
    DeskError at once."""

    def __init__(self, renovation: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.renovation = renovation

    def compose(self) -> ComposeResult:
        yield Static("", classes="form-error")
        yield RenovationField("renovation", max_length=40)
        yield TextField("name", of=WorkerPass)
        yield IdNumberField("id_number", max_length=30, placeholder=t("worker_pass_ui.id_hint"))
        yield CheckField("photo_taken")
        yield DayField("valid_from", empty_note=t("worker_pass_ui.from_hint"))
        yield DayField("valid_until", empty_note=t("worker_pass_ui.until_hint"))
        yield MoneyField("fee_fen", max_length=12)
        yield TextField("fee_receipt", of=WorkerPass)

    def prepare(self, fee_fen: int) -> None:
        fields = self.fields()
        renovation = fields["renovation"]
        assert isinstance(renovation, RenovationField)
        renovation.set_value(self.renovation)
        renovation.describe(self.renovation)
        fee = fields["fee_fen"]
        assert isinstance(fee, MoneyField)
        fee.set_value(f"{fee_fen / 100:.2f}")
        fee.set_note(t("worker_pass_ui.fee_hint", fee=f"{fee_fen / 100:.2f}"))

    def data(self) -> WorkerPassCreate:
        return self.submission(self.read())

    @staticmethod
    def submission(values: dict[str, Any]) -> WorkerPassCreate:
        return WorkerPassCreate(
            renovation=values.get("renovation", ""),
            name=values.get("name", ""),
            id_number=values.get("id_number", ""),
            photo_taken=values.get("photo_taken", False),
            valid_from=values.get("valid_from"),
            valid_until=values.get("valid_until"),
            fee_fen=values.get("fee_fen"),
            fee_receipt=values.get("fee_receipt", ""),
        )

    def readable(self) -> tuple[WorkerPassCreate, list[DeskError]]:
        """What could be read of the fields (the others left to the service's defaults), and
        why the others could not."""
        values: dict[str, Any] = {}
        unread: list[DeskError] = []
        for name, field in self.fields().items():
            try:
                values[name] = field.read()
            except DeskError as error:
                error.field = error.field or name
                unread.append(error)
        return self.submission(values), unread

    def in_order(self, errors: list[DeskError]) -> DeskError:
        """The errors as one, in the order of the form's fields (the first one focused)."""
        order = list(self.fields())
        errors.sort(key=lambda e: order.index(e.field) if e.field in order else len(order))
        return FieldErrors.of(errors)


class WorkerPassFormScreen(FormDialog[WorkerPass | None]):
    """Issue a pass; returns it (None when cancelled). Errors stay at their field."""

    def __init__(self, renovation: str = "") -> None:
        super().__init__()
        self.renovation = renovation

    def heading(self) -> str:
        return t("worker_pass_ui.new_title")

    def build_form(self) -> DeskForm:
        return WorkerPassForm(self.renovation, id="worker-pass-form")

    def prepare(self) -> None:
        form = self.query_one(WorkerPassForm)
        form.prepare(self.desk.settings.renovation.worker_pass_fee_fen)

    def first_focus(self) -> Widget | None:
        if self.renovation:
            with self.desk.database.reading() as session:
                found = renovation_workers.find_renovation(self.desk.ctx(session), self.renovation)
            if found is not None:
                return self.query_one("#name")
        return self.query_one("#renovation")

    def submit(self, form: DeskForm) -> WorkerPass | DeskError | None:
        """Issue the pass; when some fields cannot be read (a date, an amount), the service is
        asked what it thinks of the others, so that every error is said at once."""
        assert isinstance(form, WorkerPassForm)
        data, unread = form.readable()
        if not unread:
            return self.attempt(lambda ctx: renovation_workers.issue(ctx, data))
        flagged = {error.field for error in unread}
        with self.reading() as ctx:
            others = renovation_workers.refusals(ctx, data)
        return form.in_order(unread + [e for e in others if e.field not in flagged])


class RevokeDialog(FormDialog[WorkerPass | None]):
    """Revoke one pass; the reason is kept (and shown at the gate if the pass is shown)."""

    def __init__(self, found: WorkerPass) -> None:
        super().__init__()
        self.found = found
        assert found.id is not None
        self.pass_id: int = found.id

    def heading(self) -> str:
        return t("worker_pass_ui.revoke_title", number=self.found.number)

    def build_form(self) -> DeskForm:
        return banner_form(TextField("reason", of=WorkerPass, column="revoke_reason"))

    def submit(self, form: DeskForm) -> WorkerPass | DeskError | None:
        reason = form.read()["reason"]
        return self.attempt(lambda ctx: renovation_workers.revoke(ctx, self.pass_id, reason))
