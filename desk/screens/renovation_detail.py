"""One renovation: the application, its papers and money, the inspection rounds, the supervision
visits and the history; one key per step, offered as the record's state allows (its service
says which), and the printed permit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from desk import commands
from desk.forms.dialogs import ConfirmDialog
from desk.i18n import listed, t
from desk.models import AuditEvent, Renovation, RenovationInspection, RenovationVisit
from desk.screens.due import due_cell
from desk.screens.history import HistoryTable
from desk.screens.new_here import NewRepairHere
from desk.screens.plain import field_grid, plain
from desk.screens.printout import deliver
from desk.screens.renovation_dialogs import (
    ApproveDialog,
    DocumentsDialog,
    EngineeringDialog,
    FinishDialog,
    InspectDialog,
    PermitDialog,
    RebookDialog,
    RefundDialog,
    RefuseDialog,
    RenovationDialog,
    ResumeDialog,
    StartDialog,
    VisitDialog,
    WithdrawDialog,
)
from desk.services import audit, findings, patrol, renovation
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.widgets.base import DeskFooter, RecordScreen

# each step's dialog (archive asks a yes or no instead)
DIALOGS: dict[str, Callable[[Renovation], RenovationDialog]] = {
    "complete": DocumentsDialog,
    "to_engineering": EngineeringDialog,
    "approve": ApproveDialog,
    "refuse": RefuseDialog,
    "issue_permit": PermitDialog,
    "start_works": StartDialog,
    "visit": VisitDialog,
    "resume": ResumeDialog,
    "finish": FinishDialog,
    "inspect": InspectDialog,
    "rebook": RebookDialog,
    "refund": RefundDialog,
    "withdraw": WithdrawDialog,
}


def _visit_findings(ctx: Ctx, renovation_id: int) -> dict[Any, str]:
    """Each visit's round (XC-…) and its findings' numbers and states, by the visit's time (a
    visit is a round of the patrol register: desk.services.renovation.visit)."""
    rounds = patrol.of_renovation(ctx, renovation_id)
    raised = findings.of_owners(ctx, "patrol", [r.id for r in rounds if r.id is not None])
    out: dict[Any, str] = {}
    for walked in rounds:
        parts = [walked.number] + [
            f"{f.number} {t(f'finding_state.{f.state}')}" for f in raised.get(walked.id or 0, [])
        ]
        out[walked.started_at] = " ".join(parts)
    return out


def yuan(fen: int | None) -> str:
    return "" if fen is None else f"¥{fen // 100}.{fen % 100:02d}"


def yes_no(value: bool) -> str:
    return t("app.yes") if value else t("app.no")


class RenovationDetailScreen(NewRepairHere, RecordScreen):
    """Read-only view of a renovation; each step opens its own dialog."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("renovation_detail")
    DEFAULT_CSS = """
    RenovationDetailScreen #renovation-title { padding: 0 1; height: 1; text-style: bold; }
    RenovationDetailScreen #renovation-body { height: 1fr; padding: 0 1; }
    RenovationDetailScreen #renovation-body Static { height: auto; }
    RenovationDetailScreen .section { height: 1; margin: 1 0 0 0; text-style: bold; }
    RenovationDetailScreen #renovation-history { height: auto; max-height: 100%; }
    """

    def __init__(self, renovation_id: int) -> None:
        super().__init__()
        self.renovation_id = renovation_id
        self.renovation: Renovation | None = None
        self.inspections: list[RenovationInspection] = []
        self.visits: list[RenovationVisit] = []
        # each visit's round of the patrol register and its findings, by the visit's time
        self.visit_findings: dict[Any, str] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="renovation-title")
        with VerticalScroll(id="renovation-body"):
            yield Static(id="renovation-next")
            yield Static(id="renovation-fields")
            yield Static(t("renovation_ui.papers_title"), classes="section")
            yield Static(id="renovation-papers")
            yield Static(t("renovation_ui.inspections_title"), classes="section")
            yield Static(id="renovation-inspections")
            yield Static(t("renovation_ui.visits_title"), classes="section")
            yield Static(id="renovation-visits")
            yield Static(t("repair_ui.history"), classes="section")
            yield HistoryTable(action_labels="renovation_ui.action", id="renovation-history")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.refresh_detail()

    def reread(self) -> None:
        self.refresh_detail()

    def refresh_detail(self) -> None:
        with self.reading() as ctx:
            found = renovation.get(ctx, self.renovation_id)
            self.inspections = renovation.inspections_of(ctx, self.renovation_id)
            self.visits = renovation.visits_of(ctx, self.renovation_id)
            self.visit_findings = _visit_findings(ctx, self.renovation_id)
            events, names = audit.named_history(
                ctx, renovation.REGISTER, self.renovation_id, found.operator_id
            )
            owed = renovation.owed(ctx, found)
        self.renovation = found
        title = t("renovation_ui.detail_title", number=found.number)
        state = t(f"renovation_state.{found.state}")
        self.query_one("#renovation-title", Static).update(plain(f"{title}  {state}"))
        self.query_one("#renovation-next", Static).update(self.next_line(found, owed))
        self.query_one("#renovation-fields", Static).update(self.fields_table(found, names))
        self.query_one("#renovation-papers", Static).update(self.papers_table(found))
        self.query_one("#renovation-inspections", Static).update(self.inspections_table())
        self.query_one("#renovation-visits", Static).update(self.visits_table())
        self.query_one(HistoryTable).show(events, names, self.event_detail)
        self.refresh_bindings()

    def next_line(self, found: Renovation, owed: Any) -> Text:
        """What is owed now and by when, coloured by its urgency."""
        if owed is None or owed.due_at is None:
            return Text("")
        show = self.desk.show_time(owed.due_at)
        words = t(f"due_kind.{owed.due_kind}")
        return due_cell(owed.due_at, self.desk.now(), f"{words}: {show}")

    def fields_table(self, found: Renovation, names: dict[int, str]) -> Table:
        show = self.desk.show_time
        kind = t(f"applicant_kind.{found.applicant_kind}")
        rows: list[tuple[str, str | Text]] = [
            (t("fields.room"), found.room),
            (t("fields.applicant"), f"{found.applicant}（{kind}）  {found.applicant_phone}"),
        ]
        if found.owner_confirmed_by:
            line = t(
                "renovation_ui.confirmation_line",
                who=found.owner_confirmed_by,
                phone=found.owner_phone_called,
                at=show(found.owner_confirmed_at),
            )
            rows.append((t("renovation_ui.label_confirmation"), line))
        rows += [
            (
                t("fields.contractor"),
                f"{found.contractor}  {found.contractor_licence}  "
                f"{found.contractor_person} {found.contractor_phone}",
            ),
            (
                t("renovation_ui.label_works"),
                f"{found.planned_start.isoformat()} -> {found.planned_end.isoformat()}",
            ),
            (t("fields.scope"), found.scope),
            (t("renovation_ui.label_special"), self.special_line(found)),
            (t("fields.operator"), f"{names.get(found.operator_id, '')}  {show(found.created_at)}"),
        ]
        if found.approval_due_at:
            rows.append((t("renovation_ui.label_approval_due"), show(found.approval_due_at)))
        if found.decided_at:
            rows.append((t("fields.decided_by"), f"{found.decided_by}  {show(found.decided_at)}"))
        if found.refusal_reason:
            rows.append((t("fields.refusal_reason"), found.refusal_reason))
        if found.permit_number:
            permit = f"{found.permit_number}  {show(found.permit_issued_at)}"
            rows.append((t("renovation_ui.label_permit"), permit))
        if found.works_started_at:
            rows.append((t("fields.works_started_at"), show(found.works_started_at)))
        if found.suspend_reason:
            suspended = f"{show(found.suspended_at)}  {found.suspend_reason}"
            rows.append((t("renovation_state.suspended"), suspended))
        if found.works_finished_at:
            rows.append((t("fields.works_finished_at"), show(found.works_finished_at)))
        if found.inspection_booked_for:
            rows.append((t("fields.inspection_booked_for"), show(found.inspection_booked_for)))
        if found.refund_due_on:
            rows.append((t("renovation_ui.label_refund_due"), found.refund_due_on.isoformat()))
        if found.refunded_at:
            refunded = t(
                "renovation_ui.refund_line",
                refund=yuan(found.refund_fen),
                withheld=yuan(found.withheld_fen),
                at=show(found.refunded_at),
            )
            rows.append((t("fields.refund"), refunded))
        if found.withheld_reason:
            rows.append((t("fields.withheld_reason"), found.withheld_reason))
            rows.append((t("fields.damage_note"), found.damage_note))
        if found.withdrawn_at:
            withdrawn = f"{show(found.withdrawn_at)}  {found.withdraw_reason}"
            rows.append((t("renovation_state.withdrawn"), withdrawn))
        if found.archived_at:
            rows.append((t("renovation_state.archived"), show(found.archived_at)))
        return field_grid((label, value) for label, value in rows if value)

    def special_line(self, found: Renovation) -> str:
        works = renovation.special_works(self.desk.settings, found)
        if not works:
            return t("renovation_ui.no_special_works")
        named = listed(t(f"special_work.{work}") for work in works)
        signed = yes_no(found.undertaking_signed)
        return t("renovation_ui.special_line", works=named, signed=signed)

    def papers_table(self, found: Renovation) -> Table:
        rows: list[tuple[str, str | Text]] = [
            (t(f"fields.{name}"), self.tick(getattr(found, name))) for name in renovation.DOCUMENTS
        ]
        rows += [
            (t("fields.deposit"), f"{yuan(found.deposit_fen)}  {found.deposit_receipt}"),
            (t("fields.debris_fee"), f"{yuan(found.debris_fee_fen)}  {found.debris_fee_receipt}"),
        ]
        return field_grid(rows)

    @staticmethod
    def tick(value: bool) -> Text:
        if value:
            return Text(t("renovation_ui.seen"), style="green")
        return Text(t("renovation_ui.missing"), style="bold red")

    def inspections_table(self) -> Table | Text:
        if not self.inspections:
            return Text(t("renovation_ui.none_yet"), style="dim")
        table = Table(box=None, padding=(0, 1), show_edge=False)
        for key in ("round", "at", "inspector", "result", "findings"):
            table.add_column(t(f"renovation_ui.col_inspection_{key}"))
        for row in self.inspections:
            table.add_row(
                str(row.round),
                self.desk.show_time(row.inspected_at),
                plain(row.inspector),
                t(f"inspection_result.{row.result}"),
                plain(row.findings),
            )
        return table

    def visits_table(self) -> Table | Text:
        if not self.visits:
            return Text(t("renovation_ui.none_yet"), style="dim")
        table = Table(box=None, padding=(0, 1), show_edge=False)
        for key in ("at", "department", "visitor", "findings"):
            table.add_column(t(f"renovation_ui.col_visit_{key}"))
        for row in self.visits:
            findings = Text(row.findings or t("renovation_ui.all_in_order"))
            if row.visited_at in self.visit_findings:
                findings.append(f"  {self.visit_findings[row.visited_at]}", style="dim")
            if row.suspended:
                findings.append(f"  [{t('renovation_state.suspended')}]", style="bold red")
            table.add_row(
                self.desk.show_time(row.visited_at),
                t(f"visit_department.{row.department}"),
                plain(row.visitor),
                plain(findings),
            )
        return table

    def event_detail(self, event: AuditEvent) -> str:
        data: dict[str, Any] = audit.event_data(event)
        parts = [
            str(data.get(key, ""))
            for key in (
                "permit_number",
                "engineer",
                "inspector",
                "visitor",
                "findings",
                "repair_number",
                "complaint_number",
                "note",
            )
        ]
        if data.get("late"):
            parts.append(t("renovation_ui.late"))
        if "refund_fen" in data:
            parts.append(yuan(int(data["refund_fen"])))
        parts.append(event.reason)
        return "; ".join(part for part in parts if part)

    # --- keys -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The renovation's steps (one key each) as its service offers them now."""
        if action in ("print_permit", "worker_passes"):
            return self.renovation is not None and bool(self.renovation.permit_number)
        if action not in renovation.LIFECYCLE.steps:
            return True
        return action in renovation.allowed_actions(self.renovation)

    def action_refresh(self) -> None:
        self.refresh_detail()

    def action_back(self) -> None:
        self.dismiss()

    def step(self, action: str) -> None:
        """Open the step's dialog; a step only a supervisor may take says so first."""
        found = self.renovation
        if found is None:
            return
        who = renovation.LIFECYCLE.who(action)
        if who is not None and self.refused(who.require):
            return

        def done(saved: object) -> None:
            self.refresh_detail()
            if saved is not None and self.renovation is not None:
                state = t(f"renovation_state.{self.renovation.state}")
                self.notify(t("renovation_ui.done", number=self.renovation.number, state=state))

        self.app.push_screen(DIALOGS[action](found), callback=done)

    def action_complete(self) -> None:
        self.step("complete")

    def action_to_engineering(self) -> None:
        self.step("to_engineering")

    def action_approve(self) -> None:
        self.step("approve")

    def action_refuse(self) -> None:
        self.step("refuse")

    def action_issue_permit(self) -> None:
        self.step("issue_permit")

    def action_start_works(self) -> None:
        self.step("start_works")

    def action_visit(self) -> None:
        self.step("visit")

    def action_resume(self) -> None:
        self.step("resume")

    def action_finish(self) -> None:
        self.step("finish")

    def action_inspect(self) -> None:
        self.step("inspect")

    def action_rebook(self) -> None:
        self.step("rebook")

    def action_refund(self) -> None:
        self.step("refund")

    def action_withdraw(self) -> None:
        self.step("withdraw")

    def action_archive(self) -> None:
        found = self.renovation
        if found is None:
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            outcome = self.attempt(lambda ctx: renovation.archive(ctx, self.renovation_id))
            if isinstance(outcome, DeskError):
                self.notify(outcome.message, severity="error")
            else:
                self.notify(t("renovation_ui.archived", number=outcome.number))
            self.refresh_detail()

        question = t("renovation_ui.archive_question", number=found.number)
        self.app.push_screen(ConfirmDialog(question), callback=answered)

    # --- printing ---------------------------------------------------------------------

    def action_worker_passes(self) -> None:
        """The workers' passes of this renovation; ctrl+n there issues one for it."""
        from desk.screens.worker_passes import WorkerPassesScreen

        if self.renovation is not None and self.renovation.permit_number:
            self.app.push_screen(WorkerPassesScreen(self.renovation.number))

    def action_print_permit(self) -> None:
        if self.renovation is not None and self.renovation.permit_number:
            self.print_permit(self.renovation)

    @work(thread=True, exclusive=True, exit_on_error=False, group="print")
    def print_permit(self, found: Renovation) -> None:
        """The permit as text and PDF beside the database, and to the site's printer."""
        from desk.printing import renovation_permit

        app = self.desk
        settings = app.settings
        clerk = app.operator.name if app.operator else ""
        extra: dict[str, Any] = {"clerk": clerk, "printed_at": app.now()}
        deliver(
            app,
            found.permit_number,
            lambda: renovation_permit.renovation_permit_text(found, settings, **extra),
            lambda pdf: renovation_permit.renovation_permit_pdf(found, settings, pdf, **extra),
            written="renovation_ui.print_written",
        )
