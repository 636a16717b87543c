"""One entrusted key: its slip, where the key is, each time it was taken out, and its history.

The entrusted-key actions (take out, back, done, collect, print) are shared with the register.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Header, Static

from desk.i18n import t
from desk.models import EntrustedKey, EntrustedKeyUse, EntrustedState, RepairOrder
from desk.screens.base import DeskFooter, DeskMixin, RecordScreen
from desk.screens.plain import PlainTable, field_grid, plain
from desk.screens.printout import deliver
from desk.services import audit, keys_entrusted, operators
from desk.services.errors import DeskError

ENTRUSTED_BINDINGS: list[BindingType] = [
    Binding("ctrl+t", "take_out", "keys_ui.keys.take_out", id="entrusted_take_out"),
    Binding("ctrl+b", "take_back", "keys_ui.keys.take_back", id="entrusted_back"),
    Binding("ctrl+d", "work_done", "keys_ui.keys.work_done", id="entrusted_done"),
    Binding("ctrl+g", "collect", "keys_ui.keys.collect", id="entrusted_collect"),
    Binding("ctrl+w", "print_slip", "keys.print", id="entrusted_print"),
]
HELD = (EntrustedState.deposited, EntrustedState.work_done)
ALLOWED: dict[str, tuple[EntrustedState, ...]] = {
    "take_out": HELD,
    "take_back": HELD,
    "work_done": HELD,
    "collect": HELD,
}


class EntrustedActions(DeskMixin):
    """The steps of an entrusted key; the screen says which record is meant and what to refresh."""

    def chosen_entrusted(self) -> EntrustedKey | None:
        raise NotImplementedError

    def after_change(self, record_id: int | None = None) -> None:
        raise NotImplementedError

    def _open(self, dialog: ModalScreen[EntrustedKey | None]) -> None:
        def done(record: EntrustedKey | None) -> None:
            self.after_change(record.id if record else None)
            if record is None or record.id is None:
                return
            with self.reading() as ctx:
                use = keys_entrusted.current_use(ctx, record.id)
            if use is not None:  # taken out for the work: who has it is what the clerk needs
                self.app.notify(t("keys_ui.taken_out", number=record.number, taken_by=use.taken_by))
                return
            state = t(f"entrusted_state.{record.state}")
            self.app.notify(t("keys_ui.done", number=record.number, state=state))

        self.app.push_screen(dialog, callback=done)

    def action_take_out(self) -> None:
        from desk.screens.key_dialogs import TakeOutDialog

        record = self.chosen_entrusted()
        if record is None or record.id is None:
            return
        with self.reading() as ctx:
            use = keys_entrusted.current_use(ctx, record.id)
        if use is not None:  # said before the dialog, so nothing is typed in vain
            message = t("key_error.entrusted_out", number=record.number, taken_by=use.taken_by)
            self.app.notify(message, severity="warning")
            return
        self._open(TakeOutDialog(record))

    def bring_back(self) -> None:
        record = self.chosen_entrusted()
        if record is None or record.id is None:
            return
        record_id = record.id
        outcome = self.attempt(lambda ctx: keys_entrusted.bring_back_key(ctx, record_id))
        if isinstance(outcome, DeskError):
            self.app.notify(outcome.message, severity="warning")
            return
        self.after_change(record_id)
        self.app.notify(t("keys_ui.brought_back", number=record.number))

    def action_work_done(self) -> None:
        from desk.screens.key_dialogs import WorkDoneDialog

        if record := self.chosen_entrusted():
            self._open(WorkDoneDialog(record))

    def action_collect(self) -> None:
        from desk.screens.key_dialogs import CollectDialog

        if record := self.chosen_entrusted():
            self._open(CollectDialog(record))

    def action_print_slip(self) -> None:
        record = self.chosen_entrusted()
        if record is None:
            return
        self.app.run_worker(
            lambda: print_entrusted_slip(self, record),
            thread=True,
            exclusive=True,
            exit_on_error=False,
            group="print",
        )


def print_entrusted_slip(screen: DeskMixin, record: EntrustedKey) -> None:
    """The two-part slip as text and PDF beside the database, and to the site's printer."""
    from desk.printing import entrusted_slip

    app = screen.desk
    settings = app.settings
    with app.database.reading() as session:
        order = session.get(RepairOrder, record.repair_order_id or 0)
    extra: dict[str, Any] = {
        "operator": app.operator.name if app.operator else "",
        "printed_at": app.now(),
        "repair_number": order.number if order else "",
    }
    deliver(
        app,
        record.number,
        lambda: entrusted_slip.entrusted_slip_text(record, settings, **extra),
        lambda pdf: entrusted_slip.entrusted_slip_pdf(record, settings, pdf, **extra),
        written="keys_ui.print.written",
    )


class EntrustedDetailScreen(EntrustedActions, RecordScreen):
    """Read-only view of an entrusted key; each step opens its own dialog."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *ENTRUSTED_BINDINGS,
        Binding("escape", "back", "keys_ui.keys.back", id="entrusted_detail_back"),
    ]
    DEFAULT_CSS = """
    EntrustedDetailScreen #detail-title { padding: 0 1; height: 1; text-style: bold; }
    EntrustedDetailScreen #detail-body { height: 1fr; padding: 0 1; }
    EntrustedDetailScreen #detail-fields { height: auto; }
    EntrustedDetailScreen .section { height: 1; margin: 1 0 0 0; text-style: bold; }
    EntrustedDetailScreen #uses { height: auto; max-height: 10; }
    EntrustedDetailScreen #history { height: auto; }
    """

    def __init__(self, entrusted_id: int) -> None:
        super().__init__()
        self.entrusted_id = entrusted_id
        self.record: EntrustedKey | None = None
        self.shown_fields: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="detail-title")
        with VerticalScroll(id="detail-body"):
            yield Static(id="detail-fields")
            yield Static(t("keys_ui.uses"), classes="section")
            uses: PlainTable = PlainTable(cursor_type="row", id="uses")
            yield uses
            yield Static(t("keys_ui.history"), classes="section")
            history: PlainTable = PlainTable(cursor_type="row", id="history")
            yield history
        yield DeskFooter()

    def on_mount(self) -> None:
        uses = self.query_one("#uses", DataTable)
        for key in ("taken_by", "purpose", "taken_at", "back"):
            uses.add_column(t(f"keys_ui.col_{key}"), key=key)
        history = self.query_one("#history", DataTable)
        for key in ("at", "operator", "action", "detail"):
            history.add_column(t(f"keys_ui.col_{key}"), key=key)
        self.refresh_detail()

    def reread(self) -> None:
        self.refresh_detail()

    def refresh_detail(self) -> None:
        with self.reading() as ctx:
            record = keys_entrusted.get(ctx, self.entrusted_id)
            uses = keys_entrusted.uses_of(ctx, self.entrusted_id)
            events = audit.history(ctx, keys_entrusted.REGISTER, self.entrusted_id)
            ids = {e.operator_id for e in events if e.operator_id is not None}
            names = operators.operator_names(ctx, ids | {record.operator_id})
            order = ctx.session.get(RepairOrder, record.repair_order_id or 0)
        self.record = record
        state = t(f"entrusted_state.{record.state}")
        self.query_one("#detail-title", Static).update(
            plain(f"{t('keys_ui.detail_title', number=record.number)} — {state}")
        )
        open_use = next((use for use in uses if use.back_at is None), None)
        self.query_one("#detail-fields", Static).update(
            self.fields_table(record, names, open_use, order.number if order else "")
        )
        table = self.query_one("#uses", DataTable)
        history = self.query_one("#history", DataTable)
        show = self.desk.show_time
        with self.app.batch_update():
            table.clear()
            for use in uses:
                table.add_row(use.taken_by, use.purpose, show(use.out_at), show(use.back_at))
            history.clear()
            for event in events:
                data = audit.event_data(event)
                detail = " ".join(
                    str(data[name])
                    for name in ("taken_by", "purpose", "collected_by", "note")
                    if data.get(name)
                )
                history.add_row(
                    show(event.at),
                    names.get(event.operator_id or 0, ""),
                    t(f"keys_ui.action.{event.action}"),
                    detail,
                )
        self.refresh_bindings()

    def fields_table(
        self,
        record: EntrustedKey,
        names: dict[int, str],
        open_use: EntrustedKeyUse | None,
        repair_number: str,
    ) -> Table:
        show = self.desk.show_time
        if record.state == EntrustedState.collected:
            where = ""
        elif open_use is not None:
            where = t("keys_ui.out_now", name=open_use.taken_by, since=show(open_use.out_at))
        else:
            where = t("keys_ui.at_desk")
        rows = [
            (t("fields.number"), record.number),
            (t("fields.state"), t(f"entrusted_state.{record.state}")),
            (t("fields.key_owner"), record.owner_name),
            (t("fields.room"), record.room),
            (t("fields.phone"), record.phone),
            (t("keys_ui.label_key"), record.description),
            (t("fields.key_count"), str(record.count)),
            (t("fields.reason"), record.reason),
            (t("fields.hook"), record.hook),
            (t("keys_ui.col_deposited"), show(record.deposited_at)),
            (t("fields.operator"), names.get(record.operator_id, "")),
            (t("keys_ui.label_repair"), repair_number),
            (t("keys_ui.label_where"), where),
            (t("keys_ui.label_work_done"), show(record.work_done_at)),
            (
                t("keys_ui.label_notified"),
                f"{show(record.owner_notified_at)} {record.notify_note}".strip(),
            ),
            (
                t("keys_ui.label_collected"),
                f"{show(record.collected_at)} {record.collected_by}".strip(),
            ),
        ]
        self.shown_fields = [(label, value) for label, value in rows if value]
        return field_grid(self.shown_fields)

    # --- keys -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        allowed = ALLOWED.get(action)
        if allowed is None:
            return True
        return self.record is not None and self.record.state in allowed

    def chosen_entrusted(self) -> EntrustedKey | None:
        self.refresh_detail()
        return self.record

    def after_change(self, record_id: int | None = None) -> None:
        self.refresh_detail()

    def action_take_back(self) -> None:
        self.bring_back()

    def action_back(self) -> None:
        self.dismiss()
