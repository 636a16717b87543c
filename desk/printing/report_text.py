"""The statistics report as plain text: 80 cells wide, Chinese columns aligned, "#" bars."""

from __future__ import annotations

from desk.config import Settings
from desk.printing.report import Cell, Table, heading, sections
from desk.printing.text import cell_len, centre, pad, page_text
from desk.services.stats import Report

WIDTH = 80
GAP = 2
BAR = "#"  # one cell everywhere; block characters are East-Asian ambiguous on paper
MAX_BAR = 24
MIN_BAR = 6


def _shown(cell: Cell) -> str:
    return str(cell)


def _widths(table: Table) -> list[int]:
    widths = [cell_len(h) for h in table.headers]
    for row in table.rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], cell_len(_shown(cell)))
    # too wide: narrow the widest column until the table fits (its cells are clipped)
    while sum(widths) + GAP * (len(widths) - 1) > WIDTH:
        widest = widths.index(max(widths))
        widths[widest] -= 1
    return widths


def _line(cells: list[Cell], widths: list[int]) -> str:
    parts = [
        pad(_shown(cell), width, align="right" if isinstance(cell, int) else "left")
        for cell, width in zip(cells, widths, strict=True)
    ]
    return (" " * GAP).join(parts)


def table_lines(table: Table) -> list[str]:
    """One table: its title, header, a rule, the rows (with a bar when it has one)."""
    widths = _widths(table)
    used = sum(widths) + GAP * (len(widths) - 1)
    room = min(MAX_BAR, WIDTH - used - GAP)
    bar = table.bar if room >= MIN_BAR else None
    peak = max((int(row[bar]) for row in table.rows), default=0) if bar is not None else 0
    lines = [table.title, _line(list(table.headers), widths).rstrip(), "-" * used]
    for row in table.rows:
        line = _line(row, widths)
        if bar is not None and peak:
            value = int(row[bar])
            length = round(room * value / peak)
            if value and not length:
                length = 1
            line += " " * GAP + BAR * length
        lines.append(line.rstrip())
    if not table.rows:
        lines.append("-")
    return lines


def render(report: Report, settings: Settings) -> str:
    lines = [centre(text, WIDTH) for text in heading(report, settings)]
    for section in sections(report, settings):
        lines += ["", "", section.title, "=" * cell_len(section.title)]
        for table in section.tables:
            lines += ["", *table_lines(table)]
    return page_text(lines)
