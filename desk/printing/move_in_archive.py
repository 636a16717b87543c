"""A move-in's archive sheet (资料归档, 000 四.1 ⑦; 001 入伙办理 ⑺): what was collected and signed
for one case, to file with the papers: the papers checked, the agreements signed, the fees and
their receipt, the items handed over and who signed for them, the meter readings, the problems
found at the inspection and their acceptance, and 托管. Text and PDF, lines of at most 80 cells.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from desk.i18n import t
from desk.printing.cups import PrintError
from desk.printing.fonts import FontNotFound
from desk.printing.paper import site_name, written_at, yuan
from desk.printing.pdf import write_pdf
from desk.printing.text import centre, label_value, page_text, wrap

if TYPE_CHECKING:
    from desk.config import Settings
    from desk.models import Finding, MoveIn, MoveInReading

WIDTH = 80
LABEL = 18


def _lv(label: str, value: str) -> list[str]:
    return label_value(label, value, label_width=LABEL, width=WIDTH)


def _ticks(found: MoveIn, names: tuple[str, ...]) -> list[str]:
    marks = [f"[{'x' if getattr(found, n) else ' '}] {t(f'fields.{n}')}" for n in names]
    return wrap("  ".join(marks), WIDTH)


def move_in_archive_lines(
    found: MoveIn,
    readings: list[MoveInReading],
    problems: list[Finding],
    settings: Settings,
    *,
    clerk: str = "",
    printed_at: datetime | None = None,
) -> list[str]:
    from desk.services.move_in_queries import AGREEMENTS, DOCUMENTS

    tz = settings.tz
    lines = [centre(site_name(settings), WIDTH), centre(t("move_in_archive.title"), WIDTH), ""]
    for label, value in (
        (t("move_in_archive.number"), found.number),
        (t("fields.room"), found.room),
        (t("fields.owner_name"), found.owner_name),
        (t("fields.applicant_kind"), t(f"move_in_applicant.{found.applicant_kind}")),
        (t("fields.agent_name"), found.agent_name),
        (t("fields.booked_for"), written_at(found.booked_for, tz)),
        (t("move_in_archive.state"), t(f"move_in_state.{found.state}")),
    ):
        if value:
            lines.extend(_lv(label, value))
    lines += ["", t("move_in_archive.papers")]
    lines += _ticks(found, DOCUMENTS[found.applicant_kind])
    lines += ["", t("move_in_archive.agreements")]
    lines += _ticks(found, AGREEMENTS)
    lines += ["", t("move_in_archive.fees")]
    lines.extend(_lv(t("move_in_ui.fee"), f"{yuan(found.fee_fen)}  {found.fee_receipt}"))
    lines += ["", t("move_in_archive.items")]
    lines.extend(_lv(t("fields.keys_handed"), str(found.keys_handed)))
    lines += _ticks(found, ("handbook_handed", "drawings_handed"))
    lines.extend(_lv(t("fields.items_signed_by"), found.items_signed_by or "-"))
    lines += ["", t("move_in_archive.readings")]
    for read in readings:
        row = t(
            "move_in_archive.reading",
            kind=t(f"reading_kind.{read.kind}"),
            at=written_at(read.read_at, tz),
            water=f"{read.water:g}",
            electricity=f"{read.electricity:g}",
            gas=f"{read.gas:g}",
        )
        if read.over_limit:
            row += " !"
        lines.extend(wrap(row, WIDTH))
    if found.meters_confirmed_by:
        lines.extend(_lv(t("fields.confirmed_by"), found.meters_confirmed_by))
    lines += ["", t("move_in_archive.problems")]
    if not problems:
        lines.append(t("move_in_archive.no_problems"))
    for problem in problems:
        state = t(f"finding_state.{problem.state}")
        who = f" {problem.accepted_by}" if problem.accepted_by else ""
        lines.extend(wrap(f"{problem.number} {problem.place} {problem.what} - {state}{who}", WIDTH))
    if found.custody_agreement:
        lines += ["", t("move_in_archive.custody")]
        lines.extend(_lv(t("fields.agreement"), found.custody_agreement))
        lines.extend(_lv(t("fields.custody_keys"), str(found.custody_keys)))
    lines.append("")
    if clerk:
        lines.append(t("move_in_archive.clerk", clerk=clerk))
    if printed_at is not None:
        lines.append(t("move_in_archive.printed_at", at=written_at(printed_at, tz)))
    return lines


def move_in_archive_text(
    found: MoveIn,
    readings: list[MoveInReading],
    problems: list[Finding],
    settings: Settings,
    *,
    clerk: str = "",
    printed_at: datetime | None = None,
) -> str:
    lines = move_in_archive_lines(
        found, readings, problems, settings, clerk=clerk, printed_at=printed_at
    )
    return page_text(lines)


def move_in_archive_pdf(
    found: MoveIn,
    readings: list[MoveInReading],
    problems: list[Finding],
    settings: Settings,
    path: Path,
    *,
    clerk: str = "",
    printed_at: datetime | None = None,
) -> Path:
    lines = move_in_archive_lines(
        found, readings, problems, settings, clerk=clerk, printed_at=printed_at
    )
    try:
        return write_pdf(lines, path, title=f"{t('move_in_archive.title')} {found.number}")
    except FontNotFound as exc:
        raise PrintError("printing.no_font", message=str(exc)) from exc
