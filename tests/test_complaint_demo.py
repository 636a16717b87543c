"""The demo's complaints: every severity, validity and state, overdue ones, callbacks due."""

from __future__ import annotations

from collections import Counter

from sqlmodel import select

from desk import demo
from desk.db import Database
from desk.models import Complaint, ComplaintState, Severity, Validity
from desk.services import complaint, export
from desk.services.context import Ctx
from tests.conftest import NOW


def _all(database: Database) -> list[Complaint]:
    with database.reading() as session:
        return list(session.exec(select(Complaint)))


def test_every_severity_validity_and_state(demo_database: Database) -> None:
    items = _all(demo_database)
    assert 40 <= len(items) <= 50 and demo.summary(demo_database).complaints == len(items)
    assert {c.severity for c in items} == set(Severity)
    assert {c.validity for c in items} == set(Validity)
    assert {c.state for c in items} == set(ComplaintState)
    assert sum(c.reopen_count for c in items) >= 1
    invalid = [c for c in items if c.validity == Validity.invalid]
    assert all(c.state == ComplaintState.closed and "统一说辞" in c.validity_note for c in invalid)
    (merged,) = [c for c in items if c.state == ComplaintState.merged]
    assert merged.merged_into_id is not None


def test_some_are_overdue_and_some_await_a_callback(demo_database: Database) -> None:
    items = _all(demo_database)
    late = Counter(complaint.due_kind(c) for c in items if complaint.overdue(c, NOW))
    assert late["escalation"] >= 1 and late["resolve"] >= 1 and late["callback"] >= 1
    assert any(complaint.escalated_late(c) for c in items)
    with demo_database.reading() as session:
        waiting = complaint.awaiting_callback(Ctx(session, None, demo_database.settings, NOW))
    assert len(waiting) >= 4
    assert any(c.callback_due_at and c.callback_due_at > NOW for c in waiting)


def test_export_carries_the_demo_complaints_with_events(demo_database: Database) -> None:
    with demo_database.reading() as session:
        rows = export.records(Ctx(session, None, demo_database.settings, NOW), "complaints")
    assert len(rows) == len(_all(demo_database))
    closed = [r for r in rows if r["state"] == "closed" and r["satisfied"]]
    assert closed and closed[0]["events"][-1]["action"] == "called_back"


def test_a_late_notice_sent_after_harm_stopped_and_the_resident_told(
    demo_database: Database,
) -> None:
    (item,) = [c for c in _all(demo_database) if c.late_notice_at is not None]
    assert item.deadline_table == "desk_service" and item.late_notice_note
    assert item.harm_ongoing and item.harm_stopped_at is not None
    assert item.escalated_to == "department_head" and item.told_at is not None
    assert item.late_notice_due_at is not None and item.resolve_due_at is not None
    assert item.late_notice_due_at < item.resolve_due_at  # normal limit, then "at most"
    assert complaint.due_kind(item, NOW) == "resolve" and not complaint.overdue(item, NOW)
