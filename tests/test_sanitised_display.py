"""Text written straight into the database reaches no terminal, page or file as a control
character, and no screen reads it as markup: the screens, the CLI and the printouts.

The records are made through the services, then changed with plain SQL UPDATEs, as another
program or a PostgreSQL client could: the services' own input check never sees the text.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import text
from textual.app import App
from typer.testing import CliRunner

from desk.app import make_app
from desk.cli import app as cli
from desk.db import Database
from desk.models import Operator, RepairOrder
from desk.printing.slip import slip_lines, slip_pdf, slip_text
from desk.printing.summary_text import summary_text
from desk.screens.lookup import LookupScreen
from desk.screens.repair_detail import RepairDetailScreen
from desk.screens.repairs import RepairsScreen
from desk.screens.room_history import RoomHistoryScreen
from desk.services import handover, repair
from tests.conftest import NOW, TZ, Desk
from tests.lookup_fixtures import seed
from tests.pilot_support import screen_lines, settle, until, until_screen

runner = CliRunner()

# the records are changed with plain SQL, behind the desk's back, on purpose
pytestmark = pytest.mark.tampers

# A C1 CSI, markup, a window-title sequence with its BEL.
NAME = "\x9b31m[bold red]王芳\x1b]0;pwned\x07"
# Clear-screen, a link, a lone CR, backspace, NUL, a right-to-left override.
TEXT = "\x1b[2J[link=http://x]漏水[/link]\r\x08\x00\u202e厨房"
# A category key that a spreadsheet would run as a formula.
FORMULA = '=HYPERLINK("http://x","点我")\x1b[5m'

NAME_SHOWN = "<U+009B>31m[bold red]王芳^[]0;pwned^G"
TEXT_SHOWN = "^[[2J[link=http://x]漏水[/link]^M^H^@<U+202E>厨房"
FORMULA_SHOWN = '=HYPERLINK("http://x","点我")^[[5m'
# Nothing a terminal acts on: C0 but tab / newline / the CR of a CRLF, DEL, C1, bidi controls.
RAW = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\r(?!\n)")


def raw_controls(shown: str) -> list[str]:
    return sorted({repr(found) for found in RAW.findall(shown)})


@dataclass
class Hostile:
    leak: int
    operator: Operator


@pytest.fixture
def hostile(db: Database, desk: Desk, clerk: Operator) -> Hostile:
    seeded = seed(desk)
    with desk.write() as ctx:
        handover.open_handover(ctx)
    with db.writing() as session:
        run = session.connection().execute
        run(
            text(
                "UPDATE repair_order SET resident_name = :name, technician = :name,"
                " description = :text, category = :formula WHERE id = :id"
            ),
            {"name": NAME, "text": TEXT, "formula": FORMULA, "id": seeded.leak},
        )
        # the lookup reads its own copy, which the other program rewrote too
        run(
            text(
                "UPDATE search_doc SET person = :name, body = :text"
                " WHERE register_name = 'repairs' AND record_id = :id"
            ),
            {"name": NAME, "text": TEXT, "id": seeded.leak},
        )
        run(text("UPDATE resident SET name = :name WHERE name = '王小明'"), {"name": NAME})
        run(text("UPDATE operator SET name = :name WHERE id = :id"), {"name": NAME, "id": clerk.id})
        run(text("UPDATE handover SET notes = :text, watch = :name"), {"name": NAME, "text": TEXT})
    with db.reading() as session:
        operator = session.get(Operator, clerk.id)
        assert operator is not None and operator.name == NAME
        session.expunge(operator)
    return Hostile(seeded.leak, operator)


def screen_text(app: App[Any]) -> str:
    """The text of every line the terminal is sent for the current screen."""
    return "\n".join(screen_lines(app))


def assert_clean(shown: str, *expected: str) -> None:
    assert not raw_controls(shown), raw_controls(shown)
    for part in expected:
        assert part in shown, f"{part!r} not shown:\n{shown}"


async def test_screens_show_stored_text_as_marks_and_never_as_markup(
    db: Database, hostile: Hostile
) -> None:
    app = make_app(db, lang="en", clock=lambda: NOW, operator=hostile.operator)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await until(pilot, lambda: "^[[2J[link=http://x]漏水" in screen_text(app))
        # the board: the operator's name in the shift line, the order among the open items
        assert_clean(screen_text(app), "[bold red]王芳^[]0;pwned", "^[[2J[link=http://x]漏水")
        assert "\x1b" not in app.export_screenshot()

        await pilot.press("f3")
        await until_screen(pilot, RepairsScreen)
        assert isinstance(app.screen, RepairsScreen)
        assert_clean(screen_text(app), "^[[2J[link=http", "=HYPERLIN")

        await app.push_screen(RepairDetailScreen(hostile.leak))
        await until_screen(pilot, RepairDetailScreen)
        assert_clean(screen_text(app), NAME_SHOWN, TEXT_SHOWN, FORMULA_SHOWN)

        await app.push_screen(LookupScreen())
        await settle(pilot)
        await pilot.press(*"3-1202")
        await pilot.pause(0.4)
        await app.workers.wait_for_complete()
        await until(pilot, lambda: "<U+009B>***" in screen_text(app))
        assert_clean(screen_text(app), "^[[2J[link=http://x]漏水[/link] ^H", "<U+009B>***")

        await app.push_screen(RoomHistoryScreen("3-1202"))
        await until_screen(pilot, RoomHistoryScreen)
        assert_clean(screen_text(app), NAME_SHOWN, "^[[2J[link=http://x]漏水", "[bold red]")

        # a notification quoting stored text is plain too (markup would make a link of it)
        app.notify(TEXT, title=NAME)
        await until(pilot, lambda: TEXT_SHOWN in screen_text(app))
        assert_clean(screen_text(app), TEXT_SHOWN, NAME_SHOWN)


def cli_output(db: Database, *args: str) -> str:
    result = runner.invoke(cli, ["--lang", "en", "--db", db.url, *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_cli_lookup_text_and_json(db: Database, hostile: Hostile) -> None:
    assert_clean(cli_output(db, "lookup", "3-1202"), "^[[2J[link=http://x]漏水[/link] ^H")
    raw = cli_output(db, "lookup", "3-1202", "--json")
    # JSON is data: the text comes back exactly, but only as JSON's escapes (C1 too)
    assert_clean(raw, "\\u001b[2J[link=http://x]漏水", "\\u009b***")
    hits = [hit for group in json.loads(raw) for hit in group["hits"]]
    assert [h for h in hits if h["summary"].startswith("\x1b[2J[link=http://x]漏水[/link] \x08")]
    assert [h for h in hits if h["person"].startswith("\x9b***")]


def test_cli_report_text_csv_html_and_xlsx(db: Database, hostile: Hostile, tmp_path: Path) -> None:
    month = ("report", "monthly", "--month", "2026-11")
    assert_clean(cli_output(db, *month, "--format", "text"), "^[[5m")
    written = cli_output(db, *month, "--format", "csv")
    assert_clean(written)
    cells = [cell for row in csv.reader(io.StringIO(written)) for cell in row]
    assert "'" + FORMULA_SHOWN in cells
    assert not [cell for cell in cells if cell.startswith(("=", "@"))]
    page = cli_output(db, *month, "--format", "html")
    assert_clean(page, "=HYPERLINK(&quot;http://x&quot;,&quot;点我&quot;)^[[5m")
    target = tmp_path / "report.xlsx"
    cli_output(db, *month, "--format", "xlsx", "--output", str(target))
    values = [
        cell.value
        for sheet in load_workbook(target).worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]
    assert "'" + FORMULA_SHOWN in values
    assert not [value for value in values if value.startswith("=") or raw_controls(value)]


def test_cli_handover_print_and_list(db: Database, hostile: Hostile, tmp_path: Path) -> None:
    target = tmp_path / "summary.txt"
    cli_output(db, "handover", "print", "--format", "text", "--output", str(target))
    assert_clean(target.read_text(encoding="utf-8"), "^[[2J[link=http://x]", "[bold red]王芳")
    assert_clean(cli_output(db, "handover", "print", "--format", "html"), "[bold red]王芳")
    assert_clean(cli_output(db, "handover", "list"), "[bold red]王芳^[]0;pwned^G")


def test_cli_export_csv_is_printable_and_json_exact(db: Database, hostile: Hostile) -> None:
    written = cli_output(db, "export", "-f", "csv", "-r", "repairs")
    assert_clean(written, TEXT_SHOWN)
    rows = list(csv.DictReader(io.StringIO(written)))
    assert "'" + FORMULA_SHOWN in [row["category"] for row in rows]
    data = json.loads(cli_output(db, "export", "-f", "json", "-r", "repairs"))
    assert TEXT in [row["description"] for row in data["repairs"]]


def test_printouts_carry_marks_not_control_characters(
    db: Database, hostile: Hostile, tmp_path: Path
) -> None:
    with db.reading() as session:
        from desk.services.context import Ctx

        ctx = Ctx(session, hostile.operator, db.settings, NOW)
        order: RepairOrder = repair.get(ctx, hostile.leak)
        record = handover.open_handover(ctx)
        summary = handover.summary(ctx, record)
    lines = slip_lines(order, db.settings, TZ, operator=NAME)
    assert not [line for line in lines if raw_controls(line)]
    assert_clean(slip_text(order, db.settings, TZ, operator=NAME), "^[[2J[link=http://x]")
    assert_clean(summary_text(summary, TZ), "^[[2J[link=http://x]", "[bold red]王芳")
    pdf = slip_pdf(order, db.settings, TZ, tmp_path / "slip.pdf", operator=NAME)
    drawn = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=False
    )
    if drawn.returncode != 0:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    # each character is placed on its own, so the extracted words come apart: join them
    assert_clean(drawn.stdout.replace("\f", "").replace(" ", ""), "^[[2J[link=http://x]漏水")
