"""The statistics screen: pushed directly, in both languages, writing its files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Input, Static

from desk.app import make_app
from desk.compat import shown_notifications
from desk.db import Database
from desk.models import Operator
from desk.screens.report import ReportScreen
from tests.conftest import NOW
from tests.month_fixtures import build_month
from tests.pilot_support import MovableClock, printed, until

SIZE = (120, 40)


def painted(screen: ReportScreen) -> str:
    """The figures as the terminal draws them."""
    console = Console(width=SIZE[0], file=io.StringIO(), record=True)
    console.print(screen.query_one("#report-figures", Static).content)
    return console.export_text()


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh_CN", ["各登记本数量", "维修及时率"]),
    ],
)
async def test_the_month_is_shown_and_written(
    db: Database, clerk: Operator, supervisor: Operator, lang: str, words: list[str]
) -> None:
    build_month(db, clerk, supervisor)
    app = make_app(db, lang=lang, clock=MovableClock(NOW), operator=clerk)
    async with app.run_test(size=SIZE) as pilot:
        screen = ReportScreen()
        await app.push_screen(screen)
        await app.workers.wait_for_complete()
        await until(pilot, lambda: screen.report is not None)
        assert screen.query_one("#report-period", Input).value == "2026-11"
        assert screen.report is not None and screen.report.volume["repairs"] == 5
        heading = str(screen.query_one("#report-heading", Static).render())
        assert "2026-11" in heading
        shown = painted(screen)
        assert all(word in shown for word in words)
        assert "█" in shown  # the bars
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await until(pilot, lambda: printed(db, "reports/report-2026-11.*"))
        folder = Path(str(db.path)).parent / "printed" / "reports"
        assert sorted(p.name for p in folder.iterdir()) == [
            "report-2026-11.csv",
            "report-2026-11.html",
            "report-2026-11.txt",
            "report-2026-11.xlsx",
        ]


async def test_a_typed_period_is_counted_and_a_bad_one_refused(
    db: Database, clerk: Operator, supervisor: Operator
) -> None:
    build_month(db, clerk, supervisor)
    app = make_app(db, lang="en", clock=MovableClock(NOW), operator=clerk)
    async with app.run_test(size=SIZE) as pilot:
        screen = ReportScreen()
        await app.push_screen(screen)
        await app.workers.wait_for_complete()
        await pilot.press("ctrl+l")
        field = screen.query_one("#report-period", Input)
        field.value = ""
        await pilot.press(*"2026-11-01..2026-11-04", "enter")
        await app.workers.wait_for_complete()
        await until(
            pilot,
            lambda: (
                screen.report is not None and screen.report.period.label == "2026-11-01..2026-11-04"
            ),
        )
        assert screen.report is not None
        assert screen.report.period.label == "2026-11-01..2026-11-04"
        assert screen.report.volume["repairs"] == 1  # R1 only
        field.value = "2026-13"
        await pilot.press("ctrl+r")
        await until(pilot, lambda: any(n.severity == "error" for n in shown_notifications(app)))
        assert screen.report.period.label == "2026-11-01..2026-11-04"  # unchanged
