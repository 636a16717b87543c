"""Writing a statistics report to files: text, CSV (with a BOM), xlsx and HTML."""

from __future__ import annotations

from pathlib import Path

from desk.config import Settings
from desk.files import private_folder, write_whole
from desk.printing import report_csv, report_html, report_text, report_xlsx
from desk.services.stats import Report

FORMATS = ("text", "csv", "xlsx", "html")
SUFFIX = {"text": "txt", "csv": "csv", "xlsx": "xlsx", "html": "html"}


def reports_folder(db_path: Path | None) -> Path:
    """printed/reports/ beside the database (the working directory for a server database)."""
    base = db_path.parent if db_path is not None else Path.cwd()
    return base / "printed" / "reports"


def render(report: Report, settings: Settings, fmt: str) -> str | bytes:
    if fmt == "xlsx":
        return report_xlsx.render(report, settings)
    if fmt == "csv":
        return report_csv.render(report, settings)
    if fmt == "html":
        return report_html.render(report, settings)
    if fmt == "text":
        return report_text.render(report, settings)
    raise ValueError(fmt)


def write(report: Report, settings: Settings, fmt: str, path: Path) -> Path:
    """Write one format to `path` (CSV gets a BOM so spreadsheets read it as UTF-8)."""
    content = render(report, settings, fmt)
    private_folder(path.parent)
    encoding = report_csv.ENCODING if fmt == "csv" else "utf-8"
    return write_whole(path, content, encoding=encoding)


def write_all(report: Report, settings: Settings, folder: Path) -> list[Path]:
    """Every format into `folder`, named after the period: report-2026-11.txt and so on."""
    stem = "report-" + report.period.label.replace("..", "_")
    return [write(report, settings, fmt, folder / f"{stem}.{SUFFIX[fmt]}") for fmt in FORMATS]
