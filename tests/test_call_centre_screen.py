"""The call-centre desk (desk --estate '*'): a call logged at the counter of another estate,
typed as the call-centre clerk would: refused before the estate is chosen (the text kept), then
made in the chosen estate's register, which that estate's own desk sees at once."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input, Static

from desk.app import DeskApp
from desk.db import Database, open_database
from desk.models import Operator, ReceptionEntry
from desk.screens.board import BoardScreen
from desk.screens.estate_chooser import EstateChooserDialog
from desk.screens.reception import ReceptionScreen
from desk.services import estates
from tests.conftest import NOW, Desk
from tests.pilot_support import settle, until, until_screen


def _entries(database: Database, operator: Operator) -> list[ReceptionEntry]:
    from sqlmodel import select

    with Desk(database, operator).read() as ctx:
        return list(ctx.session.exec(select(ReceptionEntry)))


async def _log_the_call(pilot: Pilot[None]) -> ReceptionScreen:
    """F2, the room and what the caller asks, typed; ctrl+s."""
    await pilot.press("f2")
    screen = await until_screen(pilot, ReceptionScreen)
    screen.query_one("#room", Input).focus()
    await pilot.press(*"3-1202")
    screen.query_one("#request", Input).focus()
    await pilot.press(*"问装修时间")
    await pilot.press("ctrl+s")
    return screen


async def test_a_call_for_another_estate_is_logged_in_its_register(
    db: Database, boss: Desk, clerk: Operator
) -> None:
    with boss.write() as ctx:
        hg = estates.add(ctx, "HG", "和谷园", "Hegu Garden")
    centre = open_database(db.url, migrate=False, settings=db.settings, estate="*")
    hg_desk = open_database(db.url, migrate=False, settings=db.settings, estate="HG")
    try:
        app = DeskApp(centre, lang="zh_CN", clock=lambda: NOW, operator=clerk)
        async with app.run_test(size=(120, 40)) as pilot:
            await until_screen(pilot, BoardScreen)
            assert "客服中心（全部小区）" in app.sub_title
            screen = await _log_the_call(pilot)
            await settle(pilot)
            # no estate chosen: refused, said, nothing saved, the text kept
            assert _entries(centre, clerk) == []
            assert screen.query_one("#request", Input).value == "问装修时间"
            shown = [str(w.render()) for w in screen.query(Static)]
            assert "先选这通电话的小区（ctrl+z），再登记" in shown
            # ctrl+z: the estate of the call
            await pilot.press("ctrl+z")
            await until_screen(pilot, EstateChooserDialog)
            await pilot.press("down", "down", "enter")
            await until(pilot, lambda: app.working_estate == hg.id)
            assert "HG" in app.sub_title
            screen = await _log_the_call(pilot)
            await until(pilot, lambda: _entries(hg_desk, clerk))
        [entry] = _entries(hg_desk, clerk)
        assert entry.estate_id == hg.id and entry.number.startswith("HG-JD-")
        assert _entries(db, clerk) == []  # not in the default estate
    finally:
        centre.dispose()
        hg_desk.dispose()
