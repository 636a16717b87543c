"""The repair work-order slip (维修工作单) the technician takes to the job: text and PDF."""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from desk.i18n import current_language, t
from desk.printing.cups import PrintError
from desk.printing.fonts import FontNotFound
from desk.printing.paper import site_name, written_at, yuan
from desk.printing.pdf import write_pdf
from desk.printing.text import cell_len, centre, label_value, page_text, two_columns, wrap

if TYPE_CHECKING:
    from desk.config import Settings
    from desk.models import RepairOrder

WIDTH = 80
BLANK = "_" * 20


def _category(order: RepairOrder, settings: Settings) -> str:
    category = settings.repair_category(order.category)
    return category.label(current_language()) if category else order.category


def _header(
    order: RepairOrder, settings: Settings, tz: tzinfo, operator: str
) -> list[tuple[tuple[str, str], tuple[str, str] | None]]:
    rows: list[tuple[tuple[str, str], tuple[str, str] | None]] = [
        (
            (t("slip.number"), order.number),
            (t("slip.reported_at"), written_at(order.reported_at, tz)),
        ),
        ((t("slip.room"), order.room), (t("slip.resident"), order.resident_name)),
        ((t("slip.phone"), order.phone), (t("slip.channel"), t(f"channel.{order.channel}"))),
        (
            (t("slip.location"), t(f"location.{order.location}")),
            (t("slip.category"), _category(order, settings)),
        ),
        (
            (t("slip.charging"), t("slip.paid") if order.paid else t("slip.free")),
            (
                t("slip.warranty"),
                t("slip.in_warranty") if order.warranty else t("slip.out_of_warranty"),
            ),
        ),
        (
            (
                t("slip.appointment"),
                written_at(order.appointment_at, tz) or t("slip.no_appointment"),
            ),
            (t("slip.state"), t(f"repair_state.{order.state}")),
        ),
        (
            (t("slip.technician"), order.technician or BLANK),
            (t("slip.dispatched_at"), written_at(order.dispatched_at, tz) or BLANK),
        ),
    ]
    if operator:
        rows.append(((t("slip.operator"), operator), None))
    return rows


def _for_technician(order: RepairOrder, tz: tzinfo) -> list[str]:
    """The part the technician fills in on site (already filled when the order was completed)."""
    labels = [
        t(key)
        for key in (
            "slip.arrived_at",
            "slip.completed_at",
            "slip.work_done",
            "slip.labour",
            "slip.material",
            "slip.resident_materials",
            "slip.resident_opinion",
            "slip.resident_signature",
            "slip.technician_signature",
            "slip.date",
        )
    ]
    width = max(cell_len(label) for label in labels)
    done = order.completed_at is not None

    def field(key: str, value: str) -> list[str]:
        return label_value(t(key), value, label_width=width, width=WIDTH)

    def pair(left: tuple[str, str], right: tuple[str, str]) -> str:
        return two_columns(left, right, label_width=width, width=WIDTH)

    blank = "_" * min(len(BLANK), WIDTH // 2 - width - 4)
    long_blank = "_" * (WIDTH - width - 2)
    lines = [centre(t("slip.for_technician"), WIDTH), "-" * WIDTH]
    lines += field("slip.arrived_at", written_at(order.on_site_at, tz) or blank)
    lines += field("slip.completed_at", written_at(order.completed_at, tz) or blank)
    if done and order.work_done:
        lines += field("slip.work_done", order.work_done)
    else:
        lines += field("slip.work_done", long_blank)
        lines += [" " * (width + 2) + long_blank] * 2
    labour = yuan(order.labour_fen) if done else blank
    material = yuan(order.material_fen) if done else blank
    lines.append(pair((t("slip.labour"), labour), (t("slip.material"), material)))
    materials = order.resident_materials if done and order.resident_materials else ""
    lines += field("slip.resident_materials", materials or t("slip.materials_choice"))
    lines += field("slip.resident_opinion", t("slip.opinion_choice"))
    lines.append("")
    lines.append(pair((t("slip.resident_signature"), blank), (t("slip.date"), blank)))
    lines.append("")
    lines.append(pair((t("slip.technician_signature"), blank), (t("slip.date"), blank)))
    return lines


def slip_lines(
    order: RepairOrder,
    settings: Settings,
    tz: tzinfo,
    *,
    operator: str = "",
    printed_at: datetime | None = None,
) -> list[str]:
    """The slip as lines of at most 80 display cells, in the current language."""
    rows = _header(order, settings, tz, operator)
    labels = [pair[0] for row in rows for pair in row if pair] + [t("slip.description")]
    width = max(cell_len(label) for label in labels)
    lines = [centre(f"{site_name(settings)}  {t('slip.title')}", WIDTH), "=" * WIDTH]
    lines += [two_columns(left, right, label_width=width, width=WIDTH) for left, right in rows]
    lines.append("-" * WIDTH)
    lines += label_value(t("slip.description"), order.description, label_width=width, width=WIDTH)
    lines.append("")
    lines += _for_technician(order, tz)
    lines.append("=" * WIDTH)
    lines += wrap(t("slip.copies"), WIDTH)
    if printed_at is not None:
        lines.append(t("slip.printed_at", at=written_at(printed_at, tz)))
    return lines


def slip_text(
    order: RepairOrder,
    settings: Settings,
    tz: tzinfo,
    *,
    operator: str = "",
    printed_at: datetime | None = None,
) -> str:
    """The slip as plain text (80 columns), ending with a newline."""
    lines = slip_lines(order, settings, tz, operator=operator, printed_at=printed_at)
    return page_text(lines)


def slip_pdf(
    order: RepairOrder,
    settings: Settings,
    tz: tzinfo,
    path: Path,
    *,
    operator: str = "",
    printed_at: datetime | None = None,
) -> Path:
    """Write the slip as an A4 PDF to `path` and return it.

    Raises:
        PrintError: when no Chinese font is installed.
    """
    lines = slip_lines(order, settings, tz, operator=operator, printed_at=printed_at)
    try:
        return write_pdf(lines, path, title=f"{t('slip.title')} {order.number}")
    except FontNotFound as exc:
        raise PrintError("printing.no_font", message=str(exc)) from exc
