"""One patrol round: who walked which route and when, each checkpoint (ok, a finding, not yet),
the round's findings in the shared panel (raise, send, rectified, re-inspect), and its history.
ctrl+k marks the selected checkpoint ok, ctrl+f records a finding there, ctrl+e ends the round."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from desk import commands
from desk.forms.dialogs import ConfirmDialog
from desk.i18n import t
from desk.models import AuditEvent, Finding, PatrolPoint, PatrolRound, PointResult
from desk.screens.finding_dialogs import RaiseFindingDialog
from desk.screens.findings_panel import FindingsHost, FindingsPanel
from desk.screens.history import HistoryTable
from desk.screens.plain import Fit, field_grid, plain
from desk.screens.record_table import RecordTable
from desk.services import audit, patrol, renovation
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.findings import FindingIn
from desk.widgets.base import DeskFooter, RecordScreen

POINT_COLUMNS = ("checkpoint", "result", "note")
POINT_FIT = Fit("note", least=8, most=40)
RESULT_STYLE = {PointResult.ok: "green", PointResult.finding: "bold red", PointResult.pending: ""}


class PatrolDetailScreen(FindingsHost, RecordScreen):
    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("patrol_detail")
    DEFAULT_CSS = """
    PatrolDetailScreen #patrol-title { padding: 0 1; height: 1; text-style: bold; }
    PatrolDetailScreen #patrol-body { height: 1fr; padding: 0 1; }
    PatrolDetailScreen #patrol-body Static { height: auto; }
    PatrolDetailScreen .section { height: 1; margin: 1 0 0 0; text-style: bold; }
    PatrolDetailScreen #points { height: auto; max-height: 14; }
    PatrolDetailScreen #patrol-history { height: auto; max-height: 100%; }
    """

    def __init__(self, round_id: int) -> None:
        super().__init__()
        self.round_id = round_id
        self.round: PatrolRound | None = None
        self.points: list[PatrolPoint] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="patrol-title")
        with VerticalScroll(id="patrol-body"):
            yield Static(id="patrol-fields")
            yield Static(t("patrol_ui.points_title"), classes="section")
            yield RecordTable(id="points", fit=POINT_FIT)
            yield FindingsPanel("patrol", self.round_id)
            yield Static(t("repair_ui.history"), classes="section")
            yield HistoryTable(action_labels="patrol_ui.action", id="patrol-history")
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#points", RecordTable)
        # the app's stylesheet gives a list the whole screen: here it is one part of the page
        table.styles.height, table.styles.max_height = "auto", 14
        for key in POINT_COLUMNS:
            table.add_column(t(f"patrol_ui.col_{key}"), key=key)
        self.refresh_detail()
        table.focus()

    def reread(self) -> None:
        self.refresh_detail()

    def refresh_detail(self) -> None:
        panel = self.panel()
        with self.reading() as ctx:
            found = patrol.get(ctx, self.round_id)
            self.points = patrol.points_of(ctx, self.round_id)
            names = {
                p.checkpoint: patrol.checkpoint_name(ctx, found.route, p.checkpoint)
                for p in self.points
            }
            route = patrol.route_name(ctx, found.route)
            events, who = audit.named_history(
                ctx, patrol.REGISTER, self.round_id, found.operator_id
            )
            panel.read(ctx)
            works = renovation.get(ctx, found.renovation_id) if found.renovation_id else None
        self.round = found
        state = t(f"patrol_state.{found.state}")
        title = t("patrol_ui.detail_title", number=found.number)
        self.query_one("#patrol-title", Static).update(plain(f"{title}  {state}"))
        show = self.desk.show_time
        when = show(found.started_at) + (
            f" → {show(found.finished_at)}" if found.finished_at else ""
        )
        rows: list[tuple[str, str | Text]] = [
            (t("patrol_ui.label_route"), route),
            (t("registers.renovations"), f"{works.number} {works.room}" if works else ""),
            (t("patrol_ui.label_who"), found.patrolled_by),
            (t("patrol_ui.label_when"), when),
            (t("fields.note"), found.note),
            (t("fields.operator"), who.get(found.operator_id, "")),
        ]
        self.query_one("#patrol-fields", Static).update(field_grid((k, v) for k, v in rows if v))
        table = self.query_one("#points", RecordTable)
        kept = table.selected_id()
        numbers = {f.id: f.number for f in panel.rows}
        table.clear()
        for point in self.points:
            note = point.note
            if point.finding_id is not None:
                note = f"{numbers.get(point.finding_id, '')} {note}".strip()
            table.add_row(
                names.get(point.checkpoint, point.checkpoint),
                Text(t(f"point_result.{point.result}"), style=RESULT_STYLE[point.result]),
                plain(note),
                key=str(point.id),
            )
        if kept is None:
            kept = next((p.id for p in self.points if p.result == PointResult.pending), None)
        table.select_record(kept)
        panel.show(self)
        self.query_one(HistoryTable).show(events, who, self.event_detail)
        self.refresh_bindings()

    def event_detail(self, event: AuditEvent) -> str:
        data: dict[str, Any] = audit.event_data(event)
        parts = [str(data.get(key, "")) for key in ("checkpoint", "result", "finding", "note")]
        return "; ".join(part for part in parts if part)

    def selected_point(self) -> PatrolPoint | None:
        chosen = self.query_one("#points", RecordTable).selected_id()
        return next((p for p in self.points if p.id == chosen), None)

    def next_pending(self) -> None:
        """The cursor to the next checkpoint not yet recorded."""
        pending = next((p.id for p in self.points if p.result == PointResult.pending), None)
        self.query_one("#points", RecordTable).select_record(pending)

    # --- keys -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        panel = self.finding_action_allowed(action)
        if panel is not None:
            return panel
        if action in ("point_ok", "point_finding"):
            return "check" in patrol.allowed_actions(self.round)
        if action == "finish":
            return "finish" in patrol.allowed_actions(self.round)
        return True

    def action_refresh(self) -> None:
        self.refresh_detail()

    def action_back(self) -> None:
        self.dismiss()

    def action_point_ok(self) -> None:
        point = self.selected_point()
        if point is None or point.id is None:
            return
        point_id = point.id
        outcome = self.attempt(lambda ctx: patrol.check_ok(ctx, self.round_id, point_id))
        if isinstance(outcome, DeskError):
            self.notify(outcome.message, severity="error")
            return
        self.refresh_detail()
        self.next_pending()

    def action_point_finding(self) -> None:
        point, found = self.selected_point(), self.round
        if point is None or point.id is None or found is None:
            return
        point_id = point.id
        if point.result != PointResult.pending:
            outcome = self.attempt(lambda ctx: patrol.check_ok(ctx, self.round_id, point_id))
            if isinstance(outcome, DeskError):  # says it is already recorded
                self.notify(outcome.message, severity="error")
            return
        with self.reading() as ctx:
            spot = patrol.checkpoint(ctx, found.route, point.checkpoint)
            name = patrol.checkpoint_name(ctx, found.route, point.checkpoint)

        def save(ctx: Ctx, data: FindingIn) -> Finding:
            return patrol.check_finding(ctx, self.round_id, point_id, data)

        def saved(raised: Finding | None) -> None:
            self.refresh_detail()
            if raised is not None:
                self.next_pending()
                state = t(f"finding_state.{raised.state}")
                self.notify(t("findings_ui.done", number=raised.number, state=state))

        dialog = RaiseFindingDialog(
            save,
            heading=t("patrol_ui.finding_title", checkpoint=name),
            department=spot.department if spot else "",
            raised_by=found.patrolled_by,
        )
        self.app.push_screen(dialog, callback=saved)

    def action_finish(self) -> None:
        found = self.round
        if found is None:
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            outcome = self.attempt(lambda ctx: patrol.finish(ctx, self.round_id))
            if isinstance(outcome, DeskError):
                self.notify(outcome.message, severity="error")
            else:
                self.notify(t("patrol_ui.finished", number=outcome.number))
            self.refresh_detail()

        question = t("patrol_ui.finish_question", number=found.number)
        self.app.push_screen(ConfirmDialog(question), callback=answered)
