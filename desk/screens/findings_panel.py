"""One panel for a record's findings (整改), on the page of any register that finds things (a patrol
round now; incidents, renovation supervision and move-in inspections alike): the list, each one's
state, department, due time and rounds, and one key per step (raise, send, rectified,
re-inspect, withdraw), offered as the selected finding's state allows (its service says which).

A page shows it with `yield FindingsPanel(owner, owner_id)`, takes its keys with
`Include(<page>, "findings_panel")` in desk/commands.py, mixes in `FindingsHost`, and lets the
host's `check_action` ask `self.finding_action_allowed(action)` first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from desk.forms.dialogs import ConfirmDialog
from desk.i18n import current_language, t
from desk.models import Finding, FindingCheck
from desk.screens import records
from desk.screens.due import due_cell
from desk.screens.finding_dialogs import (
    RaiseFindingDialog,
    RecheckDialog,
    RectifiedDialog,
    WithdrawFindingDialog,
)
from desk.screens.plain import Fit, plain
from desk.screens.record_table import RecordTable
from desk.services import findings, repair
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.findings import FindingIn
from desk.widgets.base import DeskMixin, RecordScreen

COLUMNS = ("number", "where", "what", "department", "state", "due", "rounds")
FIT = Fit("what", least=8, most=30, drop=("rounds", "department"))
# the host's actions (desk/commands.py "findings_panel") -> the finding's step
ACTIONS = {
    "send_finding": "send",
    "finding_rectified": "rectified",
    "recheck_finding": "recheck",
    "withdraw_finding": "withdraw",
}


class FindingsPanel(Vertical):
    """The findings of one owner record, read by the host page (`show`)."""

    DEFAULT_CSS = """
    FindingsPanel { height: auto; }
    FindingsPanel .section { height: 1; margin: 1 0 0 0; text-style: bold; }
    FindingsPanel RecordTable { height: auto; max-height: 12; }
    FindingsPanel #findings-rounds { height: auto; color: $text-muted; }
    """

    def __init__(self, owner: str, owner_id: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.owner, self.owner_id = owner, owner_id
        self.rows: list[Finding] = []
        self.checks: dict[int, list[FindingCheck]] = {}
        self.due: dict[int | None, Any] = {}
        self.repair_numbers: dict[int, str] = {}

    def compose(self) -> ComposeResult:
        yield Static(t("findings_ui.title"), classes="section")
        yield Static(id="findings-none")
        yield RecordTable(id="findings", fit=FIT)
        yield Static(id="findings-rounds")

    def on_mount(self) -> None:
        table = self.query_one("#findings", RecordTable)
        # the app's stylesheet gives a list the whole screen: here it is one part of a page
        table.styles.height, table.styles.max_height = "auto", 12
        for key in COLUMNS:
            table.add_column(t(f"findings_ui.col_{key}"), key=key)

    def read(self, ctx: Ctx) -> None:
        """Read the owner's findings and their re-inspections (inside the host's reading)."""
        self.rows = findings.of_owner(ctx, self.owner, self.owner_id)
        self.checks = {f.id: findings.checks_of(ctx, f.id) for f in self.rows if f.id is not None}
        self.due = {f.id: findings.due_at(ctx, f) for f in self.rows}
        # the repair orders the findings became, by id
        ids = {f.repair_id for f in self.rows if f.repair_id is not None}
        self.repair_numbers = {i: repair.get(ctx, i).number for i in ids}

    def show(self, host: DeskMixin) -> None:
        desk = host.desk
        now = desk.now()
        lang = current_language()
        table = self.query_one("#findings", RecordTable)
        kept = table.selected_id()
        table.clear()
        for found in self.rows:
            due = self.due.get(found.id)
            due_text = Text("")
            if due is not None:
                words = f"{t(f'due_kind.{findings.DUE_KINDS[found.state]}')} {desk.show_time(due)}"
                due_text = due_cell(due, now, words)
            rule = desk.settings.findings.department(found.department)
            table.add_row(
                found.number,
                plain(found.place or found.room),
                plain(found.what),
                rule.label(lang) if rule else found.department,
                t(f"finding_state.{found.state}"),
                due_text,
                str(found.rounds),
                key=str(found.id),
            )
        table.select_record(kept)
        self.query_one("#findings-none", Static).update(
            Text(t("findings_ui.none"), style="dim") if not self.rows else ""
        )
        table.display = bool(self.rows)
        self.show_rounds()

    def selected(self) -> Finding | None:
        chosen = self.query_one("#findings", RecordTable).selected_id()
        return next((f for f in self.rows if f.id == chosen), None)

    def show_rounds(self) -> None:
        """The selected finding's repair order and re-inspections, under the list."""
        found = self.selected()
        lines: list[str] = []
        if found is not None:
            if found.repair_id is not None:
                lines.append(t("findings_ui.repair_line", repair=self.repair_number(found)))
            for check in self.checks.get(found.id or 0, []):
                result = "accepted" if check.accepted else "rejected"
                lines.append(
                    t(
                        "findings_ui.round_line",
                        round=check.round,
                        at=self.app.show_time(check.checked_at),  # type: ignore[attr-defined]
                        who=check.checked_by,
                        result=t(f"findings_ui.result_{result}"),
                        note=check.note,
                    )
                )
        self.query_one("#findings-rounds", Static).update(plain("\n".join(lines)))

    def repair_number(self, found: Finding) -> str:
        return self.repair_numbers.get(found.repair_id or 0, "")

    def on_data_table_row_highlighted(self, _event: object) -> None:
        self.show_rounds()


# the register whose record page shows a finding of each owner (its row on the board opens it)
OWNER_REGISTERS = {
    "patrol": "patrols",
    "renovation": "renovations",
    "incident": "incidents",
    "move_in": "move_ins",
}


class FindingPage(RecordScreen):
    """A finding opened on its own (from the board, the lookup): its owner record's page, the
    finding's panel on it."""

    def __init__(self, finding_id: int) -> None:
        super().__init__()
        self.finding_id = finding_id

    def on_mount(self) -> None:
        with self.reading() as ctx:
            found = findings.get(ctx, self.finding_id)
        register = OWNER_REGISTERS.get(found.owner, "")
        self.call_after_refresh(self.replace_by, register, found.owner_id)

    def replace_by(self, register: str, owner_id: int) -> None:
        self.dismiss()
        records.open_record(self.app, register, owner_id)


class FindingsHost(DeskMixin):
    """The keys of the findings panel, for the page that shows one (`refresh_detail` rereads)."""

    app: Any

    def panel(self) -> FindingsPanel:
        return self.query_one(FindingsPanel)  # type: ignore[attr-defined,no-any-return]

    def refresh_detail(self) -> None:
        raise NotImplementedError

    def raise_finding_with(self) -> Callable[[Ctx, FindingIn], Finding] | None:
        """How a finding is raised from this page (None: not now). By default, on its owner."""
        panel = self.panel()

        def save(ctx: Ctx, data: FindingIn) -> Finding:
            return findings.raise_finding(ctx, panel.owner, panel.owner_id, data)

        return save

    def finding_action_allowed(self, action: str) -> bool | None:
        """None: not a panel key; else whether its key is offered for the selected finding."""
        if action == "raise_finding":
            return self.raise_finding_with() is not None
        step = ACTIONS.get(action)
        if step is None:
            return None
        return step in findings.allowed_actions(self.panel().selected())

    def finding_step(self, action: str) -> None:
        found = self.panel().selected()
        if found is None:
            self.app.notify(t("findings_ui.pick_first"), severity="warning")
            return
        step = ACTIONS[action]
        who = findings.LIFECYCLE.who(step)
        if who is not None and self.refused(who.require):
            return
        if step == "send":
            self.send_finding(found)
            return
        dialogs = {
            "rectified": RectifiedDialog,
            "recheck": RecheckDialog,
            "withdraw": WithdrawFindingDialog,
        }
        self.app.push_screen(dialogs[step](found), callback=self.finding_saved)

    def finding_saved(self, saved: object) -> None:
        self.refresh_detail()
        found = self.panel().selected()
        if saved is None or found is None:
            return
        if isinstance(saved, FindingCheck) and not saved.accepted:
            self.app.notify(t("findings_ui.rejected", number=found.number, round=saved.round))
            return
        state = t(f"finding_state.{found.state}")
        self.app.notify(t("findings_ui.done", number=found.number, state=state))

    def send_finding(self, found: Finding) -> None:
        rule = self.desk.settings.findings.department(found.department)
        name = rule.label(current_language()) if rule else found.department
        question = t("findings_ui.send_question", number=found.number, department=name)
        if rule is not None and rule.repair_order:
            question += f"（{t('findings_ui.send_repair')}）"
        finding_id = found.id or 0

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            outcome = self.attempt(lambda ctx: findings.send(ctx, finding_id))
            if isinstance(outcome, DeskError):
                self.app.notify(outcome.message, severity="error")
            self.refresh_detail()
            if not isinstance(outcome, DeskError):
                repair = self.panel().repair_number(outcome)
                said = f" → {repair}" if repair else ""
                self.app.notify(t("findings_ui.sent", number=outcome.number, repair=said))

        self.app.push_screen(ConfirmDialog(question), callback=answered)

    def action_raise_finding(self) -> None:
        save = self.raise_finding_with()
        if save is not None:
            self.app.push_screen(RaiseFindingDialog(save), callback=self.finding_saved)

    def action_send_finding(self) -> None:
        self.finding_step("send_finding")

    def action_finding_rectified(self) -> None:
        self.finding_step("finding_rectified")

    def action_recheck_finding(self) -> None:
        self.finding_step("recheck_finding")

    def action_withdraw_finding(self) -> None:
        self.finding_step("withdraw_finding")
