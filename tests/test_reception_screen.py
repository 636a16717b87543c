"""The reception log screen and an entry's detail, typed as a clerk would, in both languages."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static

from desk.app import DeskApp
from desk.db import Database
from desk.forms.dialogs import ConfirmDialog
from desk.models import Operator, ReceptionCategory, ReceptionEntry, ReceptionState
from desk.screens.board import BoardScreen
from desk.screens.reception import ReceptionScreen
from desk.screens.reception_detail import ReasonDialog, ReceptionDetailScreen
from desk.services import reception, residents
from desk.services.reception import ReceptionCreate
from tests.conftest import NOW, Desk
from tests.pilot_support import desk_app, field_error, messages, settle, until, until_screen


async def _type_into(pilot: Pilot[None], field: str, text: str) -> None:
    """Reach a field (as Tab would) and type into it key by key."""
    pilot.app.screen.query_one(f"#{field}", Input).focus()
    await pilot.press(*text)
    await settle(pilot)


async def _choose(pilot: Pilot[None], field: str, downs: int) -> None:
    """Open a choice list with Enter, move down, and take it with Enter."""
    pilot.app.screen.query_one(f"#{field}", Select).focus()
    await pilot.press("enter", *["down"] * downs, "enter")
    await settle(pilot)


def _recent(db: Database, clerk: Operator) -> list[ReceptionEntry]:
    """The newest entries, read as the clerk."""
    with Desk(db, clerk).read() as ctx:
        return reception.recent(ctx)


def _error_of(screen: object, field: str) -> str:
    assert isinstance(screen, ReceptionScreen)
    return field_error(screen, field)


def _screen(app: DeskApp) -> object:
    """The screen on top now (a fresh read, not narrowed by an earlier isinstance)."""
    return app.screen


def _shown(static: Static) -> str:
    """The text a Static shows, rendered as the terminal would."""
    console = Console(width=120, record=True, file=StringIO())
    console.print(static.content)
    return console.export_text()


def _today_keys(screen: ReceptionScreen) -> list[str]:
    table = screen.query_one("#today", DataTable)
    return [str(key.value) for key in table.rows]


async def test_enquiry_owing_a_reply_is_saved_listed_and_on_the_board(
    db: Database, clerk: Operator
) -> None:
    app = desk_app(db, clerk, "zh_CN")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f2")
        screen = app.screen
        assert isinstance(screen, ReceptionScreen)
        # The form starts at the room: the time is left empty ("now"), the channel one back.
        assert app.focused is screen.query_one("#room", Input)
        await pilot.press("shift+tab")  # channel: 来电 is the second choice, its digit 2
        await pilot.press("2")
        await _type_into(pilot, "room", "5-0301")
        await _type_into(pilot, "person", "张三")
        await _type_into(pilot, "request", "问停车月卡怎么办")
        await _type_into(pilot, "reply_due_at", "+2h")
        note = str(screen.query_one("#field-reply_due_at .field-note", Static).render())
        assert "→" in note and "11:30" in note
        await pilot.press("ctrl+s")
        await until(pilot, lambda: _recent(db, clerk))

        with Desk(db, clerk).read() as ctx:
            [entry] = reception.recent(ctx)
        assert entry.person == "张三" and entry.room == "5-301"
        assert entry.channel == "phone" and entry.request == "问停车月卡怎么办"
        assert entry.reply_due_at == NOW + timedelta(hours=2)
        assert entry.state == ReceptionState.open
        # The form is empty for the next visitor; the entry is listed, name masked.
        assert screen.query_one("#person", Input).value == ""
        assert screen.query_one("#reply_due_at", Input).value == ""
        assert _today_keys(screen) == [str(entry.id)]
        row = screen.query_one("#today", DataTable).get_row(str(entry.id))
        # cells are plain Text (desk.screens.plain), compared by what they show
        shown = [str(cell) for cell in row]
        assert shown[1] == entry.number and shown[4] == "张*" and shown[2] == "来电"

        await pilot.press("f9")
        board = await until_screen(pilot, BoardScreen)
        table = board.query_one("#open", DataTable)
        board_row = table.get_row(f"reception:{entry.id}")
        assert "待答复" in str(board_row[-1])


@pytest.mark.parametrize("typed", ["+5d", "下下个月吧"])
async def test_bad_reply_due_saves_nothing_and_keeps_the_text(
    db: Database, clerk: Operator, typed: str
) -> None:
    app = desk_app(db, clerk, lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f2")
        screen = app.screen
        assert isinstance(screen, ReceptionScreen)
        await _type_into(pilot, "person", "Li")
        await _type_into(pilot, "request", "parking card")
        await _type_into(pilot, "reply_due_at", typed)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: _error_of(screen, "reply_due_at"))

        with Desk(db, clerk).read() as ctx:
            assert reception.recent(ctx) == []
        error = _error_of(screen, "reply_due_at")
        if typed == "+5d":
            assert "3 working days" in error
        else:
            assert "cannot read" in error
        assert screen.query_one("#reply_due_at", Input).value == typed
        assert screen.query_one("#request", Input).value == "parking card"
        assert app.focused is screen.query_one("#reply_due_at", Input)

        # Correct it and save: the error goes, the entry is written.
        await pilot.press(*["backspace"] * len(typed), *"+30m", "ctrl+s")
        await until(pilot, lambda: _error_of(screen, "reply_due_at") == "")
        with Desk(db, clerk).read() as ctx:
            [entry] = reception.recent(ctx)
        assert entry.reply_due_at == NOW + timedelta(minutes=30)


async def test_missing_request_is_refused_by_the_service(db: Database, clerk: Operator) -> None:
    app = desk_app(db, clerk, lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f2")
        await _type_into(pilot, "person", "Wu")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: _error_of(app.screen, "request"))
        screen = app.screen
        assert _error_of(screen, "request") == "this is required"
        assert screen.query_one("#person", Input).value == "Wu"
        assert app.focused is screen.query_one("#request", Input)
        with Desk(db, clerk).read() as ctx:
            assert reception.recent(ctx) == []


async def test_room_on_file_fills_name_and_phone_only_when_empty(
    db: Database, clerk: Operator
) -> None:
    with Desk(db, clerk).write() as ctx:
        residents.add_resident(ctx, "3", "1202", "李明", "13812345678", "owner")
    app = desk_app(db, clerk, "zh_CN")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f2")
        screen = app.screen
        await _type_into(pilot, "room", "3栋1202")
        assert screen.query_one("#person", Input).value == "李明"
        assert screen.query_one("#phone", Input).value == "13812345678"
        assert "李明" in str(screen.query_one("#field-room .field-note", Static).render())

        # A name already typed is the visitor's own: the directory does not overwrite it.
        await pilot.press("ctrl+n")
        await _type_into(pilot, "person", "李太太")
        await _type_into(pilot, "room", "3-1202")
        assert screen.query_one("#person", Input).value == "李太太"
        assert screen.query_one("#phone", Input).value == "13812345678"


async def test_repair_call_offers_a_linked_repair_order(db: Database, clerk: Operator) -> None:
    repair_form = pytest.importorskip("desk.screens.repair_entry")
    app = desk_app(db, clerk, "zh_CN")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f2")
        await _type_into(pilot, "room", "3-1202")
        await _type_into(pilot, "person", "王")
        await _type_into(pilot, "phone", "13900001111")
        await _choose(pilot, "category", 1)  # 报修
        await _type_into(pilot, "request", "卫生间漏水")
        await pilot.press("ctrl+s")
        await until_screen(pilot, ConfirmDialog)
        await pilot.press("enter")
        form = await until_screen(pilot, repair_form.RepairFormScreen)
        with Desk(db, clerk).read() as ctx:
            [entry] = reception.recent(ctx)
        assert entry.category == ReceptionCategory.repair
        assert form.prefill is not None
        assert form.prefill.reception_id == entry.id
        assert form.prefill.description == "卫生间漏水"
        assert (form.prefill.room, form.prefill.resident_name) == ("3-1202", "王")
        assert form.prefill.phone == "13900001111"


async def test_repair_call_declined_stays_on_the_log_and_its_page_makes_the_order_later(
    db: Database, clerk: Operator
) -> None:
    repair_form = pytest.importorskip("desk.screens.repair_entry")
    app = desk_app(db, clerk, lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f2")
        await _type_into(pilot, "room", "3-1202")
        await _choose(pilot, "category", 1)
        await _type_into(pilot, "request", "light out")
        await pilot.press("ctrl+s")
        await until_screen(pilot, ConfirmDialog)
        await pilot.press("escape")
        log = await until_screen(pilot, ReceptionScreen)
        assert len(_today_keys(log)) == 1

        # later: the entry's page offers the repair order it did not become
        await pilot.press("escape", "enter")  # to today's entries, open the entry
        detail = await until_screen(pilot, ReceptionDetailScreen)
        shown = _shown(detail.query_one("#entry", Static))
        assert shown.split("Linked record")[1].split()[0] == "none"
        assert detail.check_action("make_linked", ()) is True
        await pilot.press("ctrl+l")
        form = await until_screen(pilot, repair_form.RepairFormScreen)
        assert form.prefill is not None and form.prefill.description == "light out"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: _screen(app) is detail)
        with Desk(db, clerk).read() as ctx:
            [entry] = reception.recent(ctx)
            number = reception.linked_number(ctx, entry)
        assert entry.linked_register == "repairs" and number.startswith("WX-")
        assert f"Repairs {number}" in _shown(detail.query_one("#entry", Static))
        history = detail.query_one("#history", DataTable)
        assert number in str(history.get_row_at(history.row_count - 1))
        assert detail.check_action("make_linked", ()) is False  # once only: the key is gone
        await pilot.press("ctrl+l")
        await until(pilot, lambda: _screen(app) is detail)


async def test_answer_from_detail_takes_it_off_the_board(db: Database, clerk: Operator) -> None:
    desk = Desk(db, clerk)
    with desk.write() as ctx:
        entry = reception.log(
            ctx,
            ReceptionCreate(
                person="赵",
                room="2-0801",
                request="问物业费发票",
                department="finance",
                reply_due_at=NOW + timedelta(hours=1),
            ),
        )
    app = desk_app(db, clerk, "zh_CN")
    async with app.run_test(size=(120, 40)) as pilot:
        board = app.screen
        assert isinstance(board, BoardScreen)
        table = board.query_one("#open", DataTable)
        assert f"reception:{entry.id}" in [k.value for k in table.rows]
        table.focus()
        await pilot.press("enter")
        detail = await until_screen(pilot, ReceptionDetailScreen)
        shown = _shown(detail.query_one("#entry", Static))
        assert "问物业费发票" in shown and "财务部" in shown and "已转部门" in shown

        await pilot.press("ctrl+y")
        await until_screen(pilot, ReasonDialog)
        await pilot.press("enter")  # nothing typed: refused, dialog stays
        await until_screen(pilot, ReasonDialog)
        assert "请填写此项" in str(app.screen.query_one("#reason-error", Static).render())
        await pilot.press(*"发票已开好明天来取", "enter")
        await until(pilot, lambda: _screen(app) is detail)
        assert "已答复" in _shown(detail.query_one("#entry", Static))
        history = detail.query_one("#history", DataTable)
        assert history.row_count == 2

        await pilot.press("escape")
        await until(pilot, lambda: _screen(app) is board)
        assert f"reception:{entry.id}" not in [k.value for k in table.rows]
    with desk.read() as ctx:
        saved = reception.get(ctx, entry.id or 0)
    assert saved.state == ReceptionState.answered and saved.answer == "发票已开好明天来取"


async def test_close_with_reason_from_the_log_table(
    db: Database, clerk: Operator, supervisor: Operator
) -> None:
    desk = Desk(db, clerk)
    with desk.write() as ctx:
        entry = reception.log(
            ctx,
            ReceptionCreate(person="Qian", request="noise", reply_due_at=NOW + timedelta(hours=3)),
        )
    # a reply is owed: a clerk is told why only a supervisor may close it, no reason asked
    app = desk_app(db, clerk, lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f2")
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("enter")
        await until_screen(pilot, ReceptionDetailScreen)
        assert app.screen.check_action("close_entry", ()) is True  # the key stays
        await pilot.press("ctrl+x")
        await until_screen(pilot, ReceptionDetailScreen)
        said = messages(app)
        assert any(
            m.startswith("only a supervisor may close a reception entry that still owes")
            for m in said
        )
    with desk.read() as ctx:
        assert reception.get(ctx, entry.id or 0).state == ReceptionState.open
    app = desk_app(db, supervisor, lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f2")
        await pilot.press("escape")  # from the form to today's entries
        await until(pilot, lambda: app.focused is app.screen.query_one("#today", DataTable))
        screen = app.screen
        assert app.focused is screen.query_one("#today", DataTable)
        await pilot.press("enter")
        await until_screen(pilot, ReceptionDetailScreen)
        await pilot.press("ctrl+x", *"resident moved out", "ctrl+s")
        await until(pilot, lambda: "closed" in _shown(app.screen.query_one("#entry", Static)))
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        row = screen.query_one("#today", DataTable).get_row(str(entry.id))
        assert str(row[7]) == "closed"
    with desk.read() as ctx:
        assert reception.get(ctx, entry.id or 0).close_reason == "resident moved out"


async def test_english_labels(db: Database, clerk: Operator) -> None:
    app = desk_app(db, clerk, lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f2")
        screen = app.screen
        labels = [str(label.render()) for label in screen.query(".field-label")]
        assert "Reply due" in labels and "What was asked" in labels
        columns = [str(c.label) for c in screen.query_one("#today", DataTable).columns.values()]
        assert "Reply due" in columns and "Channel" in columns
        assert screen.query_one("#channel", Select).value == "visit"


async def test_chinese_labels(db: Database, clerk: Operator) -> None:
    app = desk_app(db, clerk, lang="zh_CN")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f2")
        screen = app.screen
        labels = [str(label.render()) for label in screen.query(".field-label")]
        assert "答复时限" in labels and "事由" in labels
        assert "今日还没有登记" in str(screen.query_one("#today-title", Static).render())


async def test_complaint_at_the_desk_becomes_a_linked_complaint(
    db: Database, clerk: Operator
) -> None:
    from desk.screens.complaint_entry import ComplaintFormScreen
    from desk.services import complaint

    app = desk_app(db, clerk, lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f2")
        await _type_into(pilot, "room", "3-1202")
        await _type_into(pilot, "person", "Wang")
        await _choose(pilot, "category", 2)  # complaint
        await _type_into(pilot, "request", "电梯噪音扰民")
        await pilot.press("ctrl+s")
        await until_screen(pilot, ConfirmDialog)
        await pilot.press("enter")
        await until_screen(pilot, ComplaintFormScreen)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(_screen(app), ReceptionScreen))
    with Desk(db, clerk).read() as ctx:
        [entry] = reception.recent(ctx)
        [case] = complaint.recent(ctx)
    assert (entry.linked_register, entry.linked_id) == ("complaints", case.id)
    assert case.reception_id == entry.id
    assert case.what_happened == "电梯噪音扰民" and case.room == "3-1202"


async def test_a_room_number_alone_lists_it_in_every_building(
    db: Database, clerk: Operator
) -> None:
    with Desk(db, clerk).write() as ctx:
        for building in ("1", "2", "3", "5", "6", "8"):
            residents.add_resident(ctx, building, "1202", f"住户{building}", "13812345678", "owner")
    app = desk_app(db, clerk, "zh_CN")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f2")
        screen = app.screen
        await _type_into(pilot, "room", "1202")
        note = str(screen.query_one("#field-room .field-note", Static).render())
        for building in ("1", "2", "3", "5", "6", "8"):
            assert f"{building}-1202" in note, note
        # a few rooms are listed with their resident, each kept on one line
        screen.query_one("#room", Input).value = ""
        await _type_into(pilot, "room", "5-1202")
        note = str(screen.query_one("#field-room .field-note", Static).render())
        assert "5-1202\u00a0住户5\u00a0138****5678" in note


async def test_tab_back_to_free_text_adds_to_it_but_a_short_field_is_retyped(
    db: Database, clerk: Operator
) -> None:
    app = desk_app(db, clerk, "zh_CN")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f2")
        await _type_into(pilot, "request", "卫生间漏水")
        await pilot.press("tab", "shift+tab")  # away and back, as a clerk would
        await pilot.press(*"很急")
        await until(
            pilot, lambda: app.screen.query_one("#request", Input).value == "卫生间漏水很急"
        )
        screen = app.screen
        assert screen.query_one("#request", Input).value == "卫生间漏水很急"
        await _type_into(pilot, "room", "3-1202")
        await pilot.press("tab", "shift+tab")
        await pilot.press(*"5-0801")
        await until(pilot, lambda: screen.query_one("#room", Input).value == "5-0801")


async def test_a_room_not_on_file_is_said_under_the_field(db: Database, clerk: Operator) -> None:
    app = desk_app(db, clerk, lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f2")
        await _type_into(pilot, "room", "ZZ-99")
        note = app.screen.query_one("#field-room .field-note", Static)
        assert "no such room in the residents directory" in str(note.render())
