"""The renovation worker's temporary pass (施工人员临时出入证) the worker carries: text and PDF.

One page of at most 80 cells a line: the pass's number (what the gate scans), the worker, the
ID's last 4 only, the room, the permit and the days it is valid on, the fee and its receipt, the
rules, and the lines the clerk and the holder sign.
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
from desk.printing.text import cell_len, centre, label_value, pad, page_text, two_columns, wrap

if TYPE_CHECKING:
    from desk.config import Settings
    from desk.models import Renovation, WorkerPass

WIDTH = 80
BLANK = "_" * 16


def worker_pass_lines(
    found: WorkerPass,
    works: Renovation,
    settings: Settings,
    *,
    clerk: str = "",
    printed_at: datetime | None = None,
) -> list[str]:
    """The pass as lines of at most `WIDTH` cells."""
    tz = settings.tz
    valid = t(
        "worker_pass_slip.valid_range",
        start=found.valid_from.isoformat(),
        end=found.valid_until.isoformat(),
    )
    photo = t(
        "worker_pass_slip.photo_taken" if found.photo_taken else "worker_pass_slip.photo_missing"
    )
    fee = (
        t("worker_pass_slip.fee_line", amount=yuan(found.fee_fen), receipt=found.fee_receipt)
        if found.fee_fen
        else t("worker_pass_slip.no_fee")
    )
    rows: list[tuple[tuple[str, str], tuple[str, str] | None]] = [
        ((t("worker_pass_slip.number"), found.number), (t("worker_pass_slip.valid"), valid)),
        (
            (t("worker_pass_slip.name"), found.name),
            (t("worker_pass_slip.id"), f"****{found.id_last4}"),
        ),
        (
            (t("worker_pass_slip.room"), works.room),
            (t("worker_pass_slip.works"), works.permit_number or works.number),
        ),
        (
            (t("worker_pass_slip.photo"), photo),
            (t("worker_pass_slip.clerk"), f"{clerk} {written_at(found.created_at, tz)}".strip()),
        ),
    ]
    # the contractor and the fee (with its receipt) on lines of their own: they run long
    whole = [(t("worker_pass_slip.contractor"), works.contractor), (t("worker_pass_slip.fee"), fee)]
    labels = [pair[0] for row in rows for pair in row if pair] + [label for label, _ in whole]
    labels += [t("worker_pass_slip.sign_clerk"), t("worker_pass_slip.sign_worker")]
    width = max(cell_len(label) for label in labels)

    def pair(left: tuple[str, str], right: tuple[str, str] | None) -> str:
        return two_columns(left, right, label_width=width, width=WIDTH)

    title = centre(f"{site_name(settings)}  {t('worker_pass_slip.title')}", WIDTH)
    lines = [title, "=" * WIDTH, *(pair(left, right) for left, right in rows)]
    for label, value in whole:
        lines += label_value(label, value, label_width=width, width=WIDTH)
    lines.append("-" * WIDTH)
    lines += wrap(t("worker_pass_slip.rules"), WIDTH)
    lines += [
        "",
        pair(
            (t("worker_pass_slip.sign_clerk"), BLANK),
            (t("worker_pass_slip.stamp"), BLANK),
        ),
        "",
        pair((t("worker_pass_slip.sign_worker"), BLANK), None),
        "=" * WIDTH,
    ]
    if printed_at is not None:
        at = t("worker_pass_slip.printed_at", at=written_at(printed_at, tz))
        lines.append(pad(at, WIDTH // 2).rstrip())
    return lines


def worker_pass_text(
    found: WorkerPass,
    works: Renovation,
    settings: Settings,
    *,
    clerk: str = "",
    printed_at: datetime | None = None,
) -> str:
    """The pass as plain text (80 columns)."""
    return page_text(worker_pass_lines(found, works, settings, clerk=clerk, printed_at=printed_at))


def worker_pass_pdf(
    found: WorkerPass,
    works: Renovation,
    settings: Settings,
    path: Path,
    *,
    clerk: str = "",
    printed_at: datetime | None = None,
) -> Path:
    """Write the pass as an A4 PDF to `path` and return it.

    Raises:
        PrintError: when no Chinese font is installed.
    """
    lines = worker_pass_lines(found, works, settings, clerk=clerk, printed_at=printed_at)
    try:
        return write_pdf(lines, path, title=f"{t('worker_pass_slip.title')} {found.number}")
    except FontNotFound as exc:
        raise PrintError("printing.no_font", message=str(exc)) from exc
