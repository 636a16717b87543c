"""One incident: what happened and where, the nine steps of 001 as a checklist (each due, done
with who was called and who arrived, or not needed with the reason), security standing in at
the desk, the repair orders and complaints opened from it, and the history; one key per step,
offered while it is open (its service says which)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from desk import commands
from desk.forms.dialogs import ConfirmDialog, FormDialog
from desk.i18n import t
from desk.models import (
    AuditEvent,
    Finding,
    Incident,
    IncidentFollowUp,
    IncidentStandIn,
    IncidentStep,
)
from desk.screens.due import due_cell
from desk.screens.findings_panel import FindingsHost, FindingsPanel
from desk.screens.history import HistoryTable
from desk.screens.incident_dialogs import (
    ArriveDialog,
    CauseDialog,
    HandOnDialog,
    NotNeededDialog,
    StandInDialog,
    StepDialog,
)
from desk.screens.plain import field_grid, plain
from desk.services import audit, incident
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.findings import FindingIn
from desk.widgets.base import DeskFooter, RecordScreen


class IncidentDetailScreen(FindingsHost, RecordScreen):
    """Read-only view of an incident; each step opens its own dialog; its findings (things to
    put right, sent to a department and accepted on re-inspection) in the shared panel."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("incident_detail")
    DEFAULT_CSS = """
    IncidentDetailScreen #incident-title { padding: 0 1; height: 1; text-style: bold; }
    IncidentDetailScreen #incident-body { height: 1fr; padding: 0 1; }
    IncidentDetailScreen #incident-body Static { height: auto; }
    IncidentDetailScreen .section { height: 1; margin: 1 0 0 0; text-style: bold; }
    IncidentDetailScreen #incident-history { height: auto; max-height: 100%; }
    """

    def __init__(self, incident_id: int) -> None:
        super().__init__()
        self.incident_id = incident_id
        self.incident: Incident | None = None
        self.steps: list[IncidentStep] = []
        self.stand_ins: list[IncidentStandIn] = []
        self.follow_ups: list[tuple[IncidentFollowUp, str, bool]] = []
        self.blockers: list[DeskError] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="incident-title")
        with VerticalScroll(id="incident-body"):
            yield Static(id="incident-next")
            yield Static(id="incident-fields")
            yield Static(t("incident_ui.steps_title"), classes="section")
            yield Static(id="incident-steps")
            yield Static(t("incident_ui.stand_ins_title"), classes="section")
            yield Static(id="incident-stand-ins")
            yield Static(t("incident_ui.follow_ups_title"), classes="section")
            yield Static(id="incident-follow-ups")
            yield FindingsPanel("incident", self.incident_id)
            yield Static(t("repair_ui.history"), classes="section")
            yield HistoryTable(action_labels="incident_ui.action", id="incident-history")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.refresh_detail()

    def reread(self) -> None:
        self.refresh_detail()

    def refresh_detail(self) -> None:
        panel = self.panel()
        with self.reading() as ctx:
            panel.read(ctx)
            found = incident.get(ctx, self.incident_id)
            self.steps = incident.steps_of(ctx, self.incident_id)
            self.stand_ins = incident.stand_ins_of(ctx, self.incident_id)
            self.follow_ups = [
                (f, incident.follow_up_state(ctx, f), incident.follow_up_settled(ctx, f))
                for f in incident.follow_ups_of(ctx, self.incident_id)
            ]
            self.blockers = incident.close_blockers(ctx, found) if found.state == "open" else []
            events, names = audit.named_history(
                ctx, incident.REGISTER, self.incident_id, found.operator_id
            )
        self.incident = found
        title = t("incident_ui.detail_title", number=found.number)
        state = t(f"incident_state.{found.state}")
        self.query_one("#incident-title", Static).update(plain(f"{title}  {state}"))
        self.query_one("#incident-next", Static).update(self.next_line(found))
        self.query_one("#incident-fields", Static).update(self.fields_table(found, names))
        self.query_one("#incident-steps", Static).update(self.steps_table())
        self.query_one("#incident-stand-ins", Static).update(self.stand_ins_table())
        self.query_one("#incident-follow-ups", Static).update(self.follow_ups_table())
        panel.show(self)
        self.query_one(HistoryTable).show(events, names, self.event_detail)
        self.refresh_bindings()

    def next_line(self, found: Incident) -> Text:
        if found.state != "open":
            return Text("")
        following = incident.next_step(self.steps)
        if following is None:
            if not self.blockers:
                return Text(t("incident_ui.ready_to_close"), style="green")
            return Text("; ".join(b.message for b in self.blockers), style="yellow")
        show = self.desk.show_time(following.due_at)
        words = t(f"incident_step.{following.key}")
        return due_cell(following.due_at, self.desk.now(), f"{words}: {show}")

    def fields_table(self, found: Incident, names: dict[int, str]) -> Table:
        show = self.desk.show_time
        rules = self.desk.settings.incidents
        lang = self.desk.lang
        kind = rules.kind(found.kind)
        severity = rules.severity(found.severity)
        rows: list[tuple[str, str | Text]] = [
            (t("fields.happened_at"), show(found.happened_at)),
            (
                t("fields.incident_place"),
                f"{t(f'place_kind.{found.place_kind}')}  {incident.place_text(found)}",
            ),
            (t("fields.what"), found.what),
            (t("fields.reported_by"), f"{found.reported_by}  {found.reporter_phone}"),
            (t("fields.first_judgement"), found.first_judgement),
            (
                t("fields.incident_kind"),
                f"{kind.label(lang) if kind else found.kind} / "
                f"{severity.label(lang) if severity else found.severity}",
            ),
            (t("fields.cause"), found.cause),
            (t("fields.operator"), f"{names.get(found.operator_id, '')}  {show(found.created_at)}"),
        ]
        if found.night_log_id:
            rows.append((t("fields.night_log_id"), f"#{found.night_log_id}"))
        if found.closed_at:
            rows.append(
                (t("incident_state.closed"), f"{show(found.closed_at)}  {found.close_note}")
            )
        return field_grid((label, value) for label, value in rows if value)

    def steps_table(self) -> Table:
        show = self.desk.show_time
        now = self.desk.now()
        table = Table(box=None, padding=(0, 1), show_edge=False)
        for key in ("step", "due", "state"):  # short, on one line each: the rest folds
            table.add_column(t(f"incident_ui.col_step_{key}"), no_wrap=True)
        for key in ("called", "arrived"):
            table.add_column(t(f"incident_ui.col_step_{key}"))
        for row in self.steps:
            if row.state == "pending":
                due: Text = due_cell(row.due_at, now, show(row.due_at))
                state = Text(t("step_state.pending"), style="bold")
            else:
                due = Text(show(row.due_at), style="dim")
                state = Text(t(f"step_state.{row.state}"), style="green")
            called = f"{row.called} {show(row.called_at)}".strip() if row.called else row.reason
            if row.reference:
                called += f" [{row.reference}]"
            arrived = f"{row.arrived} {show(row.arrived_at)}".strip() if row.arrived else ""
            # the step's short name, as the board gives it (the whole name: F1 and the dialogs)
            name = t(f"due_kind.incident_{row.key}")
            table.add_row(name, due, state, plain(called), plain(arrived))
        return table

    def stand_ins_table(self) -> Table | Text:
        if not self.stand_ins:
            return Text(t("incident_ui.none_yet"), style="dim")
        show = self.desk.show_time
        table = Table(box=None, padding=(0, 1), show_edge=False)
        for key in ("who", "from_at", "until_at"):
            table.add_column(t(f"fields.{key}"))
        for row in self.stand_ins:
            until = show(row.until_at) if row.until_at else t("incident_ui.still_holding")
            table.add_row(plain(row.who), show(row.from_at), until)
        return table

    def follow_ups_table(self) -> Table | Text:
        if not self.follow_ups:
            return Text(t("incident_ui.none_yet"), style="dim")
        table = Table(box=None, padding=(0, 1), show_edge=False)
        for key in ("number", "register", "state", "handed_on"):
            table.add_column(t(f"incident_ui.col_follow_{key}"))
        for row, state, settled in self.follow_ups:
            words = state
            if state:
                section = "repair_state" if row.register_name == "repairs" else "complaint_state"
                words = t(f"{section}.{state}")
            table.add_row(
                row.number,
                t(f"registers.{row.register_name}"),
                Text(words, style="dim" if settled else "bold"),
                plain(row.handed_on_note),
            )
        return table

    def event_detail(self, event: AuditEvent) -> str:
        data: dict[str, Any] = audit.event_data(event)
        parts = [
            str(data.get(key, ""))
            for key in (
                "step",
                "called",
                "arrived",
                "reference",
                "reason",
                "cause",
                "who",
                "number",
                "note",
            )
        ]
        if data.get("late"):
            parts.append(t("incident_ui.late"))
        parts.append(event.reason)
        return "; ".join(part for part in parts if part)

    # --- keys -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The incident's steps (one key each) as its service offers them now; the findings
        panel's keys as the selected finding allows."""
        panel = self.finding_action_allowed(action)
        if panel is not None:
            return panel
        steps = {
            "record_step": "record_step",
            "not_needed": "not_needed",
            "arrive": "arrive",
            "record_cause": "record_cause",
            "stand_in": "stand_in",
            "end_stand_in": "end_stand_in",
            "new_repair": "follow_up",
            "new_complaint": "follow_up",
            "hand_on": "hand_on",
            "close_incident": "close",
        }
        if action not in steps:
            return True
        return steps[action] in incident.allowed_actions(self.incident)

    def action_refresh(self) -> None:
        self.refresh_detail()

    def raise_finding_with(self) -> Callable[[Ctx, FindingIn], Finding] | None:
        """A finding is raised on the incident while it is open (then it is history)."""
        if self.incident is None or "follow_up" not in incident.allowed_actions(self.incident):
            return None
        incident_id = self.incident_id
        return lambda ctx, data: incident.raise_finding(ctx, incident_id, data)

    def action_back(self) -> None:
        self.dismiss()

    def open_dialog(self, dialog: FormDialog[Any]) -> None:
        def done(saved: object) -> None:
            self.refresh_detail()
            if saved is not None and self.incident is not None:
                self.notify(t("incident_ui.done", number=self.incident.number))

        self.app.push_screen(dialog, callback=done)

    def _found(self) -> Incident | None:
        return (
            self.incident if self.incident is not None and self.incident.state == "open" else None
        )

    def action_record_step(self) -> None:
        if (found := self._found()) is not None:
            if incident.next_step(self.steps) is None:
                self.notify(t("incident_ui.no_step_left"), severity="warning")
                return
            self.open_dialog(StepDialog(found, self.steps))

    def action_not_needed(self) -> None:
        if (found := self._found()) is not None:
            if incident.next_step(self.steps) is None:
                self.notify(t("incident_ui.no_step_left"), severity="warning")
                return
            self.open_dialog(NotNeededDialog(found, self.steps))

    def action_arrive(self) -> None:
        if (found := self._found()) is not None:
            if not any(s.state == "done" and not s.arrived for s in self.steps):
                self.notify(t("incident_ui.no_arrival_owed"), severity="warning")
                return
            self.open_dialog(ArriveDialog(found, self.steps))

    def action_record_cause(self) -> None:
        if (found := self._found()) is not None:
            self.open_dialog(CauseDialog(found))

    def action_stand_in(self) -> None:
        if (found := self._found()) is not None:
            self.open_dialog(StandInDialog(found))

    def action_end_stand_in(self) -> None:
        holding = [s for s in self.stand_ins if s.until_at is None]
        if self._found() is None or not holding:
            self.notify(t("incident_error.no_stand_in"), severity="warning")
            return
        stand_in_id = holding[0].id or 0
        self.run_step(lambda ctx: incident.end_stand_in(ctx, self.incident_id, stand_in_id))

    def action_hand_on(self) -> None:
        if (found := self._found()) is None:
            return
        open_ones = [f for f, _state, settled in self.follow_ups if not settled]
        if not open_ones:
            self.notify(t("incident_ui.nothing_to_hand_on"), severity="warning")
            return
        self.open_dialog(HandOnDialog(found, open_ones))

    def action_new_repair(self) -> None:
        self.follow_up("repairs")

    def action_new_complaint(self) -> None:
        self.follow_up("complaints")

    def follow_up(self, register: str) -> None:
        found = self._found()
        if found is None:
            return
        incident_id = self.incident_id

        def link(ctx: Ctx, record_id: int) -> None:
            # in the record's own saving transaction: both saved, or neither
            incident.link(ctx, incident_id, register, record_id)

        screen: FormDialog[int | None]
        with self.reading() as ctx:
            if register == "repairs":
                from desk.screens.repair_entry import RepairFormScreen

                screen = RepairFormScreen(prefill=incident.repair_prefill(ctx, found), after=link)
            else:
                from desk.screens.complaint_entry import ComplaintFormScreen

                screen = ComplaintFormScreen(
                    prefill=incident.complaint_prefill(ctx, found), after=link
                )
        self.app.push_screen(screen, callback=lambda _saved: self.refresh_detail())

    def run_step(self, call: Callable[[Ctx], object]) -> None:
        outcome = self.attempt(call)
        if isinstance(outcome, DeskError):
            self.notify(outcome.message, severity="error")
        self.refresh_detail()

    def action_close_incident(self) -> None:
        found = self._found()
        if found is None:
            return
        if self.blockers:
            self.notify("\n".join(b.message for b in self.blockers), severity="error")
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            outcome = self.attempt(lambda ctx: incident.close(ctx, self.incident_id))
            if isinstance(outcome, DeskError):
                self.notify(outcome.message, severity="error")
            else:
                self.notify(t("incident_ui.closed", number=outcome.number))
            self.refresh_detail()

        question = t("incident_ui.close_question", number=found.number)
        self.app.push_screen(ConfirmDialog(question), callback=answered)
