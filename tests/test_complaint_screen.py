"""Complaints at the keyboard: register, judge, escalate, reply, resolve, call back, repeats."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static

from desk.db import Database
from desk.i18n import t
from desk.models import ComplaintState, Operator, Severity, Validity
from desk.screens.complaint_detail import ComplaintDetailScreen
from desk.screens.complaint_dialogs import EscalateDialog, JudgeDialog
from desk.screens.complaint_entry import ComplaintFormScreen, RepeatDialog
from desk.screens.complaints import ComplaintsScreen
from desk.screens.due import Urgency, urgency_style
from desk.screens.tones import ALARM
from desk.services import complaint
from desk.services.repair import CallbackResult
from tests.conftest import NOW, Desk
from tests.pilot_support import (
    MovableClock,
    desk_app,
    field_error,
    messages,
    open_row,
    printed,
    row_keys,
    screen_lines,
    settle,
    table_cells,
    until,
    until_screen,
)
from tests.seed import CORRIDOR_CLUTTER, register_complaint, stored_complaint

SIZE = (120, 40)


async def _open_register(pilot: Pilot[None]) -> None:
    await pilot.press("f4")
    await until_screen(pilot, ComplaintsScreen)


async def _fill_form(pilot: Pilot[None], what: str) -> None:
    """The form starts at the room: room, complainant, phone, what happened."""
    await pilot.press("ctrl+n")
    await until_screen(pilot, ComplaintFormScreen)
    await pilot.press(*"3-1202", "tab")
    await pilot.press(*"李明", "tab")
    await pilot.press(*"13812345678", "tab")
    await pilot.press(*what)


async def _open_detail(pilot: Pilot[None], complaint_id: int) -> None:
    await _open_register(pilot)
    await open_row(pilot, "#complaints", str(complaint_id), ComplaintDetailScreen)


async def _step(pilot: Pilot[None], key: str, *typed: str) -> None:
    await pilot.press(key)
    await settle(pilot)
    await pilot.press(*typed, "ctrl+s")
    await until_screen(pilot, ComplaintDetailScreen)


@pytest.mark.parametrize(
    ("lang", "labels"),
    [
        ("zh_CN", ("待判定", "重新处理", "轻微")),
    ],
)
async def test_register_judge_escalate_reply_resolve_and_unhappy_callback(
    db: Database, clerk: Operator, desk: Desk, lang: str, labels: tuple[str, str, str]
) -> None:
    app = desk_app(db, clerk, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await _open_register(pilot)
        await _fill_form(pilot, "电梯噪音扰民")
        await pilot.press("ctrl+s")
        await until_screen(pilot, ComplaintsScreen)
        with desk.read() as ctx:
            (item,) = complaint.open_complaints(ctx)
        assert (item.room, item.complainant, item.phone) == ("3-1202", "李明", "13812345678")
        assert item.what_happened == "电梯噪音扰民" and item.owner_id == clerk.id
        assert item.number == "TS-20261123-001" and item.severity == Severity.minor
        cells = table_cells(pilot, "#complaints")
        assert "李*" in cells and labels[0] in cells and labels[2] in cells

        await pilot.press("enter")
        await until_screen(pilot, ComplaintDetailScreen)
        # judge: valid (the default), re-graded major
        await pilot.press("ctrl+g")
        await until_screen(pilot, JudgeDialog)
        await pilot.press("tab", "enter")  # severity: open the list
        await settle(pilot)
        await pilot.press("up", "up", "enter")  # minor → major
        await pilot.press("tab", *"属实", "ctrl+s")
        await until(pilot, lambda: stored_complaint(desk, item.id).state == ComplaintState.judged)
        judged = stored_complaint(desk, item.id)
        assert (judged.validity, judged.severity) == (Validity.valid, Severity.major)
        assert judged.state == ComplaintState.judged
        assert judged.reply_due_at == NOW + timedelta(days=2)

        await _step(pilot, "ctrl+u")  # the deadline table's 管理处主任 is offered
        escalated = stored_complaint(desk, item.id)
        assert escalated.escalated_to == "office_head" and escalated.escalated_at == NOW
        assert escalated.state == ComplaintState.assigned

        await _step(pilot, "ctrl+y", *"已安排安管部上门")
        assert stored_complaint(desk, item.id).state == ComplaintState.replied
        await _step(pilot, "ctrl+e", *"已劝导")
        resolved = stored_complaint(desk, item.id)
        assert resolved.state == ComplaintState.resolved
        assert resolved.callback_due_at == NOW + timedelta(days=2)

        await pilot.press("ctrl+b")
        await settle(pilot)
        await pilot.press("tab", "enter")  # satisfaction: open the list
        await settle(pilot)
        await pilot.press("down", "down", "enter")  # not satisfied
        await pilot.press("ctrl+s")  # no reason yet: refused
        await until(pilot, lambda: stored_complaint(desk, item.id).state == ComplaintState.resolved)
        await pilot.press(*"还是很吵", "ctrl+s")
        await until(pilot, lambda: stored_complaint(desk, item.id).reopen_count == 1)
        reopened = stored_complaint(desk, item.id)
        assert reopened.state == ComplaintState.assigned and reopened.reopen_count == 1
        assert reopened.satisfied is False and reopened.callback_note == "还是很吵"
        history = table_cells(pilot, "#history")
        head = "管理处主任" if lang == "zh_CN" else "Office head"  # the role, in the language
        assert labels[1] in history and "还是很吵" in history and head in history
        assert isinstance(app.screen, ComplaintDetailScreen)
        shown = "\n".join(f"{a} {b}" for a, b in app.screen.shown_fields)
        assert head in shown and "还是很吵" in shown


async def test_bad_input_keeps_the_typing_and_saves_nothing(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    app = desk_app(db, clerk, lang="zh_CN")
    async with app.run_test(size=SIZE) as pilot:
        await _open_register(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await pilot.press(*"3-1202", "tab", *"李明", "tab", *"不是电话", "ctrl+s")
        await until_screen(pilot, ComplaintFormScreen)
        assert app.focused is app.screen.query_one("#phone", Input)
        assert "不是电话号码" in field_error(app.screen, "phone")
        assert app.screen.query_one("#complainant", Input).value == "李明"
        app.screen.query_one("#phone", Input).value = ""
        await pilot.press("ctrl+s")  # now what happened is missing
        await until(pilot, lambda: app.focused is app.screen.query_one("#what_happened", Input))
        assert app.screen.query_one("#room", Input).value == "3-1202"
        await pilot.press("escape")
        await until_screen(pilot, ComplaintsScreen)
    with desk.read() as ctx:
        assert complaint.recent(ctx) == []


async def test_the_escalate_dialog_refuses_a_time_to_come_and_keeps_it(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    complaint_id = register_complaint(desk, CORRIDOR_CLUTTER)
    with desk.write() as ctx:
        complaint.judge(ctx, complaint_id, Validity.valid, "属实")
    app = desk_app(db, clerk, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await _open_detail(pilot, complaint_id)
        await pilot.press("ctrl+u")
        dialog = await until_screen(pilot, EscalateDialog)
        # whom: chosen from the site's list (the table's role offered); when: a time to come
        dialog.query_one("#escalated_at", Input).focus()
        await pilot.press(*"2026-11-24 10:00", "ctrl+s")
        await until(pilot, lambda: field_error(dialog, "escalated_at").strip())
        assert app.screen is dialog
        assert field_error(dialog, "escalated_at").strip() == t("field.in_future")
        assert dialog.query_one("#escalated_at", Input).value == "2026-11-24 10:00"
        assert app.focused is dialog.query_one("#escalated_at", Input)
    assert stored_complaint(desk, complaint_id).escalated_at is None


async def test_repeat_offers_merge_or_new(db: Database, clerk: Operator, desk: Desk) -> None:
    first = register_complaint(desk, CORRIDOR_CLUTTER)
    app = desk_app(db, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await _open_register(pilot)
        await _fill_form(pilot, "又堆杂物了")
        await pilot.press("ctrl+s")
        await until_screen(pilot, RepeatDialog)
        await pilot.press("escape")  # back to the form, nothing saved
        await until_screen(pilot, ComplaintFormScreen)
        assert app.screen.query_one("#what_happened", Input).value == "又堆杂物了"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("enter")  # merge into the open one
        await until_screen(pilot, ComplaintsScreen)
        assert row_keys(pilot, "#complaints") == [str(first)]
        with desk.read() as ctx:
            (merged,) = complaint.recently_closed(ctx)
        assert merged.state == ComplaintState.merged and merged.merged_into_id == first
        assert merged.what_happened == "又堆杂物了"

        await _fill_form(pilot, "第三次")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("down", "enter")  # save as a new complaint
        await until(pilot, lambda: len(row_keys(pilot, "#complaints")) == 2)
        await pilot.press("ctrl+f")
        await until(pilot, lambda: len(row_keys(pilot, "#complaints")) == 3)
        assert len(row_keys(pilot, "#complaints")) == 3 and "merged" in table_cells(
            pilot, "#complaints"
        )


async def test_a_clerk_may_not_dismiss_or_close_a_complaint_and_is_told_why(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    invalid, other = (
        register_complaint(desk, CORRIDOR_CLUTTER),
        register_complaint(desk, CORRIDOR_CLUTTER, room="5-0301"),
    )
    with desk.write() as ctx:
        complaint.judge(ctx, other, "valid", "")
        complaint.resolve(ctx, other, "已清理")
        complaint.call_back(ctx, other, CallbackResult(satisfied=False, note="还是脏"))
    app = desk_app(db, clerk, lang="zh_CN")
    async with app.run_test(size=SIZE) as pilot:
        await _open_detail(pilot, invalid)
        await pilot.press("ctrl+g")
        await settle(pilot)
        await pilot.press("enter", "down", "enter")  # invalid: said at once, beside the choice
        await until(
            pilot,
            lambda: field_error(app.screen, "validity"),
        )
        refusal = field_error(app.screen, "validity")
        assert refusal.startswith("只有主管可以判定投诉无效或不属本公司范围，因为")
        await pilot.press("tab", *"按规定不属物业责任已作解释", "ctrl+s")
        await until_screen(pilot, JudgeDialog)  # refused again on saving, typing kept
        assert "只有主管可以" in str(app.screen.query_one(".form-error", Static).render())
        await pilot.press("escape")
        await until(
            pilot, lambda: stored_complaint(desk, invalid).state == ComplaintState.registered
        )
        await pilot.press("escape")
        await settle(pilot)

        await _open_detail(pilot, other)
        assert app.screen.check_action("close", ()) is True  # the key stays in the footer
        await pilot.press("ctrl+x")
        await until_screen(pilot, ComplaintDetailScreen)  # no reason asked of a clerk
        assert any("只有主管可以在住户未认可处理结果时结案" in m for m in messages(app))
    assert stored_complaint(desk, other).state == ComplaintState.judged  # reopened, still open


async def test_invalid_closes_with_the_answer_and_close_needs_a_callback(
    db: Database, supervisor: Operator, desk: Desk
) -> None:
    invalid, other = (
        register_complaint(desk, CORRIDOR_CLUTTER),
        register_complaint(desk, CORRIDOR_CLUTTER, room="5-0301"),
    )
    app = desk_app(db, supervisor, lang="zh_CN")
    async with app.run_test(size=SIZE) as pilot:
        await _open_detail(pilot, invalid)
        await pilot.press("ctrl+g")
        await settle(pilot)
        await pilot.press("enter")  # validity: open the list
        await settle(pilot)
        await pilot.press("down", "enter")  # invalid
        await until(pilot, lambda: not app.screen.query_one("#field-severity").display)
        assert not field_error(app.screen, "validity")
        await pilot.press("tab", *"按规定不属物业责任已作解释", "ctrl+s")
        await until(pilot, lambda: stored_complaint(desk, invalid).state == ComplaintState.closed)
        closed = stored_complaint(desk, invalid)
        assert (closed.state, closed.validity) == (ComplaintState.closed, Validity.invalid)
        assert closed.close_reason == "按规定不属物业责任已作解释"
        assert app.screen.check_action("judge", ()) is False
        await pilot.press("escape")
        await settle(pilot)

        await _open_detail(pilot, other)
        assert app.screen.check_action("close", ()) is False  # nothing to close yet
        with desk.write() as ctx:
            complaint.judge(ctx, other, "valid", "")
            complaint.resolve(ctx, other, "已清理")
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.press("ctrl+x")  # closing before the callback is refused with the reason
        await until_screen(pilot, ComplaintDetailScreen)
        assert stored_complaint(desk, other).state == ComplaintState.resolved
        assert any("回访" in m for m in messages(app))


async def test_list_marks_major_and_overdue_in_red(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    major = register_complaint(desk, CORRIDOR_CLUTTER, severity="major")
    clock = MovableClock(NOW)
    app = desk_app(db, clerk, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open_register(pilot)
        table = app.screen.query_one("#complaints", DataTable)
        severity = table.get_cell(str(major), "severity")
        assert severity.plain == "major" and severity.style == ALARM  # the theme's $error
        assert "late" not in table.get_cell(str(major), "due").plain
        clock.now = NOW + timedelta(days=1)  # not escalated the same day
        await pilot.press("ctrl+r")
        await until(pilot, lambda: "escalation" in table.get_cell(str(major), "due").plain)
        due = table.get_cell(str(major), "due")
        late = urgency_style(Urgency.overdue)  # the theme's $error, bold
        assert "escalation" in due.plain and "late" in due.plain and due.style == late


async def test_print_sheet_writes_text_and_pdf_beside_the_database(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    item_id = register_complaint(desk, CORRIDOR_CLUTTER, severity="important")
    with desk.write() as ctx:
        complaint.judge(ctx, item_id, "valid", "属实")
    app = desk_app(db, clerk, lang="zh_CN")
    async with app.run_test(size=SIZE) as pilot:
        await _open_detail(pilot, item_id)
        await pilot.press("ctrl+w")
        await app.workers.wait_for_complete()
        await until(pilot, lambda: printed(db, "*.txt"))
    assert db.path is not None
    number = stored_complaint(desk, item_id).number
    text = (db.path.parent / "printed" / f"{number}.txt").read_text(encoding="utf-8")
    assert number in text and "客户投诉登记表" in text and "楼道堆放杂物" in text
    assert "王芳" in text and "判定" in text


async def test_invalid_judgement_inserts_an_approved_standard_reply(
    db: Database, clerk: Operator, supervisor: Operator, desk: Desk
) -> None:
    replies = pytest.importorskip("desk.services.replies")
    body = "物业费标准经业主大会表决并备案，管理处无权单方调整"
    with desk.write() as ctx:
        drafted = replies.draft(ctx, "物业费标准", "物业费 降价", body)
    boss = Desk(db, supervisor)
    with boss.write() as ctx:
        replies.approve(ctx, drafted.id)
    item_id = register_complaint(
        desk, CORRIDOR_CLUTTER, what_happened="物业费太贵要求降价", category="service"
    )
    app = desk_app(db, supervisor, lang="zh_CN")  # an invalid verdict is a supervisor's
    async with app.run_test(size=SIZE) as pilot:
        await _open_detail(pilot, item_id)
        await pilot.press("ctrl+g")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("down", "enter")  # invalid: the matching replies are offered
        await until(pilot, lambda: app.screen.query_one("#replies").display)
        await pilot.press("tab", "tab", "enter")  # to the list; insert the first reply
        await until(pilot, lambda: app.screen.query_one("#validity_note", Input).value == body)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: stored_complaint(desk, item_id).validity == Validity.invalid)
    closed = stored_complaint(desk, item_id)
    assert closed.validity == Validity.invalid and closed.validity_note == body


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
async def test_a_focused_choice_in_a_dialog_still_shows_its_value(
    db: Database, clerk: Operator, desk: Desk, lang: str
) -> None:
    complaint_id = register_complaint(desk, CORRIDOR_CLUTTER)
    app = desk_app(db, clerk, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await _open_detail(pilot, complaint_id)
        await pilot.press("ctrl+g")
        await until(pilot, lambda: isinstance(app.focused, Select) and app.focused.id == "validity")
        select = app.focused
        assert isinstance(select, Select) and select.id == "validity"
        current = select.query_one("SelectCurrent")  # by its CSS type: the class is private
        # one line, no border around it: the chosen value is what that line shows
        assert current.outer_size.height == 1 and current.content_size.height == 1
        shown = current.query_one("#label", Static).render()
        assert t("validity.valid") in str(shown)


async def test_detail_keys_for_harm_answer_told_escalate_and_late_notice(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    """Issue 17 loop 4 at the keyboard: harm stopped, escalated to the role the severity names
    (a choice, not typed), told refused before the department answers, then answered and told,
    and a late notice once the desk table's normal limit has passed."""
    rules = db.settings.complaints.model_copy(update={"deadline_table": "desk_service"})
    db.settings = db.settings.model_copy(update={"complaints": rules})
    item_id = register_complaint(desk, CORRIDOR_CLUTTER, severity="important", harm_ongoing=True)
    with desk.write() as ctx:
        complaint.judge(ctx, item_id, "valid", "属实")
        complaint.assign(ctx, item_id, "engineering")
        complaint.reply(ctx, item_id, "已转工程部，今天答复")
    clock = MovableClock(NOW + timedelta(minutes=10))
    app = desk_app(db, clerk, lang="zh_CN", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open_detail(pilot, item_id)
        assert "待制止" in "\n".join(screen_lines(app))
        await _step(pilot, "ctrl+f")  # harm stopped: empty time = now
        assert stored_complaint(desk, item_id).harm_stopped_at == clock.now

        await pilot.press("ctrl+u")  # the important table's 部门负责人, chosen from the list
        await settle(pilot)
        assert app.screen.query_one("#escalated_to", Select).value == "department_head"
        assert "部门负责人" in "\n".join(screen_lines(app))
        await pilot.press("ctrl+s")
        await until_screen(pilot, ComplaintDetailScreen)
        assert stored_complaint(desk, item_id).escalated_to == "department_head"

        await pilot.press("ctrl+t")  # the resident told before the department answered
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        refusal = str(app.screen.query_one(".form-error", Static).render())
        assert "部门还没有答复" in refusal and stored_complaint(desk, item_id).told_at is None
        await pilot.press("escape")
        await until_screen(pilot, ComplaintDetailScreen)

        await _step(pilot, "ctrl+a", "tab", *"明早上门")  # the department's answer
        answered = stored_complaint(desk, item_id)
        assert answered.department_answered_at == clock.now and answered.told_due_at
        assert "待告知住户" in "\n".join(screen_lines(app))
        await _step(pilot, "ctrl+t", "tab", *"已电话告知")
        assert stored_complaint(desk, item_id).told_at == clock.now

        clock.now = NOW + timedelta(days=1, hours=1)  # past the 1 working day: a late notice
        await pilot.press("ctrl+r")
        await until(
            pilot,
            lambda: "待延期告知" in "\n".join(screen_lines(app)),
        )
        await _step(pilot, "ctrl+k", *"材料未到周四前修好")
        sent = stored_complaint(desk, item_id)
        assert sent.late_notice_at == clock.now and sent.late_notice_note == "材料未到周四前修好"
        history = table_cells(pilot, "#history")
        assert "延期告知住户" in history and "告知住户" in history and "已制止" in history
