"""Complaints through their whole lifecycle, with deadlines at fixed clocks and holidays."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from desk.config import ComplaintRules
from desk.db import Database
from desk.models import ComplaintState, Operator, Severity, Validity
from desk.services import audit, complaint, export, reception, repair
from desk.services.calendar import WorkCalendar
from desk.services.errors import DeskError, FieldErrors, Forbidden
from desk.services.reception import ReceptionCreate
from desk.services.repair import CallbackResult, RepairCreate
from tests.conftest import NOW, TZ, Desk
from tests.seed import register_complaint, stored_complaint


def _use_table(db: Database, table: str) -> None:
    db.settings = db.settings.model_copy(
        update={"complaints": ComplaintRules(deadline_table=table, callback="2d")}
    )


def _actions(desk: Desk, complaint_id: int) -> list[str]:
    with desk.read() as ctx:
        return [e.action for e in audit.history(ctx, complaint.REGISTER, complaint_id)]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


# --- deadlines ---------------------------------------------------------------------------


def test_register_numbers_owner_and_standard_deadlines(desk: Desk, clerk: Operator) -> None:
    major = register_complaint(desk, severity="major")
    important = register_complaint(desk, severity="important", room="5-0301")
    minor = register_complaint(desk, room="6-0802")
    a, b, c = (
        stored_complaint(desk, major),
        stored_complaint(desk, important),
        stored_complaint(desk, minor),
    )
    assert [a.number, b.number, c.number] == [f"TS-20261123-00{i}" for i in (1, 2, 3)]
    assert a.owner_id == clerk.id and a.state == ComplaintState.registered
    assert a.deadline_table == "standard" and a.validity == Validity.pending
    # major: to the office head the same day, an answer in 2 days, resolved in 10
    assert a.escalation_due_at == _at(NOW.date(), 23, 59).replace(second=59)
    assert a.reply_due_at == NOW + timedelta(days=2)
    assert a.resolve_due_at == NOW + timedelta(days=10)
    # important: to the department head within an hour, resolved in 3 days, no reply deadline
    assert b.escalation_due_at == NOW + timedelta(hours=1)
    assert b.reply_due_at is None and b.resolve_due_at == NOW + timedelta(days=3)
    # minor: resolved in 2 days, nothing to escalate
    assert c.escalation_due_at is None and c.resolve_due_at == NOW + timedelta(days=2)
    # every complaint is dispatched to its department the same day (004 「当日完成」)
    assert [complaint.due_kind(x) for x in (a, b, c)] == ["escalation", "escalation", "assign"]
    assert c.assign_due_at == _at(NOW.date(), 23, 59).replace(second=59)


def test_minor_takes_the_residents_own_deadline_earlier_or_later(desk: Desk) -> None:
    early = register_complaint(desk, resident_deadline_at=NOW + timedelta(hours=20))
    late = register_complaint(desk, room="5-0301", resident_deadline_at=NOW + timedelta(days=5))
    major = register_complaint(
        desk, room="6-0802", severity="major", resident_deadline_at=NOW + timedelta(hours=20)
    )
    assert stored_complaint(desk, early).resolve_due_at == NOW + timedelta(hours=20)
    assert stored_complaint(desk, late).resolve_due_at == NOW + timedelta(
        days=5
    )  # asked for: taken
    assert stored_complaint(desk, major).resolve_due_at == NOW + timedelta(days=10)
    with pytest.raises(DeskError) as err:
        register_complaint(desk, resident_deadline_at=NOW - timedelta(hours=1))
    assert err.value.field == "resident_deadline_at"


def test_desk_service_table_in_working_hours_and_days(db: Database, desk: Desk) -> None:
    _use_table(db, "desk_service")
    major = stored_complaint(desk, register_complaint(desk, severity="major"))
    important = stored_complaint(
        desk, register_complaint(desk, severity="important", room="5-0301")
    )
    minor = stored_complaint(desk, register_complaint(desk, room="6-0802"))
    assert major.deadline_table == "desk_service"
    assert major.reply_due_at == NOW + timedelta(hours=2)
    # Monday 23 Nov + 5 working days = Monday 30 Nov; + 1 working day = Tuesday 24 Nov: the
    # normal limits, past which the resident is sent a late notice (002)
    assert major.late_notice_due_at == _at(date(2026, 11, 30), 9, 30)
    assert important.escalation_due_at == NOW + timedelta(hours=1)
    assert important.late_notice_due_at == _at(date(2026, 11, 24), 9, 30)
    assert minor.reply_due_at == NOW + timedelta(hours=2)
    assert minor.resolve_due_at == _at(NOW.date(), 23, 59).replace(second=59)
    # "at most" 7 and 3 working days: overdue only past them
    assert major.resolve_due_at == _at(date(2026, 12, 2), 9, 30)
    assert important.resolve_due_at == _at(date(2026, 11, 26), 9, 30)
    assert minor.late_notice_due_at is None  # no "at most" limit: no late notice
    # switching the table later does not move a registered complaint's deadlines
    _use_table(db, "standard")
    assert stored_complaint(desk, major.id or 0).late_notice_due_at == _at(
        date(2026, 11, 30), 9, 30
    )


def test_working_days_skip_national_day_2026(db: Database, desk: Desk) -> None:
    _use_table(db, "desk_service")
    received = _at(date(2026, 9, 30), 10, 0)
    desk.now = received
    item = stored_complaint(desk, register_complaint(desk, severity="major"))
    expected = WorkCalendar().add_working_days(date(2026, 9, 30), 5)
    # 1-7 October are holidays and Saturday 10 October a make-up working day:
    # 8, 9, 10, 12, 13 October are the five working days.
    assert expected == date(2026, 10, 13)
    assert item.late_notice_due_at == _at(expected, 10, 0)
    important = stored_complaint(
        desk, register_complaint(desk, severity="important", room="5-0301")
    )
    assert important.late_notice_due_at == _at(date(2026, 10, 8), 10, 0)


def test_working_days_skip_spring_festival_2026(db: Database, desk: Desk) -> None:
    _use_table(db, "desk_service")
    desk.now = _at(date(2026, 2, 13), 16, 0)  # the Friday before the holiday
    major = stored_complaint(desk, register_complaint(desk, severity="major"))
    # Saturday 14 Feb is a make-up working day; 15-23 Feb are the holiday
    assert major.late_notice_due_at == _at(date(2026, 2, 27), 16, 0)
    desk.now = _at(date(2026, 2, 14), 10, 0)
    important = stored_complaint(
        desk, register_complaint(desk, severity="important", room="5-0301")
    )
    assert important.late_notice_due_at == _at(date(2026, 2, 24), 10, 0)
    assert WorkCalendar().add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)


def test_escalation_overdue_for_major_and_important(desk: Desk) -> None:
    major = register_complaint(desk, severity="major")
    important = register_complaint(desk, severity="important", room="5-0301")
    desk.now = NOW + timedelta(minutes=61)
    assert not complaint.overdue(stored_complaint(desk, major), desk.now)
    assert complaint.overdue(stored_complaint(desk, important), desk.now)
    desk.now = _at(date(2026, 11, 24), 0, 5)  # past midnight: the major one was not reported
    item = stored_complaint(desk, major)
    assert complaint.due_kind(item) == "escalation" and complaint.overdue(item, desk.now)
    with desk.write() as ctx:
        done = complaint.escalate(ctx, important, "部门负责人", at=NOW + timedelta(minutes=90))
    assert complaint.escalated_late(done) and complaint.due_kind(done) == "resolve"
    with desk.read() as ctx:
        (event,) = [
            e for e in audit.history(ctx, "complaints", important) if e.action != "registered"
        ]
    assert audit.event_data(event)["late"] is True
    with pytest.raises(DeskError) as err, desk.write() as ctx:  # refused: nothing is saved
        complaint.escalate(ctx, major, "管理处主任", at=desk.now + timedelta(hours=1))
    assert err.value.field == "escalated_at"


# --- lifecycle ---------------------------------------------------------------------------


def test_full_lifecycle_to_closed(desk: Desk) -> None:
    item_id = register_complaint(desk, severity="important")
    with desk.write() as ctx:
        complaint.judge(ctx, item_id, Validity.valid, "属实", Severity.major)
    item = stored_complaint(desk, item_id)
    # re-graded major: deadlines recomputed from the time it was received
    assert item.severity == Severity.major and item.resolve_due_at == NOW + timedelta(days=10)
    desk.now = NOW + timedelta(minutes=20)
    with desk.write() as ctx:
        complaint.escalate(ctx, item_id, "管理处主任")
        complaint.assign(ctx, item_id, "security")
    assert stored_complaint(desk, item_id).state == ComplaintState.assigned
    assert complaint.due_kind(stored_complaint(desk, item_id)) == "reply"
    desk.now = NOW + timedelta(hours=5)
    with desk.write() as ctx:
        complaint.reply(ctx, item_id, "安管部今晚上门劝导，明天答复结果")
        resolved = complaint.resolve(ctx, item_id, "已与楼上住户沟通，承诺晚十点后不再施工")
    assert resolved.state == ComplaintState.resolved
    assert resolved.callback_due_at == desk.now + timedelta(days=2)
    with desk.read() as ctx:
        assert [c.id for c in complaint.awaiting_callback(ctx)] == [item_id]
    with pytest.raises(DeskError) as err, desk.write() as ctx:
        complaint.call_back(ctx, item_id, CallbackResult(reached=False))
    assert err.value.field == "retry_at"
    retry = desk.now + timedelta(hours=3)
    with desk.write() as ctx:
        missed = complaint.call_back(ctx, item_id, CallbackResult(reached=False, retry_at=retry))
    assert missed.callback_due_at == retry and missed.state == ComplaintState.resolved
    with desk.write() as ctx:
        closed = complaint.call_back(ctx, item_id, CallbackResult(satisfied=True, note="满意"))
    assert closed.state == ComplaintState.closed and closed.satisfied is True
    assert _actions(desk, item_id) == [
        "registered",
        "judged",
        "escalated",
        "assigned",
        "replied",
        "resolved",
        "callback_missed",
        "called_back",
    ]


def test_steps_refused_in_the_wrong_state(desk: Desk, boss: Desk) -> None:
    item_id = register_complaint(desk)
    with pytest.raises(DeskError) as err, desk.write() as ctx:
        complaint.assign(ctx, item_id, "security")
    assert "judge" in err.value.message
    with pytest.raises(DeskError), desk.write() as ctx:
        complaint.reply(ctx, item_id, "答复")
    with pytest.raises(DeskError), desk.write() as ctx:
        complaint.call_back(ctx, item_id, CallbackResult(satisfied=True))
    with pytest.raises(DeskError) as err, boss.write() as ctx:
        complaint.close(ctx, item_id, "不想处理")
    assert "called back" in err.value.message


def test_not_satisfied_reopens_and_restarts_deadlines(desk: Desk, boss: Desk) -> None:
    item_id = register_complaint(desk, severity="major")
    with desk.write() as ctx:
        complaint.judge(ctx, item_id, Validity.valid, "")
        complaint.escalate(ctx, item_id, "管理处主任")
        complaint.reply(ctx, item_id, "已安排处理")
        complaint.resolve(ctx, item_id, "已处理")
    old = stored_complaint(desk, item_id)
    desk.now = NOW + timedelta(days=3)
    with pytest.raises(DeskError) as err, desk.write() as ctx:
        complaint.call_back(ctx, item_id, CallbackResult(satisfied=False, note=""))
    assert err.value.field == "note"
    with desk.write() as ctx:
        item = complaint.call_back(ctx, item_id, CallbackResult(satisfied=False, note="还在吵"))
    assert item.state == ComplaintState.assigned and item.reopen_count == 1
    assert item.reply_due_at == desk.now + timedelta(days=2)
    assert item.resolve_due_at == desk.now + timedelta(days=10)
    assert item.escalation_due_at == old.escalation_due_at  # reported once, not owed again
    assert item.replied_at is None and item.reply_text == "" and item.callback_due_at is None
    assert complaint.due_kind(item) == "reply"
    with desk.read() as ctx:
        reopened = audit.history(ctx, "complaints", item_id)[-1]
    data = audit.event_data(reopened)
    assert reopened.action == "reopened" and reopened.reason == "还在吵"
    assert old.resolve_due_at is not None and item.resolve_due_at is not None
    assert data["was"]["resolve_due_at"] == old.resolve_due_at.isoformat()
    assert data["was"]["reply_text"] == "已安排处理"
    assert data["resolve_due_at"] == item.resolve_due_at.isoformat()
    # after a callback, the office may close with its final position: a supervisor's decision
    with pytest.raises(Forbidden) as refused, desk.write() as ctx:
        complaint.close(ctx, item_id, "不想再处理")
    assert refused.value.message.startswith(
        "only a supervisor may close a complaint the resident has not accepted as settled, because"
    )
    assert stored_complaint(desk, item_id).state == ComplaintState.assigned
    boss.now = desk.now
    with boss.write() as ctx:
        closed = complaint.close(ctx, item_id, "已尽力协调，住户保留意见")
    assert closed.state == ComplaintState.closed
    with desk.read() as ctx:
        event = audit.history(ctx, "complaints", item_id)[-1]
    assert (event.action, event.reason) == ("closed", "已尽力协调，住户保留意见")
    assert (event.operator_id, event.at) == (boss.operator.id, desk.now)  # type: ignore[union-attr]


def test_reopen_with_new_facts_after_close(desk: Desk) -> None:
    item_id = register_complaint(desk)
    with desk.write() as ctx:
        complaint.judge(ctx, item_id, "valid", "")
        complaint.resolve(ctx, item_id, "已清理")
        complaint.call_back(ctx, item_id, CallbackResult(satisfied=True))
    desk.now = NOW + timedelta(days=4)
    with pytest.raises(DeskError), desk.write() as ctx:
        complaint.reopen(ctx, item_id, "")
    with desk.write() as ctx:
        item = complaint.reopen(ctx, item_id, "住户补充：垃圾又堆了三天")
    assert item.state == ComplaintState.judged and item.reopen_count == 1
    assert item.resolve_due_at == desk.now + timedelta(days=2) and item.closed_at is None
    assert _actions(desk, item_id)[-2:] == ["called_back", "reopened"]


def test_invalid_and_out_of_scope_close_with_the_note(desk: Desk, boss: Desk) -> None:
    invalid = register_complaint(desk)
    outside = register_complaint(desk, room="5-0301", category="other")
    answer = "小区停车位按先到先得分配，已按统一说辞解释"
    # closing a complaint unhandled is a supervisor's verdict; a clerk changes nothing
    for item_id, verdict in ((invalid, Validity.invalid), (outside, Validity.out_of_scope)):
        with pytest.raises(Forbidden) as refused, desk.write() as ctx:
            complaint.judge(ctx, item_id, verdict, answer)
        assert refused.value.message == (
            "only a supervisor may judge a complaint invalid or outside the company's scope, "
            "because the complaint is then closed without being handled, and that is the "
            "office's answer to the resident"
        )
        assert stored_complaint(desk, item_id).state == ComplaintState.registered
        assert _actions(desk, item_id) == ["registered"]
    with pytest.raises(DeskError) as err, boss.write() as ctx:
        complaint.judge(ctx, invalid, Validity.invalid, "")
    assert err.value.field == "validity_note"
    with boss.write() as ctx:
        complaint.judge(ctx, invalid, Validity.invalid, answer)
        complaint.judge(ctx, outside, "out_of_scope", "已指引住户联系燃气公司 96777")
    a, b = stored_complaint(desk, invalid), stored_complaint(desk, outside)
    assert (a.state, a.validity, a.close_reason) == ("closed", "invalid", answer)
    assert b.state == ComplaintState.closed and "96777" in b.validity_note
    assert complaint.due_at(a) is None and complaint.due_kind(b) == ""
    with desk.read() as ctx:
        judged = audit.history(ctx, "complaints", invalid)[-1]
    assert (judged.action, judged.reason, judged.operator_id) == (
        "judged",
        answer,
        boss.operator.id,  # type: ignore[union-attr]
    )
    # a valid verdict stays the clerk's
    valid = register_complaint(desk, room="6-0101")
    with desk.write() as ctx:
        assert complaint.judge(ctx, valid, Validity.valid, "属实").state == ComplaintState.judged


# --- repeats, lists, export --------------------------------------------------------------


def test_repeat_detection_and_merge(desk: Desk) -> None:
    first = register_complaint(desk)
    with desk.read() as ctx:
        assert complaint.find_repeat(ctx, "3栋1202", "environment").id == first  # type: ignore[union-attr]
        assert complaint.find_repeat(ctx, "3-1202", "service") is None
        assert complaint.find_repeat(ctx, "", "environment") is None
    desk.now = NOW + timedelta(hours=2)
    second = register_complaint(desk, what_happened="又是楼上噪音")
    with desk.write() as ctx:
        merged = complaint.merge(ctx, second, first, "重复投诉")
    assert merged.state == ComplaintState.merged and merged.merged_into_id == first
    assert _actions(desk, second) == ["registered", "merged"]
    assert _actions(desk, first) == ["registered", "merged_from"]
    with desk.read() as ctx:
        assert [c.id for c in complaint.open_complaints(ctx)] == [first]
        assert complaint.find_repeat(ctx, "3-1202", "environment").id == first  # type: ignore[union-attr]
        assert [c.id for c in complaint.recently_closed(ctx)] == [second]
    with pytest.raises(DeskError), desk.write() as ctx:
        complaint.merge(ctx, first, first)


def test_bad_input_saves_nothing(desk: Desk) -> None:
    for changes, field in (
        ({"what_happened": "  "}, "what_happened"),
        ({"category": "weather"}, "category"),
        ({"phone": "call me"}, "phone"),
        ({"department": "nowhere"}, "department"),
        ({"received_at": NOW + timedelta(hours=1)}, "received_at"),
    ):
        with pytest.raises(DeskError) as err:
            register_complaint(desk, **changes)
        assert err.value.field == field
    with desk.read() as ctx:
        assert complaint.recent(ctx) == []


def test_register_from_reception_links_the_entry(desk: Desk) -> None:
    with desk.write() as ctx:
        entry = reception.log(ctx, ReceptionCreate(category="complaint", request="投诉噪音"))
    item_id = register_complaint(desk, reception_id=entry.id)
    with desk.read() as ctx:
        linked = reception.get(ctx, entry.id or 0)
    assert (linked.linked_register, linked.linked_id) == ("complaints", item_id)
    # the same call does not become a second complaint, nor a repair order besides
    with desk.read() as ctx:
        number = complaint.get(ctx, item_id).number
    with pytest.raises(DeskError) as err:
        register_complaint(desk, reception_id=entry.id)
    assert err.value.key == "reception.already_linked" and number in err.value.message
    with pytest.raises(DeskError), desk.write() as ctx:
        repair.register(ctx, RepairCreate(description="漏水", reception_id=entry.id))
    with desk.read() as ctx:
        assert len(complaint.recent(ctx)) == 1 and repair.open_orders(ctx) == []


def test_export_includes_complaints_with_events(desk: Desk) -> None:
    item_id = register_complaint(desk, severity="major")
    with desk.write() as ctx:
        complaint.judge(ctx, item_id, Validity.valid, "属实")
        complaint.escalate(ctx, item_id, "管理处主任")
    with desk.read() as ctx:
        data = export.export(ctx, ["complaints"])
    (row,) = data["complaints"]
    assert row["number"] == "TS-20261123-001" and row["severity"] == "major"
    assert row["escalated_to"] == "office_head" and row["owner_id"] == desk.operator.id  # type: ignore[union-attr]
    assert row["received_at"] == "2026-11-23T09:30:00+08:00"
    assert [e["action"] for e in row["events"]] == ["registered", "judged", "escalated"]
    assert set(export.columns("complaints")) >= {"what_happened", "resolve_due_at", "events"}
    assert "escalation_due_at" in export.to_csv("complaints", data["complaints"]).splitlines()[0]


def test_escalating_says_whom_and_when_at_once(desk: Desk) -> None:
    complaint_id = register_complaint(desk)
    with desk.write() as ctx:
        complaint.judge(ctx, complaint_id, Validity.valid, "属实")
    with pytest.raises(FieldErrors) as refused, desk.write() as ctx:
        complaint.escalate(ctx, complaint_id, " ", at=NOW + timedelta(hours=1))
    assert [(e.field, e.key) for e in refused.value.errors] == [
        ("escalated_to", "field.required"),
        ("escalated_at", "field.in_future"),
    ]
    assert stored_complaint(desk, complaint_id).escalated_at is None
