"""Estates: each desk sees and writes its own estate only; numbers and settings per estate; the
call-centre desk works in any estate its operator may work on, and nowhere else."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import select

from desk import estates as binding
from desk.db import Database
from desk.db_errors import DatabaseError
from desk.models import Operator, RepairOrder, Role, Unit
from desk.services import board, estates, fetch, operators, repair, residents
from desk.services.context import Ctx
from desk.services.errors import DeskError, Forbidden
from desk.services.repair import RepairCreate
from tests.conftest import NOW, Desk, add_staff, verify_audit
from tests.seed import KITCHEN_TAP, register_repair

HG_SETTINGS = '[repair]\ndispatch_within = "15m"\n'


def _open(db: Database, code: str) -> Database:
    """The same database, opened as a desk of estate `code` ("*": the call-centre desk)."""
    from desk.db import open_database

    return open_database(
        db.url, migrate=False, settings=db.site_settings or db.settings, estate=code
    )


def _two_estates(boss: Desk) -> int:
    with boss.write() as ctx:
        added = estates.add(ctx, "hg", "和谷园", "Hegu Garden", HG_SETTINGS)
    assert added.id is not None and added.code == "HG"
    return added.id


def test_each_desk_sees_and_numbers_its_own_estate(
    db: Database, boss: Desk, clerk: Operator
) -> None:
    hg_id = _two_estates(boss)
    main_order = register_repair(Desk(db, clerk))
    hg = _open(db, "HG")
    try:
        hg_desk = Desk(hg, clerk)
        hg_order = register_repair(hg_desk)
        with hg_desk.read() as ctx:
            assert ctx.session.get(RepairOrder, main_order) is None
            with pytest.raises(DeskError):
                fetch.get(ctx, RepairOrder, main_order)
            assert fetch.by_number(ctx, RepairOrder, "WX-20261123-001") is None
            mine = ctx.session.get(RepairOrder, hg_order)
            assert (
                mine is not None
                and mine.number.startswith("HG-WX-")
                and mine.number.endswith("-001")
            )
            assert mine.estate_id == hg_id
            assert [i.number for i in board.open_items(ctx) if i.number.startswith("WX")] == []
            # the estate's own settings count: 15 minutes to dispatch, not the site file's 30
            assert ctx.settings.repair.dispatch_within == "15m"
            assert mine.dispatch_due_at is not None
            assert (mine.dispatch_due_at - mine.reported_at).total_seconds() == 15 * 60
        with Desk(db, clerk).read() as ctx:
            order = ctx.session.get(RepairOrder, main_order)
            assert (
                order is not None
                and order.number.startswith("WX-")
                and order.number.endswith("-001")
            )
            assert ctx.session.get(RepairOrder, hg_order) is None
            # a bulk update from the default estate's desk does not reach the other estate
            ctx.session.execute(
                RepairOrder.__table__.update()
                .values(description="x")  # type: ignore[attr-defined]
                .where(text("1 = 0"))
            )
    finally:
        hg.dispose()
    assert verify_audit(db).ok


def test_a_desk_refuses_a_row_of_another_estate(db: Database, boss: Desk, clerk: Operator) -> None:
    """An insider's script on the desk's own session: a row set to another estate, or the
    desk's record moved to another estate, is refused before anything is written."""
    hg_id = _two_estates(boss)
    order_id = register_repair(Desk(db, clerk))
    with pytest.raises(binding.OutsideEstates), Desk(db, clerk).write() as ctx:
        ctx.session.add(
            Unit(building="9", room="901", code="9-901", created_at=NOW, estate_id=hg_id)
        )
        ctx.session.flush()
    with pytest.raises(binding.OutsideEstates), Desk(db, clerk).write() as ctx:
        order = ctx.session.get(RepairOrder, order_id)
        assert order is not None
        order.estate_id = hg_id
        ctx.session.add(order)
        ctx.session.flush()
    with Desk(db, clerk).read() as ctx:
        assert ctx.session.exec(select(Unit).where(Unit.code == "9-901")).first() is None
        stored = ctx.session.get(RepairOrder, order_id)
        assert stored is not None and stored.estate_id == 1


def test_operators_work_only_on_their_estates(db: Database, boss: Desk) -> None:
    hg_id = _two_estates(boss)
    add_staff(db, "赵敏", Role.clerk, "5555")
    with boss.write() as ctx:
        estates.allow(ctx, "赵敏", ["HG"])
        # an unknown code, and no estate at all, are refused
        with pytest.raises(DeskError):
            estates.allow(ctx, "赵敏", ["XX"])
        with pytest.raises(DeskError):
            estates.allow(ctx, "赵敏", [])
    # at the default estate's desk 赵敏's right PIN is still refused, naming the estate
    with db.writing() as session:
        outcome = operators.sign_in(Ctx(session, None, db.settings, NOW), "赵敏", "5555", "t1")
    assert outcome.operator is None and outcome.error is not None
    assert outcome.error.key == "estate.not_allowed"
    hg = _open(db, "HG")
    try:
        with hg.writing() as session:
            outcome = operators.sign_in(Ctx(session, None, hg.settings, NOW), "赵敏", "5555", "t1")
        assert outcome.operator is not None and outcome.estates == (hg_id,)
    finally:
        hg.dispose()
    # a clerk may not add estates or allow anyone anywhere, nor may a supervisor of one estate
    zhao = Desk(db, outcome.operator)
    with pytest.raises(Forbidden), zhao.write() as ctx:
        estates.add(ctx, "XY")
    add_staff(db, "钱主管", Role.supervisor, "7777")
    with boss.write() as ctx:
        estates.allow(ctx, "钱主管", ["HG"])
        qian = ctx.session.exec(select(Operator).where(Operator.name == "钱主管")).one()
    with pytest.raises(Forbidden), Desk(db, qian).write() as ctx:
        estates.allow(ctx, "赵敏", None)
    # bad codes and settings that do not read are refused
    with boss.write() as ctx:
        for code, settings in (("h", ""), ("好", ""), ("HG", ""), ("AB", "[repair\n")):
            with pytest.raises(DeskError):
                estates.add(ctx, code, settings=settings)
    assert verify_audit(db).ok


def test_the_call_centre_works_in_any_estate_of_its_operator(
    db: Database, boss: Desk, clerk: Operator
) -> None:
    hg_id = _two_estates(boss)
    add_staff(db, "孙客服", Role.clerk, "6666")
    with boss.write() as ctx:
        estates.add(ctx, "LX", "绿溪")
        estates.allow(ctx, "孙客服", ["main", "HG"])
    centre = _open(db, "*")
    try:
        assert centre.call_centre
        with centre.writing() as session:
            outcome = operators.sign_in(Ctx(session, None, centre.settings, NOW), "孙客服", "6666")
        assert outcome.operator is not None
        centre.admit(outcome.estates)
        sun = Desk(centre, outcome.operator)
        # a repair with no estate chosen is refused, not put anywhere
        with pytest.raises(DeskError), sun.write() as ctx:
            repair.register(ctx, RepairCreate.model_validate(KITCHEN_TAP))
        with sun.write() as ctx:
            work = estates.enter(ctx, hg_id, centre.site_settings or centre.settings)
            assert work.settings.repair.dispatch_within == "15m"
            made = repair.register(work, RepairCreate.model_validate(KITCHEN_TAP))
            assert made.number.startswith("HG-WX-") and made.estate_id == hg_id
        # an estate the operator may not work on: refused, whatever the screen offers
        with sun.write() as ctx:
            lx = estates.by_code(ctx, "LX")
            assert lx is not None and lx.id is not None
            with pytest.raises(Forbidden):
                estates.enter(ctx, lx.id, centre.settings)
        with sun.read() as ctx:
            seen = {o.estate_id for o in ctx.session.exec(select(RepairOrder))}
        assert seen == {hg_id}
    finally:
        centre.dispose()
    # the estate's own desk sees the call centre's order at once
    hg = _open(db, "HG")
    try:
        with Desk(hg, clerk).read() as ctx:
            assert [o.number[:6] for o in ctx.session.exec(select(RepairOrder))] == ["HG-WX-"]
    finally:
        hg.dispose()


def test_a_desk_opens_in_the_only_estate_or_is_told_to_choose(db: Database, boss: Desk) -> None:
    assert db.estate_id == 1 and not db.call_centre
    _two_estates(boss)
    with pytest.raises(DatabaseError) as refused:
        _open(db, "")
    assert "HG" in str(refused.value) and "main" in str(refused.value)
    with pytest.raises(DatabaseError) as unknown:
        _open(db, "NOPE")
    assert "NOPE" in str(unknown.value)


@pytest.mark.tampers
def test_an_estate_changed_behind_the_desks_back_is_caught(db: Database, boss: Desk) -> None:
    hg_id = _two_estates(boss)
    assert verify_audit(db).ok
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE estate SET settings = '' WHERE id = :id"), {"id": hg_id})
        conn.execute(
            text("INSERT INTO operator_estate (operator_id, estate_id) SELECT id, 1 FROM operator")
        )
    report = verify_audit(db)
    assert {(p.register, p.code) for p in report.problems} >= {
        ("estates", "row_differs"),
        ("operator", "row_differs"),
    }


def test_rooms_and_residents_are_per_estate(db: Database, boss: Desk) -> None:
    hg_id = _two_estates(boss)
    hg = _open(db, "HG")
    try:
        for database in (db, hg):
            with Desk(database, boss.operator).write() as ctx:
                residents.add_resident(ctx, "3", "1202", "李明", "13812345678", "owner")
        with Desk(hg, boss.operator).read() as ctx:
            unit = residents.find_unit(ctx, "3-1202")
            assert unit is not None and unit.estate_id == hg_id
            assert [r.estate_id for r in residents.residents_of(ctx, unit.id or 0)] == [hg_id]
            units = ctx.session.exec(select(Unit)).all()
        assert [(u.code, u.estate_id) for u in units] == [("3-1202", hg_id)]
    finally:
        hg.dispose()
    with boss.read() as ctx:
        assert [u.estate_id for u in ctx.session.exec(select(Unit))] == [1]


def test_the_month_per_estate_and_for_the_company(
    db: Database, boss: Desk, clerk: Operator
) -> None:
    """Each desk's monthly figures are its own estate's; the company's line adds them up."""
    from desk.printing.report_estates import render_company
    from desk.services import stats, stats_estates, stats_period

    _two_estates(boss)
    register_repair(Desk(db, clerk))
    hg = _open(db, "HG")
    centre = _open(db, "*")
    try:
        for _ in range(2):
            register_repair(Desk(hg, clerk))
        period = stats_period.this_month(NOW, db.settings.tz)
        with Desk(db, clerk).read() as ctx:
            assert stats.monthly(ctx, period).repairs.reported == 1
        with Desk(hg, clerk).read() as ctx:
            assert stats.monthly(ctx, period).repairs.reported == 2
        with Desk(centre, None).read() as ctx:
            site = centre.site_settings or centre.settings
            lines = stats_estates.monthly_by_estate(ctx, period, site)
        assert [(line.code, line.report.repairs.reported) for line in lines] == [
            ("main", 1),
            ("HG", 2),
            ("", 3),
        ]
        page = render_company(lines, db.settings)
        assert max(len(line) for line in page.splitlines()) <= 80
        assert "HG  Hegu Garden" in page
    finally:
        hg.dispose()
        centre.dispose()


LX_SETTINGS = """
[[repair_categories]]
key = "water"
zh_CN = "给排水"
en = "Water"
on_site_within = "5m"
"""


def test_a_step_at_the_call_centre_counts_by_the_records_estate(
    db: Database, boss: Desk, clerk: Operator
) -> None:
    """Dispatched from the call-centre desk with no estate chosen, an LX order is due on site by
    LX's own limit (5 minutes), not the site file's (30 minutes)."""
    with boss.write() as ctx:
        lx = estates.add(ctx, "LX", "绿溪", settings=LX_SETTINGS)
    lx_desk = _open(db, "LX")
    centre = _open(db, "*")
    try:
        order_id = register_repair(Desk(lx_desk, clerk))
        with Desk(centre, clerk).write() as ctx:
            order = repair.dispatch(ctx, order_id, "李建国")
            assert order.on_site_due_at is not None and order.dispatched_at is not None
            assert (order.on_site_due_at - order.dispatched_at).total_seconds() == 5 * 60
            assert ctx.session.info[binding.ESTATE] == lx.id
    finally:
        lx_desk.dispose()
        centre.dispose()


@pytest.mark.tampers
def test_a_completion_changed_behind_the_desks_back_is_caught(
    db: Database, clerk: Operator
) -> None:
    """A repair's completion rows (its work and charges; the estate they are in) are part of
    the repair as the audit chain follows it: edited in the file, verify says so."""
    from tests.seed import complete_repair

    order_id = complete_repair(Desk(db, clerk), "换阀芯")
    assert verify_audit(db).ok
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE repair_completion SET estate_id = 2, work_done = 'x'"))
    problems = {(p.register, p.record_id, p.code) for p in verify_audit(db).problems}
    assert ("repairs", order_id, "row_differs") in problems


def test_a_number_is_found_with_or_without_its_estates_code(
    db: Database, boss: Desk, clerk: Operator
) -> None:
    """At HG's desk HG-WX-… is found as typed or without HG; at the default estate's desk it is
    not there at all; the call-centre desk finds it by its whole number."""
    from desk.services import lookup

    _two_estates(boss)
    hg, centre = _open(db, "HG"), _open(db, "*")
    try:
        order_id = register_repair(Desk(hg, clerk))
        with Desk(hg, clerk).read() as ctx:
            number = ctx.session.get(RepairOrder, order_id).number  # type: ignore[union-attr]
        assert number.startswith("HG-WX-")

        def found(database: Database, query: str) -> list[str]:
            with Desk(database, clerk).read() as ctx:
                results = lookup.search(ctx, query)
            return [hit.number for group in results.groups for hit in group.hits]

        assert found(hg, number) == [number]
        assert found(hg, number.removeprefix("HG-")) == [number]
        assert found(hg, number.lower().replace("-", "")) == [number]
        assert found(db, number) == []
        assert found(centre, number) == [number]
    finally:
        hg.dispose()
        centre.dispose()


def test_the_registers_of_issue_19_belong_to_their_estate(
    db: Database, boss: Desk, clerk: Operator
) -> None:
    """A renovation and a resident card made at estate HG's desk carry HG's numbers; the default
    estate's desk neither lists nor finds them; the call-centre desk finds both by number."""
    from desk.services import card_queries, lookup, renovation_queries
    from tests import card_support, renovation_seed

    _two_estates(boss)
    hg = _open(db, "HG")
    centre = _open(db, "*")
    try:
        hg_desk = Desk(hg, clerk)
        card_support.add_residents(hg_desk)
        works = renovation_seed.apply(hg_desk)
        card = card_support.stored(hg_desk, card_support.issued(hg_desk))
        works_number = renovation_seed.stored(hg_desk, works).number
        assert works_number.startswith("HG-ZX-") and card.number.startswith("HG-KA-")
        with Desk(db, clerk).read() as ctx:
            assert renovation_queries.listing(ctx, everything=True) == []
            assert card_queries.find(ctx, card.number) is None
            assert lookup.search(ctx, works_number).total == 0
        with centre.writing() as session:
            outcome = operators.sign_in(Ctx(session, None, centre.settings, NOW), "陈主管", "9999")
        assert outcome.operator is not None
        centre.admit(outcome.estates)
        with Desk(centre, outcome.operator).read() as ctx:
            for number in (works_number, card.number):
                found = lookup.search(ctx, number)
                assert [hit.number for group in found.groups for hit in group.hits] == [number]
    finally:
        hg.dispose()
        centre.dispose()
