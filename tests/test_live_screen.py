"""Live boards at the keyboard: another desk's save shows within a second; a lost database is
said at once, refuses saves and keeps what was typed; a save cut off is never made twice."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session, select
from textual.pilot import Pilot
from textual.widgets import Input

from desk import live
from desk.db import Database, open_database
from desk.i18n import t
from desk.models import Operator, RepairOrder
from desk.screens.board import BoardScreen
from desk.screens.records import open_record
from desk.screens.repair_entry import RepairFormScreen
from desk.screens.repairs import RepairsScreen
from tests.conftest import Desk
from tests.pilot_support import desk_app, messages, row_keys, settle, until, until_screen
from tests.seed import register_repair

SIZE = (120, 40)


async def within(pilot: Pilot[Any], seconds: float, condition: Callable[[], object]) -> None:
    """Wait, in real time (the desk looks twice a second), until `condition` holds."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        await pilot.pause(0.05)
        if condition():
            return
    raise AssertionError(f"not within {seconds} s")


async def test_the_board_and_a_list_show_another_desks_save(db: Database, clerk: Operator) -> None:
    other = open_database(db.url, settings=db.settings, migrate=False)
    app = desk_app(db, clerk)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await until_screen(pilot, BoardScreen)
            first = register_repair(Desk(other, clerk))
            await within(pilot, 1.5, lambda: f"repairs:{first}" in row_keys(pilot, "#open"))
            await pilot.press("f3")
            await until_screen(pilot, RepairsScreen)
            second = register_repair(Desk(other, clerk), room="5-101")
            await within(pilot, 1.5, lambda: str(second) in row_keys(pilot, "#orders"))
    finally:
        other.dispose()


def _orders(db: Database) -> int:
    with db.reading() as session:
        return len(session.exec(select(RepairOrder.id)).all())


async def test_a_lost_database_is_said_and_nothing_is_saved_twice(
    db: Database, clerk: Operator, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db.path is None:
        pytest.skip("a file that goes away (a share unmounted); PostgreSQL: test_live_service")
    app = desk_app(db, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await until_screen(pilot, RepairsScreen)
        await pilot.press("ctrl+n")
        form = await until_screen(pilot, RepairFormScreen)
        for name, value in [
            ("room", "3-1202"),
            ("resident_name", "Li Ming"),
            ("phone", "13812345678"),
            ("description", "Tap drips"),
        ]:
            form.query_one(f"#field-{name} Input", Input).value = value  # as typed
        await settle(pilot)
        typed = [each.value for each in form.query(Input)]

        away = db.path.with_name("away.db")
        db.path.rename(away)
        await within(pilot, 1.5, lambda: t("live.down") in messages(app))
        assert t("live.down_mark") in app.sub_title
        await pilot.press("ctrl+s")
        await until(pilot, lambda: t("live.down_refused") in messages(app))
        assert app.screen is form and [each.value for each in form.query(Input)] == typed
        assert open_record(app, "repairs", 1) and app.screen is form  # nothing read to open
        away.rename(db.path)
        await within(pilot, 1.5, lambda: t("live.back") in messages(app))
        assert t("live.down_mark") not in app.sub_title

        # the next commit is cut off after it committed; the desk cannot ask until it can
        real = db._commit
        answers = iter([None, True])

        def cut_off(session: Session) -> None:
            real(session)
            monkeypatch.setattr(db, "_commit", real)
            raise live.CommitUnknown("lost", 7)

        monkeypatch.setattr(db, "_commit", cut_off)
        monkeypatch.setattr(live, "commit_status", lambda _db, _xid: next(answers))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: t("live.commit_unknown") in messages(app))
        await pilot.press("ctrl+s")  # still not known: nothing saved, the text kept
        await until(pilot, lambda: t("live.still_unknown") in messages(app))
        assert app.screen is form and [each.value for each in form.query(Input)] == typed
        await pilot.press("ctrl+s")  # it had committed: the form closes, saved once
        await until(pilot, lambda: not isinstance(app.screen, RepairFormScreen))
        assert t("live.was_saved") in messages(app)
        assert _orders(db) == 1
        await settle(pilot)
