"""Fixed-width text pages as PDF (fpdf2 with a CJK font), laid out on a grid of cells.

Each character is placed at its own cell position, so what lines up in the text version of a
printout lines up on paper whatever the font's Latin widths are. Lines made only of `-` or `=`
are drawn as ruled lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.cells import get_character_cell_size

from desk.files import private_folder, write_whole
from desk.printing.fonts import FontFace, find_cjk_font
from desk.safe_text import printable

if TYPE_CHECKING:
    from fpdf import FPDF

COLUMNS = 80
PAGE_WIDTH_MM = 210.0  # A4
PAGE_HEIGHT_MM = 297.0
MARGIN_MM = 12.0
LINE_HEIGHT_MM = 5.2
FONT_FAMILY = "deskcjk"


def _is_rule(line: str) -> bool:
    stripped = line.strip()
    return len(stripped) >= 10 and set(stripped) in ({"-"}, {"="})


def render_pdf(
    lines: Sequence[str],
    *,
    title: str = "",
    columns: int = COLUMNS,
    font: FontFace | None = None,
) -> bytes:
    """The PDF document showing `lines` (each at most `columns` cells) on A4 pages.

    A control character in a line is drawn as its visible mark (desk.safe_text).
    """
    from fpdf import FPDF  # 0.4 s to import: only when something is printed

    face = font or find_cjk_font()
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    if title:
        pdf.set_title(printable(title, one_line=True))
    pdf.set_creator("desk")
    pdf.add_font(FONT_FAMILY, "", str(face.path), collection_font_number=face.index)
    cell_mm = (PAGE_WIDTH_MM - 2 * MARGIN_MM) / columns
    # A wide character fills two cells; keep its glyph a little narrower than that.
    size_pt = cell_mm * 2 * 0.88 / 25.4 * 72
    pdf.set_font(FONT_FAMILY, size=size_pt)
    per_page = int((PAGE_HEIGHT_MM - 2 * MARGIN_MM) // LINE_HEIGHT_MM)
    for number, raw in enumerate(lines):
        line = printable(raw, one_line=True)  # the text renderers' last word, on paper too
        row = number % per_page
        if row == 0:
            pdf.add_page()
        baseline = MARGIN_MM + (row + 0.75) * LINE_HEIGHT_MM
        if _is_rule(line):
            _draw_rule(pdf, line, baseline, cell_mm)
            continue
        column = 0
        for ch in line:
            size = get_character_cell_size(ch)
            if ch != " " and size:
                pdf.text(MARGIN_MM + column * cell_mm, baseline, ch)
            column += size
    if not lines:
        pdf.add_page()
    return bytes(pdf.output())


def _draw_rule(pdf: FPDF, line: str, baseline: float, cell_mm: float) -> None:
    start = len(line) - len(line.lstrip())
    length = len(line.strip())
    pdf.set_line_width(0.5 if "=" in line else 0.2)
    y = baseline - LINE_HEIGHT_MM * 0.3
    pdf.line(MARGIN_MM + start * cell_mm, y, MARGIN_MM + (start + length) * cell_mm, y)


def write_pdf(lines: Sequence[str], path: Path, *, title: str = "") -> Path:
    """Write the PDF of `lines` to `path` (its folder is created) and return the path."""
    private_folder(path.parent)
    return write_whole(path, render_pdf(lines, title=title))
