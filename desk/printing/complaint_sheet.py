"""The complaint record sheet (客户投诉登记表): fields, deadlines, handling, callback, history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desk.i18n import current_language, label_or, t
from desk.printing.cups import PrintError
from desk.printing.fonts import FontNotFound
from desk.printing.paper import written_at
from desk.printing.pdf import write_pdf
from desk.printing.text import cell_len, centre, label_value, pad, page_text, two_columns, wrap
from desk.services import corrections
from desk.services.audit import event_data

if TYPE_CHECKING:
    from desk.config import Settings
    from desk.models import AuditEvent, Complaint

WIDTH = 80
BLANK = "_" * 16


@dataclass(frozen=True)
class SheetEvent:
    """One line of the history as printed: when, who, what, details."""

    at: datetime
    operator: str
    action: str
    detail: str


def _join(parts: list[str]) -> str:
    parts = [p for p in parts if p]
    return "；".join(parts) if current_language() == "zh_CN" else "; ".join(parts)


def _time(value: Any, tz: tzinfo) -> str:
    try:
        return datetime.fromisoformat(str(value)).astimezone(tz).strftime("%m-%d %H:%M")
    except ValueError:
        return str(value)


def event_detail(event: AuditEvent, tz: tzinfo, settings: Settings) -> str:
    """What an event of a complaint's history says, in the current language."""
    data = event_data(event)
    lang = current_language()
    parts: list[str] = []
    action = event.action
    if action == "registered" and data.get("severity"):
        parts.append(t(f"severity.{data['severity']}"))
    elif action == "judged":
        parts.append(t(f"validity.{data.get('validity', 'pending')}"))
        was = data.get("was")
        if isinstance(was, dict) and was.get("severity") != data.get("severity"):
            old, new = t(f"severity.{was.get('severity')}"), t(f"severity.{data.get('severity')}")
            parts.append(f"{old} -> {new}")
        parts.append(str(data.get("note") or ""))
    elif action == "escalated":
        parts.append(_label(settings, "escalation", str(data.get("to") or "")))
        if data.get("at") and _time(data["at"], tz) != _time(event.at.isoformat(), tz):
            parts.append(_time(data["at"], tz))
        if data.get("late"):
            parts.append(t("complaint_ui.overdue_mark"))
    elif action == "assigned":
        department = settings.department(str(data.get("department", "")))
        parts.append(department.label(lang) if department else str(data.get("department", "")))
    elif action == "replied":
        parts.append(str(data.get("text") or ""))
    elif action == "resolved":
        parts.append(str(data.get("resolution") or ""))
    elif action == "callback_missed":
        if data.get("retry_at"):
            parts.append(_time(data["retry_at"], tz))
        parts.append(str(data.get("note") or ""))
    elif action == "called_back":
        parts.append(str(data.get("note") or ""))
    elif action == "merged":
        parts.append(t("complaint_ui.merged_into", number=data.get("into", "")))
    elif action == "merged_from":
        parts.append(str(data.get("from") or ""))
    elif action in ("department_answered", "resident_told", "late_notice"):
        parts.append(str(data.get("note") or ""))
        if data.get("late"):
            parts.append(t("complaint_ui.overdue_mark"))
    elif action == corrections.CORRECTED:  # each field's old and new value
        parts += corrections.describe(event, settings, lang)
    if event.reason and event.reason not in parts:
        parts.append(event.reason)
    return _join(parts)


def sheet_events(
    events: Sequence[AuditEvent], names: dict[int, str], settings: Settings
) -> list[SheetEvent]:
    """A complaint's audit events as the sheet prints them."""
    return [
        SheetEvent(
            at=event.at,
            operator=names.get(event.operator_id or 0, ""),
            action=t(f"complaint_ui.action.{event.action}"),
            detail=event_detail(event, settings.tz, settings),
        )
        for event in events
    ]


def _label(settings: Settings, kind: str, key: str) -> str:
    lang = current_language()
    if kind == "escalation":
        found = settings.escalation_role(key) if key else None
    elif kind == "category":
        found = settings.complaint_category(key)
    else:
        found = settings.department(key)
    return found.label(lang) if found else key


def _header(
    item: Complaint, settings: Settings, tz: tzinfo, owner: str
) -> list[tuple[tuple[str, str], tuple[str, str] | None]]:
    def pair(key: str, value: str) -> tuple[str, str]:
        return (t(f"complaint_sheet.{key}"), value)

    return [
        (pair("number", item.number), pair("received_at", written_at(item.received_at, tz))),
        (pair("complainant", item.complainant), pair("room", item.room)),
        (pair("phone", item.phone), pair("channel", t(f"channel.{item.channel}"))),
        (
            pair("category", _label(settings, "category", item.category)),
            pair("severity", t(f"severity.{item.severity}")),
        ),
        (
            pair("department", _label(settings, "department", item.department)),
            pair("person", item.person_complained),
        ),
        (pair("owner", owner), pair("validity", t(f"validity.{item.validity}"))),
        (
            pair("state", t(f"complaint_state.{item.state}")),
            pair("table", label_or(f"deadline_table.{item.deadline_table}", item.deadline_table)),
        ),
    ]


def _deadlines(item: Complaint, tz: tzinfo, width: int) -> list[str]:
    rows = (
        ("escalation", item.escalation_due_at, item.escalated_at),
        ("told", item.told_due_at, item.told_at),
        ("reply", item.reply_due_at, item.replied_at),
        ("late_notice", item.late_notice_due_at, item.late_notice_at),
        ("resolve", item.resolve_due_at, item.resolved_at),
        ("callback", item.callback_due_at, item.callback_at),
    )
    column = 20
    lines = [
        pad(t("complaint_sheet.deadlines"), width + 2)
        + pad(t("complaint_sheet.due"), column)
        + t("complaint_sheet.done")
    ]
    for kind, due, done in rows:
        if due is None and done is None:
            continue
        late = due is not None and done is not None and done > due
        mark = f" ({t('complaint_ui.overdue_mark')})" if late else ""
        lines.append(
            (
                pad(t(f"complaint_sheet.{kind}"), width + 2)
                + pad(written_at(due, tz), column)
                + (written_at(done, tz) + mark if done else BLANK)
            ).rstrip()
        )
    return lines


def sheet_lines(
    item: Complaint,
    settings: Settings,
    tz: tzinfo,
    *,
    owner: str = "",
    events: Sequence[SheetEvent] = (),
    merged_into: str = "",
    printed_at: datetime | None = None,
) -> list[str]:
    """The sheet as lines of at most 80 display cells, in the current language."""
    site = settings.site.name if current_language() == "zh_CN" else settings.site.name_en
    rows = _header(item, settings, tz, owner)
    keys = (
        "what_happened",
        "resident_asks",
        "resident_deadline",
        "validity_note",
        "escalated_to",
        "assigned",
        "reply_text",
        "resolution",
        "callback_note",
        "satisfaction",
        "closed",
        "merged_into",
        "reopened",
        "deadlines",
        "escalation",
        "callback",
        "told",
        "late_notice",
    )
    labels = [p[0] for row in rows for p in row if p] + [t(f"complaint_sheet.{k}") for k in keys]
    width = max(cell_len(label) for label in labels)

    def field(key: str, value: str) -> list[str]:
        return label_value(t(f"complaint_sheet.{key}"), value, label_width=width, width=WIDTH)

    lines = [centre(f"{site}  {t('complaint_sheet.title')}", WIDTH), "=" * WIDTH]
    lines += [two_columns(left, right, label_width=width, width=WIDTH) for left, right in rows]
    lines.append("-" * WIDTH)
    lines += field("what_happened", item.what_happened)
    if item.resident_asks:
        lines += field("resident_asks", item.resident_asks)
    if item.resident_deadline_at:
        lines += field("resident_deadline", written_at(item.resident_deadline_at, tz))
    lines.append("-" * WIDTH)
    lines += _deadlines(item, tz, width)
    lines += ["-" * WIDTH, t("complaint_sheet.handling")]
    assigned = _label(settings, "department", item.assigned_department)
    escalated = (
        f"{_label(settings, 'escalation', item.escalated_to)} {written_at(item.escalated_at, tz)}"
    )
    for key, value in (
        ("validity_note", item.validity_note),
        ("escalated_to", escalated.strip()),
        ("assigned", assigned),
        ("reply_text", item.reply_text),
        ("resolution", item.resolution),
    ):
        lines += field(key, value or BLANK)
    lines.append("-" * WIDTH)
    lines += field("callback_note", item.callback_note or BLANK)
    if item.satisfied is None:
        verdict = t("complaint_sheet.opinion_choice")
    else:
        verdict = t(
            "complaint_sheet.satisfied" if item.satisfied else "complaint_sheet.not_satisfied"
        )
    lines += field("satisfaction", verdict)
    if item.closed_at:
        lines += field("closed", f"{written_at(item.closed_at, tz)} {item.close_reason}".strip())
    if merged_into:
        lines += field("merged_into", merged_into)
    if item.reopen_count:
        lines += field("reopened", str(item.reopen_count))
    if events:
        lines += ["-" * WIDTH, t("complaint_sheet.history")]
        for event in events:
            head = f"{written_at(event.at, tz)}  {event.operator}  {event.action}"
            lines += wrap(f"{head}  {event.detail}".rstrip(), WIDTH)
    lines.append("=" * WIDTH)
    date = (t("complaint_sheet.date"), BLANK)
    for signer in ("signatures", "head_signature"):
        signed = (t(f"complaint_sheet.{signer}"), BLANK)
        lines += ["", two_columns(signed, date, label_width=width, width=WIDTH)]
    if printed_at is not None:
        lines.append("")
        lines.append(t("complaint_sheet.printed_at", at=written_at(printed_at, tz)))
    return lines


def sheet_text(
    item: Complaint,
    settings: Settings,
    tz: tzinfo,
    *,
    owner: str = "",
    events: Sequence[SheetEvent] = (),
    merged_into: str = "",
    printed_at: datetime | None = None,
) -> str:
    """The sheet as plain text (80 columns), ending with a newline."""
    lines = sheet_lines(
        item,
        settings,
        tz,
        owner=owner,
        events=events,
        merged_into=merged_into,
        printed_at=printed_at,
    )
    return page_text(lines)


def sheet_pdf(
    item: Complaint,
    settings: Settings,
    tz: tzinfo,
    path: Path,
    *,
    owner: str = "",
    events: Sequence[SheetEvent] = (),
    merged_into: str = "",
    printed_at: datetime | None = None,
) -> Path:
    """Write the sheet as an A4 PDF to `path` and return it.

    Raises:
        PrintError: when no Chinese font is installed.
    """
    lines = sheet_lines(
        item,
        settings,
        tz,
        owner=owner,
        events=events,
        merged_into=merged_into,
        printed_at=printed_at,
    )
    try:
        return write_pdf(lines, path, title=f"{t('complaint_sheet.title')} {item.number}")
    except FontNotFound as exc:
        raise PrintError("printing.no_font", message=str(exc)) from exc
