"""An outsider's attempts to cross estates (issue #18): each test is one way in, shut."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from desk.db import Database
from desk.models import Operator, Role
from desk.services import estates, handover_summary, operators, residents
from desk.services.context import Ctx
from desk.services.errors import DeskError
from tests.conftest import NOW, Desk, add_staff
from tests.test_estates_service import _open, _two_estates


def test_the_shift_holders_are_those_who_signed_in_at_this_estates_desk(
    db: Database, boss: Desk, clerk: Operator
) -> None:
    """赵敏, allowed on the default estate only, signs in at its desk: the handover of estate
    HG (who held the shift, on its printout) does not name her."""
    _two_estates(boss)
    add_staff(db, "赵敏", Role.clerk, "5555")
    with boss.write() as ctx:
        estates.allow(ctx, "赵敏", ["main"])
    with db.writing() as session:
        outcome = operators.sign_in(Ctx(session, None, db.settings, NOW), "赵敏", "5555", "t1")
    assert outcome.operator is not None
    hg = _open(db, "HG")
    try:
        with Desk(hg, clerk).read() as ctx:
            assert "赵敏" not in handover_summary.holders(ctx, NOW - timedelta(hours=8))
        with db.reading() as session:
            main = Ctx(session, clerk, db.settings, NOW)
            assert "赵敏" in handover_summary.holders(main, NOW - timedelta(hours=8))
    finally:
        hg.dispose()


def test_the_call_centre_adds_no_resident_before_the_estate_is_chosen(
    db: Database, boss: Desk
) -> None:
    """3-1202 is a unit of both estates: a resident added at the call-centre desk with no
    estate chosen is refused, not put in whichever estate's 3-1202 the database gave first."""
    _two_estates(boss)
    hg = _open(db, "HG")
    centre = _open(db, "*")
    try:
        for database in (db, hg):
            with Desk(database, boss.operator).write() as ctx:
                residents.add_resident(ctx, "3", "1202", "李明", "13812345678", "owner")
        with pytest.raises(DeskError) as refused, Desk(centre, boss.operator).write() as ctx:
            residents.add_resident(ctx, "3", "1202", "王五", "13900000000", "tenant")
        assert refused.value.key == "estate.not_chosen"
    finally:
        hg.dispose()
        centre.dispose()


def test_a_backup_is_put_back_only_by_a_supervisor_of_the_whole_company(
    db: Database, boss: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Restoring replaces every estate's registers: a supervisor of estate HG alone may not,
    a backup of a database of several estates is checked whatever estate the shell names, and
    a current database of several estates is never taken for a damaged one (which would let
    the backup's own operators sign for it: a supervisor since retired, with the old PIN)."""
    import typer

    from desk.cli.backup import _supervisor
    from desk.services import backup, restore

    if not db.is_sqlite or db.path is None:
        pytest.skip("backups are of the SQLite file")
    monkeypatch.delenv("DESK_ESTATE", raising=False)
    add_staff(db, "钱主管", Role.supervisor, "7777")
    old = backup.make_backup(db, tmp_path / "old", NOW)  # one estate, 钱主管 a supervisor
    _two_estates(boss)
    add_staff(db, "孙主管", Role.supervisor, "6666")
    with boss.write() as ctx:
        estates.allow(ctx, "孙主管", ["HG"])
        operators.set_active(ctx, "钱主管", False)
    # a backup of both estates is checked and staged, no estate named
    both = backup.make_backup(db, tmp_path / "both", NOW)
    restore.stage_restore(db.path, both, db.settings, NOW).discard()
    staged = restore.stage_restore(db.path, old, db.settings, NOW)
    try:
        monkeypatch.setenv("DESK_PIN", "7777")
        with pytest.raises(typer.Exit):  # signed in against the current database: retired
            _supervisor(db.path, staged, "钱主管")
        monkeypatch.setenv("DESK_PIN", "6666")
        with pytest.raises((typer.Exit, DeskError)):  # a supervisor of HG alone
            restore.require_supervisor(_supervisor(db.path, staged, "孙主管"))
    finally:
        staged.discard()


def test_the_call_centre_moves_no_record_to_another_estate(
    db: Database, boss: Desk, clerk: Operator
) -> None:
    """A script on the call-centre desk's session (a company supervisor, every estate read):
    a repair of the default estate set to estate HG is refused, as at an estate's own desk."""
    from desk.models import RepairOrder
    from tests.seed import register_repair

    hg_id = _two_estates(boss)
    order_id = register_repair(Desk(db, clerk))
    centre = _open(db, "*")
    try:
        with pytest.raises(DeskError), Desk(centre, boss.operator).write() as ctx:
            order = ctx.session.get(RepairOrder, order_id)
            assert order is not None
            order.estate_id = hg_id
            ctx.session.add(order)
            ctx.session.flush()
        with Desk(centre, boss.operator).read() as ctx:
            stored = ctx.session.get(RepairOrder, order_id)
            assert stored is not None and stored.estate_id == 1
    finally:
        centre.dispose()


def test_a_supervisor_of_one_estate_manages_no_one_beyond_it(db: Database, boss: Desk) -> None:
    """孙主管 supervises estate HG alone. Reset the company supervisor's PIN (and sign in as
    them), add a supervisor (made for every estate), change the role of or disable someone of
    another estate: each would take them out of HG, and each is refused."""
    _two_estates(boss)
    add_staff(db, "孙主管", Role.supervisor, "6666")
    add_staff(db, "钱工", Role.clerk, "5555")  # every estate
    with boss.write() as ctx:
        estates.allow(ctx, "孙主管", ["HG"])
        sun = operators.find_operator(ctx, "孙主管")
    boss_name = boss.operator.name if boss.operator else ""
    sun_desk = Desk(_open(db, "HG"), sun)
    try:
        for step in (
            lambda ctx: operators.reset_pin(ctx, boss_name, "4242"),
            lambda ctx: operators.set_role(ctx, "钱工", Role.supervisor),
            lambda ctx: operators.set_active(ctx, "钱工", False),
        ):
            with pytest.raises(DeskError), sun_desk.write() as ctx:
                step(ctx)
        with sun_desk.write() as ctx:  # someone of HG's own: only HG's
            made = operators.add_operator(ctx, "新主管", Role.supervisor, "4321")
            assert estates.allowed(ctx, made) == (estates.by_code(ctx, "HG").id,)  # type: ignore[union-attr]
        with db.writing() as session:
            outcome = operators.sign_in(Ctx(session, None, db.settings, NOW), boss_name, "4242")
        assert outcome.operator is None
    finally:
        sun_desk.db.dispose()


def test_a_callback_at_the_call_centre_keeps_the_deadlines_of_the_records_estate(
    db: Database, boss: Desk, clerk: Operator
) -> None:
    """At the call-centre desk, no estate chosen, a resident of HG is not satisfied: the repair
    is reopened with HG's 15 minutes to dispatch, not the site file's 30."""
    from desk.services import callbacks
    from desk.services.callback_step import CallbackResult
    from tests.seed import complete_repair

    hg_id = _two_estates(boss)
    hg = _open(db, "HG")
    centre = _open(db, "*")
    try:
        order_id = complete_repair(Desk(hg, clerk), "换阀门")
        with Desk(centre, boss.operator).write() as ctx:
            result = CallbackResult(reached=True, satisfied=False, note="还漏")
            order = callbacks.record(ctx, "repairs", order_id, result)
            assert order.estate_id == hg_id and order.dispatch_due_at is not None
            assert order.dispatch_due_at - ctx.now == timedelta(minutes=15)
    finally:
        hg.dispose()
        centre.dispose()


def test_the_call_centre_marks_no_calendar_day_before_the_estate_is_chosen(
    db: Database, boss: Desk
) -> None:
    """Each estate has its own calendar: at the call-centre desk, no estate chosen, marking or
    clearing a day would change whichever estate's mark of it came first. Refused."""
    from datetime import date

    from desk.services import calendar

    _two_estates(boss)
    day = date(2026, 12, 8)
    with boss.write() as ctx:
        calendar.set_site_day(ctx, day, "holiday", "停电")
    centre = _open(db, "*")
    try:
        for step in (
            lambda ctx: calendar.set_site_day(ctx, day, "workday", "调班"),
            lambda ctx: calendar.clear_site_day(ctx, day),
        ):
            with pytest.raises(DeskError), Desk(centre, boss.operator).write() as ctx:
                step(ctx)
    finally:
        centre.dispose()
    with boss.read() as ctx:
        assert [(d.day, d.kind) for d in calendar.site_days(ctx.session)] == [(day, "holiday")]


def test_the_call_centre_merges_no_complaint_into_another_estates(
    db: Database, boss: Desk, clerk: Operator
) -> None:
    """Two estates' complaints look alike at the call-centre desk: merging HG's into the
    default estate's would close it at HG's desk, pointing to a record HG cannot open."""
    from desk.models import Complaint, ComplaintState
    from desk.services import complaint
    from tests.seed import register_complaint

    _two_estates(boss)
    hg = _open(db, "HG")
    centre = _open(db, "*")
    try:
        main_id = register_complaint(Desk(db, clerk))
        hg_id = register_complaint(Desk(hg, clerk))
        with pytest.raises(DeskError), Desk(centre, boss.operator).write() as ctx:
            complaint.merge(ctx, hg_id, main_id, "同一件事")
        with Desk(hg, clerk).read() as ctx:
            stored = ctx.session.get(Complaint, hg_id)
            assert stored is not None and stored.state != ComplaintState.merged
    finally:
        hg.dispose()
        centre.dispose()
