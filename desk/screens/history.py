"""The history of a record — its audit events — as a table on every record page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from desk.config import Settings
from desk.i18n import t
from desk.models import AuditEvent
from desk.screens.plain import PlainTable
from desk.services import corrections
from desk.services.corrections import CORRECTED


def correction_detail(event: AuditEvent, settings: Settings, lang: str) -> str:
    """A `corrected` event as the history shows it: "Room: 3-1202 → 3-1203; …; why"."""
    lines = corrections.describe(event, settings, lang)
    return "; ".join([*lines, event.reason] if event.reason else lines)


class HistoryTable(PlainTable):
    """When, who, what and the details of each event, oldest first."""

    DEFAULT_CSS = "HistoryTable { height: auto; max-height: 100%; }"

    def __init__(self, *, action_labels: str, **kwargs: Any) -> None:
        """`action_labels` is the catalogue table of the register's action names."""
        super().__init__(cursor_type="row", **kwargs)
        self.action_labels = action_labels

    def on_mount(self) -> None:
        for key in ("at", "operator", "action", "detail"):
            self.add_column(t(f"history.col_{key}"), key=key)

    def show(
        self,
        events: list[AuditEvent],
        names: dict[int, str],
        detail: Callable[[AuditEvent], str],
    ) -> None:
        desk: Any = self.app
        with self.app.batch_update():
            self.clear()
            for event in events:
                self.add_row(
                    desk.show_time(event.at),
                    names.get(event.operator_id or 0, ""),
                    t(f"{self.action_labels}.{event.action}"),
                    correction_detail(event, desk.settings, desk.lang)
                    if event.action == CORRECTED
                    else detail(event),
                    key=str(event.id),
                )
