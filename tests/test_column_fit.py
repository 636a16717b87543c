"""The deadline column is shown whole at 120 and at 80 columns: the free text gives way first,
then the least needed columns are left out; the handover's summary stacks above its checklist."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from textual.app import App
from textual.widgets import DataTable

from desk.app import DeskApp, make_app
from desk.db import Database
from desk.models import Operator
from desk.printing.summary_text import summary_lines
from desk.screens.board import BoardScreen, due_text
from desk.screens.complaints import ComplaintsScreen
from desk.screens.handover import HandoverScreen
from desk.screens.repairs import RepairsScreen
from desk.services import complaint, handover, repair
from desk.services.complaint import ComplaintCreate
from desk.services.repair import RepairCreate
from tests.conftest import NOW, Desk
from tests.pilot_support import screen_lines, until, until_screen

SIZES = [(120, 30), (80, 24)]
LONG = "卫生间天花板渗水，疑楼上防水层损坏，已经滴到床上，业主要求今天就来人看"
# late enough that every countdown reads in hours and minutes, the longest it gets
LATER = NOW + timedelta(hours=41, minutes=59)


def line_with(app: App[Any], number: str) -> str:
    (line,) = [line for line in screen_lines(app) if number in line]
    return line


def seed(desk: Desk) -> None:
    with desk.write() as ctx:
        for room, category in (("3-1202", "electric"), ("5-601", "water"), ("8-101", "public")):
            repair.register(ctx, RepairCreate(room=room, description=LONG, category=category))
        for severity in ("minor", "major"):
            complaint.register(
                ctx,
                ComplaintCreate.model_validate(
                    {
                        "complainant": "张伟",
                        "room": "1-502",
                        "what_happened": LONG * 2,
                        "severity": severity,
                    }
                ),
            )


def app_at(db: Database, clerk: Operator, lang: str) -> DeskApp:
    return make_app(db, lang=lang, clock=lambda: LATER, operator=clerk)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["zh_CN", "en"])
async def test_board_shows_every_countdown_whole(
    db: Database, clerk: Operator, lang: str, size: tuple[int, int]
) -> None:
    seed(Desk(db, clerk))
    app = app_at(db, clerk, lang)
    async with app.run_test(size=size) as pilot:
        await until(
            pilot,
            lambda: (
                isinstance(app.screen, BoardScreen)
                and app.screen.query_one("#open", DataTable).row_count == 5
            ),
        )
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        table = screen.query_one("#open", DataTable)
        assert table.virtual_size.width <= table.size.width  # nothing to scroll sideways to
        assert len(screen.items) == table.row_count == 5
        for item in screen.items:
            countdown = due_text(item, screen.items_at).plain
            assert ("小时" if lang == "zh_CN" else " h ") in countdown
            line = line_with(app, item.number)
            assert line.rstrip().endswith(countdown), line
            assert LONG[:4] in line  # the summary gives way, but some of it is there


async def test_board_columns_follow_the_terminal_width(db: Database, clerk: Operator) -> None:
    seed(Desk(db, clerk))
    app = app_at(db, clerk, "en")
    async with app.run_test(size=(160, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, BoardScreen) and app.screen.items)
        assert isinstance(app.screen, BoardScreen)
        item = app.screen.items[0]
        countdown = due_text(item, app.screen.items_at).plain

        def shown() -> str:
            return line_with(app, item.number)

        wide = shown()
        assert "Repairs" in wide or "Complaints" in wide
        assert wide.rstrip().endswith(countdown)
        await pilot.resize_terminal(80, 24)
        await until(pilot, lambda: "…" in shown())
        narrow = shown()
        assert narrow.rstrip().endswith(countdown)
        assert "Repairs" not in narrow and "Complaints" not in narrow  # the number says which
        assert "…" in narrow
        await pilot.resize_terminal(160, 30)
        await until(pilot, lambda: shown() == wide)
        assert shown() == wide


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["zh_CN", "en"])
async def test_register_lists_show_the_deadline_whole(
    db: Database, clerk: Operator, lang: str, size: tuple[int, int]
) -> None:
    seed(Desk(db, clerk))
    app = app_at(db, clerk, lang)
    async with app.run_test(size=size) as pilot:
        for key, screen_type, selector in (
            ("f3", RepairsScreen, "#orders"),
            ("f4", ComplaintsScreen, "#complaints"),
        ):
            await pilot.press(key)
            await until_screen(pilot, screen_type)
            assert isinstance(app.screen, screen_type)
            table = app.screen.query_one(selector, DataTable)
            assert table.virtual_size.width <= table.size.width
            assert table.row_count in (2, 3)
            for row in range(table.row_count):
                number = str(table.get_row_at(row)[0])
                due = table.get_cell(table.coordinate_to_cell_key((row, 0)).row_key, "due")
                assert due.plain
                assert line_with(app, number).rstrip().endswith(due.plain)


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
async def test_handover_summary_stacks_above_the_checklist_when_narrow(
    db: Database, clerk: Operator, lang: str
) -> None:
    seed(Desk(db, clerk))
    app = app_at(db, clerk, lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f7")
        await until(
            pilot,
            lambda: isinstance(app.screen, HandoverScreen) and app.screen.handover_id is not None,
        )
        screen = app.screen
        assert isinstance(screen, HandoverScreen) and screen.handover_id is not None
        preview = screen.query_one("#preview-pane")
        checklist = screen.query_one("#checklist-pane")
        assert preview.region.width == checklist.region.width == 80
        assert checklist.region.y >= preview.region.bottom
        assert "=" * 80 in "\n".join(screen_lines(app))  # the summary's 80-cell rule fits
        with Desk(db, clerk, now=LATER).read() as ctx:
            summary = handover.summary(ctx, handover.get(ctx, screen.handover_id))
        lines = summary_lines(summary, db.settings.tz)
        numbers = {item.number for items in summary.sections.values() for item in items}
        at = next(i for i, line in enumerate(lines) if any(n in line for n in numbers))
        preview.scroll_to(y=at, animate=False)
        await until(pilot, lambda: lines[at] in "\n".join(screen_lines(app)))
        assert lines[at] in "\n".join(screen_lines(app))  # an item's line whole, deadline last
        await pilot.resize_terminal(120, 30)
        await until(pilot, lambda: checklist.region.x >= preview.region.right)
        assert checklist.region.x >= preview.region.right  # side by side again


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["zh_CN", "en"])
async def test_key_loans_show_their_state_whole(
    db: Database, clerk: Operator, lang: str, size: tuple[int, int]
) -> None:
    from desk.i18n import t
    from desk.services import keys
    from desk.services.keys import KeyLoanCreate

    with Desk(db, clerk).write() as ctx:
        keys.add_key(ctx, "K-PUMP-B2", "水泵房", copies=3, hook="A-01")
        loan = keys.lend(
            ctx,
            KeyLoanCreate(
                key="K-PUMP-B2", borrower="李建国", department="engineering", reason="巡检", count=2
            ),
        )
        keys.take_back(ctx, loan.id or 0, 1, "李建国")
    app = app_at(db, clerk, lang)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f5")
        await until(pilot, lambda: app.screen.query_one("#loans-table", DataTable).row_count)
        table = app.screen.query_one("#loans-table", DataTable)
        assert table.virtual_size.width <= table.size.width
        line = line_with(app, loan.number)
        assert line.rstrip().endswith(t("key_loan_state.partly_returned")), line


@pytest.mark.parametrize("size", [(100, 30), (80, 24)])
async def test_the_night_log_shows_each_entrys_state_whole(
    db: Database, clerk: Operator, size: tuple[int, int]
) -> None:
    from desk.services import nightlog
    from desk.services.nightlog import NightLogCreate

    with Desk(db, clerk).write() as ctx:
        entry = nightlog.log(
            ctx,
            NightLogCreate(
                caller="王建国", room="3-1202", what=LONG, action_taken=LONG, left_for_morning=True
            ),
        )
    app = make_app(db, lang="zh_CN", clock=lambda: NOW, operator=clerk)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f11")
        await until(
            pilot,
            lambda: (
                nightlog.number_at(entry.logged_at, entry.id or 0, db.settings.tz)
                in "\n".join(screen_lines(app))
            ),
        )
        number = nightlog.number_at(entry.logged_at, entry.id or 0, db.settings.tz)
        lines = [line for line in screen_lines(app) if number in line]
        assert len(lines) == 2  # for the morning, and among the latest
        assert all("留待早班" in line for line in lines), lines
