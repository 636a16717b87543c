"""One night-log entry: every field in full, what it became, its history; the morning steps."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.binding import BindingType
from textual.widgets import Static

from desk import commands
from desk.i18n import t
from desk.models import AuditEvent, NightLogEntry
from desk.screens.history import HistoryTable
from desk.screens.nightlog_actions import NightLogActions
from desk.screens.plain import field_grid, plain
from desk.screens.record_page import RecordPage
from desk.screens.tones import ALARM, WARNING
from desk.services import audit, incident, nightlog
from desk.services.errors import DeskError

# each key's lifecycle step in desk.services.nightlog.LIFECYCLE (which says when it is offered)
STEPS = {"to_repair": "transfer", "to_complaint": "transfer", "close_entry": "close"}
# to repair is also the step of a repair done at night (a completed order, its callback)
ALSO = {"to_repair": "record_repair"}


class NightLogDetailScreen(NightLogActions, RecordPage):
    """Read-only view of an entry; ctrl+g / ctrl+t / ctrl+x while it is left for the morning."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("night_log_detail")
    HISTORY_TITLE = "nightlog_ui.history"
    ACTION_LABELS = "nightlog_ui.action"

    def __init__(self, entry_id: int) -> None:
        super().__init__()
        self.entry_id = entry_id
        self.entry: NightLogEntry | None = None
        self.linked = ""  # the number of the repair order or complaint it became
        self.incident = ""  # the number of the incident opened from it (an emergency)
        self.shown_fields: list[tuple[str, str]] = []

    # --- showing ----------------------------------------------------------------------

    def refresh_detail(self) -> None:
        with self.reading() as ctx:
            try:
                entry = nightlog.get(ctx, self.entry_id)
            except DeskError as error:
                self.notify(error.message, severity="error")
                self.app.pop_screen()
                return
            number = nightlog.number(entry, ctx)
            linked = nightlog.transferred_number(ctx, entry)
            opened = incident.of_night_entry(ctx, self.entry_id)
            self.incident = opened.number if opened is not None else ""
            events, names = audit.named_history(
                ctx, nightlog.REGISTER, self.entry_id, entry.operator_id, entry.done_by_id
            )
        self.entry, self.linked = entry, linked
        state = t(f"nightlog_state.{entry.state}")
        self.query_one("#detail-title", Static).update(
            plain(f"{t('nightlog_ui.detail_title', number=number)} — {state}")
        )
        self.query_one("#detail-fields", Static).update(
            self.fields_table(entry, number, linked, names)
        )
        self.query_one(HistoryTable).show(events, names, self.event_detail)
        self.refresh_bindings()

    def fields_table(
        self, entry: NightLogEntry, number: str, linked: str, names: dict[int, str]
    ) -> Table:
        show = self.desk.show_time
        left = entry.state in nightlog.MORNING_STATES
        became = f"{t(f'registers.{entry.transferred_to}')} {linked}" if linked else ""
        rows: list[tuple[str, str | Text]] = [
            (t("fields.number"), number),
            (
                t("fields.state"),
                Text(t(f"nightlog_state.{entry.state}"), WARNING if left else ""),
            ),
            (t("fields.logged_at"), show(entry.logged_at)),
            (
                t("fields.emergency"),
                Text(t("app.yes"), ALARM) if entry.emergency else t("app.no"),
            ),
            (t("fields.caller"), entry.caller),
            (t("fields.room"), entry.room),
            (t("fields.phone"), entry.phone),
            (t("fields.what"), entry.what),
            (t("fields.action_taken"), entry.action_taken),
            (t("nightlog_ui.col_operator"), names.get(entry.operator_id, "")),
            (t("nightlog_ui.label_transferred"), became),
            (t("registers.incidents"), Text(self.incident, ALARM) if self.incident else ""),
            (t("nightlog_ui.label_transferred_at"), show(entry.transferred_at)),
            (t("nightlog_ui.label_closed_at"), show(entry.closed_at)),
            (t("fields.close_reason"), entry.close_reason),
            (t("nightlog_ui.label_done_by"), names.get(entry.done_by_id or 0, "")),
        ]
        shown = [(label, value) for label, value in rows if value]
        self.shown_fields = [(label, str(value)) for label, value in shown]
        # fold: a long line without spaces (a pasted number, a URL) breaks instead of overflowing
        return field_grid(shown, fold=True)

    def event_detail(self, event: AuditEvent) -> str:
        data = audit.event_data(event)
        if event.action == "transferred" and data.get("register") in nightlog.TRANSFER_REGISTERS:
            record = t(f"registers.{data['register']}")
            same = self.entry is not None and data.get("id") == self.entry.transferred_id
            return f"{record} {self.linked}" if same else record
        text = event.reason or str(data.get("what") or "")
        return " ".join(text.split())[:60]

    # --- keys -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The morning steps only while the entry allows them (footer follows)."""
        if action == "to_incident":
            # an entry flagged emergency, not yet an incident: opened from it, prefilled
            return self.entry is not None and self.entry.emergency and not self.incident
        step = STEPS.get(action)
        if step is None:
            return True
        allowed = nightlog.allowed_actions(self.entry)
        return step in allowed or ALSO.get(action) in allowed

    def chosen_entry(self) -> int | None:
        return self.entry_id

    def after_change(self) -> None:
        self.refresh_detail()

    def action_refresh(self) -> None:
        self.refresh_detail()

    def action_back(self) -> None:
        self.dismiss()

    def action_to_incident(self) -> None:
        """The incident form, prefilled from the entry; saving links the entry to it."""
        from desk.forms.incident_form import IncidentFormDialog
        from desk.screens.records import open_record

        entry = self.entry
        if entry is None or not entry.emergency or self.incident:
            return
        prefill = incident.from_night_entry(entry)

        def saved(incident_id: int | None) -> None:
            self.refresh_detail()
            if incident_id is not None:
                open_record(self.app, "incidents", incident_id)

        self.app.push_screen(IncidentFormDialog(prefill), callback=saved)
