"""`desk resident erase`: a resident's number out of every register, the chain kept whole."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from desk.cli import app
from desk.db import Database
from desk.models import Complaint, Operator, RepairOrder
from desk.services import audit_verify, erasure, lookup
from desk.services.errors import DeskError, Forbidden
from tests.conftest import Desk
from tests.lookup_fixtures import Seeded, seed

runner = CliRunner()
NUMBER = "13812345678"


@pytest.fixture
def seeded(desk: Desk) -> Seeded:
    return seed(desk)


def _everything_stored(db: Database) -> str:
    """Every text the registers, the audit trail and the lookup index hold, as one string."""
    parts: list[str] = []
    with db.reading() as session:
        for table in (
            "resident",
            "repair_order",
            "complaint",
            "reception_entry",
            "audit_event",
            "audit_seal",
            "search_doc",
        ):
            for row in session.execute(text(f"SELECT * FROM {table}")):
                parts.extend(str(value) for value in row)
    return " ".join(parts)


def _snapshot(db: Database) -> list[tuple[str, ...]]:
    with db.reading() as session:
        rows = session.execute(
            text("SELECT phone FROM resident UNION ALL SELECT phone FROM repair_order")
        )
        return sorted(tuple(str(v) for v in row) for row in rows)


def test_a_supervisor_erases_a_number_everywhere_and_the_chain_stays_whole(
    db: Database, desk: Desk, seeded: Seeded, supervisor: Operator
) -> None:
    assert NUMBER in _everything_stored(db)
    with Desk(db, supervisor).write() as ctx:
        erased = erasure.erase_phone(ctx, "138 1234 5678", "住户本人来电要求")
    assert {(item.register, item.record_id) for item in erased} >= {
        ("repairs", seeded.leak),
        ("complaints", seeded.noise),
    }
    assert {item.register for item in erased} == {"residents", "repairs", "complaints"}
    assert NUMBER not in _everything_stored(db)
    with db.reading() as session:
        assert session.get(RepairOrder, seeded.leak).phone == "138****5678"  # type: ignore[union-attr]
        assert session.get(Complaint, seeded.noise).phone == "138****5678"  # type: ignore[union-attr]
        # another resident's number is untouched
        others = session.execute(text("SELECT phone FROM resident")).scalars().all()
        assert "13900001111" in others
        events = session.execute(
            text("SELECT operator_id, reason FROM audit_event WHERE action = 'phone_erased'")
        ).all()
    assert len(events) == len(erased)
    assert all(row[0] == supervisor.id and row[1] == "住户本人来电要求" for row in events)
    with Desk(db, supervisor).read() as ctx:
        assert audit_verify.verify(ctx).ok
        assert not lookup.search(ctx, NUMBER).groups
        # the last four digits still find the records, as a masked number shows them
        assert lookup.search(ctx, "5678").groups


def test_no_one_but_a_supervisor_may_erase(
    db: Database, desk: Desk, seeded: Seeded, clerk: Operator
) -> None:
    before = _snapshot(db)
    for operator in (clerk, None):
        with pytest.raises(Forbidden), Desk(db, operator).write() as ctx:
            erasure.erase_phone(ctx, NUMBER, "asked")
    assert _snapshot(db) == before


@pytest.mark.parametrize(
    ("phone", "reason", "key"),
    [
        ("5678", "asked", "erasure.too_short"),
        ("13811112222", "asked", "erasure.not_found"),
        (NUMBER, "   ", "field.required"),
    ],
)
def test_bad_requests_are_refused_and_change_nothing(
    db: Database,
    desk: Desk,
    seeded: Seeded,
    supervisor: Operator,
    phone: str,
    reason: str,
    key: str,
) -> None:
    before = _snapshot(db)
    with pytest.raises(DeskError) as refused, Desk(db, supervisor).write() as ctx:
        erasure.erase_phone(ctx, phone, reason)
    assert refused.value.key == key
    assert _snapshot(db) == before


def test_cli_without_a_supervisor_changes_nothing(
    db: Database, desk: Desk, seeded: Seeded, supervisor: Operator, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = ["--lang", "en", "--db", db.url, "resident", "erase", NUMBER]
    before = _snapshot(db)
    result = runner.invoke(app, [*base, "--reason", "asked"])
    assert result.exit_code == 2
    assert "only a supervisor may erase" in result.output
    monkeypatch.setenv("DESK_PIN", "0000")
    result = runner.invoke(app, [*base, "--reason", "asked", "--as", "陈主管"])
    assert result.exit_code == 2
    result = runner.invoke(app, base)
    assert result.exit_code == 2 and "--reason" in result.output
    assert _snapshot(db) == before
    monkeypatch.setenv("DESK_PIN", "9999")
    result = runner.invoke(app, [*base, "--reason", "asked", "--as", "陈主管"])
    assert result.exit_code == 0, result.output
    assert "number erased" in result.output
    assert _snapshot(db) != before
    with db.reading() as session:
        kept = session.execute(text("SELECT count(*) FROM resident")).scalar_one()
    assert kept == 3  # erased, not deleted
