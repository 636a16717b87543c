"""One entrusted key: its slip, where the key is, each time it was taken out, and its history.

The entrusted-key actions (take out, back, done, collect, print) are shared with the register
(desk.screens.entrusted_actions).
"""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Header, Static

from desk import commands
from desk.i18n import t
from desk.models import EntrustedKey, EntrustedKeyUse, EntrustedState, RepairOrder
from desk.screens.entrusted_actions import EntrustedActions
from desk.screens.plain import PlainTable, field_grid, plain
from desk.services import audit, keys_entrusted, operators
from desk.widgets.base import DeskFooter, RecordScreen


class EntrustedDetailScreen(EntrustedActions, RecordScreen):
    """Read-only view of an entrusted key; each step opens its own dialog."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("entrusted_detail")
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
        if action not in keys_entrusted.LIFECYCLE.steps:
            return True
        return action in keys_entrusted.allowed_actions(self.record)

    def chosen_entrusted(self) -> EntrustedKey | None:
        self.refresh_detail()
        return self.record

    def after_change(self, record_id: int | None = None) -> None:
        self.refresh_detail()

    def action_take_back(self) -> None:
        self.bring_back()

    def action_back(self) -> None:
        self.dismiss()
