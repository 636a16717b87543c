"""The reception log service: reply-due rules, states, answer, close, link, today's list."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desk.db import Database
from desk.models import Channel, Operator, ReceptionCategory, ReceptionState
from desk.services import audit, reception
from desk.services.errors import DeskError, Forbidden, NotFound
from desk.services.reception import ReceptionCreate
from tests.conftest import NOW, Desk
from tests.seed import log_reception


def _refused(desk: Desk, **changes: object) -> DeskError:
    with pytest.raises(DeskError) as caught, desk.write() as ctx:
        reception.log(ctx, ReceptionCreate.model_validate({"request": "问事", **changes}))
    return caught.value


def test_log_numbers_normalises_and_defaults_time_to_now(desk: Desk) -> None:
    first, second = log_reception(desk), log_reception(desk, phone="13812345678")
    with desk.read() as ctx:
        a, b = reception.get(ctx, first), reception.get(ctx, second)
        events = audit.history(ctx, reception.REGISTER, first)
    assert a.number.startswith("JD") and a.number != b.number
    assert a.received_at == NOW
    assert a.room == "3-1202"
    assert a.channel == Channel.visit and a.category == ReceptionCategory.enquiry
    assert desk.operator is not None and a.operator_id == desk.operator.id
    assert [e.action for e in events] == ["logged"]


@pytest.mark.parametrize(
    ("due", "department", "state"),
    [
        (None, "", ReceptionState.answered),
        (None, "engineering", ReceptionState.referred),
        (timedelta(hours=2), "", ReceptionState.open),
        (timedelta(hours=2), "engineering", ReceptionState.referred),
    ],
)
def test_state_follows_reply_and_department(
    desk: Desk, due: timedelta | None, department: str, state: ReceptionState
) -> None:
    entry_id = log_reception(desk, reply_due_at=NOW + due if due else None, department=department)
    with desk.read() as ctx:
        entry = reception.get(ctx, entry_id)
        owing = [e.id for e in reception.owing_replies(ctx)]
    assert entry.state == state
    assert (entry.answered_at == NOW) == (state == ReceptionState.answered)
    assert (entry_id in owing) == (due is not None)


def test_reply_due_at_most_three_working_days(desk: Desk) -> None:
    # NOW is Monday 09:30: three working days run to Thursday 09:30.
    log_reception(desk, reply_due_at=NOW + timedelta(days=3))
    error = _refused(desk, reply_due_at=NOW + timedelta(days=3, minutes=1))
    assert error.key == "reception.reply_too_late" and error.field == "reply_due_at"
    assert _refused(desk, reply_due_at=NOW + timedelta(days=5)).key == "reception.reply_too_late"


def test_reply_due_must_follow_reception(desk: Desk) -> None:
    assert _refused(desk, reply_due_at=NOW).key == "reception.reply_in_past"
    error = _refused(
        desk, received_at=NOW - timedelta(hours=1), reply_due_at=NOW - timedelta(hours=2)
    )
    assert error.key == "reception.reply_in_past"


def test_refuses_future_time_unknown_department_and_empty_request(desk: Desk) -> None:
    future = _refused(desk, received_at=NOW + timedelta(minutes=5))
    assert (future.key, future.field) == ("field.in_future", "received_at")
    assert _refused(desk, department="nowhere").key == "field.unknown_department"
    assert _refused(desk, request="  ").key == "field.required"
    assert _refused(desk, phone="abc").key == "field.bad_phone"
    with desk.read() as ctx:
        assert reception.recent(ctx) == []


def test_answer_stops_owing_and_is_in_history(desk: Desk) -> None:
    entry_id = log_reception(desk, reply_due_at=NOW + timedelta(hours=2))
    with desk.write() as ctx:
        reception.answer(ctx, entry_id, "月卡周五可办")
    with desk.read() as ctx:
        entry = reception.get(ctx, entry_id)
        assert reception.owing_replies(ctx) == []
        events = audit.history(ctx, reception.REGISTER, entry_id)
    assert entry.state == ReceptionState.answered and entry.answer == "月卡周五可办"
    assert [e.action for e in events] == ["logged", "answered"]
    with pytest.raises(DeskError) as caught, desk.write() as ctx:
        reception.answer(ctx, entry_id, "again")
    assert caught.value.key == "reception.not_owing"


def test_answer_needs_text(desk: Desk) -> None:
    entry_id = log_reception(desk, reply_due_at=NOW + timedelta(hours=2))
    with pytest.raises(DeskError) as caught, desk.write() as ctx:
        reception.answer(ctx, entry_id, " ")
    assert caught.value.field == "answer"


def test_close_needs_reason_and_happens_once(desk: Desk) -> None:
    entry_id = log_reception(desk)  # answered at once: filing it is the clerk's routine
    with pytest.raises(DeskError) as caught, desk.write() as ctx:
        reception.close(ctx, entry_id, "")
    assert caught.value.field == "reason"
    with desk.write() as ctx:
        reception.close(ctx, entry_id, "已处理完毕")
    with desk.read() as ctx:
        entry = reception.get(ctx, entry_id)
    assert entry.state == ReceptionState.closed and entry.close_reason == "已处理完毕"
    with pytest.raises(DeskError) as caught, desk.write() as ctx:
        reception.close(ctx, entry_id, "again")
    assert caught.value.key == "record.already_closed"


def test_closing_an_entry_that_owes_a_reply_is_a_supervisors(
    db: Database, desk: Desk, supervisor: Operator
) -> None:
    entry_id = log_reception(desk, reply_due_at=NOW + timedelta(hours=2))
    with pytest.raises(Forbidden) as refused, desk.write() as ctx:
        reception.close(ctx, entry_id, "住户已搬走")
    assert refused.value.message == (
        "only a supervisor may close a reception entry that still owes the resident a reply, "
        "because the resident was promised an answer; if one was given, record the answer instead"
    )
    with desk.read() as ctx:
        assert reception.get(ctx, entry_id).state == ReceptionState.open
        assert [e.id for e in reception.owing_replies(ctx)] == [entry_id]
    boss = Desk(db, supervisor, NOW + timedelta(minutes=5))
    with pytest.raises(DeskError) as caught, boss.write() as ctx:
        reception.close(ctx, entry_id, "")
    assert caught.value.field == "reason"
    with boss.write() as ctx:
        reception.close(ctx, entry_id, "住户已搬走")
    with desk.read() as ctx:
        entry = reception.get(ctx, entry_id)
        assert reception.owing_replies(ctx) == []
        closed = audit.history(ctx, reception.REGISTER, entry_id)[-1]
    assert entry.state == ReceptionState.closed and entry.close_reason == "住户已搬走"
    assert (closed.action, closed.reason) == ("closed", "住户已搬走")
    assert (closed.operator_id, closed.at) == (supervisor.id, boss.now)
    # answering is how a clerk settles it
    other = log_reception(desk, reply_due_at=NOW + timedelta(hours=2))
    with desk.write() as ctx:
        reception.answer(ctx, other, "已电话告知住户")
        reception.close(ctx, other, "已答复")


def test_link_records_what_it_became(desk: Desk) -> None:
    entry_id = log_reception(desk, category="repair")
    enquiry_id = log_reception(desk)
    with desk.read() as ctx:
        assert reception.may_become_record(reception.get(ctx, entry_id))
        assert not reception.may_become_record(reception.get(ctx, enquiry_id))
    with desk.write() as ctx:
        reception.link(ctx, entry_id, "repairs", 7)
        assert not reception.may_become_record(reception.get(ctx, entry_id))  # once only
    with desk.read() as ctx:
        entry = reception.get(ctx, entry_id)
        actions = [e.action for e in audit.history(ctx, reception.REGISTER, entry_id)]
    assert (entry.linked_register, entry.linked_id) == ("repairs", 7)
    assert actions == ["logged", "linked"]


def test_unknown_entry_is_not_found(desk: Desk) -> None:
    with pytest.raises(NotFound), desk.read() as ctx:
        reception.get(ctx, 999)


def test_recent_is_newest_first_and_since_filters(desk: Desk) -> None:
    old = log_reception(desk, received_at=NOW - timedelta(days=1))
    early = log_reception(desk, received_at=NOW - timedelta(hours=1))
    late = log_reception(desk)
    with desk.read() as ctx:
        assert [e.id for e in reception.recent(ctx)] == [late, early, old]
        since = NOW - timedelta(hours=2)
        assert [e.id for e in reception.recent(ctx, since=since)] == [late, early]
        assert [e.id for e in reception.recent(ctx, limit=1)] == [late]


def test_owing_replies_soonest_first(desk: Desk) -> None:
    later = log_reception(desk, reply_due_at=NOW + timedelta(hours=3))
    sooner = log_reception(desk, reply_due_at=NOW + timedelta(minutes=30))
    with desk.read() as ctx:
        assert [e.id for e in reception.owing_replies(ctx)] == [sooner, later]
