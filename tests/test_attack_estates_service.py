"""An outsider's attempts to cross estates (issue #18): each test is one way in, shut."""

from __future__ import annotations

from datetime import timedelta

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
