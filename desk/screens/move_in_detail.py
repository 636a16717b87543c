"""One move-in case: the owner and the appointment, the checklist (papers, agreements, fees,
items), the meter readings, the inspection's problems in the shared findings panel (raise, send,
rectified, re-inspect with the owner), 托管 and its patrols, and the history. Every step's key
is offered as the case's state allows (desk.services.move_in.LIFECYCLE)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from desk import commands
from desk.i18n import t
from desk.models import AuditEvent, Finding, MoveIn, MoveInReading, PatrolRound
from desk.screens import move_in_dialogs as dialogs
from desk.screens.findings_panel import FindingsHost, FindingsPanel
from desk.screens.history import HistoryTable
from desk.screens.plain import Fit, field_grid, plain
from desk.screens.printout import deliver
from desk.screens.record_table import RecordTable
from desk.services import audit, move_in
from desk.services.context import Ctx
from desk.services.findings import FindingIn
from desk.widgets.base import DeskFooter, RecordScreen

READING_COLUMNS = ("kind", "read_at", "water", "electricity", "gas", "flag")
READING_FIT = Fit("flag", least=4, most=30)
# the page's actions -> (the LIFECYCLE step, the dialog)
STEPS: dict[str, tuple[str, type[dialogs.CaseDialog]]] = {
    "check_documents": ("check_documents", dialogs.DocumentsDialog),
    "papers": ("papers", dialogs.PapersDialog),
    "meters": ("meters", dialogs.MetersDialog),
    "inspect": ("inspect", dialogs.InspectDialog),
    "book_reinspection": ("book_reinspection", dialogs.ReinspectionDialog),
    "start_custody": ("start_custody", dialogs.CustodyDialog),
    "custody_patrol": ("custody_patrol", dialogs.CustodyPatrolDialog),
    "end_custody": ("end_custody", dialogs.EndCustodyDialog),
}


def tick(done: bool) -> str:
    return "✓" if done else "·"


class MoveInDetailScreen(FindingsHost, RecordScreen):
    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("move_in_detail")
    DEFAULT_CSS = """
    MoveInDetailScreen #move-in-title { padding: 0 1; height: 1; text-style: bold; }
    MoveInDetailScreen #move-in-body { height: 1fr; padding: 0 1; }
    MoveInDetailScreen #move-in-body Static { height: auto; }
    MoveInDetailScreen .section { height: 1; margin: 1 0 0 0; text-style: bold; }
    MoveInDetailScreen #readings { height: auto; max-height: 10; }
    MoveInDetailScreen #move-in-history { height: auto; max-height: 100%; }
    """

    def __init__(self, case_id: int) -> None:
        super().__init__()
        self.case_id = case_id
        self.case: MoveIn | None = None
        self.readings: list[MoveInReading] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="move-in-title")
        with VerticalScroll(id="move-in-body"):
            yield Static(id="move-in-fields")
            yield Static(t("move_in_ui.checklist"), classes="section")
            yield Static(id="move-in-checklist")
            yield Static(t("move_in_ui.readings"), classes="section")
            yield RecordTable(id="readings", fit=READING_FIT)
            yield FindingsPanel("move_in", self.case_id)
            yield Static(id="move-in-custody")
            yield Static(t("repair_ui.history"), classes="section")
            yield HistoryTable(action_labels="move_in_ui.action", id="move-in-history")
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#readings", RecordTable)
        table.styles.height, table.styles.max_height = "auto", 10
        for key in READING_COLUMNS:
            table.add_column(t(f"move_in_ui.col_{key}"), key=key)
        self.refresh_detail()
        table.focus()

    def reread(self) -> None:
        self.refresh_detail()

    def refresh_detail(self) -> None:
        panel = self.panel()
        with self.reading() as ctx:
            found = move_in.get(ctx, self.case_id)
            self.readings = move_in.readings_of(ctx, self.case_id)
            rounds: list[PatrolRound] = move_in.patrols_of(ctx, self.case_id)
            patrol_due = move_in.custody_patrol_due(ctx, found)
            events, who = audit.named_history(
                ctx, move_in.REGISTER, self.case_id, found.operator_id
            )
            panel.read(ctx)
        self.case = found
        state = t(f"move_in_state.{found.state}")
        title = t("move_in_ui.detail_title", number=found.number)
        self.query_one("#move-in-title", Static).update(plain(f"{title}  {state}"))
        show = self.desk.show_time
        rows: list[tuple[str, str | Text]] = [
            (t("fields.room"), found.room),
            (t("fields.owner_name"), found.owner_name),
            (t("fields.phone"), found.phone),
            (t("fields.applicant_kind"), t(f"move_in_applicant.{found.applicant_kind}")),
            (t("fields.agent_name"), found.agent_name),
            (t("fields.booked_for"), show(found.booked_for)),
            (t("fields.inspected_by"), found.inspected_by),
            (t("fields.reinspect_at"), show(found.reinspect_at) if found.reinspect_at else ""),
            (t("fields.note"), found.note),
            (t("fields.operator"), who.get(found.operator_id, "")),
        ]
        self.query_one("#move-in-fields", Static).update(field_grid((k, v) for k, v in rows if v))
        self.query_one("#move-in-checklist", Static).update(plain(self.checklist(found)))
        self.show_readings()
        custody = ""
        if found.custody_from is not None:
            parts = [
                f"{t('fields.agreement')} {found.custody_agreement}",
                f"{t('fields.custody_keys')} {found.custody_keys}",
                show(found.custody_from)
                + (f" → {show(found.custody_to)}" if found.custody_to else ""),
                t("move_in_ui.patrols", n=len(rounds)),
            ]
            if patrol_due is not None:
                parts.append(t("move_in_ui.patrol_due", when=show(patrol_due)))
            custody = f"{t('move_in_ui.custody')}: " + "  ".join(parts)
        self.query_one("#move-in-custody", Static).update(plain(custody))
        panel.show(self)
        self.query_one(HistoryTable).show(events, who, self.event_detail)
        self.refresh_bindings()

    def checklist(self, found: MoveIn) -> str:
        needed = move_in.DOCUMENTS[found.applicant_kind]
        lines = [
            "  ".join(f"{tick(getattr(found, n))}{t(f'fields.{n}')}" for n in needed),
            "  ".join(f"{tick(getattr(found, n))}{t(f'fields.{n}')}" for n in move_in.AGREEMENTS),
            f"{t('move_in_ui.fee')} ¥{found.fee_fen / 100:.2f}  "
            f"{t('fields.fee_receipt')} {found.fee_receipt or '—'}",
            f"{t('fields.keys_handed')} {found.keys_handed}  "
            f"{tick(found.handbook_handed)}{t('fields.handbook_handed')}  "
            f"{tick(found.drawings_handed)}{t('fields.drawings_handed')}  "
            f"{t('fields.items_signed_by')} {found.items_signed_by or '—'}",
        ]
        if found.meters_confirmed_by:
            lines.append(f"{t('fields.confirmed_by')} {found.meters_confirmed_by}")
        return "\n".join(lines)

    def show_readings(self) -> None:
        table = self.query_one("#readings", RecordTable)
        table.clear()
        for read in self.readings:
            flag = Text("")
            if read.over_limit:
                told = (
                    t("move_in_ui.told", who=read.owner_told_by)
                    if read.owner_told_at
                    else t("move_in_ui.not_told")
                )
                flag = Text(f"{t('due_kind.over_limit')} {told}", style="bold red")
            table.add_row(
                t(f"reading_kind.{read.kind}"),
                self.desk.show_time(read.read_at),
                f"{read.water:g}",
                f"{read.electricity:g}",
                f"{read.gas:g}",
                flag,
                key=str(read.id),
            )

    def event_detail(self, event: AuditEvent) -> str:
        data: dict[str, Any] = audit.event_data(event)
        keys = ("finding", "what", "inspected_by", "reason", "round", "told_by", "agreement")
        parts = [str(data[key]) for key in keys if data.get(key)]
        return "; ".join(parts)

    # --- the findings panel: problems are raised through the case's own step -----------------

    def raise_finding_with(self) -> Callable[[Ctx, FindingIn], Finding] | None:
        if "problem" not in move_in.allowed_actions(self.case):
            return None

        def save(ctx: Ctx, data: FindingIn) -> Finding:
            return move_in.raise_problem(ctx, self.case_id, data)

        return save

    # --- keys -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        panel = self.finding_action_allowed(action)
        if panel is not None:
            return panel
        allowed = move_in.allowed_actions(self.case)
        if action in STEPS:
            return STEPS[action][0] in allowed
        if action in ("complete", "tell_owner"):
            return action in allowed
        if action == "cancel_move_in":
            return "cancel" in allowed
        if action == "custody":
            return bool({"start_custody", "end_custody"} & allowed)
        return True

    def action_refresh(self) -> None:
        self.refresh_detail()

    def action_back(self) -> None:
        self.dismiss()

    def step(self, action: str) -> None:
        found = self.case
        if found is None:
            return
        dialog = STEPS[action][1](found)
        self.app.push_screen(dialog, callback=self.saved)

    def saved(self, outcome: object) -> None:
        self.refresh_detail()
        if outcome is not None and self.case is not None:
            state = t(f"move_in_state.{self.case.state}")
            self.notify(t("move_in_ui.done", number=self.case.number, state=state))

    def action_check_documents(self) -> None:
        self.step("check_documents")

    def action_papers(self) -> None:
        self.step("papers")

    def action_meters(self) -> None:
        self.step("meters")

    def action_inspect(self) -> None:
        self.step("inspect")

    def action_book_reinspection(self) -> None:
        self.step("book_reinspection")

    def action_custody(self) -> None:
        """托管 begins (a completed case) or ends (one in our care)."""
        allowed = move_in.allowed_actions(self.case)
        self.step("end_custody" if "end_custody" in allowed else "start_custody")

    def action_custody_patrol(self) -> None:
        self.step("custody_patrol")

    def action_print_archive(self) -> None:
        if self.case is not None:
            with self.reading() as ctx:
                readings = move_in.readings_of(ctx, self.case_id)
                problems = move_in.problems_of(ctx, self.case_id)
            self.print_archive(self.case, readings, problems)

    @work(thread=True, exclusive=True, exit_on_error=False, group="print")
    def print_archive(
        self, found: MoveIn, readings: list[MoveInReading], problems: list[Finding]
    ) -> None:
        """The archive sheet as text and PDF beside the database, and to the site's printer."""
        from desk.printing import move_in_archive

        app = self.desk
        settings = app.settings
        clerk = app.operator.name if app.operator else ""
        extra: dict[str, Any] = {"clerk": clerk, "printed_at": app.now()}
        deliver(
            app,
            found.number,
            lambda: move_in_archive.move_in_archive_text(
                found, readings, problems, settings, **extra
            ),
            lambda pdf: move_in_archive.move_in_archive_pdf(
                found, readings, problems, settings, pdf, **extra
            ),
            written="move_in_archive.print_written",
        )

    def action_cancel_move_in(self) -> None:
        """A booking called off: a supervisor's (pressing it says why not), with the reason."""
        found = self.case
        who = move_in.LIFECYCLE.who("cancel")
        if found is None or (who is not None and self.refused(who.require)):
            return
        self.app.push_screen(dialogs.CancelDialog(found), callback=self.saved)

    def action_complete(self) -> None:
        outcome = self.attempt(lambda ctx: move_in.complete(ctx, self.case_id))
        if isinstance(outcome, Exception):
            self.notify(outcome.message, severity="error")
            self.refresh_detail()
            return
        self.saved(outcome)

    def action_tell_owner(self) -> None:
        found = self.case
        untold = [r for r in self.readings if r.over_limit and r.owner_told_at is None]
        if found is None or not untold:
            self.notify(t("move_in_ui.nothing_to_tell"), severity="warning")
            return
        self.app.push_screen(dialogs.TellOwnerDialog(found, untold[0]), callback=self.saved)
