"""The board and a repair's page mark a due time that falls in a year whose holidays are only
estimated, and say what the mark means, in both languages."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from textual.widgets import DataTable, Static

from desk.app import make_app
from desk.db import Database
from desk.i18n import set_language, t
from desk.models import Operator
from desk.screens.board import BoardScreen
from desk.screens.reception_detail import ReceptionDetailScreen
from desk.screens.repair_detail import RepairDetailScreen
from desk.services import reception, repair, workdays
from desk.services.reception import ReceptionCreate
from desk.services.repair import RepairCreate
from tests.conftest import TZ, Desk
from tests.pilot_support import MovableClock, screen_lines, until, until_screen


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
async def test_a_due_time_in_an_estimated_year_is_marked_on_the_board_and_the_record(
    db: Database, clerk: Operator, lang: str
) -> None:
    last = max(workdays.published_years())  # New Year's Eve of the last published year
    eve = datetime(last, 12, 31, 23, 50, tzinfo=TZ)
    with Desk(db, clerk, eve).write() as ctx:
        number = repair.register(ctx, RepairCreate(room="3-1202", description="停电")).number
        asked = ReceptionCreate(
            request="问停车位", department="security", reply_due_at=eve + timedelta(days=4)
        )
        reception.log(ctx, asked)
    set_language(lang)
    mark, legend = t("calendar.estimated_mark"), t("calendar.estimated_legend")
    hint = t("calendar.estimated_due", year=last + 1)
    app = make_app(db, lang=lang, clock=MovableClock(eve), operator=clerk)
    async with app.run_test(size=(120, 40)) as pilot:
        board = await until_screen(pilot, BoardScreen)
        board.load_calendar()  # what the board does a moment after its first frame
        table = board.query_one("#open", DataTable)
        await until(pilot, lambda: str(table.get_row_at(0)[-1]).endswith(f" {mark}"))
        assert str(table.get_row_at(0)[1]) == number
        shown = board.query_one("#estimated", Static)
        assert shown.display and str(shown.render()) == legend
        await pilot.press("enter")
        page = await until_screen(pilot, RepairDetailScreen)
        due = page.query_one("#detail-due", Static)
        await until(pilot, lambda: hint in str(due.render()))
        assert str(due.render()).splitlines()[0].endswith(f" {mark}")
        # the reply owed at reception, due after New Year: its page says so too
        await pilot.press("escape")
        await until_screen(pilot, BoardScreen)
        await pilot.press("down", "enter")
        entry = await until_screen(pilot, ReceptionDetailScreen)
        assert entry.is_current
        await until(pilot, lambda: any(hint[:12] in line for line in screen_lines(app)))
