"""The cells a complaint is shown with, on its register's list and on its own page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text
from textual.app import App

from desk.i18n import t
from desk.models import Complaint, Severity
from desk.screens.due import due_cell
from desk.services import complaint


def severity_cell(severity: str) -> Text:
    """A major complaint stands out in red, an important one in yellow."""
    style = {Severity.major: "bold red", Severity.important: "yellow"}.get(Severity(severity), "")
    return Text(t(f"severity.{severity}"), style=style)


def next_due_cell(app: App[Any] | None, item: Complaint, now: datetime, show: str) -> Text:
    """What is owed next and when, marked once it has passed (desk.screens.due colours it)."""
    due = complaint.due_at(item)
    if due is None:
        return Text("")
    kind = t(f"complaint_due.{complaint.due_kind(item)}")
    late = t("complaint_ui.overdue_mark")
    return due_cell(app, due, now, f"{kind} {show}", late_mark=late)
