"""Issue 17, loop 4: a complaint's deadlines as the source documents set them — "the same day"
never less than the site's minimum, escalation only to a listed role, dispatch / answer / resident
told the same day (004), the late notice past the desk table's normal limit and overdue past its
"at most" (002), harm stopped first (004 「先制止」) — and the handover's residents to tell."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from desk.config import ComplaintRules
from desk.db import Database
from desk.models import Complaint, Validity
from desk.services import audit, board, complaint, complaint_steps, summary
from desk.services.complaint import ComplaintCreate
from desk.services.errors import DeskError
from tests.conftest import NOW, TZ, Desk


def _at(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), tzinfo=TZ)


def _register(desk: Desk, **changes: object) -> int:
    fields: dict[str, object] = {
        "complainant": "李明",
        "room": "3-1202",
        "category": "environment",
        "what_happened": "楼上漏水，水还在往下滴",
        **changes,
    }
    with desk.write() as ctx:
        item = complaint.register(ctx, ComplaintCreate.model_validate(fields))
        assert item.id is not None
        return item.id


def _get(desk: Desk, complaint_id: int) -> Complaint:
    with desk.read() as ctx:
        return complaint.get(ctx, complaint_id)


def _refused(desk: Desk, call: object, *args: object) -> DeskError:
    with pytest.raises(DeskError) as err, desk.write() as ctx:
        call(ctx, *args)  # type: ignore[operator]
    return err.value


def _rules(db: Database, **changes: object) -> None:
    rules = db.settings.complaints.model_copy(update=changes)
    db.settings = db.settings.model_copy(update={"complaints": rules})


def test_the_same_day_is_never_less_than_the_minimum(db: Database, desk: Desk) -> None:
    monday, tuesday = date(2026, 11, 23), date(2026, 11, 24)
    # a working morning: to the office head by the end of the day, dispatched the same day
    early = _get(desk, _register(desk, severity="major"))
    assert early.escalation_due_at == early.assign_due_at == _at(monday, 23, 59, 59)
    # 23:59: the next opening (08:30) plus the minimum (1 working hour), never before received
    desk.now = _at(monday, 23, 59)
    night = _get(desk, _register(desk, severity="major", room="5-0301"))
    assert night.escalation_due_at == night.assign_due_at == _at(tuesday, 9, 30)
    assert night.escalation_due_at > night.received_at
    # 17:00: half an hour of office left is less than the minimum
    desk.now = _at(monday, 17, 0)
    late = _get(desk, _register(desk, severity="major", room="6-0802"))
    assert late.escalation_due_at == _at(tuesday, 9, 30)
    # Friday night: the desk is staffed every day, so Saturday morning (not Monday)
    desk.now = _at(date(2026, 11, 27), 23, 59)
    weekend = _get(desk, _register(desk, severity="major", room="8-0101"))
    assert weekend.escalation_due_at == _at(date(2026, 11, 28), 9, 30)
    # a site with a 30-minute minimum keeps 17:00 the same day
    _rules(db, same_day_minimum="30m")
    desk.now = _at(monday, 17, 0)
    short = _get(desk, _register(desk, severity="major", room="1-0101"))
    assert short.escalation_due_at == _at(monday, 23, 59, 59)
    with pytest.raises(ValueError):
        ComplaintRules(same_day_minimum="2d")


def test_escalation_only_to_a_listed_role(desk: Desk) -> None:
    item_id = _register(desk, severity="major")
    err = _refused(desk, complaint.escalate, item_id, "王经理")  # free text: not on the list
    assert err.field == "escalated_to" and "王经理" in err.message
    assert _get(desk, item_id).escalated_at is None  # nothing saved
    with desk.write() as ctx:
        done = complaint.escalate(ctx, item_id, "管理处主任")  # a label names the role
    assert done.escalated_to == "office_head" and done.escalated_at == NOW
    other = _register(desk, severity="important", room="5-0301")
    with desk.write() as ctx:
        assert complaint.escalate(ctx, other, "department_head").escalated_to == "department_head"


def test_dispatch_answer_and_resident_told_the_same_day(desk: Desk) -> None:
    item_id = _register(desk)
    item = _get(desk, item_id)
    assert complaint.due_kind(item) == "assign"
    assert complaint.due_at(item) == _at(NOW.date(), 23, 59, 59)
    with desk.write() as ctx:
        complaint.judge(ctx, item_id, Validity.valid, "属实")
    # the department cannot have answered what it was never given; nor told before the answer
    err = _refused(desk, complaint_steps.answered, item_id, "")
    assert err.key == "complaint.not_dispatched"
    with desk.write() as ctx:
        complaint.assign(ctx, item_id, "engineering")
    assert complaint.due_kind(_get(desk, item_id)) == "resolve"
    err = _refused(desk, complaint_steps.told, item_id, "")
    assert err.key == "complaint.told_before_answer"
    # answered at 17:10: the resident is told by the next opening plus the minimum
    desk.now = _at(NOW.date(), 17, 10)
    with desk.write() as ctx:
        answered = complaint_steps.answered(ctx, item_id, "工程部：明早九点上门")
    assert answered.department_answered_at == desk.now
    assert answered.told_due_at == _at(date(2026, 11, 24), 9, 30)
    assert complaint.due_kind(answered) == "told"
    with desk.read() as ctx:
        (shown,) = [i for i in board.open_items(ctx) if i.record_id == item_id]
        tell = summary.open_sections(ctx)["residents_to_tell"]
    assert (shown.due_kind, shown.due_at) == ("told", answered.told_due_at)
    assert [i.number for i in tell] == [answered.number]
    assert _refused(desk, complaint_steps.answered, item_id, "").key == "complaint.already_answered"
    desk.now = _at(date(2026, 11, 24), 9, 45)  # a quarter of an hour late
    with desk.write() as ctx:
        told = complaint_steps.told(ctx, item_id, "已电话告知")
    assert told.told_at == desk.now and complaint.due_kind(told) == "resolve"
    assert _refused(desk, complaint_steps.told, item_id, "").key == "complaint.already_told"
    with desk.read() as ctx:
        last = audit.history(ctx, complaint.REGISTER, item_id)[-1]
    assert last.action == "resident_told" and audit.event_data(last)["late"] is True


def test_late_notice_past_the_normal_limit_overdue_past_at_most(db: Database, desk: Desk) -> None:
    standard = _register(desk, room="5-0301")
    _rules(db, deadline_table="desk_service")
    item_id = _register(desk, severity="important")
    item = _get(desk, item_id)
    # 002: answered within 1 working day, at most 3
    assert item.late_notice_due_at == _at(date(2026, 11, 24), 9, 30)
    assert item.resolve_due_at == _at(date(2026, 11, 26), 9, 30)
    with desk.write() as ctx:
        complaint.judge(ctx, item_id, Validity.valid, "属实")
        complaint.escalate(ctx, item_id, "department_head")
        complaint.reply(ctx, item_id, "已转工程部")
    # before the normal limit the complaint is to be resolved by it
    assert complaint.due_kind(_get(desk, item_id), NOW) == "resolve"
    assert complaint.due_at(_get(desk, item_id), NOW) == item.late_notice_due_at
    # past it: a late notice is owed, but the complaint is not overdue until "at most"
    desk.now = _at(date(2026, 11, 24), 10, 0)
    item = _get(desk, item_id)
    assert complaint.due_kind(item, desk.now) == "late_notice"
    assert not complaint.overdue(item, desk.now)
    with desk.read() as ctx:
        owed = summary.open_sections(ctx)["residents_to_tell"]
    assert [(i.number, i.due_kind) for i in owed] == [(item.number, "late_notice")]
    assert _refused(desk, complaint_steps.late_notice, item_id, " ").field == "note"
    with desk.write() as ctx:
        sent = complaint_steps.late_notice(ctx, item_id, "材料未到，预计周四前修好")
    assert sent.late_notice_at == desk.now and sent.late_notice_note.startswith("材料未到")
    assert complaint.due_kind(sent, desk.now) == "resolve"
    assert complaint.due_at(sent, desk.now) == sent.resolve_due_at
    refused = _refused(desk, complaint_steps.late_notice, item_id, "再说一次")
    assert refused.key == "complaint.late_notice_sent"
    assert complaint.overdue(sent, _at(date(2026, 11, 26), 9, 31))
    # the standard table has no "at most": no late notice is owed or taken
    assert _refused(desk, complaint_steps.late_notice, standard, "晚了").key == (
        "complaint.no_late_notice"
    )


def test_harm_going_on_is_stopped_first(desk: Desk) -> None:
    earlier = _register(desk, severity="important", room="5-0301")  # due within the hour
    desk.now = NOW + timedelta(minutes=70)  # received after the other fell due: still first
    leak = _register(desk, harm_ongoing=True)
    item = _get(desk, leak)
    assert item.harm_ongoing and complaint.due_kind(item) == "harm"
    with desk.read() as ctx:
        first = board.open_items(ctx)[0]
    assert (first.record_id, first.due_kind) == (leak, "harm")
    assert _refused(desk, complaint_steps.harm_stopped, earlier).key == "complaint.no_harm"
    assert "harm_stopped" in complaint.allowed_actions(item)
    assert "harm_stopped" not in complaint.allowed_actions(_get(desk, earlier))
    desk.now = NOW + timedelta(minutes=80)
    with desk.write() as ctx:
        stopped = complaint_steps.harm_stopped(ctx, leak)
    assert stopped.harm_stopped_at == desk.now and complaint.due_kind(stopped) == "assign"
    again = _refused(desk, complaint_steps.harm_stopped, leak)
    assert again.key == "complaint.harm_already_stopped"
