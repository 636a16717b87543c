"""The goods release pass slip (物品放行条) the resident hands to the guard: text and PDF.

A long items list continues on the next page under a repeated heading, so every page the guard
signs says which pass it belongs to.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from desk.i18n import t
from desk.printing.cups import PrintError
from desk.printing.fonts import FontNotFound
from desk.printing.paper import site_name, written_at
from desk.printing.pdf import LINE_HEIGHT_MM, MARGIN_MM, PAGE_HEIGHT_MM, write_pdf
from desk.printing.text import cell_len, centre, label_value, pad, page_text, two_columns, wrap

if TYPE_CHECKING:
    from desk.config import Settings
    from desk.models import PassItem, ReleasePass

WIDTH = 80
LINES_PER_PAGE = int((PAGE_HEIGHT_MM - 2 * MARGIN_MM) // LINE_HEIGHT_MM)
BLANK = "_" * 16
# item table: line number, description, quantity, remark (cells, with one space between)
COL_NO, COL_WHAT, COL_QTY = 4, 40, 6
COL_REMARK = WIDTH - COL_NO - COL_WHAT - COL_QTY - 3


def _head(found: ReleasePass, tz: tzinfo, clerk: str) -> list[str]:
    rows: list[tuple[tuple[str, str], tuple[str, str] | None]] = [
        (
            (t("pass_slip.number"), found.number),
            (t("pass_slip.valid_until"), written_at(found.valid_until, tz)),
        ),
        ((t("pass_slip.room"), found.room), (t("pass_slip.applicant"), found.applicant)),
        (
            (t("pass_slip.relationship"), t(f"relationship.{found.relationship}")),
            (t("pass_slip.id"), f"{t(f'id_type.{found.id_type}')} ****{found.id_last4}"),
        ),
        (
            (t("pass_slip.plate"), found.vehicle_plate or t("pass_slip.no_vehicle")),
            (t("pass_slip.clerk"), f"{clerk} {written_at(found.created_at, tz)}".strip()),
        ),
    ]
    labels = [pair[0] for row in rows for pair in row if pair] + [t("pass_slip.confirmation")]
    width = max(cell_len(label) for label in labels)
    lines = [two_columns(left, right, label_width=width, width=WIDTH) for left, right in rows]
    if found.owner_confirmed is not None:
        answer = t("app.yes") if found.owner_confirmed else t("app.no")
        confirmation = t(
            "pass_slip.confirmation_line",
            who=found.owner_confirmed_by,
            phone=found.owner_phone_called,
            at=written_at(found.owner_confirmed_at, tz),
            answer=answer,
        )
    else:
        confirmation = t("pass_slip.owner_in_person")
    lines += label_value(t("pass_slip.confirmation"), confirmation, label_width=width, width=WIDTH)
    return lines


def _table_head() -> list[str]:
    cells = [
        pad(t("pass_slip.col_line"), COL_NO),
        pad(t("pass_slip.col_item"), COL_WHAT),
        pad(t("pass_slip.col_quantity"), COL_QTY, align="right"),
        t("pass_slip.col_remark"),
    ]
    return [" ".join(cells).rstrip(), "-" * WIDTH]


def _item_rows(items: list[PassItem]) -> list[list[str]]:
    """Each item as its lines (a long description or remark wraps within its column)."""
    rows = []
    for item in items:
        what = wrap(item.description, COL_WHAT)
        remark = wrap(item.remark, COL_REMARK)
        lines = []
        for index in range(max(len(what), len(remark))):
            first = index == 0
            cells = [
                pad(f"{item.line_no}." if first else "", COL_NO, align="right"),
                pad(what[index] if index < len(what) else "", COL_WHAT),
                pad(str(item.quantity) if first else "", COL_QTY, align="right"),
                remark[index] if index < len(remark) else "",
            ]
            lines.append(" ".join(cells).rstrip())
        rows.append(lines)
    return rows


def _foot(
    found: ReleasePass, items: list[PassItem], tz: tzinfo, printed_at: datetime | None
) -> list[str]:
    total = sum(item.quantity for item in items)
    half = WIDTH // 2
    labels = [
        t(k) for k in ("pass_slip.sign_clerk", "pass_slip.sign_applicant", "pass_slip.sign_guard")
    ]
    width = max(cell_len(label) for label in [*labels, t("pass_slip.gate_time")])

    def pair(left: tuple[str, str], right: tuple[str, str]) -> str:
        return two_columns(left, right, label_width=width, width=WIDTH)

    lines = [
        "-" * WIDTH,
        t("pass_slip.total", lines=len(items), quantity=total),
        "",
        pair((labels[0], BLANK), (t("pass_slip.stamp"), BLANK)),
        "",
        pair((labels[1], BLANK), (t("pass_slip.gate_time"), BLANK)),
        "",
        pair((labels[2], BLANK), (t("pass_slip.gate_result"), BLANK)),
        "=" * WIDTH,
    ]
    lines += wrap(t("pass_slip.rules"), WIDTH)
    if printed_at is not None:
        lines.append(pad(t("pass_slip.printed_at", at=written_at(printed_at, tz)), half).rstrip())
    return lines


def pass_slip_pages(
    found: ReleasePass,
    items: list[PassItem],
    settings: Settings,
    *,
    clerk: str = "",
    printed_at: datetime | None = None,
) -> list[list[str]]:
    """The slip as pages of at most `LINES_PER_PAGE` lines of at most 80 cells."""
    tz = settings.tz
    title = centre(f"{site_name(settings)}  {t('pass_slip.title')}", WIDTH)
    head = [title, "=" * WIDTH, *_head(found, tz, clerk), "-" * WIDTH, *_table_head()]
    pages: list[list[str]] = []
    current = head
    for row in _item_rows(items):
        if len(current) + len(row) > LINES_PER_PAGE:
            pages.append(current)
            heading = t("pass_slip.continued", number=found.number, page=len(pages) + 1)
            current = [centre(heading, WIDTH), "=" * WIDTH, *_table_head()]
        current = current + row
    foot = _foot(found, items, tz, printed_at)
    if len(current) + len(foot) > LINES_PER_PAGE:
        pages.append(current)
        heading = t("pass_slip.continued", number=found.number, page=len(pages) + 1)
        current = [centre(heading, WIDTH), "=" * WIDTH]
    pages.append(current + foot)
    return pages


def pass_slip_lines(
    found: ReleasePass,
    items: list[PassItem],
    settings: Settings,
    *,
    clerk: str = "",
    printed_at: datetime | None = None,
) -> list[str]:
    """Every line of every page; pages but the last are filled to a whole page for the PDF."""
    pages = pass_slip_pages(found, items, settings, clerk=clerk, printed_at=printed_at)
    lines: list[str] = []
    for page in pages[:-1]:
        lines += page + [""] * (LINES_PER_PAGE - len(page))
    return lines + pages[-1]


def pass_slip_text(
    found: ReleasePass,
    items: list[PassItem],
    settings: Settings,
    *,
    clerk: str = "",
    printed_at: datetime | None = None,
) -> str:
    """The slip as plain text (80 columns), pages separated by a blank line."""
    pages = pass_slip_pages(found, items, settings, clerk=clerk, printed_at=printed_at)
    return "\n".join(page_text(page) for page in pages)


def pass_slip_pdf(
    found: ReleasePass,
    items: list[PassItem],
    settings: Settings,
    path: Path,
    *,
    clerk: str = "",
    printed_at: datetime | None = None,
) -> Path:
    """Write the slip as an A4 PDF to `path` and return it.

    Raises:
        PrintError: when no Chinese font is installed.
    """
    lines = pass_slip_lines(found, items, settings, clerk=clerk, printed_at=printed_at)
    try:
        return write_pdf(lines, path, title=f"{t('pass_slip.title')} {found.number}")
    except FontNotFound as exc:
        raise PrintError("printing.no_font", message=str(exc)) from exc
