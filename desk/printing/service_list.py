"""The site's list of paid convenience services (便民服务项目及收费标准), published to the
residents (000 五.1): each service, its price per unit and the department that does it, from
`[services]` of the site's settings. Text and PDF, lines of at most 80 display cells."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from desk.i18n import current_language, t
from desk.printing.cups import PrintError
from desk.printing.fonts import FontNotFound
from desk.printing.paper import site_name, written_at, yuan
from desk.printing.pdf import write_pdf
from desk.printing.text import cell_len, centre, clip, pad, page_text, wrap

if TYPE_CHECKING:
    from desk.config import Settings

WIDTH = 80


def service_list_lines(settings: Settings, *, printed_at: datetime | None = None) -> list[str]:
    """The list as lines of at most 80 cells."""
    lang = current_language()
    head = (
        t("services_list.col_service"),
        t("services_list.col_price"),
        t("services_list.col_department"),
    )
    rows = []
    for item in settings.services.items:
        department = settings.department(item.department)
        rows.append(
            (
                item.label(lang),
                t("services_list.per", price=yuan(item.price_fen), unit=item.unit(lang)),
                department.label(lang) if department else item.department,
            )
        )
    widths = [max(cell_len(row[i]) for row in [head, *rows]) for i in range(3)]
    # the service's name gives way when the three columns would not fit
    gap = 2
    widths[0] = min(widths[0], WIDTH - widths[1] - widths[2] - 2 * gap)

    def line(cells: tuple[str, str, str]) -> str:
        first = pad(clip(cells[0], widths[0]), widths[0])
        second = pad(cells[1], widths[1], align="right")
        return clip(f"{first}{' ' * gap}{second}{' ' * gap}{cells[2]}".rstrip(), WIDTH)

    title = f"{site_name(settings)}  {t('services_list.title')}"
    lines = [centre(title, WIDTH), "=" * WIDTH, *wrap(t("services_list.intro"), WIDTH), ""]
    lines += [line(head), "-" * WIDTH, *(line(row) for row in rows), "-" * WIDTH]
    lines += wrap(t("services_list.footer"), WIDTH)
    if printed_at is not None:
        lines.append(t("services_list.printed_at", at=written_at(printed_at, settings.tz)))
    return lines


def service_list_text(settings: Settings, *, printed_at: datetime | None = None) -> str:
    """The list as plain text (80 columns), ending with a newline."""
    return page_text(service_list_lines(settings, printed_at=printed_at))


def service_list_pdf(settings: Settings, path: Path, *, printed_at: datetime | None = None) -> Path:
    """Write the list as an A4 PDF to `path` and return it.

    Raises:
        PrintError: when no Chinese font is installed.
    """
    lines = service_list_lines(settings, printed_at=printed_at)
    try:
        return write_pdf(lines, path, title=t("services_list.title"))
    except FontNotFound as exc:
        raise PrintError("printing.no_font", message=str(exc)) from exc
