"""The statistics report as CSV: one table after another, each led by its heading row.

Text cells are made printable and never start a formula (desk.safe_text.spreadsheet_cell):
a room or a description from the database must not run in the spreadsheet that opens the file.
"""

from __future__ import annotations

import csv
import io

from desk.config import Settings
from desk.printing.report import Cell, heading, sections
from desk.safe_text import spreadsheet_cell
from desk.services.stats import Report

# A BOM lets spreadsheet programs read the Chinese text as UTF-8 (written by `write`).
ENCODING = "utf-8-sig"


def render(report: Report, settings: Settings) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for line in heading(report, settings):
        writer.writerow([spreadsheet_cell(line)])
    for section in sections(report, settings):
        for table in section.tables:
            writer.writerow([])
            writer.writerow([spreadsheet_cell(f"{section.title} / {table.title}")])
            writer.writerow([spreadsheet_cell(header) for header in table.headers])
            writer.writerows(spreadsheet_row(row) for row in table.rows)
    return out.getvalue()


def spreadsheet_row(row: list[Cell]) -> list[Cell]:
    """Text cells made safe to open in a spreadsheet (desk.safe_text); numbers as they are."""
    return [spreadsheet_cell(cell) if isinstance(cell, str) else cell for cell in row]
