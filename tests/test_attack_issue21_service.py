"""An outside reviewer's attacks on the fee desk, paid services and move-ins (issue #21): each
test one way a careless clerk or an insider could break a rule, and what the desk does."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from desk.db import Database
from desk.models import FeeStepKind, Operator
from desk.services import export, fees, move_in, paid_service
from desk.services.errors import DeskError, NotFound
from desk.services.fees import PaymentIn, StepIn
from desk.services.move_in import CustodyIn, PapersIn
from desk.services.paid_service import DoneIn
from tests.conftest import NOW, TZ, Desk, verify_audit
from tests.fee_seed import FILE, add_rooms, balance_id, load
from tests.move_in_seed import HANDOVER, SIGNED, accept, book, one_problem, rectify, to_inspected
from tests.move_in_seed import add_room as add_move_in_room
from tests.test_estates_service import _open, _two_estates
from tests.test_paid_service_service import add_owner
from tests.test_paid_service_service import book as book_service


def _pay(desk: Desk, balance: int, receipt: str, *, fen: int = 100, slip: bool = False):  # type: ignore[no-untyped-def]
    with desk.write() as ctx:
        return fees.pay(
            ctx,
            PaymentIn(
                balance_id=balance,
                amount_fen=fen,
                receipt=receipt,
                payer="李明",
                confirmed=True,
                print_slip=slip,
            ),
        )


def _next(number: str, by: int = 1) -> str:
    head, _, tail = number.rpartition("-")
    return f"{head}-{int(tail) + by:0{len(tail)}d}"


def test_a_typed_receipt_never_collides_with_a_slip_printed_later(
    db: Database, desk: Desk, boss: Desk
) -> None:
    """A clerk types, as finance's receipt, the number the desk's next slip will carry: the
    slip is then refused with a word (or numbered apart), never a crash of the database's
    unique receipt; and a receipt with spaces around is the same receipt."""
    add_rooms(desk)
    load(boss)
    water = balance_id(desk, "3-1202", "water")
    first = _pay(desk, water, "", slip=True)
    _pay(desk, water, _next(first.number, 2))  # the next slip's number, typed by hand
    with pytest.raises(DeskError) as refused:
        _pay(desk, water, f"  {_next(first.number, 2)} ")
    assert refused.value.key == "fees_error.receipt_used"
    third = _pay(desk, water, "", slip=True)
    assert third.receipt != _next(first.number, 2)
    with desk.read() as ctx:
        receipts = [p.receipt for p in fees.payments_of(ctx, "3-1202")]
    assert len(receipts) == len(set(receipts)) == 3
    assert verify_audit(db).ok


def test_a_reminder_dated_before_the_debt_does_not_open_the_letter(
    db: Database, desk: Desk, boss: Desk
) -> None:
    """A clerk records the first reminder as made a year ago, before the oldest month owed
    (2026-05) began, to send the letter today: refused; a reminder inside the debt counts."""
    add_rooms(desk)
    load(boss)
    long_ago = datetime(2025, 11, 1, 10, 0, tzinfo=TZ)
    with pytest.raises(DeskError) as refused, desk.write() as ctx:
        fees.remind(ctx, StepIn(room="3-1202", at=long_ago, by="王芳", said="请缴费"))
    assert refused.value.field == "at"
    with desk.read() as ctx:
        assert fees.steps_of(ctx, "3-1202") == []
    with pytest.raises(DeskError), desk.write() as ctx:
        fees.letter(ctx, StepIn(room="3-1202", by="王芳", tracking="SF1"))
    in_debt = datetime(2026, 6, 2, 10, 0, tzinfo=TZ)
    with desk.write() as ctx:
        fees.remind(ctx, StepIn(room="3-1202", at=in_debt, by="王芳", said="请缴费"))
    with desk.write() as ctx:
        sent = fees.letter(ctx, StepIn(room="3-1202", by="王芳", tracking="SF1"))
    assert sent.kind == FeeStepKind.letter
    assert verify_audit(db).ok


def test_an_sms_reminder_without_a_gateway_is_recorded_as_not_sent(desk: Desk, boss: Desk) -> None:
    """No `[fees] sms_command`: the desk sends nothing; the step says so (no result)."""
    add_rooms(desk)
    load(boss)
    assert not desk.db.settings.fees.sms_command
    with desk.write() as ctx:
        step = fees.remind(
            ctx,
            StepIn(room="3-1202", channel="sms", by="王芳", said="请缴费", phone="13812345678"),
        )
    assert step.sms_result == ""


def test_one_receipt_does_not_pay_two_services(db: Database, desk: Desk) -> None:
    """The resident's receipt SJ-0101 pays one booking: the same number typed for a second
    booking is refused (a receipt is one payment), and the refusal names the field."""
    add_owner(desk)
    ids = []
    for _ in range(2):
        booking_id = book_service(desk)
        with desk.write() as ctx:
            paid_service.send(ctx, booking_id, "王主管")
        ids.append(booking_id)
    desk.now = paid_service_due(desk, ids[-1]) + timedelta(minutes=20)
    for booking_id in ids:
        with desk.write() as ctx:
            paid_service.done(ctx, booking_id, DoneIn(worker="刘阿姨"))
            paid_service.accept(ctx, booking_id, "李明")
    price = paid_service_price(desk, ids[0])
    with desk.write() as ctx:
        paid_service.pay(ctx, ids[0], price, "SJ-0101")
    with pytest.raises(DeskError) as refused, desk.write() as ctx:
        paid_service.pay(ctx, ids[1], price, " SJ-0101 ")
    assert refused.value.field == "receipt"
    with pytest.raises(DeskError), desk.write() as ctx:  # paid twice
        paid_service.pay(ctx, ids[0], price, "SJ-0102")
    with desk.write() as ctx:
        paid_service.pay(ctx, ids[1], price, "SJ-0102")
    assert verify_audit(db).ok


def paid_service_due(desk: Desk, booking_id: int) -> datetime:
    with desk.read() as ctx:
        return paid_service.get(ctx, booking_id).due_at


def paid_service_price(desk: Desk, booking_id: int) -> int:
    with desk.read() as ctx:
        return paid_service.get(ctx, booking_id).price_fen


def test_a_move_in_without_its_fee_receipt_or_before_completion_custody(
    db: Database, desk: Desk
) -> None:
    """The papers recorded without the fee's receipt (a zero typed over the site's fee changes
    nothing); completion refused while the receipt is missing and the problem open; 托管 only
    after completion."""
    add_move_in_room(desk)
    case_id = book(desk, fee_fen=360000)
    with desk.write() as ctx:
        move_in.check_documents(
            ctx, case_id, {"doc_id": True, "doc_notice": True, "doc_contract": True}
        )
        move_in.papers(ctx, case_id, SIGNED.model_copy(update={"fee_fen": 0, "fee_receipt": ""}))
        move_in.meters(ctx, case_id, HANDOVER)
        move_in.inspect(ctx, case_id, "刘师傅")
    problem = one_problem(desk, case_id)
    custody = CustodyIn(water=13, electricity=231, read_by="刘师傅", agreement="TG-1", keys=2)
    with pytest.raises(DeskError), desk.write() as ctx:
        move_in.start_custody(ctx, case_id, custody)
    with pytest.raises(DeskError) as refused, desk.write() as ctx:
        move_in.complete(ctx, case_id)
    fields = {e.field for e in getattr(refused.value, "errors", [refused.value])}
    assert {"problems", "fee_receipt"} <= fields
    rectify(desk, problem)
    accept(desk, case_id, problem)
    with pytest.raises(DeskError), desk.write() as ctx:
        move_in.complete(ctx, case_id)
    with desk.write() as ctx:
        move_in.papers(ctx, case_id, PapersIn(fee_receipt="SJ-2026-0101"))
        move_in.complete(ctx, case_id)
        move_in.start_custody(ctx, case_id, custody)
    assert verify_audit(db).ok


def test_an_estates_exports_hold_its_own_rows_only(
    db: Database, desk: Desk, boss: Desk, clerk: Operator, supervisor: Operator
) -> None:
    """Estate HG's balances, bookings and move-ins are not in the default estate's export."""
    _two_estates(boss)
    hg = _open(db, "HG")
    try:
        hg_desk, hg_boss = Desk(hg, clerk), Desk(hg, supervisor)
        add_rooms(hg_desk)
        load(hg_boss)
        hg_desk.now = NOW
        book_service(hg_desk)
        other = book(hg_desk)
        to_inspected(hg_desk, other)
        with desk.read() as ctx:
            for register in ("fees", "services", "move_ins"):
                assert export.records(ctx, register) == [], register
        with hg_desk.read() as ctx:
            for register in ("fees", "services", "move_ins"):
                assert export.records(ctx, register), register
        # a fee page opened on HG's balance by its id (the board's and the lookup's way in)
        hg_balance = balance_id(hg_desk, "3-1202")
        with hg_desk.read() as ctx:
            assert fees.room_of(ctx, hg_balance) == "3-1202"
        with pytest.raises(NotFound), desk.read() as ctx:
            fees.room_of(ctx, hg_balance)
    finally:
        hg.dispose()
    assert verify_audit(db).ok


def test_ending_custody_does_not_clear_a_reading_over_its_limit(db: Database, desk: Desk) -> None:
    """A patrol reads water 6 units over the start (limit 5); the clerk ends 托管 at once
    without telling the owner: the reading stays owed on the board, and telling the owner
    cannot be dated before the reading."""
    from desk.services.move_in import CustodyPatrolIn, MetersIn

    add_move_in_room(desk)
    case_id = book(desk)
    to_inspected(desk, case_id)
    start = CustodyIn(agreement="TG-1", keys=1, water=20, electricity=300, read_by="周海")
    with desk.write() as ctx:
        move_in.complete(ctx, case_id)
        move_in.start_custody(ctx, case_id, start)
    desk.now = NOW + timedelta(days=1)
    with desk.write() as ctx:
        _, high = move_in.custody_patrol(
            ctx, case_id, CustodyPatrolIn(water=26, electricity=301, read_by="周海")
        )
        move_in.end_custody(ctx, case_id, MetersIn(water=26, electricity=301, read_by="周海"))
    assert high.over_limit
    with desk.read() as ctx:
        assert high.id in [r.id for _, r in move_in.over_limit(ctx)]
        assert "over_limit" in [i.due_kind for i in move_in.open_items(ctx)]
    with pytest.raises(DeskError), desk.write() as ctx:
        move_in.tell_owner(ctx, case_id, high.id or 0, "周海", at=NOW)
    with desk.read() as ctx:  # the last reading is over the limit too: both are told
        untold = [r.id or 0 for _, r in move_in.over_limit(ctx)]
    assert len(untold) == 2
    with desk.write() as ctx:
        for reading_id in untold:
            move_in.tell_owner(ctx, case_id, reading_id, "周海")
    with desk.read() as ctx:
        assert move_in.over_limit(ctx) == [] and move_in.open_items(ctx) == []
    assert verify_audit(db).ok


def test_a_re_import_keeps_the_payments_taken_on_a_balance_it_replaces(
    db: Database, desk: Desk, boss: Desk
) -> None:
    """A payment on the management fee, then finance's next file with a new amount: the old
    balance is superseded, the payment stays in the room's history, and its receipt stays
    used."""
    add_rooms(desk)
    load(boss)
    management = balance_id(desk, "3-1202")
    _pay(desk, management, "R-77", fen=20000)
    load(boss, "room,kind,from,to,amount_fen\n3-1202,management,2026-05,2026-11,120000\n")
    with desk.read() as ctx:
        [payment] = fees.payments_of(ctx, "3-1202")
        assert (payment.receipt, payment.amount_fen, payment.balance_id) == (
            "R-77",
            20000,
            management,
        )
    with pytest.raises(DeskError) as refused:
        _pay(desk, balance_id(desk, "3-1202"), "R-77")
    assert refused.value.key == "fees_error.receipt_used"
    assert verify_audit(db).ok


def test_finance_not_yet_caught_up_never_charges_a_payment_twice(desk: Desk, boss: Desk) -> None:
    """Finance's next file still shows what it showed (its books have not seen the payments
    taken here): the room owes what is left, not the whole again; a balance paid off here and
    listed again as it was stays paid. A new figure from finance is its word."""
    add_rooms(desk)
    load(boss)
    water = balance_id(desk, "3-1202", "water")
    management = balance_id(desk, "3-1202")
    with desk.write() as ctx:
        for balance, fen, receipt in ((water, 8650, "CW-1"), (management, 20000, "CW-2")):
            pay = PaymentIn(
                balance_id=balance, amount_fen=fen, receipt=receipt, payer="李明", confirmed=True
            )
            fees.pay(ctx, pay)
    again = load(boss)  # the same file, a day later
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    with desk.read() as ctx:
        owed = {b.kind: b.amount_fen - b.paid_fen for b in fees.debt(ctx, "3-1202").balances}
    assert owed == {"management": 100000}  # 1,200.00 less the 200.00 paid; water paid off
    caught_up = load(boss, FILE.replace("120000", "100000"))  # finance has booked the 200.00
    assert caught_up.unchanged == 3
    changed = load(boss, FILE.replace("120000", "90000"))  # finance's own new figure
    assert changed.updated == 1
    with desk.read() as ctx:
        owed = {b.kind: b.amount_fen - b.paid_fen for b in fees.debt(ctx, "3-1202").balances}
    assert owed == {"management": 90000}
