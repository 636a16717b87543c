"""Attacks on the fee desk: another estate's balance, a clerk rewriting finance's balances, a
receipt used twice, a letter sent twice, a payment larger than owed."""

from __future__ import annotations

import pytest

from desk.db import Database
from desk.models import FeeBalance, Operator
from desk.services import fees, fees_import
from desk.services.errors import DeskError, Forbidden
from desk.services.fees import PaymentIn
from tests.conftest import Desk
from tests.fee_seed import FILE, add_rooms, balance_id, load
from tests.test_estates_service import _open, _two_estates


def test_another_estates_balance_takes_no_payment(
    db: Database, desk: Desk, boss: Desk, clerk: Operator, supervisor: Operator
) -> None:
    """A balance of estate HG is not found at the default estate's desk: no payment on it, and
    its receipt number does not block the same number at home."""
    _two_estates(boss)
    hg = _open(db, "HG")
    try:
        hg_desk, hg_boss = Desk(hg, clerk), Desk(hg, supervisor)
        add_rooms(hg_desk)
        load(hg_boss)
        theirs = balance_id(hg_desk, "3-1202")
        with hg_desk.write() as ctx:
            fees.pay(
                ctx,
                PaymentIn(
                    balance_id=theirs, amount_fen=100, receipt="R1", payer="李明", confirmed=True
                ),
            )
        add_rooms(desk)
        with pytest.raises(DeskError) as refused, desk.write() as ctx:
            fees.pay(
                ctx,
                PaymentIn(
                    balance_id=theirs, amount_fen=100, receipt="R2", payer="x", confirmed=True
                ),
            )
        assert refused.value.key == "fees_error.no_balance"
        with desk.read() as ctx:
            assert fees.listing(ctx) == []
        load(boss)
        with desk.write() as ctx:
            mine = fees.pay(
                ctx,
                PaymentIn(
                    balance_id=balance_id(desk, "3-1202"),
                    amount_fen=100,
                    receipt="R1",
                    payer="李明",
                    confirmed=True,
                ),
            )
        assert mine.receipt == "R1"
        with hg_desk.read() as ctx:
            owed = ctx.session.get(FeeBalance, theirs)
            assert owed is not None and owed.paid_fen == 100
    finally:
        hg.dispose()


def test_a_clerk_cannot_rewrite_finances_balances(desk: Desk, boss: Desk) -> None:
    """Balances change only by finance's file, loaded by a supervisor: a clerk's "import" of a
    smaller debt is refused and changes nothing; the room still owes what finance said."""
    add_rooms(desk)
    load(boss)
    smaller = "room,kind,from,to,amount_fen\n3-1202,management,2026-05,2026-10,100\n"
    with pytest.raises(Forbidden), desk.write() as ctx:
        fees_import.write(ctx, fees_import.check(ctx, smaller))
    with desk.read() as ctx:
        assert fees.read_back(ctx, "3-1202").owing_fen == 128650
    # a payment "bigger than owed" to wipe the debt is refused, saying what is owed
    with pytest.raises(DeskError) as refused, desk.write() as ctx:
        fees.pay(
            ctx,
            PaymentIn(
                balance_id=balance_id(desk, "3-1202"),
                amount_fen=999999,
                receipt="R9",
                payer="李明",
                confirmed=True,
            ),
        )
    assert "1200.00" in refused.value.message
    assert FILE  # the seed's file is the one loaded
