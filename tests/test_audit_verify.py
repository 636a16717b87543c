"""`desk audit verify`: the audit trail checked against the registers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from desk.cli import app
from desk.db import Database
from desk.services import audit, reception, repair
from desk.services.reception import ReceptionCreate
from desk.services.repair import RepairCreate
from tests.conftest import NOW, Desk, verify_audit

# every test here attacks the audit trail
pytestmark = pytest.mark.tampers

runner = CliRunner()


def _fill(desk: Desk) -> int:
    with desk.write() as ctx:
        entry = reception.log(ctx, ReceptionCreate(person="李明", request="问停车"))
        repair.register(
            ctx,
            RepairCreate(
                room="3-1202", resident_name="李明", description="水龙头漏水", category="water"
            ),
        )
        assert entry.id is not None
        return entry.id


def _raw_reception_row(db: Database) -> int:
    with db.writing() as session:
        session.execute(
            text(
                "INSERT INTO reception_entry (number, received_at, channel, person, room, phone, "
                "category, request, action_taken, department, state, answer, close_reason, "
                "linked_register, operator_id, created_at) "
                "SELECT 'RAW-1', received_at, channel, person, room, phone, category, request, "
                "action_taken, department, state, answer, close_reason, linked_register, "
                "operator_id, created_at FROM reception_entry"
            )
        )
        return int(
            session.execute(
                text("SELECT id FROM reception_entry WHERE number = 'RAW-1'")
            ).scalar_one()
        )


def test_ok_on_records_made_through_the_services(desk: Desk) -> None:
    _fill(desk)
    report = verify_audit(desk.db)
    assert report.ok, [p.text for p in report.problems]
    assert report.records >= 3  # the clerk, a reception entry, a repair order
    assert report.events >= 3


def test_a_row_inserted_without_its_audit_event_is_reported(desk: Desk) -> None:
    _fill(desk)
    raw = _raw_reception_row(desk.db)
    report = verify_audit(desk.db)
    assert not report.ok
    assert [(p.register, p.record_id, p.code) for p in report.problems] == [
        ("reception", raw, "missing_create")
    ]
    assert report.problems[0].text == (
        f"reception #{raw}: no audit event for its creation (logged)"
    )


def test_events_of_missing_records_and_going_back_in_time(desk: Desk) -> None:
    entry = _fill(desk)
    with desk.write() as ctx:
        audit.record(ctx, "repairs", 9999, "registered")
        ctx.now = NOW - timedelta(days=1)
        audit.record(ctx, "reception", entry, "answered", {"answer": "backdated"})
        audit.record(ctx, "mystery", 1, "made")
    problems = {(p.register, p.record_id, p.code) for p in verify_audit(desk.db).problems}
    assert problems == {
        ("repairs", 9999, "orphan_event"),
        ("reception", entry, "out_of_order"),
        ("mystery", None, "unknown_register"),
    }


def test_a_missing_trigger_is_reported(desk: Desk) -> None:
    if not desk.db.is_sqlite:
        return  # dropping PostgreSQL's trigger function is covered by the SQLite case
    with desk.db.writing() as session:
        session.execute(text("DROP TRIGGER audit_event_no_delete"))
    problems = [(p.code, p.detail) for p in verify_audit(desk.db).problems]
    assert problems == [("no_trigger", "audit_event_no_delete")]


def test_cli_audit_verify(desk: Desk) -> None:
    _fill(desk)
    args = ["--lang", "en", "--db", desk.db.url, "audit", "verify"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("audit trail ok:")
    raw = _raw_reception_row(desk.db)
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert f"reception #{raw}: no audit event for its creation" in result.output
    assert "1 problem(s) in the audit trail" in result.output
