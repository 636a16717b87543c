"""Sign-in and the board, driven by keys as a clerk would."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from textual.widgets import DataTable, Input, Select, Static

from desk.app import make_app
from desk.db import Database
from desk.models import Operator
from desk.screens.board import FIRST_ROWS, BoardScreen
from desk.screens.signin import SignInScreen
from desk.services import repair
from desk.services.repair import RepairCreate
from tests.conftest import NOW, Desk


class MovableClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def test_sign_in_by_keyboard_lands_on_board(db: Database, clerk: Operator) -> None:
    app = make_app(db, lang="zh_CN", clock=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        assert isinstance(app.screen, SignInScreen)
        await pilot.press("f3")  # nothing opens before sign-in
        assert isinstance(app.screen, SignInScreen)
        await pilot.press("enter", "down", "enter")  # open the list, choose 王芳
        await pilot.pause()
        assert app.screen.query_one("#operator", Select).value == "王芳"
        await pilot.press(*"1234", "enter")
        await pilot.pause()
        assert app.operator is not None and app.operator.name == "王芳"
        assert isinstance(app.screen, BoardScreen)
        shift = str(app.screen.query_one("#shift", Static).render())
        assert "白班" in shift and "王芳" in shift


async def test_wrong_pin_says_so_and_stays(db: Database, clerk: Operator) -> None:
    app = make_app(db, lang="en", clock=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter", "down", "enter")
        await pilot.press(*"9999", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        error = str(app.screen.query_one("#signin-error", Static).render())
        assert "wrong PIN; 4 tries left" in error
        assert app.screen.query_one("#pin", Input).value == ""


async def test_board_counts_and_overdue_dispatch(db: Database, clerk: Operator) -> None:
    desk = Desk(db, clerk)
    with desk.write() as ctx:
        repair.register(
            ctx, RepairCreate(room="3-1202", description="楼道灯不亮", category="electric")
        )
    clock = MovableClock(NOW + timedelta(minutes=31))
    app = make_app(db, lang="en", clock=clock, operator=clerk)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
        counts = str(app.screen.query_one("#counts", Static).render())
        assert "Repairs 1" in counts
        table = app.screen.query_one("#open", DataTable)
        assert table.row_count == 1
        due = str(table.get_row_at(0)[-1])
        assert "to dispatch overdue 1 min" in due
        await pilot.press("f1")
        await pilot.pause()
        assert "Typing times" in str(app.screen.query("Markdown").first().source)
        await pilot.press("escape")
        assert isinstance(app.screen, BoardScreen)


async def test_settings_screen_shows_calendar_and_deadline_table(
    db: Database, clerk: Operator
) -> None:
    app = make_app(db, lang="en", clock=lambda: NOW, operator=clerk)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"working calendar")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        from desk.screens.settings import SettingsScreen

        assert isinstance(app.screen, SettingsScreen)
        shown = app.export_screenshot()
        assert "2027" in shown and "estimates" in shown  # next year is not yet published
        assert "Shifts" in shown
        await pilot.press("escape")
        assert isinstance(app.screen, BoardScreen)


async def test_sign_out_returns_to_sign_in(db: Database, clerk: Operator) -> None:
    app = make_app(db, lang="zh_CN", clock=lambda: NOW, operator=clerk)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert app.operator is None
        assert isinstance(app.screen, SignInScreen)
        await pilot.press("f3")  # registers are closed again
        assert isinstance(app.screen, SignInScreen)


async def test_board_countdown_moves_with_the_clock(db: Database, clerk: Operator) -> None:
    desk = Desk(db, clerk)
    with desk.write() as ctx:
        repair.register(ctx, RepairCreate(room="3-1202", description="停电", category="electric"))
    clock = MovableClock(NOW + timedelta(minutes=10))
    app = make_app(db, lang="en", clock=clock, operator=clerk)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
        table = app.screen.query_one("#open", DataTable)
        assert "to dispatch in 20 min" in str(table.get_row_at(0)[-1])
        clock.now = NOW + timedelta(minutes=45)
        app.screen.refresh_board()  # what the board's 30-second timer does
        await pilot.pause()
        assert "to dispatch overdue 15 min" in str(table.get_row_at(0)[-1])


@pytest.mark.parametrize(("count", "height"), [(FIRST_ROWS + 25, 40), (100, 30)])
async def test_a_long_board_shows_a_screenful_then_the_rest_as_the_clerk_moves_down(
    db: Database, clerk: Operator, count: int, height: int
) -> None:
    """Every open item is reached by moving down, each once; a refresh keeps the clerk's place."""
    with Desk(db, clerk).write() as ctx:
        numbers = {
            repair.register(ctx, RepairCreate(room="3-1202", description=f"灯不亮 {n}")).number
            for n in range(count)
        }
    app = make_app(db, lang="en", clock=lambda: NOW, operator=clerk)
    async with app.run_test(size=(120, height)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
        table = app.screen.query_one("#open", DataTable)
        assert table.row_count == height  # one screenful with the first frame
        title = str(app.screen.query_one("#open-title", Static).render())
        assert f"Open: {count}," in title  # the whole count, though not all rows are drawn
        for _ in range(count // 10):
            await pilot.press("pagedown")
        await pilot.pause()
        assert table.row_count == count
        assert {str(table.get_row_at(i)[1]) for i in range(count)} == numbers
        await pilot.press("up", "up")
        before = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        await pilot.press("ctrl+r")  # what the 30-second timer does
        await pilot.pause()
        assert table.row_count == count
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key == before


async def test_scrolling_a_long_board_down_shows_the_rest(db: Database, clerk: Operator) -> None:
    with Desk(db, clerk).write() as ctx:
        for n in range(80):
            repair.register(ctx, RepairCreate(room="3-1202", description=f"灯不亮 {n}"))
    app = make_app(db, lang="zh_CN", clock=lambda: NOW, operator=clerk)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#open", DataTable)
        assert table.row_count == 30
        assert "待办 80 项" in str(app.screen.query_one("#open-title", Static).render())
        for _ in range(10):
            table.scroll_end(animate=False, immediate=True)  # the mouse wheel, held down
            await pilot.pause()
        assert table.row_count == 80
        assert table.cursor_row == 0  # scrolling does not move the cursor
