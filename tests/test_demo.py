"""The demo site: built through the services, every repair state present, overdue items, stable."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from desk import demo
from desk.cli import app
from desk.clock import fixed_clock
from desk.db import Database, open_database
from desk.models import AuditEvent, ReceptionEntry, ReceptionState, RepairOrder, RepairState
from desk.services import board, operators
from desk.services.context import Ctx
from tests.conftest import NOW, TZ, add_staff

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, str]]:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    # the demo is built at the tests' NOW: built at the real time, its dates (and the local day,
    # which differs from UTC's for part of each day) would not match a build at NOW
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("desk.cli.root.system_clock", fixed_clock(NOW))
        result = runner.invoke(app, ["--lang", "en", "--db", str(path), "demo"])
    assert result.exit_code == 0, result.output
    database = open_database(path)
    yield database, result.output
    database.dispose()


def states(database: Database) -> tuple[Counter[str], Counter[str]]:
    with database.reading() as session:
        repairs = Counter(str(o.state) for o in session.exec(select(RepairOrder)))
        entries = Counter(str(e.state) for e in session.exec(select(ReceptionEntry)))
    return repairs, entries


def test_demo_prints_operators_and_pins(demo_db: tuple[Database, str]) -> None:
    _, output = demo_db
    assert "demo database built" in output
    for line in ("王芳  clerk  1111", "刘洋  clerk  2222", "张伟  night duty  3333"):
        assert f"  {line}" in output
    assert "  陈静  supervisor  9999" in output


def test_demo_pins_sign_in(demo_db: tuple[Database, str]) -> None:
    database, _ = demo_db
    with database.writing() as session:
        ctx = Ctx(session, None, database.settings, datetime.now(UTC))
        for name, _, pin in demo.DEMO_OPERATORS:
            assert operators.sign_in(ctx, name, pin).operator is not None
        assert operators.sign_in(ctx, "王芳", "9999").operator is None


def test_demo_has_a_realistic_size(demo_db: tuple[Database, str]) -> None:
    database, _ = demo_db
    counts = demo.summary(database)
    assert counts.units == 300
    assert 400 <= counts.residents <= 500
    assert 130 <= counts.reception <= 170
    assert 75 <= counts.repairs <= 100  # with the move-ins' problems (desk.demo.move_ins)


def test_every_repair_state_is_present(demo_db: tuple[Database, str]) -> None:
    database, _ = demo_db
    repairs, entries = states(database)
    assert set(repairs) == {str(s) for s in RepairState}
    assert repairs["cancelled"] >= 1 and repairs["referred_out"] >= 1
    assert entries[ReceptionState.referred] >= 8
    with database.reading() as session:
        orders = list(session.exec(select(RepairOrder)))
        linked = list(
            session.exec(select(ReceptionEntry).where(ReceptionEntry.linked_register == "repairs"))
        )
    # one reopened by the repairs demo, one by a move-in's rejected re-inspection
    assert sum(o.reopen_count for o in orders) == 2
    assert any(o.labour_fen > 0 and o.material_fen > 0 for o in orders)
    assert {o.category for o in orders} >= {
        "water",
        "electric",
        "leak",
        "safety",
        "door",
        "public",
        "other",
    }
    assert all(
        o.leak_test_at is not None for o in orders if o.category == "leak" and o.completed_at
    )
    assert len(linked) >= 5
    assert {e.linked_id for e in linked} == {o.id for o in orders if o.reception_id is not None}


def test_board_shows_overdue_items(demo_db: tuple[Database, str]) -> None:
    database, _ = demo_db
    with database.reading() as session:
        ctx = Ctx(session, None, database.settings, NOW)
        items = board.open_items(ctx)
        overdue = Counter((i.register, i.due_kind) for i in items if i.overdue(ctx.now))
    assert overdue[("repairs", "dispatch")] >= 3
    assert overdue[("repairs", "callback")] >= 3
    assert overdue[("reception", "reply")] >= 3
    assert any(not i.overdue(ctx.now) and i.due_kind == "callback" for i in items)


def test_a_visit_was_moved_with_the_residents_consent(demo_db: tuple[Database, str]) -> None:
    database, _ = demo_db
    with database.reading() as session:
        moved = list(session.exec(select(RepairOrder).where(RepairOrder.reschedule_count > 0)))
        visits = list(session.exec(select(RepairOrder).where(RepairOrder.state == "dispatched")))
    assert moved and all(o.reschedule_agreed_by == o.resident_name for o in moved)
    # every dispatched order has its on-site due time: the visit's, or the category's limit
    assert all(o.on_site_due_at is not None for o in visits)


def test_a_room_was_corrected_by_the_clerk_who_wrote_it(demo_db: tuple[Database, str]) -> None:
    database, _ = demo_db
    with database.reading() as session:
        (event,) = session.exec(select(AuditEvent).where(AuditEvent.action == "corrected"))
        order = session.get(RepairOrder, event.record_id)
    assert order is not None and event.register_name == "repairs"
    data = json.loads(event.data)
    assert data["new"] == {"room": order.room} and data["old"]["room"] != order.room
    assert event.operator_id == order.operator_id and event.reason


def test_second_run_leaves_the_demo_alone(demo_db: tuple[Database, str]) -> None:
    database, _ = demo_db
    before = demo.summary(database)
    result = runner.invoke(app, ["--lang", "en", "--db", database.url, "demo"])
    assert result.exit_code == 0, result.output
    assert "already exists" in result.output
    assert "陈静  supervisor  9999" in result.output
    assert demo.summary(database) == before


def test_demo_refuses_a_database_with_other_data(db: Database) -> None:
    add_staff(db, "老周", "clerk", "1234")
    result = runner.invoke(app, ["--lang", "en", "--db", db.url, "demo"])
    assert result.exit_code == 2
    assert "already holds data that is not the demo" in result.output
    assert demo.summary(db).residents == 0


def test_demo_is_deterministic(demo_db: tuple[Database, str], demo_database: Database) -> None:
    """Two builds at the same `now` (`desk demo` here, the tests' shared one in conftest) hold
    the same site."""
    database, _ = demo_db
    other = demo_database
    assert demo.summary(other) == demo.summary(database)
    assert states(other) == states(database)
    with other.reading() as a, database.reading() as b:
        jobs_a = sorted((r.room, r.description) for r in a.exec(select(RepairOrder)))
        jobs_b = sorted((r.room, r.description) for r in b.exec(select(RepairOrder)))
    assert jobs_a == jobs_b


def test_paid_orders_show_their_money(demo_db: tuple[Database, str]) -> None:
    """Paid orders past dispatch have the price agreed; some bills are paid, some still owed."""
    database, _ = demo_db
    with database.reading() as session:
        paid = [o for o in session.exec(select(RepairOrder)) if o.paid]
    assert all(o.consent_at is not None for o in paid if o.on_site_at or o.completed_at)
    assert any(o.paid_at is not None and o.receipt_number for o in paid)
    assert any(o.billed_at is not None and o.paid_at is None for o in paid)


def test_the_demo_builds_just_after_midnight(db: Database) -> None:
    """`make run` builds the demo at whatever time it is: at 00:20 the day has had no office
    hours yet, and nothing of today may be dated after now (a patrol at 08:10 and last
    night's 02:10 burst pipe once were, and `desk demo` refused itself)."""
    just_after = datetime(2026, 11, 24, 0, 20, tzinfo=TZ)
    built = demo.build_demo(db, just_after)
    assert built == demo.summary(db) and built.residents > 0
    with db.reading() as session:
        items = board.open_items(Ctx(session, None, db.settings, just_after))
    assert items
