"""The report's renderers and `desk report monthly`, on the hand-counted November."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from rich.cells import cell_len
from typer.testing import CliRunner

from desk.cli import app
from desk.config import load_settings
from desk.db import Database
from desk.i18n import set_language
from desk.models import Operator
from desk.printing import report_csv, report_html, report_text, report_xlsx
from desk.printing.report import yuan
from desk.printing.report_files import write_all
from desk.services import stats
from tests.conftest import Desk
from tests.month_fixtures import build_month, november

runner = CliRunner()
AMBIGUOUS = set("—…①○□※─│┌┐└┘")


@pytest.fixture
def report(db: Database, clerk: Operator, supervisor: Operator) -> stats.Report:
    return november(build_month(db, clerk, supervisor))


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_text_fits_80_cells_and_carries_the_figures(report: stats.Report, lang: str) -> None:
    set_language(lang)
    text = report_text.render(report, load_settings())
    lines = text.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    assert not AMBIGUOUS & set(text)
    assert "2026-11" in lines[1]
    # the paid-service register's total: 10.00 + 73.50 + 30.00
    assert "113.50" in text
    if lang == "en":
        assert any(line.startswith("Repair timeliness") and "66.7%" in line for line in lines)
        assert any(line.startswith("Callbacks done") and "85.7%" in line for line in lines)
    else:
        assert any(line.startswith("维修合格率") and "66.7%" in line for line in lines)


def test_csv_parses_as_tables(report: stats.Report) -> None:
    rows = list(csv.reader(io.StringIO(report_csv.render(report, load_settings()))))
    titles = [row[0] for row in rows if len(row) == 1]
    assert "Repairs / Paid-service register (yuan)" in titles
    paid = rows.index(["Repairs / Paid-service register (yuan)"])
    assert rows[paid + 1] == ["Number", "Room", "Work", "Labour", "Materials", "Total"]
    assert rows[paid + 2][1:] == ["3-1202", "故障", "10.00", "0.00", "10.00"]
    volume = rows.index(["Overview / Records per register"])
    assert rows[volume + 2 : volume + 7] == [
        ["Reception", "5"],
        ["Repairs", "5"],
        ["Complaints", "6"],
        ["Keys", "5"],
        ["Passes", "6"],
    ]


def test_xlsx_has_a_sheet_per_section(report: stats.Report, tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    path.write_bytes(report_xlsx.render(report, load_settings()))
    book = load_workbook(path)
    assert book.sheetnames == [
        "Overview",
        "Channels and buildings",
        "Repairs",
        "Complaints",
        "Repeated problems",
        "Keys and passes",
        "Renovations",
        "Resident cards",
        "Owner record changes",
        "Incidents",
        "Patrols and findings",
        "Fees",
        "Move-ins and 托管",
        "Paid services",
    ]
    sheet = book["Overview"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["Repairs", 5] in [v[:2] for v in values]
    header = next(row for row in sheet.iter_rows() if row[0].value == "Register")
    assert header[0].font.bold


def test_html_is_one_page_of_tables(report: stats.Report) -> None:
    page = report_html.render(report, load_settings())
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    # 2 + 2 + 4 + 5 + 3 + 2 + 2 (renovations) + 1 + 2 + 3 (incidents) + 2 (patrols, findings)
    # + 2 (fees) + 2 (move-ins) + 2 (paid services)
    assert page.count("<table>") == 34
    assert '<div class="bar" style="width:100%">' in page
    assert "<caption>Complaint deadlines</caption>" in page
    assert "http" not in page  # self-contained


def test_files_are_written_with_a_bom_for_csv(report: stats.Report, tmp_path: Path) -> None:
    paths = write_all(report, load_settings(), tmp_path / "printed" / "reports")
    assert [p.name for p in paths] == [
        "report-2026-11.txt",
        "report-2026-11.csv",
        "report-2026-11.xlsx",
        "report-2026-11.html",
    ]
    assert paths[1].read_bytes().startswith(b"\xef\xbb\xbf")


def test_yuan() -> None:
    assert (yuan(0), yuan(5), yuan(12345), yuan(-150)) == ("0.00", "0.05", "123.45", "-1.50")


# --- the command line ------------------------------------------------------------------


def _cli(db: Database, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--lang", "en", "--db", db.url, "report", "monthly", *args])
    return result.exit_code, result.output


def test_cli_prints_text(db: Database, clerk: Operator, supervisor: Operator) -> None:
    build_month(db, clerk, supervisor)
    code, output = _cli(db, "--month", "2026-11")
    assert code == 0, output
    assert "Records per register" in output and "Paid-service register (yuan)" in output
    assert "113.50" in output


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "html", "text"])
def test_cli_writes_each_format(desk: Desk, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"out.{fmt}"
    code, output = _cli(desk.db, "--month", "2026-11-01..2026-11-15", "-f", fmt, "-o", str(target))
    assert code == 0, output
    assert target.stat().st_size > 0
    if fmt == "xlsx":
        assert load_workbook(target).sheetnames[0] == "Overview"


@pytest.mark.parametrize(
    "args",
    [
        ["--month", "2026-13"],
        ["--month", "November"],
        ["--format", "pdf"],
        ["--format", "xlsx"],
    ],
)
def test_cli_refuses_with_one_line(desk: Desk, args: list[str]) -> None:
    code, output = _cli(desk.db, *args)
    assert code == 2
    lines = output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in output
