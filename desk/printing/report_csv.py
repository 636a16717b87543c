"""The statistics report as CSV: one table after another, each led by its heading row."""

from __future__ import annotations

import csv
import io

from desk.config import Settings
from desk.printing.report import heading, sections
from desk.services.stats import Report

# A BOM lets spreadsheet programs read the Chinese text as UTF-8 (written by `write`).
ENCODING = "utf-8-sig"


def render(report: Report, settings: Settings) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for line in heading(report, settings):
        writer.writerow([line])
    for section in sections(report, settings):
        for table in section.tables:
            writer.writerow([])
            writer.writerow([f"{section.title} / {table.title}"])
            writer.writerow(table.headers)
            writer.writerows(table.rows)
    return out.getvalue()
