"""The settings screen's working calendar: a clerk is told why not, a supervisor marks days."""

from __future__ import annotations

import re
from datetime import date
from io import StringIO

from rich.console import Console
from textual.widgets import Input, Static

from desk.db import Database
from desk.models import CalendarDay, Operator
from desk.screens.settings import CalendarDayDialog, SettingsScreen
from desk.services import audit
from desk.services.context import Ctx
from tests.conftest import NOW
from tests.pilot_support import desk_app, field_error, messages, settle, until, until_screen

SIZE = (120, 40)
TUESDAY = date(2026, 11, 24)


def _marked(db: Database, day: date) -> CalendarDay | None:
    with db.reading() as session:
        return session.get(CalendarDay, (day, 1))


async def test_a_clerk_is_told_only_a_supervisor_edits_the_calendar(
    db: Database, clerk: Operator
) -> None:
    app = desk_app(db, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(SettingsScreen())
        await until_screen(pilot, SettingsScreen)
        assert app.screen.check_action("edit_calendar", ()) is True  # the key stays
        await pilot.press("ctrl+e")
        await until(pilot, lambda: messages(app))
        assert isinstance(app.screen, SettingsScreen)  # no dialog for a clerk
        assert (
            "only a supervisor may change the site's working calendar, because every deadline "
            "of every register counts working days by it"
        ) in messages(app)
    assert _marked(db, TUESDAY) is None


async def test_a_supervisor_marks_and_clears_a_closed_day(
    db: Database, supervisor: Operator
) -> None:
    app = desk_app(db, supervisor, lang="zh_CN")
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(SettingsScreen())
        await settle(pilot)
        await pilot.press("ctrl+e")
        await until_screen(pilot, CalendarDayDialog)
        assert isinstance(app.screen, CalendarDayDialog)
        await pilot.press(*"11/24", "ctrl+s")  # not a date: said beside the field
        await until(
            pilot,
            lambda: "YYYY-MM-DD" in field_error(app.screen, "day"),
        )
        assert "YYYY-MM-DD" in field_error(app.screen, "day")
        app.screen.query_one("#day", Input).value = ""
        await pilot.press(*"2026-02-30", "ctrl+s")  # written right, but no such day
        await until(
            pilot,
            lambda: "没有 2026-02-30 这一天" in field_error(app.screen, "day"),
        )
        assert "没有 2026-02-30 这一天" in field_error(app.screen, "day")
        app.screen.query_one("#day", Input).value = ""
        await pilot.press(*"2026-11-24", "tab", "tab", *"员工培训", "ctrl+s")
        await until(pilot, lambda: "2026-11-24 已设为本处休息日" in messages(app))
        assert isinstance(app.screen, SettingsScreen)
        assert "2026-11-24 已设为本处休息日" in messages(app)
        assert "员工培训" in app.export_screenshot()

        await pilot.press("ctrl+e")
        await settle(pilot)
        await pilot.press(*"2026-11-24", "tab", "enter", "down", "down", "enter", "ctrl+s")
        await until(pilot, lambda: "2026-11-24 已恢复按国家日历" in messages(app))
        assert isinstance(app.screen, SettingsScreen)
        assert "2026-11-24 已恢复按国家日历" in messages(app)
    assert _marked(db, TUESDAY) is None
    with db.reading() as session:
        events = audit.history(Ctx(session, None, db.settings, NOW), "calendar", 20261124)
    assert [(e.action, e.operator_id) for e in events] == [
        ("holiday", supervisor.id),
        ("cleared", supervisor.id),
    ]


async def test_deadlines_are_shown_in_words_not_as_written_in_site_toml(
    db: Database, clerk: Operator
) -> None:
    # site.toml: dispatch 30m, replies at most 3wd, callbacks 2d / 3d; the standard complaint
    # table escalates a major complaint same_day, an important one in 1h; resolves in 10d
    for lang, expected in (
        ("zh_CN", ("30 分钟", "3 个工作日", "3 天", "当天 → 管理处主任", "1 小时", "10 天")),
        ("en", ("30 min", "3 working days", "3 days", "same day → Office head", "1 h", "10 days")),
    ):
        app = desk_app(db, clerk, lang=lang)
        async with app.run_test(size=(160, 80)) as pilot:
            await app.push_screen(SettingsScreen())
            await until_screen(pilot, SettingsScreen)
            console = Console(width=160, record=True, file=StringIO())
            for part in ("deadlines", "complaints"):
                console.print(app.screen.query_one(f"#settings-{part}", Static).content)
            shown = console.export_text()
        for raw in ("30m", "3wd", "2d", "3d", "10d", "1h", "same_day"):
            assert not re.search(rf"(?<![\w-]){raw}(?!\w)", shown), (lang, raw, shown)
        for words in expected:
            assert words in shown, (lang, words, shown)
