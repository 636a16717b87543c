"""The statistics report as an xlsx workbook: one sheet per section, bold headers, data bars.

Text cells go in as the CSV writes them (desk.safe_text.spreadsheet_cell): openpyxl would store
a text starting with "=" as a formula, and refuses control characters outright.
"""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.formatting.rule import DataBarRule
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from desk.config import Settings
from desk.printing.report import heading, sections
from desk.printing.report_csv import spreadsheet_row
from desk.printing.text import cell_len
from desk.safe_text import spreadsheet_cell
from desk.services.stats import Report

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
MAX_WIDTH = 60


def _sheet_name(title: str, used: set[str]) -> str:
    name = _BAD_SHEET_CHARS.sub(" ", title)[:31] or "sheet"
    while name in used:
        name = name[:28] + f"~{len(used)}"
    used.add(name)
    return name


def render(report: Report, settings: Settings) -> bytes:
    """The workbook's bytes."""
    book = Workbook()
    bold = Font(bold=True)
    used: set[str] = set()
    first = True
    for section in sections(report, settings):
        sheet = book.active if first else book.create_sheet()
        assert sheet is not None
        first = False
        sheet.title = _sheet_name(section.title, used)
        widths: dict[int, int] = {}
        for line in heading(report, settings):
            sheet.append([spreadsheet_cell(line)])
        for table in section.tables:
            sheet.append([])
            sheet.append([spreadsheet_cell(table.title)])
            sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, size=12)
            sheet.append(spreadsheet_row(list(table.headers)))
            for column in range(1, len(table.headers) + 1):
                sheet.cell(row=sheet.max_row, column=column).font = bold
            top = sheet.max_row + 1
            for row in table.rows:
                sheet.append(spreadsheet_row(row))
            grid: list[list[str | int]] = [list(table.headers), *table.rows]
            for cells in grid:
                for i, cell in enumerate(cells, start=1):
                    widths[i] = max(widths.get(i, 0), cell_len(str(cell)))
            if table.bar is not None and table.rows:
                letter = get_column_letter(table.bar + 1)
                span = f"{letter}{top}:{letter}{sheet.max_row}"
                rule = DataBarRule(start_type="num", start_value=0, end_type="max", color="44AA77")
                sheet.conditional_formatting.add(span, rule)
        for column, width in widths.items():
            sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, MAX_WIDTH)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
