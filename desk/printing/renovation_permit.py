"""The renovation permit (装修许可证) the owner collects and posts at the door: text and PDF.

One page: the permit and application numbers, the room and the owner, the contractor, the
works' days and permitted hours, the scope and the special works approved, the engineering
department's approval, the deposit and the debris fee with their receipts, the rules, and the
signatures. Lines of at most 80 display cells in the current language.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from desk.i18n import listed, t
from desk.printing.cups import PrintError
from desk.printing.fonts import FontNotFound
from desk.printing.paper import site_name, written_at, yuan
from desk.printing.pdf import write_pdf
from desk.printing.text import cell_len, centre, label_value, page_text, two_columns, wrap

if TYPE_CHECKING:
    from desk.config import Settings
    from desk.models import Renovation

WIDTH = 80
BLANK = "_" * 16


def _day(day: date | None) -> str:
    return day.isoformat() if day else ""


def _special(found: Renovation, settings: Settings) -> str:
    works = [w for w in settings.renovation.special_approval if getattr(found, f"touches_{w}")]
    if not works:
        return t("renovation_permit.no_special")
    return listed(t(f"special_work.{w}") for w in works)


def renovation_permit_lines(
    found: Renovation,
    settings: Settings,
    *,
    clerk: str = "",
    printed_at: datetime | None = None,
) -> list[str]:
    """The permit as lines of at most 80 cells."""
    tz = settings.tz
    rows: list[tuple[tuple[str, str], tuple[str, str] | None]] = [
        (
            (t("renovation_permit.number"), found.permit_number),
            (t("renovation_permit.application"), found.number),
        ),
        (
            (t("renovation_permit.room"), found.room),
            (t("renovation_permit.owner"), found.applicant),
        ),
        (
            (t("renovation_permit.contractor"), found.contractor),
            (t("renovation_permit.licence"), found.contractor_licence),
        ),
        (
            (t("renovation_permit.person"), found.contractor_person),
            (t("renovation_permit.phone"), found.contractor_phone),
        ),
        (
            (t("renovation_permit.from"), _day(found.planned_start)),
            (t("renovation_permit.until"), _day(found.planned_end)),
        ),
        (
            (t("renovation_permit.approved_by"), found.decided_by),
            (t("renovation_permit.approved_at"), written_at(found.decided_at, tz)),
        ),
        (
            (
                t("renovation_permit.deposit"),
                f"{yuan(found.deposit_fen)}  {found.deposit_receipt}".strip(),
            ),
            (
                t("renovation_permit.debris_fee"),
                f"{yuan(found.debris_fee_fen)}  {found.debris_fee_receipt}".strip(),
            ),
        ),
    ]
    long_labels = ("hours", "scope", "special", "issued")
    labels = [pair[0] for row in rows for pair in row if pair]
    labels += [t(f"renovation_permit.{key}") for key in long_labels]
    width = max(cell_len(label) for label in labels)
    title = f"{site_name(settings)}  {t('renovation_permit.title')}"
    lines = [centre(title, WIDTH), "=" * WIDTH]
    lines += [two_columns(left, right, label_width=width, width=WIDTH) for left, right in rows]

    def long(key: str, value: str) -> None:
        lines.extend(
            label_value(t(f"renovation_permit.{key}"), value, label_width=width, width=WIDTH)
        )

    long("hours", "  ".join(settings.renovation.permitted_hours))
    long("scope", found.scope)
    long("special", _special(found, settings))
    long("issued", f"{clerk} {written_at(found.permit_issued_at, tz)}".strip())
    lines.append("-" * WIDTH)
    lines += wrap(t("renovation_permit.rules"), WIDTH)
    lines.append("-" * WIDTH)
    signers = [t(f"renovation_permit.sign_{who}") for who in ("clerk", "owner", "contractor")]
    sign_width = max(cell_len(signer) for signer in [*signers, t("renovation_permit.stamp")])

    def pair(left: tuple[str, str], right: tuple[str, str]) -> str:
        return two_columns(left, right, label_width=sign_width, width=WIDTH)

    lines += [
        "",
        pair((signers[0], BLANK), (t("renovation_permit.stamp"), BLANK)),
        "",
        pair((signers[1], BLANK), (signers[2], BLANK)),
        "=" * WIDTH,
    ]
    if printed_at is not None:
        lines.append(t("renovation_permit.printed_at", at=written_at(printed_at, tz)))
    return lines


def renovation_permit_text(
    found: Renovation,
    settings: Settings,
    *,
    clerk: str = "",
    printed_at: datetime | None = None,
) -> str:
    """The permit as plain text (80 columns), ending with a newline."""
    return page_text(renovation_permit_lines(found, settings, clerk=clerk, printed_at=printed_at))


def renovation_permit_pdf(
    found: Renovation,
    settings: Settings,
    path: Path,
    *,
    clerk: str = "",
    printed_at: datetime | None = None,
) -> Path:
    """Write the permit as an A4 PDF to `path` and return it.

    Raises:
        PrintError: when no Chinese font is installed.
    """
    lines = renovation_permit_lines(found, settings, clerk=clerk, printed_at=printed_at)
    try:
        return write_pdf(lines, path, title=f"{t('renovation_permit.title')} {found.permit_number}")
    except FontNotFound as exc:
        raise PrintError("printing.no_font", message=str(exc)) from exc
