"""The reminder letter sent by express mail (催缴函, 000 篇四.2(4)) and the desk's payment slip:
text and PDF, lines of at most 80 display cells.

The letter's words are a file the site edits (`[fees] letter_template`, next to site.toml,
data/fee_letter.txt by default) with the fields {owner} {room} {amount} {months} {kinds} {site}
{date}; without the file the desk's own words (the catalogue's fee_letter.body) are used.
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
    from desk.models import FeePayment, FeeStep
    from desk.services.fees import ReadBack

WIDTH = 80


def template(settings: Settings) -> str:
    """The site's letter file, or the desk's own words."""
    name = settings.fees.letter_template.strip()
    if name and settings.source is not None:
        path = settings.source.parent / name
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            pass
    return t("fee_letter.body")


class _Fields(dict[str, str]):
    def __missing__(self, key: str) -> str:  # a field the site misspelt stays as written
        return "{" + key + "}"


def fee_letter_lines(
    back: ReadBack, settings: Settings, *, step: FeeStep | None = None, printed_at: datetime
) -> list[str]:
    tz = settings.tz
    kinds = []
    for line in back.lines:
        kind = settings.fees.kind(line.kind)
        label = kind.label("zh_CN") if kind else line.kind
        kinds.append(f"{label} {line.from_month}~{line.to_month} {yuan(line.owing_fen)}")
    first = min((line.from_month for line in back.lines), default="")
    last = max((line.to_month for line in back.lines), default="")
    fields = _Fields(
        owner="、".join(back.owners) or t("fee_letter.owner"),
        room=back.room,
        amount=yuan(back.owing_fen),
        months=f"{first}~{last}",
        kinds="；".join(kinds),
        site=site_name(settings),
        date=printed_at.astimezone(tz).strftime("%Y-%m-%d"),
    )
    body = template(settings).format_map(fields)
    lines = [centre(f"{site_name(settings)}  {t('fee_letter.title')}", WIDTH), "=" * WIDTH]
    if step is not None:
        lines += label_value(t("fee_letter.number"), step.number, label_width=10, width=WIDTH)
        lines += label_value(t("fee_letter.tracking"), step.tracking, label_width=10, width=WIDTH)
    lines.append("")
    lines += wrap(body, WIDTH)
    lines.append("=" * WIDTH)
    return lines


def fee_letter_text(
    back: ReadBack, settings: Settings, *, step: FeeStep | None = None, printed_at: datetime
) -> str:
    return page_text(fee_letter_lines(back, settings, step=step, printed_at=printed_at))


def fee_letter_pdf(
    back: ReadBack,
    settings: Settings,
    path: Path,
    *,
    step: FeeStep | None = None,
    printed_at: datetime,
) -> Path:
    lines = fee_letter_lines(back, settings, step=step, printed_at=printed_at)
    try:
        return write_pdf(lines, path, title=f"{t('fee_letter.title')} {back.room}")
    except FontNotFound as exc:
        raise PrintError("printing.no_font", message=str(exc)) from exc


def fee_slip_lines(payment: FeePayment, kind: str, settings: Settings, *, clerk: str) -> list[str]:
    """The desk's own slip for a payment (when finance's receipt is not given)."""
    tz = settings.tz
    width = 40
    rows = [
        (t("fee_slip.number"), payment.number),
        (t("fee_slip.room"), payment.room),
        (t("fee_slip.kind"), kind),
        (t("fee_slip.amount"), yuan(payment.amount_fen)),
        (t("fee_slip.payer"), payment.payer),
        (t("fee_slip.at"), written_at(payment.created_at, tz)),
        (t("fee_slip.clerk"), clerk),
    ]
    lines = [centre(site_name(settings), width), centre(t("fee_slip.title"), width), "-" * width]
    for label, value in rows:
        lines += label_value(label, value, label_width=8, width=width)
    lines.append("-" * width)
    return lines


def fee_slip_text(payment: FeePayment, kind: str, settings: Settings, *, clerk: str) -> str:
    return page_text(fee_slip_lines(payment, kind, settings, clerk=clerk))


def fee_slip_pdf(
    payment: FeePayment, kind: str, settings: Settings, path: Path, *, clerk: str
) -> Path:
    lines = fee_slip_lines(payment, kind, settings, clerk=clerk)
    try:
        return write_pdf(lines, path, title=f"{t('fee_slip.title')} {payment.number}")
    except FontNotFound as exc:
        raise PrintError("printing.no_font", message=str(exc)) from exc
