"""Correcting a record (a typo, the wrong room): by the clerk who wrote it or a supervisor, with a
reason, each new value checked by the register's own rule, the old value kept in the audit, the
lookup following the change."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desk.db import Database
from desk.models import Operator, RepairLocation, Role
from desk.services import audit, complaint, corrections, lookup, reception, repair
from desk.services.complaint import ComplaintCreate
from desk.services.errors import DeskError, FieldErrors, Forbidden
from desk.services.reception import ReceptionCreate
from desk.services.repair import RepairCreate
from tests.conftest import NOW, Desk, add_staff


def _found(desk: Desk, query: str) -> set[tuple[str, int]]:
    with desk.read() as ctx:
        results = lookup.search(ctx, query)
    return {(hit.register, hit.record_id) for group in results.groups for hit in group.hits}


def test_the_writer_corrects_a_repair_and_the_old_value_stays_in_the_audit(
    db: Database, desk: Desk
) -> None:
    data = RepairCreate(
        room="3-1202", resident_name="李明", phone="13800001111", description="水龙头漏水"
    )
    with desk.write() as ctx:
        order_id = repair.register(ctx, data).id
    assert order_id is not None
    assert ("repairs", order_id) in _found(desk, "3-1202")
    # no reason: refused, and so is every bad value with it, all at once, nothing saved
    with pytest.raises(FieldErrors) as refused, desk.write() as ctx:
        corrections.correct(
            ctx,
            "repairs",
            order_id,
            {"room": "3-" + "1" * 99, "phone": "abc", "description": ""},
            "",
        )
    assert {e.field for e in refused.value.errors} == {"room", "phone", "description", "reason"}
    with desk.read() as ctx:
        kept = repair.get(ctx, order_id)
        assert (kept.room, kept.phone, kept.description) == ("3-1202", "13800001111", "水龙头漏水")
    # fields the lifecycle or the money own are not corrected here
    with pytest.raises(DeskError) as state, desk.write() as ctx:
        corrections.correct(ctx, "repairs", order_id, {"state": "closed"}, "x")
    assert (state.value.key, state.value.field) == ("correct.not_correctable", "state")
    # moved to the unit with no room: the room the unit needs is asked for
    with desk.write() as ctx:
        corrections.correct(
            ctx, "repairs", order_id, {"location": "public", "room": ""}, "公共区域"
        )
    with pytest.raises(DeskError) as unit, desk.write() as ctx:
        corrections.correct(ctx, "repairs", order_id, {"location": "unit"}, "户内")
    assert (unit.value.key, unit.value.field) == ("repair.room_required", "room")
    with desk.write() as ctx, pytest.raises(DeskError) as same:
        corrections.correct(ctx, "repairs", order_id, {"location": "public"}, "x")
    assert same.value.key == "correct.nothing"
    # the room typed as the desk writes rooms, the right one now; the old in the audit
    desk.now = NOW + timedelta(minutes=5)
    with desk.write() as ctx:
        order = corrections.correct(
            ctx,
            "repairs",
            order_id,
            {"location": "unit", "room": "3栋1203", "phone": "13800002222"},
            "房号记错",
        )
    assert (order.room, order.location, order.phone) == (
        "3-1203",
        RepairLocation.unit,
        "13800002222",
    )
    with desk.read() as ctx:
        event = audit.history(ctx, "repairs", order_id)[-1]
        assert repair.get(ctx, order_id).room == "3-1203"
    assert (event.action, event.reason, event.operator_id) == (
        "corrected",
        "房号记错",
        desk.operator.id if desk.operator else None,
    )
    assert audit.event_data(event) == {
        "old": {"room": "", "location": "public", "phone": "138****1111"},
        "new": {"room": "3-1203", "location": "unit", "phone": "138****2222"},
    }
    # the history says it in words: a location as the desk names it
    assert corrections.describe(event, db.settings, "en") == [
        "Where: public area → inside the unit",
        "Room: — → 3-1203",
        "Phone: 138****1111 → 138****2222",
    ]
    # the lookup follows: found at the corrected room, no longer at the old one
    assert ("repairs", order_id) in _found(desk, "3-1203")
    assert ("repairs", order_id) not in _found(desk, "3-1202")


def test_another_clerk_is_refused_and_a_supervisor_corrects(
    db: Database, desk: Desk, supervisor: Operator
) -> None:
    with desk.write() as ctx:
        entry = reception.log(ctx, ReceptionCreate(person="张三", room="5-101", request="问停车"))
        item = complaint.register(
            ctx, ComplaintCreate(complainant="赵六", room="2-0303", what_happened="楼上噪音")
        )
    other = Desk(db, add_staff(db, "刘洋", Role.clerk, "5678"))
    for register, record_id in (("reception", entry.id), ("complaints", item.id)):
        assert record_id is not None
        with pytest.raises(Forbidden) as refused, other.write() as ctx:
            corrections.correct(ctx, register, record_id, {"room": "9-0909"}, "改")
        assert "only a supervisor may correct a record another clerk wrote" in (
            refused.value.message
        )
    boss = Desk(db, supervisor)
    assert entry.id is not None and item.id is not None
    with boss.write() as ctx:
        corrections.correct(
            ctx, "reception", entry.id, {"person": "张珊", "room": "5-0102"}, "错字"
        )
        corrections.correct(ctx, "complaints", item.id, {"category": "environment"}, "类别选错")
        with pytest.raises(DeskError) as unknown:
            corrections.correct(ctx, "complaints", item.id, {"category": "nonsense"}, "x")
        assert unknown.value.key == "complaint.unknown_category"
    with boss.read() as ctx:
        assert reception.get(ctx, entry.id).person == "张珊"
        assert complaint.get(ctx, item.id).category == "environment"
        (event,) = [e for e in audit.history(ctx, "reception", entry.id) if e.action == "corrected"]
    assert event.operator_id == supervisor.id
    assert audit.event_data(event) == {
        "old": {"person": "张三", "room": "5-101"},
        "new": {"person": "张珊", "room": "5-102"},
    }
    assert ("reception", entry.id) in _found(boss, "5-102")
