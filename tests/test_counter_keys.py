"""The counter's keys as a clerk presses them: where the cursor starts, what a paste keeps."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select
from textual import events
from textual.widgets import DataTable, Input, Select, Static

from desk.db import Database
from desk.i18n import set_language, t
from desk.models import AuditEvent, Operator, ReceptionEntry
from desk.screens import handover as handover_screen
from desk.screens.board import BoardScreen
from desk.screens.pass_form import PassFormScreen
from desk.screens.reception import ReceptionScreen
from desk.screens.repair_detail import RepairDetailScreen
from desk.screens.repair_entry import RepairFormScreen
from desk.screens.repairs import RepairsScreen
from desk.screens.signin import SignInScreen
from desk.services import limits, operators, reception, repair, residents
from desk.services.context import Ctx
from desk.services.repair import RepairCreate
from tests.conftest import NOW, Desk
from tests.pilot_support import (
    desk_app,
    field_error,
    messages,
    printed,
    row_keys,
    settle,
    table_cells,
    until,
    until_screen,
)


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
async def test_sign_in_starts_at_the_pin_of_whoever_signed_in_last(
    db: Database, clerk: Operator, lang: str
) -> None:
    with db.writing() as session:
        ctx = Ctx(session, None, db.settings, NOW)
        assert operators.last_signed_in(ctx) is None  # two operators, no one yet: the list
        assert operators.sign_in(ctx, clerk.name, "1234").operator is not None
        assert operators.last_signed_in(ctx) == clerk.name
    set_language(lang)
    app = desk_app(db, None, lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.focused, Input))
        assert isinstance(app.screen, SignInScreen)
        assert app.focused is app.screen.query_one("#pin", Input)
        assert app.screen.query_one("#operator", Select).value == clerk.name
        await pilot.press(*"1234", "enter")  # the PIN and enter: nothing else
        await until_screen(pilot, BoardScreen)


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
async def test_a_paste_is_never_cut_and_a_control_character_is_said_at_once(
    db: Database, clerk: Operator, lang: str
) -> None:
    set_language(lang)
    most = limits.max_length(ReceptionEntry, "person")
    app = desk_app(db, clerk, lang)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f2")
        screen = await until_screen(pilot, ReceptionScreen)
        person = screen.query_one("#person", Input)
        person.focus()
        pasted = "张" * (most + 5)
        person.post_message(events.Paste(pasted + "\n第二行"))
        await until(pilot, lambda: field_error(screen, "person"))
        assert person.value == f"{pasted} 第二行"  # whole, its lines joined: nothing dropped
        assert field_error(screen, "person") == t(
            "field.pasted_too_long", length=len(person.value), max=most
        )
        screen.query_one("#request", Input).value = "咨询停车"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert field_error(screen, "person")  # refused on saving too
        person.value = ""
        person.focus()
        person.post_message(events.Paste("王\u202e明"))
        await until(pilot, lambda: "U+202E" in field_error(screen, "person"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "U+202E" in field_error(screen, "person")
    with Desk(db, clerk).read() as ctx:
        assert reception.recent(ctx) == []  # neither was stored


@pytest.mark.parametrize("lang", ["en"])
async def test_a_room_of_several_residents_offers_a_choice_and_a_pass_its_owner(
    db: Database, clerk: Operator, lang: str
) -> None:
    with Desk(db, clerk).write() as ctx:
        residents.add_resident(ctx, "3", "1202", "王小明", "13812345678", "owner")
        residents.add_resident(ctx, "3", "1202", "王丽", "13900001111", "tenant")
        residents.add_resident(ctx, "5", "301", "张伟", "13700002222", "owner")
    set_language(lang)
    app = desk_app(db, clerk, lang)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("ctrl+n")
        form = await until_screen(pilot, RepairFormScreen)
        await pilot.press(*"3 1202", "tab")  # the form starts at the room
        name, phone = form.query_one("#resident_name", Input), form.query_one("#phone", Input)
        note = "#field-resident_name .field-note"
        await until(pilot, lambda: "王丽" in str(form.query_one(note, Static).render()))
        shown = str(form.query_one(note, Static).render())
        assert "1\u00a0王小明" in shown and "2\u00a0王丽" in shown and "139****1111" in shown
        assert name.value == "" and phone.value == ""  # not the first: a choice
        await pilot.press("2")
        await until(pilot, lambda: phone.value == "13900001111")
        assert name.value == "王丽"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        await pilot.press("ctrl+n")
        form = await until_screen(pilot, PassFormScreen)
        await pilot.press(*"5-0301")
        applicant = form.query_one("#applicant", Input)
        await until(pilot, lambda: applicant.value == "张伟")  # the room's owner, offered


async def test_lists_open_newest_first_home_end_jump_and_f3_on_a_page_starts_a_repair_there(
    db: Database, clerk: Operator
) -> None:
    made = []
    for hours, room in ((3, "1-101"), (2, "2-202"), (1, "3-303")):
        with Desk(db, clerk).write() as ctx:
            order = repair.register(
                ctx,
                RepairCreate(
                    room=room,
                    resident_name="张伟",
                    phone="13700002222",
                    description="漏水",
                    reported_at=NOW - timedelta(hours=hours),
                ),
            )
            made.append(str(order.id))
    app = desk_app(db, clerk, "en")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f3")
        screen = await until_screen(pilot, RepairsScreen)
        await until(pilot, lambda: row_keys(pilot, "#orders") == made[::-1])  # newest first
        table = screen.query_one("#orders", DataTable)
        assert table.cursor_row == 0
        await pilot.press("end")
        await until(pilot, lambda: table.cursor_row == 2)
        await pilot.press("home")
        await until(pilot, lambda: table.cursor_row == 0)
        assert "张伟" not in " ".join(table_cells(pilot, "#orders"))  # the list is masked
        await pilot.press("ctrl+t")  # one key: the selected record's name and phone, audited
        await until(pilot, lambda: any("张伟  13700002222" in m for m in messages(app)))
        with Desk(db, clerk).read() as ctx:
            seen = ctx.session.exec(select(AuditEvent).where(AuditEvent.action == "revealed"))
            assert [e.record_id for e in seen] == [int(made[-1])]
        await pilot.press("enter")
        await until_screen(pilot, RepairDetailScreen)
        await pilot.press("f3")  # on a page: a new repair for its room, not the list again
        form = await until_screen(pilot, RepairFormScreen)
        assert form.query_one("#room", Input).value == "3-303"
        assert form.query_one("#resident_name", Input).value == "张伟"
        assert form.query_one("#phone", Input).value == "13700002222"


async def test_printing_the_handover_never_freezes_the_screen(
    db: Database, clerk: Operator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The printout is held up (a slow PDF, a printer that does not answer): the clerk moves on
    meanwhile; the copy is written once it is let go."""
    let_go, started = threading.Event(), threading.Event()
    made = handover_screen.print_handover

    def slow(*args: Any, **kwargs: Any) -> Any:
        started.set()
        assert let_go.wait(30)
        return made(*args, **kwargs)

    monkeypatch.setattr(handover_screen, "print_handover", slow)
    app = desk_app(db, clerk, "en")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f7")
        await until_screen(pilot, handover_screen.HandoverScreen)
        await pilot.press("ctrl+w")
        await until(pilot, started.is_set)
        await pilot.press("f9")  # while the printout is held up
        await until_screen(pilot, BoardScreen)
        let_go.set()
        await until(pilot, lambda: printed(db, "handovers/handover-*"))
