"""Sign-in and the board, driven by keys as a clerk would; the sign-in tried as someone guessing
names and PINs would."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static

from desk.app import make_app
from desk.db import Database
from desk.models import Operator
from desk.screens.board import FIRST_ROWS, BoardScreen
from desk.screens.signin import SignInScreen
from desk.services import operators, repair
from desk.services.repair import RepairCreate
from tests.conftest import NOW, Desk
from tests.pilot_support import MovableClock, settle, until, until_screen


async def test_sign_in_by_keyboard_lands_on_board(db: Database, clerk: Operator) -> None:
    app = make_app(db, lang="zh_CN", clock=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        assert isinstance(app.screen, SignInScreen)
        await pilot.press("f3")  # nothing opens before sign-in
        assert isinstance(app.screen, SignInScreen)
        await pilot.press("enter", "down", "enter")  # open the list, choose 王芳
        await until(pilot, lambda: app.screen.query_one("#operator", Select).value == "王芳")
        await pilot.press(*"1234", "enter")
        await until(pilot, lambda: app.operator is not None and app.operator.name == "王芳")
        assert isinstance(app.screen, BoardScreen)
        shift = str(app.screen.query_one("#shift", Static).render())
        assert "白班" in shift and "王芳" in shift


async def test_wrong_pin_says_so_and_stays(db: Database, clerk: Operator) -> None:
    app = make_app(db, lang="en", clock=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter", "down", "enter")
        await pilot.press(*"9999", "enter")
        await until_screen(pilot, SignInScreen)
        error = str(app.screen.query_one("#signin-error", Static).render())
        assert error == "wrong operator or PIN"  # the same words for a name that is not there
        assert app.screen.query_one("#pin", Input).value == ""


async def _type_pin(pilot: Pilot[object], name: str, pin: str) -> str:
    """Choose `name`, type `pin` and Enter; what the screen then says under the PIN."""
    screen = pilot.app.screen
    screen.query_one("#operator", Select).value = name
    await settle(pilot)
    screen.query_one("#pin", Input).focus()
    await pilot.press(*pin, "enter")
    await until(
        pilot,
        lambda: (
            pilot.app.screen is not screen
            or str(screen.query_one("#signin-error", Static).render())
        ),
    )
    if pilot.app.screen is not screen:  # signed in: the sign-in screen is gone
        return ""
    return str(screen.query_one("#signin-error", Static).render())


async def test_a_disabled_name_and_a_wrong_pin_read_the_same(
    db: Database, clerk: Operator, supervisor: Operator
) -> None:
    app = make_app(db, lang="en", clock=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        # 王芳 is disabled while the sign-in screen already lists her: her right PIN
        with Desk(db, supervisor).write() as ctx:
            operators.set_active(ctx, "王芳", False)
        disabled = await _type_pin(pilot, "王芳", "1234")
        wrong_pin = await _type_pin(pilot, "陈主管", "1234")
        assert disabled == wrong_pin == "wrong operator or PIN"
        assert isinstance(app.screen, SignInScreen) and app.operator is None


@pytest.fixture
def terminals(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Which terminal the next desk opens at: the sign-in screen asks the service."""
    at = ["desk-1:/dev/tty1"]
    monkeypatch.setattr(operators, "this_terminal", lambda: at[0])
    return at


async def test_after_failures_the_screen_says_wait_and_refuses_even_the_right_pin(
    db: Database, clerk: Operator, supervisor: Operator, terminals: list[str]
) -> None:
    clock = MovableClock(NOW)
    app = make_app(db, lang="en", clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(operators.FREE_FAILURES + 1):  # three free, the fourth makes a wait
            assert await _type_pin(pilot, "陈主管", "0000") == "wrong operator or PIN"
        said = await _type_pin(pilot, "陈主管", "9999")
        assert said == "too many failed sign-ins at this terminal: wait 2 seconds"
        assert isinstance(app.screen, SignInScreen) and app.operator is None
        clock.now = NOW + timedelta(seconds=1)
        said = await _type_pin(pilot, "陈主管", "9999")
        assert said == "too many failed sign-ins at this terminal: wait 1 seconds"
        assert app.operator is None
        clock.now = NOW + timedelta(seconds=2)  # the wait is over
        await _type_pin(pilot, "陈主管", "9999")
        assert app.operator is not None and app.operator.name == "陈主管"
        assert isinstance(app.screen, BoardScreen)


async def test_failures_at_one_terminal_do_not_hold_up_another(
    db: Database, clerk: Operator, supervisor: Operator, terminals: list[str]
) -> None:
    """Someone hammering the supervisor's PIN at the gate desk; she signs in at her own."""
    clock = MovableClock(NOW)
    hammered = make_app(db, lang="en", clock=clock)
    async with hammered.run_test(size=(120, 40)) as pilot:
        for _ in range(10):
            await _type_pin(pilot, "陈主管", "0000")
        assert "wait" in await _type_pin(pilot, "陈主管", "9999")
    terminals[0] = "desk-2:/dev/tty2"
    own = make_app(db, lang="zh_CN", clock=clock)
    async with own.run_test(size=(120, 40)) as pilot:
        await _type_pin(pilot, "陈主管", "9999")
        assert own.operator is not None and own.operator.name == "陈主管"
        assert isinstance(own.screen, BoardScreen)


async def test_board_counts_and_overdue_dispatch(db: Database, clerk: Operator) -> None:
    desk = Desk(db, clerk)
    with desk.write() as ctx:
        repair.register(
            ctx, RepairCreate(room="3-1202", description="楼道灯不亮", category="electric")
        )
    clock = MovableClock(NOW + timedelta(minutes=31))
    app = make_app(db, lang="en", clock=clock, operator=clerk)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_screen(pilot, BoardScreen)
        counts = str(app.screen.query_one("#counts", Static).render())
        assert "Repairs 1" in counts
        table = app.screen.query_one("#open", DataTable)
        assert table.row_count == 1
        due = str(table.get_row_at(0)[-1])
        assert "to dispatch overdue 1 min" in due
        await pilot.press("f1")
        await until(
            pilot, lambda: "Typing times" in str(app.screen.query("Markdown").first().source)
        )
        await pilot.press("escape")
        assert isinstance(app.screen, BoardScreen)


async def test_settings_screen_shows_calendar_and_deadline_table(
    db: Database, clerk: Operator
) -> None:
    app = make_app(db, lang="en", clock=lambda: NOW, operator=clerk)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"working calendar")
        await pilot.pause(0.3)
        await pilot.press("enter")
        from desk.screens.settings import SettingsScreen

        await until_screen(pilot, SettingsScreen)
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
        await settle(pilot)
        await pilot.press("ctrl+o")
        await until(pilot, lambda: app.operator is None)
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
        await until_screen(pilot, BoardScreen)
        table = app.screen.query_one("#open", DataTable)
        assert "to dispatch in 20 min" in str(table.get_row_at(0)[-1])
        clock.now = NOW + timedelta(minutes=45)
        app.screen.refresh_board()  # what the board's 30-second timer does
        await until(pilot, lambda: "to dispatch overdue 15 min" in str(table.get_row_at(0)[-1]))


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
        await until_screen(pilot, BoardScreen)
        table = app.screen.query_one("#open", DataTable)
        assert table.row_count == height  # one screenful with the first frame
        title = str(app.screen.query_one("#open-title", Static).render())
        assert f"Open: {count}," in title  # the whole count, though not all rows are drawn
        for _ in range(count // 10):
            await pilot.press("pagedown")
        await until(pilot, lambda: table.row_count == count)
        assert {str(table.get_row_at(i)[1]) for i in range(count)} == numbers
        await pilot.press("up", "up")
        before = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        await pilot.press("ctrl+r")  # what the 30-second timer does
        await until(pilot, lambda: table.row_count == count)
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key == before


async def test_scrolling_a_long_board_down_shows_the_rest(db: Database, clerk: Operator) -> None:
    with Desk(db, clerk).write() as ctx:
        for n in range(80):
            repair.register(ctx, RepairCreate(room="3-1202", description=f"灯不亮 {n}"))
    app = make_app(db, lang="zh_CN", clock=lambda: NOW, operator=clerk)
    async with app.run_test(size=(120, 30)) as pilot:
        await until(pilot, lambda: app.screen.query_one("#open", DataTable).row_count == 30)
        table = app.screen.query_one("#open", DataTable)
        assert table.row_count == 30
        assert "待办 80 项" in str(app.screen.query_one("#open-title", Static).render())
        for _ in range(10):
            table.scroll_end(animate=False, immediate=True)  # the mouse wheel, held down
            await settle(pilot)
        assert table.row_count == 80
        assert table.cursor_row == 0  # scrolling does not move the cursor


async def test_a_record_that_owes_two_things_is_two_rows_and_the_board_stands(
    db: Database, clerk: Operator
) -> None:
    """A move-in in 托管 owes a patrol and a word to the owner about a reading, a room owes a
    reminder and has two home collections booked: each is a row of its own (the board once
    stopped the desk on the second row of one record)."""
    from desk.services.open_item import OpenItem

    def owed(kind: str, record_id: int = 3) -> OpenItem:
        return OpenItem("move_ins", record_id, "RH-1", "3-1202", "", "custody", NOW, NOW, kind)

    app = make_app(db, lang="en", clock=MovableClock(NOW), operator=clerk)
    async with app.run_test(size=(100, 30)) as pilot:
        board = await until_screen(pilot, BoardScreen)
        table = board.query_one("#open", DataTable)
        before = table.row_count
        board.items = (*board.items, owed("custody_patrol"), owed("over_limit"), owed("over_limit"))
        board.add_items(board.items[before:])
        assert table.row_count == before + 3
        keys = [str(key.value) for key in table.rows][before:]
        assert keys == ["move_ins:3", "move_ins:3:over_limit", "move_ins:3:over_limit:3"]
