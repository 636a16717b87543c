"""One complaint: every field, deadlines with countdowns, its history, and its lifecycle keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import work
from textual.binding import BindingType
from textual.screen import ModalScreen
from textual.widgets import Static

from desk import commands
from desk.i18n import label_or, t
from desk.models import AuditEvent, Complaint
from desk.printing.complaint_sheet import SheetEvent, event_detail, sheet_events
from desk.screens.complaint_cells import next_due_cell
from desk.screens.due import countdown, due_cell, estimated_hint, estimated_mark
from desk.screens.history import HistoryTable
from desk.screens.new_here import NewRepairHere
from desk.screens.plain import field_grid, plain
from desk.screens.printout import deliver
from desk.screens.record_page import RecordPage
from desk.screens.tones import ERROR, SUCCESS, WARNING
from desk.services import audit, complaint, reception
from desk.services.errors import DeskError

DEADLINES = (
    "harm",
    "escalation",
    "assign",
    "told",
    "reply",
    "late_notice",
    "resolve",
    "callback",
)


class ComplaintDetailScreen(NewRepairHere, RecordPage):
    """Read-only view of a complaint; each lifecycle step opens its own dialog."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("complaint_detail")
    HISTORY_TITLE = "complaint_ui.history"
    ACTION_LABELS = "complaint_ui.action"
    SHOWS_DUE = True

    def __init__(self, complaint_id: int) -> None:
        super().__init__()
        self.complaint_id = complaint_id
        self.complaint: Complaint | None = None
        self.events: list[AuditEvent] = []
        self.names: dict[int, str] = {}
        self.merged_into = ""
        self.from_reception = ""  # the number of the reception entry it came from
        self.shown_fields: list[tuple[str, str]] = []

    # --- showing ----------------------------------------------------------------------

    def refresh_detail(self) -> None:
        with self.reading() as ctx:
            item = complaint.get(ctx, self.complaint_id)
            events, names = audit.named_history(
                ctx, complaint.REGISTER, self.complaint_id, item.operator_id, item.owner_id
            )
            into = complaint.get(ctx, item.merged_into_id) if item.merged_into_id else None
            self.from_reception = reception.number_of(ctx, item.reception_id)
        self.complaint, self.events, self.names = item, events, names
        self.merged_into = into.number if into else ""
        state = t(f"complaint_state.{item.state}")
        self.query_one("#detail-title", Static).update(
            plain(f"{t('complaint_ui.detail_title', number=item.number)} — {state}")
        )
        self.query_one("#detail-fields", Static).update(self.fields_table(item))
        self.query_one("#detail-due", Static).update(self.deadlines_table(item))
        tz, settings = self.desk.settings.tz, self.desk.settings
        self.query_one(HistoryTable).show(
            events, names, lambda event: event_detail(event, tz, settings)
        )
        self.refresh_bindings()

    def fields_table(self, item: Complaint) -> Table:
        show = self.desk.show_time
        lang = self.desk.lang
        settings = self.desk.settings
        category = settings.complaint_category(item.category)
        department = settings.department(item.department)
        assigned = settings.department(item.assigned_department)
        rows: list[tuple[str, str]] = [
            (t("fields.number"), item.number),
            (t("fields.state"), t(f"complaint_state.{item.state}")),
            (t("complaint_ui.col_received"), show(item.received_at)),
            (t("fields.channel"), t(f"channel.{item.channel}")),
            (t("fields.complainant"), item.complainant),
            (t("fields.room"), item.room),
            (t("fields.phone"), item.phone),
            (t("fields.category"), category.label(lang) if category else item.category),
            (t("fields.severity"), t(f"severity.{item.severity}")),
            (t("fields.complaint_department"), department.label(lang) if department else ""),
            (t("fields.person_complained"), item.person_complained),
            (t("complaint_ui.owner"), self.names.get(item.owner_id, "")),
            (t("fields.what_happened"), item.what_happened),
            (t("fields.resident_asks"), item.resident_asks),
            (t("fields.resident_deadline_at"), show(item.resident_deadline_at)),
            (t("fields.validity"), t(f"validity.{item.validity}")),
            (t("fields.validity_note"), item.validity_note),
            (t("fields.escalated_to"), self.escalated_to(item)),
            (t("fields.assigned_department"), assigned.label(lang) if assigned else ""),
            (t("fields.department_answered_at"), show(item.department_answered_at)),
            (t("fields.late_notice_note"), item.late_notice_note),
            (t("fields.reply_text"), item.reply_text),
            (t("fields.resolution"), item.resolution),
        ]
        if item.callback_at:
            verdict = t(
                "complaint_ui.satisfied_yes" if item.satisfied else "complaint_ui.satisfied_no"
            )
            line = f"{show(item.callback_at)} {verdict} {item.callback_note}".strip()
            rows.append((t("complaint_ui.label_callback"), line))
        if item.reopen_count:
            rows.append(("", t("complaint_ui.reopened", n=item.reopen_count)))
        if self.merged_into:
            rows.append(("", t("complaint_ui.merged_into", number=self.merged_into)))
        if item.closed_at:
            rows.append((t("complaint_ui.label_closed"), show(item.closed_at)))
        if item.close_reason and item.close_reason != item.validity_note:
            rows.append((t("fields.reason"), item.close_reason))
        if self.from_reception:
            rows.append(("", t("records.from_reception", number=self.from_reception)))
        rows.append(
            (
                t("complaint_ui.table"),
                label_or(f"deadline_table.{item.deadline_table}", item.deadline_table),
            )
        )
        rows = [(label, value) for label, value in rows if value]
        self.shown_fields = rows
        return field_grid(rows)

    def escalated_to(self, item: Complaint) -> str:
        """The role or person reported to, in the current language (as stored when not listed)."""
        role = self.desk.settings.escalation_role(item.escalated_to) if item.escalated_to else None
        return role.label(self.desk.lang) if role else item.escalated_to

    def deadlines_table(self, item: Complaint) -> Group:
        """Each deadline: when it falls due, and when it was met or how long is left or late."""
        now = self.desk.now()
        show = self.desk.show_time
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column()
        done_at = {
            "harm": item.harm_stopped_at,
            "escalation": item.escalated_at,
            "assign": item.assigned_at,
            "told": item.told_at,
            "reply": item.replied_at,
            "late_notice": item.late_notice_at,
            "resolve": item.resolved_at,
            "callback": item.callback_at,
        }
        due_at = {
            # harm going on is due at once (its row shows when it was stopped)
            "harm": item.received_at if item.harm_ongoing else None,
            "assign": item.assign_due_at,
            "told": item.told_due_at,
            "late_notice": item.late_notice_due_at,
            "escalation": item.escalation_due_at,
            "reply": item.reply_due_at,
            "resolve": item.resolve_due_at,
            "callback": item.callback_due_at,
        }
        for kind in DEADLINES:
            due, done = due_at[kind], done_at[kind]
            if due is None and done is None:
                continue
            table.add_row(t(f"complaint_ui.due.{kind}"), show(due), self._status(due, done, now))
        nxt = complaint.due_at(item, now)
        line = Text(t("complaint_ui.next_due_label"))
        if nxt is None:
            line.append(t("complaint_ui.no_due"))
        else:
            line.append(next_due_cell(item, now, show(nxt)))
            line.append(f"  ({countdown(nxt, now)})")
            # a due time in a year whose holidays are estimated: marked, and why
            if hint := estimated_hint(nxt, self.desk.settings.tz):
                line.append(estimated_mark(nxt, self.desk.settings.tz))
                line.append(f"\n{hint}", style=WARNING)
        title = Text(t("complaint_ui.deadlines"), style="bold")
        return Group(title, table, line)

    def _status(self, due: datetime | None, done: datetime | None, now: datetime) -> Text:
        if done is not None:
            late = due is not None and done > due
            key = "complaint_ui.done_late" if late else "complaint_ui.done_in_time"
            return Text(t(key, at=self.desk.show_time(done)), style=ERROR if late else SUCCESS)
        if due is None:
            return Text("")
        return due_cell(due, now, countdown(due, now))

    # --- keys -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action not in complaint.LIFECYCLE.steps:
            return True
        return action in complaint.allowed_actions(self.complaint)

    def action_refresh(self) -> None:
        self.refresh_detail()

    def action_back(self) -> None:
        self.dismiss()

    def _open(self, dialog: ModalScreen[Complaint | None]) -> None:
        def done(item: Complaint | None) -> None:
            self.refresh_detail()
            if item is not None:
                state = t(f"complaint_state.{item.state}")
                self.notify(t("complaint_ui.done", number=item.number, state=state))

        self.app.push_screen(dialog, callback=done)

    def _step(self, name: str) -> None:
        from desk.screens import complaint_dialogs

        self.refresh_detail()
        if self.complaint is not None:
            self._open(complaint_dialogs.DIALOGS[name](self.complaint))

    def action_judge(self) -> None:
        self._step("judge")

    def action_escalate(self) -> None:
        self._step("escalate")

    def action_assign(self) -> None:
        self._step("assign")

    def action_reply(self) -> None:
        self._step("reply")

    def action_resolve(self) -> None:
        self._step("resolve")

    def action_callback(self) -> None:
        # the same callback dialog as repairs and the callback queue
        from desk.screens.repair_dialogs import CallbackDialog

        self.refresh_detail()
        if self.complaint is not None:
            self._open(CallbackDialog(self.complaint))

    def action_harm_stopped(self) -> None:
        self._step("harm_stopped")

    def action_answered(self) -> None:
        self._step("answered")

    def action_told(self) -> None:
        self._step("told")

    def action_late_notice(self) -> None:
        self._step("late_notice")

    def action_correct(self) -> None:
        from desk.screens.correct_dialog import open_correction

        self.refresh_detail()
        if self.complaint is not None:
            open_correction(self, complaint.REGISTER, self.complaint, self.refresh_detail)

    def action_reopen(self) -> None:
        self._step("reopen")

    def action_close(self) -> None:
        item = self.complaint
        who = complaint.LIFECYCLE.who("close")
        if item is None or (who is not None and self.refused(who.require)):
            return
        if item.callback_at is None:
            # every complaint is called back before it is closed: say so instead of a dialog
            refusal = DeskError("complaint.close_needs_callback", number=item.number)
            self.notify(refusal.message, severity="warning", timeout=8)
            self.app.bell()
            return
        self._step("close")

    # --- printing ---------------------------------------------------------------------

    def action_print_sheet(self) -> None:
        if self.complaint is not None:
            events = sheet_events(self.events, self.names, self.desk.settings)
            owner = self.names.get(self.complaint.owner_id, "")
            self.print_sheet(self.complaint, owner, events)

    @work(thread=True, exclusive=True, exit_on_error=False, group="print")
    def print_sheet(self, item: Complaint, owner: str, events: list[SheetEvent]) -> None:
        """The complaint sheet as text and PDF beside the database, and to the site's printer."""
        from desk.printing import complaint_sheet

        app = self.desk
        settings = app.settings
        extra: dict[str, Any] = {
            "owner": owner,
            "events": events,
            "merged_into": self.merged_into,
            "printed_at": app.now(),
        }
        deliver(
            app,
            item.number,
            lambda: complaint_sheet.sheet_text(item, settings, settings.tz, **extra),
            lambda pdf: complaint_sheet.sheet_pdf(item, settings, settings.tz, pdf, **extra),
            written="complaint_ui.print.written",
        )
