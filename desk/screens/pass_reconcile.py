"""Reconciliation of release passes: every pass of a period, its status, and stubs ticked off."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Header, Input, Label, Static

from desk import commands
from desk.i18n import t
from desk.screens.pass_cells import status_cell, stub_cell
from desk.screens.plain import PlainTable
from desk.screens.tones import ALARM
from desk.services import passes
from desk.services.errors import DeskError
from desk.services.passes import PassStatus, ReconRow, StubStatus
from desk.services.residents import mask_name
from desk.services.when import parse_when
from desk.widgets.base import DeskFooter, DeskScreen

COLUMNS = ("number", "issued", "room", "applicant", "items", "status", "gate", "stub")


class ReconcileScreen(DeskScreen):
    """Type a period (today by default); scan or type returned stubs, or tick the selected row."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("reconcile")
    DEFAULT_CSS = """
    ReconcileScreen #recon-title { padding: 0 1; height: 1; text-style: bold; }
    ReconcileScreen .recon-bar { height: 1; padding: 0 1; }
    ReconcileScreen .recon-bar Label { padding: 0 1 0 0; }
    ReconcileScreen .recon-bar Input { border: none; height: 1; padding: 0 1; width: 16; }
    ReconcileScreen .recon-bar Input:focus { background: $boost; }
    ReconcileScreen #recon-scan { width: 30; }
    ReconcileScreen #recon-counts { padding: 0 1; height: auto; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[ReconRow] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(t("passes_ui.recon_title"), id="recon-title")
        with Horizontal(classes="recon-bar"):
            yield Label(t("passes_ui.recon_from"))
            yield Input(placeholder=t("passes_ui.today"), id="recon-from")
            yield Label(t("passes_ui.recon_to"))
            yield Input(placeholder=t("passes_ui.today"), id="recon-to")
            yield Label(t("passes_ui.recon_scan"))
            yield Input(placeholder="FX-", id="recon-scan")
        yield Static(id="recon-counts")
        table: PlainTable = PlainTable(cursor_type="row", zebra_stripes=True, id="recon")
        yield table
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#recon", DataTable)
        for key in COLUMNS:
            table.add_column(t(f"passes_ui.col_{key}"), key=key)
        self.reload()
        self.query_one("#recon-scan", Input).focus()

    def period(self) -> tuple[date, date]:
        now, tz = self.desk.now(), self.desk.settings.tz
        days = []
        for selector in ("#recon-from", "#recon-to"):
            typed = self.query_one(selector, Input).value
            try:
                moment = parse_when(typed, now, tz)
            except DeskError as error:
                raise DeskError("pass_error.bad_date", value=typed) from error
            days.append((moment or now).astimezone(tz).date())
        return days[0], days[1]

    def reload(self) -> None:
        try:
            start, end = self.period()
            with self.reading() as ctx:
                self.rows = passes.reconciliation(ctx, start, end)
        except DeskError as error:
            self.notify(error.message, severity="error")
            self.app.bell()
            return
        self.show_rows(start, end)

    def show_rows(self, start: date, end: date) -> None:
        now = self.desk.now()
        table = self.query_one("#recon", DataTable)
        with self.app.batch_update():
            table.clear()
            for row in self.rows:
                found = row.release_pass
                gate = ""
                if found.gate_checked_at:
                    gate = f"{found.guard_name} {self.desk.show_time(found.gate_checked_at)}"
                stub = stub_cell(found, now)
                if row.no_gate_check:
                    stub.append(f" {t('passes_ui.without_gate_check')}", style=ALARM)
                table.add_row(
                    found.number,
                    self.desk.show_time(found.created_at),
                    found.room,
                    mask_name(found.applicant),
                    str(row.items),
                    status_cell(found, now),
                    gate,
                    stub,
                    key=str(found.id),
                )
        self.query_one("#recon-counts", Static).update(self.counts(start, end))

    def counts(self, start: date, end: date) -> Text:
        statuses = Counter(row.status for row in self.rows)
        stubs = Counter(row.stub for row in self.rows)
        unchecked = sum(1 for row in self.rows if row.no_gate_check)
        period = start.isoformat() if start == end else f"{start.isoformat()} ~ {end.isoformat()}"
        text = Text(t("passes_ui.recon_counts", period=period, n=len(self.rows)) + "  ")
        parts = [f"{t(f'pass_status.{s}')} {statuses[s]}" for s in PassStatus if statuses[s]]
        text.append("  ".join(parts))
        text.append("\n")
        text.append(t("passes_ui.recon_stubs", back=stubs[StubStatus.returned]))
        missing = stubs[StubStatus.missing]
        text.append("  " + t("passes_ui.recon_missing", n=missing), style=ALARM if missing else "")
        text.append(
            "  " + t("passes_ui.recon_unchecked", n=unchecked),
            style=ALARM if unchecked else "",
        )
        return text

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "recon-scan":
            typed = event.value.strip()
            if typed:
                self.tick(typed)
            event.input.value = ""
            return
        self.reload()

    def tick(self, number: str) -> None:
        outcome = self.attempt(lambda ctx: passes.return_stub(ctx, number))
        if isinstance(outcome, DeskError):
            self.notify(outcome.message, severity="error")
            self.app.bell()
            return
        self.notify(t("passes_ui.stub_ticked", number=outcome.number))
        self.reload()
        table = self.query_one("#recon", DataTable)
        if str(outcome.id) in table.rows:
            table.move_cursor(row=table.get_row_index(str(outcome.id)))

    def action_tick(self) -> None:
        table = self.query_one("#recon", DataTable)
        if not table.row_count:
            return
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        found = next(
            (r.release_pass for r in self.rows if str(r.release_pass.id) == row_key.value), None
        )
        if found is not None:
            self.tick(found.number)

    def action_refresh(self) -> None:
        self.reload()

    def action_back(self) -> None:
        self.dismiss()
