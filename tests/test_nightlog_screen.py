"""F11 at the keyboard: the list masks callers' names, Enter opens an entry's page in full."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App
from textual.widgets import Input

from desk.app import make_app
from desk.db import Database
from desk.i18n import t
from desk.models import NightLogState, Operator
from desk.screens.history import HistoryTable
from desk.screens.lookup import LookupScreen
from desk.screens.nightlog import NightEntryDialog, NightLogScreen
from desk.screens.nightlog_detail import NightLogDetailScreen
from desk.screens.record_table import RecordTable
from desk.screens.records import open_record
from desk.screens.repair_entry import RepairFormScreen
from desk.services import nightlog
from desk.services.nightlog import NightLogCreate
from tests.conftest import AT_NIGHT, NOW, Desk
from tests.pilot_support import field_error, screen_lines, settle, until, until_screen

SIZE = (120, 40)
# long enough to wrap three times at 120 columns, far beyond what a list cell shows
LONG = (
    "电梯困人，一位老人被困在3栋2号电梯轿厢内约二十分钟，家属情绪激动，要求物业说明原因并彻底检修"
    "电梯；维保公司到场后将老人救出，老人自述有些头晕，已由家属陪同去医院检查，家属要求明天上午给出"
    "书面说明和赔偿方案，另外反映该电梯本周已经是第二次困人，门机控制板疑似故障，请早班跟进并通知工"
    "程部和电梯维保公司一起到场检查。"
)


@pytest.fixture
def entry_id(db: Database, night: Operator) -> int:
    with Desk(db, night, AT_NIGHT).write() as ctx:
        data = NightLogCreate(caller="郑雪", room="2-301", phone="13711480544", what=LONG)
        entry = nightlog.log(ctx, data)
        assert entry.id is not None
        return entry.id


def screen_text(app: App[Any]) -> str:
    """What the terminal shows, without the spaces and line breaks of its layout."""
    return "".join("".join(line.split()) for line in screen_lines(app))


@pytest.mark.parametrize("lang", ["zh_CN"])
async def test_enter_opens_the_whole_entry_and_escape_returns(
    db: Database, clerk: Operator, entry_id: int, lang: str
) -> None:
    app = make_app(db, lang=lang, clock=lambda: NOW, operator=clerk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f11")
        await until_screen(pilot, NightLogScreen)
        # the list masks the caller's name like every register list, and cuts the text short
        for table in app.screen.query(RecordTable):
            row = [str(cell) for cell in table.get_row(str(entry_id))]
            assert "郑*" in row and "郑雪" not in "".join(row)
        assert "郑雪" not in screen_text(app) and LONG not in screen_text(app)
        await pilot.press("enter")
        await until_screen(pilot, NightLogDetailScreen)
        page = app.screen
        assert isinstance(page, NightLogDetailScreen) and page.entry_id == entry_id
        shown = screen_text(app)
        # every word of it, wrapped; the full name and phone, like the other record pages
        assert LONG in shown
        assert "郑雪" in shown and "13711480544" in shown
        assert "YJ-20261123-001" in shown
        state = "留待早班" if lang == "zh_CN" else "leftformorning"
        assert state in shown
        assert page.query_one(HistoryTable).row_count == 1
        await pilot.press("escape")
        await until_screen(pilot, NightLogScreen)


@pytest.mark.parametrize("lang", ["en"])
async def test_page_transfers_the_entry_and_shows_what_it_became(
    db: Database, clerk: Operator, entry_id: int, lang: str
) -> None:
    app = make_app(db, lang=lang, clock=lambda: NOW, operator=clerk)
    async with app.run_test(size=SIZE) as pilot:
        # the board and the lookup open a record through open_record
        assert open_record(app, "nightlog", entry_id)
        page = await until_screen(pilot, NightLogDetailScreen)
        assert page.check_action("close_entry", ()) is True
        await pilot.press("ctrl+g")
        await until_screen(pilot, RepairFormScreen)
        assert app.screen.query_one("#room", Input).value == "2-301"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is page)
        with Desk(db, clerk).read() as ctx:
            entry = nightlog.get(ctx, entry_id)
            number = nightlog.transferred_number(ctx, entry)
        assert entry.state == NightLogState.transferred and number.startswith("WX-")
        shown = screen_text(app)
        assert number in shown and "王芳" in shown  # what it became, who did it
        assert page.query_one(HistoryTable).row_count == 2
        # a transferred entry is not transferred or closed again: the keys leave the footer
        assert page.check_action("to_repair", ()) is False
        assert page.check_action("close_entry", ()) is False


async def test_lookup_by_number_opens_the_entry(
    db: Database, clerk: Operator, entry_id: int
) -> None:
    app = make_app(db, lang="zh_CN", clock=lambda: NOW, operator=clerk)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LookupScreen())
        await settle(pilot)
        await pilot.press(*"YJ-20261123-001", "enter")
        await until_screen(pilot, NightLogDetailScreen)
        assert app.screen.entry_id == entry_id
        await pilot.press("escape")
        await until_screen(pilot, LookupScreen)


async def test_the_night_entry_says_every_bad_field_at_once_and_keeps_the_text(
    db: Database, clerk: Operator
) -> None:
    app = make_app(db, lang="en", clock=lambda: NOW, operator=clerk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f11")
        await until_screen(pilot, NightLogScreen)
        await pilot.press("ctrl+n")
        dialog = await until_screen(pilot, NightEntryDialog)
        # caller, room, a phone that is none, nothing said of the call
        await pilot.press(*"郑雪", "tab", *"2-301", "tab", *"12", "tab", "tab", *"已处理")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: field_error(dialog, "phone").strip())
        assert app.screen is dialog
        assert field_error(dialog, "phone").strip() == t("field.bad_phone", value="12")
        assert field_error(dialog, "what").strip() == t("field.required")
        assert not dialog.query_one("#field-caller").has_class("-invalid")
        typed = [
            dialog.query_one(f"#{name}", Input).value
            for name in ("caller", "room", "phone", "action_taken")
        ]
        assert typed == ["郑雪", "2-301", "12", "已处理"]
        assert app.focused is dialog.query_one("#phone", Input)
    with Desk(db, clerk, NOW).read() as ctx:
        assert nightlog.recent(ctx) == []
