"""One open item, in the shape every register gives the board and the handover."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class OpenItem:
    """One thing still owed, from any register, in the same shape for the board and handover."""

    register: str
    record_id: int
    number: str
    room: str
    summary: str
    state: str
    opened_at: datetime
    due_at: datetime | None
    due_kind: str  # reply, dispatch, visit, callback, ""

    def overdue(self, now: datetime) -> bool:
        return self.due_at is not None and self.due_at < now
