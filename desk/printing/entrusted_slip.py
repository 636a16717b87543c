"""The two-part entrusted key slip (委托钥匙签领单): owner copy and stub, text and PDF.

Both parts carry the WT number; the owner hands the owner copy back to collect the key, the
stub stays at the desk. A dashed cut line (not a rule, so the PDF prints it dashed) parts them.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from desk.i18n import t
from desk.printing.cups import PrintError
from desk.printing.fonts import FontNotFound
from desk.printing.paper import site_name, written_at
from desk.printing.pdf import write_pdf
from desk.printing.text import cell_len, centre, label_value, page_text, two_columns, wrap

if TYPE_CHECKING:
    from desk.config import Settings
    from desk.models import EntrustedKey

WIDTH = 80
BLANK = "_" * 16


def cut_line() -> str:
    label = f" {t('entrusted_slip.cut')} "
    side = (WIDTH - cell_len(label)) // 2
    dashes = "- " * (side // 2)
    return (dashes.ljust(side) + label + dashes.rjust(WIDTH - side - cell_len(label))).rstrip()


def _part(
    record: EntrustedKey,
    settings: Settings,
    part: str,
    *,
    operator: str,
    repair_number: str,
) -> list[str]:
    tz = settings.tz
    rows: list[tuple[tuple[str, str], tuple[str, str] | None]] = [
        ((t("entrusted_slip.number"), record.number), (t("entrusted_slip.room"), record.room)),
        (
            (t("entrusted_slip.owner"), record.owner_name),
            (t("entrusted_slip.phone"), record.phone),
        ),
        (
            (t("entrusted_slip.count"), t("entrusted_slip.count_value", n=record.count)),
            (t("entrusted_slip.deposited_at"), written_at(record.deposited_at, tz)),
        ),
        (
            (t("entrusted_slip.clerk"), operator or BLANK),
            (t("entrusted_slip.hook"), record.hook or BLANK),
        ),
    ]
    if repair_number:
        rows.append(((t("entrusted_slip.repair"), repair_number), None))
    labels = [pair[0] for row in rows for pair in row if pair]
    labels += [t("entrusted_slip.key"), t("entrusted_slip.reason")]
    labels += [
        t(f"entrusted_slip.{k}")
        for k in ("owner_signature", "clerk_signature", "collected_signature")
    ]
    width = max(cell_len(label) for label in labels)
    title = f"{site_name(settings)}  {t('entrusted_slip.title')}"
    lines = [centre(title, WIDTH), centre(t(f"entrusted_slip.{part}"), WIDTH), "=" * WIDTH]
    lines += [two_columns(left, right, label_width=width, width=WIDTH) for left, right in rows]
    key = t("entrusted_slip.key")
    lines += label_value(key, record.description, label_width=width, width=WIDTH)
    reason = t("entrusted_slip.reason")
    lines += label_value(reason, record.reason, label_width=width, width=WIDTH)
    lines.append("-" * WIDTH)
    date = t("entrusted_slip.date")
    if part == "owner_copy":
        signer = t("entrusted_slip.clerk_signature")
        lines.append("")
        lines.append(two_columns((signer, BLANK), (date, BLANK), label_width=width, width=WIDTH))
        lines += wrap(t("entrusted_slip.rule"), WIDTH)
    else:
        for signer in ("owner_signature", "collected_signature"):
            label = t(f"entrusted_slip.{signer}")
            lines.append("")
            lines.append(two_columns((label, BLANK), (date, BLANK), label_width=width, width=WIDTH))
    return lines


def entrusted_slip_lines(
    record: EntrustedKey,
    settings: Settings,
    *,
    operator: str = "",
    repair_number: str = "",
    printed_at: datetime | None = None,
) -> list[str]:
    """Owner copy, cut line, stub: lines of at most 80 display cells in the current language."""
    extra = {"operator": operator, "repair_number": repair_number}
    lines = _part(record, settings, "owner_copy", **extra)
    lines += ["", cut_line(), ""]
    lines += _part(record, settings, "stub", **extra)
    if printed_at is not None:
        lines.append("")
        lines.append(t("entrusted_slip.printed_at", at=written_at(printed_at, settings.tz)))
    return lines


def entrusted_slip_text(
    record: EntrustedKey,
    settings: Settings,
    *,
    operator: str = "",
    repair_number: str = "",
    printed_at: datetime | None = None,
) -> str:
    """The slip as plain text (80 columns), ending with a newline."""
    lines = entrusted_slip_lines(
        record, settings, operator=operator, repair_number=repair_number, printed_at=printed_at
    )
    return page_text(lines)


def entrusted_slip_pdf(
    record: EntrustedKey,
    settings: Settings,
    path: Path,
    *,
    operator: str = "",
    repair_number: str = "",
    printed_at: datetime | None = None,
) -> Path:
    """Write the slip as an A4 PDF to `path` and return it.

    Raises:
        PrintError: when no Chinese font is installed.
    """
    lines = entrusted_slip_lines(
        record, settings, operator=operator, repair_number=repair_number, printed_at=printed_at
    )
    try:
        return write_pdf(lines, path, title=f"{t('entrusted_slip.title')} {record.number}")
    except FontNotFound as exc:
        raise PrintError("printing.no_font", message=str(exc)) from exc
