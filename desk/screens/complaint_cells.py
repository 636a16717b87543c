"""The cells a complaint is shown with, on its register's list and on its own page."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from desk.i18n import t
from desk.models import Complaint, Severity
from desk.screens.due import due_cell
from desk.screens.tones import ALARM, WARNING
from desk.services import complaint


def severity_cell(severity: str) -> Text:
    """A major complaint stands out in the theme's error colour, an important one in its
    warning colour."""
    style = {Severity.major: ALARM, Severity.important: WARNING}.get(Severity(severity), "")
    return Text(t(f"severity.{severity}"), style=style)


def next_due_cell(item: Complaint, now: datetime, show: str) -> Text:
    """What is owed next and when, marked once it has passed (desk.screens.due colours it)."""
    due = complaint.due_at(item, now)
    if due is None:
        return Text("")
    kind = t(f"complaint_due.{complaint.due_kind(item, now)}")
    late = t("complaint_ui.overdue_mark")
    return due_cell(due, now, f"{kind} {show}", late_mark=late)
