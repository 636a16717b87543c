"""Standard replies at the keyboard: draft, approve as a supervisor only, edit, retire, insert."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Static

from desk.db import Database
from desk.i18n import t
from desk.models import Operator, ReplyState
from desk.screens.reception import ReceptionScreen
from desk.screens.replies import StandardRepliesScreen
from desk.screens.reply_dialogs import ReplyDialog, RetireDialog
from desk.screens.reply_picker import ReplyPickerDialog
from desk.services import replies
from tests.conftest import Desk
from tests.pilot_support import (
    desk_app,
    field_error,
    messages,
    settle,
    table_cells,
    until,
    until_screen,
)
from tests.seed import seed_replies

SIZE = (120, 40)


async def test_a_clerk_drafts_and_may_not_approve(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    app = desk_app(db, clerk, "en")
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(StandardRepliesScreen())
        await until(
            pilot,
            lambda: (
                "no standard replies yet" in str(app.screen.query_one("#replies-title").render())
            ),
        )
        await pilot.press("ctrl+n")
        await until_screen(pilot, ReplyDialog)
        await pilot.press("ctrl+s")  # nothing typed: refused at the topic
        await until_screen(pilot, ReplyDialog)
        await pilot.press(*"Parking", "tab", *"parking car", "tab")
        await pilot.press(*"Monthly spaces are let at the desk.", "ctrl+s")
        await until_screen(pilot, StandardRepliesScreen)
        assert table_cells(pilot, "#replies") == ["Parking", "parking car", "draft", "王芳", "", ""]
        body = str(app.screen.query_one("#reply-body", Static).render())
        assert "Monthly spaces" in body

        await pilot.press("ctrl+y")
        await until(pilot, lambda: any("only a supervisor may approve" in m for m in messages(app)))
        await pilot.press("ctrl+x")
        await until_screen(pilot, StandardRepliesScreen)  # no reason asked of a clerk
        assert any("only a supervisor may retire" in m for m in messages(app))
    with desk.read() as ctx:
        (reply,) = replies.all_replies(ctx)
    assert reply.state == ReplyState.draft and reply.keywords == "parking car"


async def test_the_reply_dialog_says_topic_and_body_are_wanted_at_once_and_keeps_the_text(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    app = desk_app(db, clerk, "en")
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(StandardRepliesScreen())
        await until_screen(pilot, StandardRepliesScreen)
        await pilot.press("ctrl+n")
        dialog = await until_screen(pilot, ReplyDialog)
        await pilot.press("tab", *"parking car", "ctrl+s")  # keywords only
        await until(pilot, lambda: field_error(dialog, "reply_topic").strip())
        assert app.screen is dialog
        assert field_error(dialog, "reply_topic").strip() == t("field.required")
        assert field_error(dialog, "reply_body").strip() == t("field.required")
        assert not dialog.query_one("#field-reply_keywords").has_class("-invalid")
        assert dialog.query_one("#reply_keywords", Input).value == "parking car"
        assert app.focused is dialog.query_one("#reply_topic", Input)
    with desk.read() as ctx:
        assert replies.all_replies(ctx) == []


async def test_a_supervisor_approves_edits_and_retires_in_chinese(
    db: Database, clerk: Operator, supervisor: Operator, desk: Desk
) -> None:
    with desk.write() as ctx:
        reply = replies.draft(ctx, "宠物管理", "宠物 狗", "出门请牵绳。")
    app = desk_app(db, supervisor, "zh_CN")
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(StandardRepliesScreen())
        await until(pilot, lambda: "草稿待批" in table_cells(pilot, "#replies"))
        await pilot.press("ctrl+y")
        await until(pilot, lambda: "已批准" in table_cells(pilot, "#replies"))
        assert "已批准" in table_cells(pilot, "#replies") and "陈主管" in table_cells(
            pilot, "#replies"
        )
        with desk.read() as ctx:
            assert replies.get(ctx, reply.id or 0).state == ReplyState.approved

        await pilot.press("enter")  # edit: an approved reply goes back to draft
        await until_screen(pilot, ReplyDialog)
        note = app.screen.query(".form-note").first()
        assert "须主管重新批准" in str(note.render())
        await pilot.press("tab", "end", *" 猫", "ctrl+s")
        await until_screen(pilot, StandardRepliesScreen)
        assert "宠物 狗 猫" in table_cells(pilot, "#replies") and "草稿待批" in table_cells(
            pilot, "#replies"
        )

        await pilot.press("ctrl+x")
        await until_screen(pilot, RetireDialog)
        await pilot.press(*"规定已变", "ctrl+s")
        await until_screen(pilot, StandardRepliesScreen)
        assert app.screen.query_one("#replies", DataTable).row_count == 0
        await pilot.press("ctrl+f")  # retired ones too
        await until(pilot, lambda: "已停用" in table_cells(pilot, "#replies"))
    with desk.read() as ctx:
        saved = replies.get(ctx, reply.id or 0)
    assert saved.state == ReplyState.retired and saved.keywords == "宠物 狗 猫"


async def test_a_clerk_inserts_a_standard_reply_into_the_reception_form(
    db: Database, clerk: Operator, supervisor: Operator
) -> None:
    seed_replies(Desk(db, clerk), supervisor)
    app = desk_app(db, clerk, "zh_CN")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        screen = await until_screen(pilot, ReceptionScreen)
        screen.query_one("#request", Input).focus()
        await pilot.press(*"下周二停水吗")
        await pilot.press("ctrl+g")
        picker = await until_screen(pilot, ReplyPickerDialog)
        assert picker.query_one("#picker-filter", Input).value == "下周二停水吗"
        preview = str(picker.query_one("#picker-preview", Static).render())
        assert "停水" in preview
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is screen)
        done = screen.query_one("#action_taken", Input)
        assert done.value.startswith("计划停水、停电会提前 24 小时") and done.has_focus

        # a filter typed by hand; escape leaves the field as it was
        await pilot.press("ctrl+g")
        await settle(pilot)
        await pilot.press(*["backspace"] * 8, *"快递", "down", "escape")
        await until(pilot, lambda: app.screen is screen and done.value.startswith("计划停水"))
        await pilot.press("ctrl+g")
        await settle(pilot)
        await pilot.press(*["backspace"] * 8, *"快递", "enter")
        await until(pilot, lambda: "智能快递柜" in done.value and done.value.startswith("计划停水"))
