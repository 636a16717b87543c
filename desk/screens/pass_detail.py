"""One release pass: every field, its items, its history, and what the desk can do with it."""

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
from desk.models import AuditEvent, PassItem, ReleasePass
from desk.screens.history import HistoryTable
from desk.screens.new_here import NewRepairHere
from desk.screens.pass_cells import status_cell, stub_cell
from desk.screens.pass_dialogs import GateAtDeskDialog, PassDialog, VoidDialog
from desk.screens.plain import field_grid, plain
from desk.screens.printout import deliver
from desk.services import audit, operators, passes
from desk.services.errors import DeskError
from desk.widgets.base import DeskFooter, RecordScreen


class PassDetailScreen(NewRepairHere, RecordScreen):
    """Read-only view of a pass; each step opens its own dialog or asks nothing (stub back)."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("pass_detail")
    DEFAULT_CSS = """
    PassDetailScreen #pass-title { padding: 0 1; height: 1; text-style: bold; }
    PassDetailScreen #pass-body { height: 1fr; padding: 0 1; }
    PassDetailScreen #pass-fields, PassDetailScreen #pass-items { height: auto; }
    PassDetailScreen .section { height: 1; margin: 1 0 0 0; text-style: bold; }
    PassDetailScreen #pass-history { height: auto; max-height: 100%; }
    """

    def __init__(self, pass_id: int) -> None:
        super().__init__()
        self.pass_id = pass_id
        self.found: ReleasePass | None = None
        self.items: list[PassItem] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="pass-title")
        with VerticalScroll(id="pass-body"):
            yield Static(id="pass-fields")
            yield Static(t("passes_ui.items_title"), classes="section")
            yield Static(id="pass-items")
            yield Static(t("repair_ui.history"), classes="section")
            yield HistoryTable(action_labels="passes_ui.action", id="pass-history")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.refresh_detail()

    def reread(self) -> None:
        self.refresh_detail()

    def refresh_detail(self) -> None:
        with self.reading() as ctx:
            found = passes.get(ctx, self.pass_id)
            self.items = passes.items_of(ctx, self.pass_id)
            events, names = audit.named_history(
                ctx, passes.REGISTER, self.pass_id, found.operator_id, found.stub_received_by
            )
        self.found = found
        now = self.desk.now()
        title = Text(t("passes_ui.detail_title", number=found.number) + "  ")
        title.append(status_cell(found, now, self.desk.settings.tz))
        self.query_one("#pass-title", Static).update(plain(title))
        self.query_one("#pass-fields", Static).update(self.fields_table(found, names))
        self.query_one("#pass-items", Static).update(self.items_table())
        self.query_one(HistoryTable).show(events, names, self.event_detail)
        self.refresh_bindings()

    def fields_table(self, found: ReleasePass, names: dict[int, str]) -> Table:
        show = self.desk.show_time
        now = self.desk.now()
        rows: list[tuple[str, str | Text]] = [
            (t("fields.number"), found.number),
            (t("fields.room"), found.room),
            (t("fields.applicant"), found.applicant),
            (t("fields.relationship"), t(f"relationship.{found.relationship}")),
            (t("passes_ui.label_id"), f"{t(f'id_type.{found.id_type}')} ****{found.id_last4}"),
        ]
        if found.owner_confirmed is not None:
            answer = t("app.yes") if found.owner_confirmed else t("app.no")
            line = t(
                "passes_ui.confirmation_line",
                who=found.owner_confirmed_by,
                phone=found.owner_phone_called,
                at=show(found.owner_confirmed_at),
                answer=answer,
            )
            rows.append((t("passes_ui.label_confirmation"), line))
        rows += [
            (t("fields.vehicle_plate"), found.vehicle_plate),
            (
                t("passes_ui.label_valid"),
                f"{found.valid_on.isoformat()}  -> {show(found.valid_until)}",
            ),
            (t("fields.operator"), f"{names.get(found.operator_id, '')}  {show(found.created_at)}"),
            (t("passes_ui.col_status"), status_cell(found, now, self.desk.settings.tz)),
        ]
        if found.gate_checked_at:
            gate = f"{t(f'gate_result.{found.gate_result}')}  {found.guard_name}  "
            rows.append((t("passes_ui.label_gate"), gate + show(found.gate_checked_at)))
            rows.append((t("fields.gate_note"), found.gate_note))
        if found.voided_at:
            rows.append((t("pass_state.voided"), f"{show(found.voided_at)}  {found.void_reason}"))
        stub = stub_cell(found, now)
        if found.stub_returned_at:
            received = names.get(found.stub_received_by or 0, "")
            stub.append(f"  {show(found.stub_returned_at)}  {received}", style="")
        rows.append((t("passes_ui.col_stub"), stub))
        return field_grid((label, value) for label, value in rows if value)

    def items_table(self) -> Table:
        table = Table(box=None, padding=(0, 1), show_edge=False)
        for key in ("line", "description", "quantity", "remark"):
            table.add_column(
                t(f"passes_ui.col_item_{key}"),
                justify="right" if key != "description" and key != "remark" else "left",
            )
        for item in self.items:
            table.add_row(
                str(item.line_no), plain(item.description), str(item.quantity), plain(item.remark)
            )
        return table

    def event_detail(self, event: AuditEvent) -> str:
        data: dict[str, Any] = audit.event_data(event)
        parts: list[str] = []
        if event.action == "issued":
            parts.append(t("passes_ui.lines", n=len(data.get("items", []))))
            if data.get("applicant_not_owner_on_file"):
                parts.append(t("passes_ui.noted_not_owner_short"))
        if event.action == "gate_checked":
            parts += [t(f"gate_result.{data.get('result', '')}"), str(data.get("guard", ""))]
            parts.append(str(data.get("note", "")))
        if data.get("without_gate_check"):
            parts.append(t("passes_ui.without_gate_check"))
        parts.append(event.reason)
        return "; ".join(part for part in parts if part)

    # --- keys -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The pass's steps (one key each) as its service offers them now (footer follows)."""
        if action not in passes.LIFECYCLE.steps:
            return True
        if self.found is None:
            return False
        with self.reading() as ctx:
            return action in passes.allowed_actions(ctx, self.found)

    def action_refresh(self) -> None:
        self.refresh_detail()

    def action_back(self) -> None:
        self.dismiss()

    def _open(self, dialog: PassDialog) -> None:
        def done(saved: ReleasePass | None) -> None:
            self.refresh_detail()
            if saved is not None:
                status = passes.status_of(saved, self.desk.now(), self.desk.settings.tz)
                self.notify(
                    t("passes_ui.done", number=saved.number, state=t(f"pass_status.{status}"))
                )

        self.app.push_screen(dialog, callback=done)

    def action_gate(self) -> None:
        if self.found is not None:
            self._open(GateAtDeskDialog(self.found))

    def action_void(self) -> None:
        who = passes.LIFECYCLE.who("void")
        if self.found is not None and not (who and self.refused(who.require)):
            self._open(VoidDialog(self.found))

    def action_stub(self) -> None:
        if self.found is None:
            return
        number = self.found.number
        outcome = self.attempt(lambda ctx: passes.return_stub(ctx, number))
        if isinstance(outcome, DeskError):
            self.notify(outcome.message, severity="error")
        else:
            self.notify(t("passes_ui.stub_ticked", number=number))
        self.refresh_detail()

    # --- printing ---------------------------------------------------------------------

    def action_print_slip(self) -> None:
        if self.found is not None:
            self.print_slip(self.found, list(self.items))

    @work(thread=True, exclusive=True, exit_on_error=False, group="print")
    def print_slip(self, found: ReleasePass, items: list[PassItem]) -> None:
        """The release pass as text and PDF beside the database, and to the site's printer."""
        from desk.printing import pass_slip

        app = self.desk
        settings = app.settings
        with app.database.reading() as session:
            names = operators.operator_names(app.ctx(session), {found.operator_id})
        extra: dict[str, Any] = {"clerk": names.get(found.operator_id, ""), "printed_at": app.now()}
        deliver(
            app,
            found.number,
            lambda: pass_slip.pass_slip_text(found, items, settings, **extra),
            lambda pdf: pass_slip.pass_slip_pdf(found, items, settings, pdf, **extra),
            written="passes_ui.print.written",
        )
