"""The month's figures per estate and for the company, one estate a line (80 cells: a company
of many estates grows down the page, not across it)."""

from __future__ import annotations

from desk.config import Settings
from desk.i18n import t
from desk.printing.report import Cell, Table, heading, percent, yuan
from desk.printing.report_text import WIDTH, table_lines
from desk.printing.text import centre, page_text
from desk.services.stats_estates import EstateReport


def company_table(lines: list[EstateReport]) -> Table:
    rows: list[list[Cell]] = []
    for line in lines:
        report = line.report
        rows.append(
            [
                line.code or t("report.company.total"),
                report.volume.get("reception", 0),
                report.repairs.reported,
                report.repairs.completed,
                percent(report.repairs.timeliness),
                report.complaints.received,
                percent(report.callbacks),
                yuan(report.repairs.unpaid_fen),
            ]
        )
    headers = [
        t("estate.column"),
        t("report.company.reception"),
        t("report.company.repairs"),
        t("report.company.completed"),
        t("report.company.on_time"),
        t("report.company.complaints"),
        t("report.company.callbacks"),
        t("report.company.unpaid"),
    ]
    return Table(t("report.company.title"), headers, rows)


def render_company(lines: list[EstateReport], settings: Settings) -> str:
    """The text page: the heading of the company's report, the table, each estate's name."""
    company = lines[-1].report
    out = [centre(text, WIDTH) for text in heading(company, settings)]
    out += ["", *table_lines(company_table(lines)), ""]
    out += [f"{line.code}  {line.name}" for line in lines[:-1] if line.name]
    return page_text(out)
