"""Paid convenience services (便民服务 / 有偿服务, 000 五; 004 增值服务回访) at fixed clocks: the
booking agreed, sent to the department head, done on time or late, accepted or redone round after
round, paid against the agreed price with a receipt, called back on the shared queue, closed;
cancelled before the work; and the attacks on each rule."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from desk.db import Database
from desk.models import Operator, RoundResult, ServiceState
from desk.services import audit, callbacks, paid_service
from desk.services.callback_step import CallbackResult
from desk.services.errors import DeskError, FieldErrors, NotFound
from desk.services.paid_service import AgreementIn, BookingIn, DoneIn
from tests.conftest import NOW, TZ, Desk
from tests.test_estates_service import _open, _two_estates

S = ServiceState
TOMORROW_10 = datetime(2026, 11, 24, 10, 0, tzinfo=TZ)


def add_owner(desk: Desk) -> None:
    from desk.services import residents

    with desk.write() as ctx:
        residents.add_resident(ctx, "3", "1202", "李明", "13812345678", "owner")


@pytest.fixture
def site(desk: Desk) -> Desk:
    add_owner(desk)
    return desk


def booking(**changes: object) -> BookingIn:
    data: dict[str, object] = {
        "room": "3-1202",
        "resident": "李明",
        "phone": "13812345678",
        "service": "carpet_wash",
        "quantity": "12.5",
        "agreed_for": TOMORROW_10,
        "expected_result": "地毯无污渍，当天晾干",
    }
    return BookingIn(**{**data, **changes})


def book(desk: Desk, **changes: object) -> int:
    """A booking for tomorrow 10:00 (a day after the clock, once the clock is past that)."""
    when = TOMORROW_10 if desk.now < TOMORROW_10 else desk.now + timedelta(days=1)
    with desk.write() as ctx:
        found = paid_service.book(ctx, booking(**{"agreed_for": when, **changes}))
    assert found.id is not None
    return found.id


def stored(desk: Desk, booking_id: int):  # type: ignore[no-untyped-def]
    with desk.read() as ctx:
        return paid_service.get(ctx, booking_id)


def refused(desk: Desk, call: object) -> DeskError:
    with pytest.raises(DeskError) as err, desk.write() as ctx:
        call(ctx)  # type: ignore[operator]
    return err.value


def fields_of(error: DeskError) -> set[str | None]:
    errors = error.errors if isinstance(error, FieldErrors) else [error]
    return {each.field for each in errors}


def reach(desk: Desk, state: ServiceState) -> int:
    """A new booking taken through the steps to `state`, the clock moved as a real one would."""
    booking_id = book(desk)
    steps = [
        (S.sent, lambda c: paid_service.send(c, booking_id, "王主管")),
        (S.done, lambda c: paid_service.done(c, booking_id, DoneIn(worker="刘阿姨"))),
        (S.accepted, lambda c: paid_service.accept(c, booking_id, "李明")),
        (S.paid, lambda c: paid_service.pay(c, booking_id, 10000, f"SJ-{100 + booking_id:04d}")),
        (
            S.called_back,
            lambda c: paid_service.call_back(c, booking_id, CallbackResult(satisfied=True)),
        ),
        (S.closed, lambda c: paid_service.close(c, booking_id)),
    ]
    for target, step in steps:
        if state == S.agreed:
            break
        if target == S.done:
            desk.now = stored(desk, booking_id).due_at + timedelta(minutes=20)
        with desk.write() as ctx:
            step(ctx)
        if target == state:
            break
    assert stored(desk, booking_id).state == state
    return booking_id


def test_a_booking_agrees_the_details_at_the_lists_price(site: Desk) -> None:
    booking_id = book(site)
    found = stored(site, booking_id)
    assert found.number == "FW-20261123-001" and found.state == S.agreed
    # 地毯清洗 8.00 元/平方米 × 12.5 = 100.00 元 (data/site.toml)
    assert (found.service_name, found.unit, found.price_fen) == ("地毯清洗", "平方米", 10000)
    assert found.department == "housekeeping" and found.due_at == TOMORROW_10
    assert found.send_due_at == NOW + timedelta(hours=2)  # send_within = "2h"
    # a price agreed other than the list's is kept, and the list's is in the audit
    other = book(site, price_fen=9000)
    assert stored(site, other).price_fen == 9000
    with site.read() as ctx:
        events = audit.history(ctx, paid_service.REGISTER, other)
    assert events[0].action == "booked" and json.loads(events[0].data)["list_price_fen"] == 10000
    with site.read() as ctx:
        assert paid_service.find(ctx, "fw20261123001").id == booking_id  # type: ignore[union-attr]
        assert paid_service.allowed_actions(stored(site, booking_id)) == {
            "reagree",
            "send",
            "cancel",
        }


def test_every_field_of_a_booking_is_refused_at_once(site: Desk) -> None:
    bad = booking(
        room="9-9999",
        resident="",
        phone="",
        service="massage",
        quantity="1.234",
        agreed_for=NOW - timedelta(hours=1),
        expected_result="",
        price_fen=-1,
    )
    error = refused(site, lambda c: paid_service.book(c, bad))
    assert fields_of(error) == {
        "room",
        "resident",
        "phone",
        "service",
        "quantity",
        "price",
        "agreed_for",
        "expected_result",
    }
    for typed in ("0", "-2", "abc", "NaN", "1e9"):
        error = refused(site, lambda c, q=typed: paid_service.book(c, booking(quantity=q)))
        assert error.field == "quantity", typed
    assert refused(site, lambda c: paid_service.book(c, booking(agreed_for=None))).field == (
        "agreed_for"
    )


def test_the_whole_way_on_time_and_accepted_first_time(site: Desk) -> None:
    booking_id = reach(site, S.accepted)
    found = stored(site, booking_id)
    assert found.head == "王主管" and found.rounds == 1 and not found.late
    assert found.accepted_by == "李明"
    with site.read() as ctx:
        (only,) = paid_service.rounds_of(ctx, booking_id)
    assert only.result == RoundResult.accepted and only.due_at == TOMORROW_10
    with site.write() as ctx:
        paid_service.pay(ctx, booking_id, 10000, "SJ-0101")
    found = stored(site, booking_id)
    assert found.state == S.paid and found.receipt == "SJ-0101" and found.paid_fen == 10000
    # callback_within = "2wd": Tuesday 10:20 → Thursday 10:20
    assert found.callback_due_at == datetime(2026, 11, 26, 10, 20, tzinfo=TZ)
    # on the shared callback queue, and recorded through it
    with site.read() as ctx:
        items = [i for i in callbacks.queue(ctx) if i.register == "services"]
    assert [(i.number, i.summary) for i in items] == [(found.number, "地毯清洗")]
    with site.write() as ctx:
        callbacks.record(ctx, "services", booking_id, CallbackResult(satisfied=True, note="很好"))
    found = stored(site, booking_id)
    assert found.state == S.called_back and found.satisfied and found.callback_note == "很好"
    with site.write() as ctx:
        paid_service.close(ctx, booking_id)
    found = stored(site, booking_id)
    assert found.state == S.closed and found.closed_at is not None
    with site.read() as ctx:
        actions = [e.action for e in audit.history(ctx, paid_service.REGISTER, booking_id)]
        assert not [i for i in callbacks.queue(ctx) if i.register == "services"]
    assert actions == ["booked", "sent", "done", "accepted", "paid", "called_back", "closed"]


def test_late_work_and_redo_round_after_round(site: Desk) -> None:
    booking_id = reach(site, S.sent)
    # 30 minutes' grace (late_after): 10:30 is on time, 10:31 is late
    site.now = TOMORROW_10 + timedelta(minutes=40)
    with site.read() as ctx:
        assert [b.id for b in paid_service.late(ctx)] == [booking_id]
        assert paid_service.is_late(ctx, stored(site, booking_id))
    with site.write() as ctx:
        paid_service.done(ctx, booking_id, DoneIn(worker="刘阿姨"))
    assert stored(site, booking_id).late
    redo_at = TOMORROW_10 + timedelta(days=1)
    with site.write() as ctx:
        paid_service.redo(ctx, booking_id, "边角没洗干净", redo_at)
    found = stored(site, booking_id)
    assert found.state == S.redo and found.due_at == redo_at
    site.now = redo_at + timedelta(minutes=20)
    with site.write() as ctx:
        paid_service.done(ctx, booking_id, DoneIn(worker="张师傅"))
    with site.write() as ctx:
        paid_service.accept(ctx, booking_id, "李明")
    found = stored(site, booking_id)
    assert found.state == S.accepted and found.rounds == 2 and found.late  # the first round's
    with site.read() as ctx:
        first, second = paid_service.rounds_of(ctx, booking_id)
    assert (first.late, first.result, first.result_note) == (True, RoundResult.redo, "边角没洗干净")
    assert (second.late, second.result, second.due_at) == (False, RoundResult.accepted, redo_at)
    # a redo needs its reason and a time not past
    other = reach(site, S.done)
    error = refused(site, lambda c: paid_service.redo(c, other, "", site.now - timedelta(hours=1)))
    assert fields_of(error) == {"reason", "redo_for"}


def test_a_new_agreement_changes_the_price_and_sends_it_again(site: Desk) -> None:
    booking_id = reach(site, S.sent)
    new_time = TOMORROW_10 + timedelta(days=2)
    change = AgreementIn(
        quantity="15",
        price_fen=12000,
        agreed_for=new_time,
        expected_result="同上",
        agreed_with="李明",
    )
    with site.write() as ctx:
        paid_service.reagree(ctx, booking_id, change)
    found = stored(site, booking_id)
    assert (found.state, found.agreement, found.price_fen, found.due_at) == (
        S.agreed,
        2,
        12000,
        new_time,
    )
    assert found.head == "" and found.quantity == "15"
    # the resident's consent is needed
    error = refused(
        site,
        lambda c: paid_service.reagree(
            c, booking_id, change.model_copy(update={"agreed_with": ""})
        ),
    )
    assert error.field == "agreed_with"


def test_a_booking_is_cancelled_with_a_reason_before_the_work_only(site: Desk) -> None:
    booking_id = book(site)
    assert refused(site, lambda c: paid_service.cancel(c, booking_id, " ")).field == "reason"
    with site.write() as ctx:
        paid_service.cancel(ctx, booking_id, "业主改期另约")
    found = stored(site, booking_id)
    assert found.state == S.cancelled and found.cancel_reason == "业主改期另约"
    done = reach(site, S.done)
    assert refused(site, lambda c: paid_service.cancel(c, done, "不要了")).key == (
        "services_error.cannot_cancel"
    )


def test_a_callback_not_reached_stays_on_the_queue_with_its_retry(site: Desk) -> None:
    booking_id = reach(site, S.paid)
    retry = site.now + timedelta(hours=3)
    with site.write() as ctx:
        callbacks.record(ctx, "services", booking_id, CallbackResult(reached=False, retry_at=retry))
    found = stored(site, booking_id)
    assert found.state == S.paid and found.callback_due_at == retry
    with site.read() as ctx:
        (item,) = [i for i in callbacks.queue(ctx) if i.register == "services"]
    assert item.attempts == 1
    # dissatisfied: their words are wanted; then it is called back all the same
    no_words = CallbackResult(satisfied=False)
    assert refused(site, lambda c: paid_service.call_back(c, booking_id, no_words)).field == "note"
    with site.write() as ctx:
        paid_service.call_back(ctx, booking_id, CallbackResult(satisfied=False, note="太慢"))
    assert stored(site, booking_id).satisfied is False


# --- attacks ---------------------------------------------------------------------------------


def test_attack_paying_before_acceptance_or_another_price(site: Desk) -> None:
    booking_id = reach(site, S.done)
    error = refused(site, lambda c: paid_service.pay(c, booking_id, 10000, "SJ-1"))
    assert error.key == "services_error.cannot_pay"
    with site.write() as ctx:
        paid_service.accept(ctx, booking_id, "李明")
    # the price changed at the till, without a new agreement: refused, nothing saved
    error = refused(site, lambda c: paid_service.pay(c, booking_id, 15000, "SJ-1"))
    assert error.key == "services_error.not_agreed_price" and error.field == "amount"
    assert fields_of(refused(site, lambda c: paid_service.pay(c, booking_id, 10000, ""))) == {
        "receipt"
    }
    # nor may a new agreement be slipped in after the work is done
    late_change = AgreementIn(
        quantity="12.5", price_fen=15000, agreed_for=site.now + timedelta(days=1),
        expected_result="x", agreed_with="李明",
    )  # fmt: skip
    error = refused(site, lambda c: paid_service.reagree(c, booking_id, late_change))
    assert error.key == "services_error.cannot_reagree"
    assert stored(site, booking_id).state == S.accepted


def test_attack_callback_before_payment_and_closing_without_it(site: Desk) -> None:
    booking_id = reach(site, S.accepted)
    error = refused(
        site, lambda c: paid_service.call_back(c, booking_id, CallbackResult(satisfied=True))
    )
    assert error.key == "services_error.cannot_call_back"
    assert refused(site, lambda c: paid_service.close(c, booking_id)).key == (
        "services_error.cannot_close"
    )
    with site.write() as ctx:
        paid_service.pay(ctx, booking_id, 10000, "SJ-2")
    # paid but not called back: not closed
    assert refused(site, lambda c: paid_service.close(c, booking_id)).key == (
        "services_error.cannot_close"
    )
    # a callback that did not get through does not let it close either
    with site.write() as ctx:
        paid_service.call_back(
            ctx, booking_id, CallbackResult(reached=False, retry_at=site.now + timedelta(hours=1))
        )
    assert refused(site, lambda c: paid_service.close(c, booking_id)).key == (
        "services_error.cannot_close"
    )
    # skipping steps: done before it is sent, accepted before done
    fresh = book(site)
    assert refused(site, lambda c: paid_service.done(c, fresh, DoneIn(worker="x"))).key == (
        "services_error.cannot_done"
    )
    assert refused(site, lambda c: paid_service.accept(c, fresh, "李明")).key == (
        "services_error.cannot_accept"
    )
    # a done time in the future is refused
    sent = reach(site, S.sent)
    future = DoneIn(worker="刘阿姨", done_at=site.now + timedelta(hours=1))
    assert refused(site, lambda c: paid_service.done(c, sent, future)).field == "done_at"


def test_attack_another_estates_booking_is_out_of_reach(
    db: Database, boss: Desk, clerk: Operator
) -> None:
    _two_estates(boss)
    hg = _open(db, "HG")
    try:
        hg_desk = Desk(hg, clerk)
        add_owner(hg_desk)
        theirs = reach(hg_desk, S.accepted)
        with hg_desk.read() as ctx:
            number = paid_service.get(ctx, theirs).number
        assert number.startswith("HG-FW-")
        main = Desk(db, clerk)
        with main.read() as ctx:
            assert paid_service.find(ctx, number) is None
            with pytest.raises(NotFound):
                paid_service.get(ctx, theirs)
            assert not [i for i in callbacks.queue(ctx) if i.register == "services"]
        with pytest.raises(NotFound), main.write() as ctx:
            paid_service.pay(ctx, theirs, 10000, "SJ-X")
        with hg_desk.read() as ctx:
            assert paid_service.get(ctx, theirs).state == S.accepted
    finally:
        hg.dispose()


def test_the_board_and_the_handover_list_what_is_owed(site: Desk) -> None:
    from desk.services import board, summary

    to_send = book(site)
    sent = reach(site, S.sent)  # the clock now past its agreed time: due today, and late
    site.now = TOMORROW_10 + timedelta(minutes=40)
    later = book(site)  # agreed for a later day: sent, it leaves the board until that day
    with site.write() as ctx:
        paid_service.send(ctx, later, "王主管")
    with site.read() as ctx:
        items = {i.record_id: i for i in board.open_items(ctx) if i.register == "services"}
        sections = summary.open_sections(ctx)
    assert set(items) == {to_send, sent}
    assert items[to_send].due_kind == "service_send" and items[to_send].overdue(site.now)
    assert items[sent].due_kind == "service_work"
    assert items[sent].due_at == TOMORROW_10 + timedelta(minutes=30)  # late_after = "30m"
    assert items[sent].overdue(site.now)
    assert {i.number for i in sections["services"]} == {items[to_send].number, items[sent].number}


def test_the_months_figures(site: Desk) -> None:
    from desk.services import stats
    from desk.services.stats_period import days

    first = reach(site, S.paid)  # on time, accepted first time, 100.00 paid
    with site.write() as ctx:
        paid_service.call_back(ctx, first, CallbackResult(satisfied=True))
    second = reach(site, S.done)
    site.now = site.now + timedelta(minutes=5)
    with site.write() as ctx:
        paid_service.redo(ctx, second, "没擦干净", site.now + timedelta(hours=1))
    site.now = site.now + timedelta(hours=3)  # the redo done late
    with site.write() as ctx:
        paid_service.done(ctx, second, DoneIn(worker="张师傅"))
        paid_service.accept(ctx, second, "李明")
        paid_service.pay(ctx, second, 10000, "SJ-0102")
    cancelled = book(site)
    with site.write() as ctx:
        paid_service.cancel(ctx, cancelled, "不要了")
    with site.read() as ctx:
        figures = stats.monthly(ctx, days(NOW.date(), NOW.date() + timedelta(days=9), TZ)).services
    assert (figures.bookings, figures.cancelled, figures.paid) == (3, 1, 2)
    assert figures.revenue_fen == 20000
    assert (figures.on_time.done, figures.on_time.total) == (2, 2)  # first rounds only
    assert (figures.accepted_first.done, figures.accepted_first.total) == (1, 2)
    assert (figures.called_back.done, figures.called_back.total, figures.satisfied) == (1, 2, 1)


def test_lookup_and_the_rooms_history_find_a_booking(site: Desk) -> None:
    from desk.services import lookup, room_history

    booking_id = reach(site, S.accepted)
    number = stored(site, booking_id).number
    with site.read() as ctx:
        by_number = lookup.search(ctx, number)
        by_room = lookup.search(ctx, "3-1202")
        by_words = lookup.search(ctx, "地毯清洗")
        history = room_history.history(ctx, "3-1202")
    for found in (by_number, by_room, by_words):
        hits = [(h.register, h.record_id) for g in found.groups for h in g.hits]
        assert ("services", booking_id) in hits
    assert ("services", booking_id) in [(e.register, e.record_id) for e in history.timeline]
