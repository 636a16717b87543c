"""Ways an insider or a careless clerk would try to get round the resident cards' rules: each
test is one way in, shut."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from desk.db import Database
from desk.models import AuditEvent, CardState, Operator
from desk.services import audit, cards, residents
from desk.services.errors import DeskError
from tests.card_support import add_residents, application, apply, issued, stored, tenant_card
from tests.conftest import NOW, TZ, Desk
from tests.test_estates_service import _open, _two_estates


@pytest.fixture
def site(desk: Desk) -> Desk:
    add_residents(desk)
    return desk


def refused(desk: Desk, call: object) -> DeskError:
    with pytest.raises(DeskError) as err, desk.write() as ctx:
        call(ctx)  # type: ignore[operator]
    return err.value


def no_cards(desk: Desk) -> None:
    with desk.read() as ctx:
        assert cards.listing(ctx, cards.CardFilter.all) == []


def test_a_tenant_applying_for_himself_is_refused(site: Desk) -> None:
    """赵租 comes to the desk for his own card: only the owner applies (his card is the owner's
    application), whatever kind of card he asks for."""
    for data in (
        tenant_card(applicant="赵租"),
        application(applicant="赵租", holder="赵租", holder_relation="family"),
    ):
        error = refused(site, lambda ctx, data=data: cards.apply(ctx, data))
        assert (error.field, error.key) == ("applicant", "card_error.applicant_not_owner")
    no_cards(site)


def test_a_tenant_cannot_pass_himself_off_as_an_owner_for_a_card_with_no_expiry(
    site: Desk,
) -> None:
    error = refused(site, lambda ctx: cards.apply(ctx, application(holder="赵租")))
    assert error.key == "card_error.owner_card_for_owner"
    no_cards(site)


def test_a_card_for_someone_not_living_in_the_room_is_refused(site: Desk) -> None:
    """The owner of 3-1202 asks a card for 孙丽 of 5-0801 (or anyone not on file)."""
    for holder in ("孙丽", "陌生人"):
        error = refused(
            site,
            lambda ctx, h=holder: cards.apply(ctx, application(holder=h, holder_relation="family")),
        )
        assert error.key == "card_error.holder_not_resident"
    no_cards(site)


def test_a_resident_moved_out_gets_no_card(site: Desk) -> None:
    with site.write() as ctx:
        (tenant,) = [r for r in residents.residents_of(ctx, _unit_id(ctx)) if r.name == "赵租"]
        tenant.active = False
        ctx.session.add(tenant)
        audit.record(ctx, "residents", tenant.id, "moved_out", {"active": False})
    error = refused(site, lambda ctx: cards.apply(ctx, tenant_card()))
    assert error.key == "card_error.holder_not_resident"


def _unit_id(ctx: object) -> int:
    unit = residents.find_unit(ctx, "3-1202")  # type: ignore[arg-type]
    assert unit is not None and unit.id is not None
    return unit.id


def test_a_lost_card_at_the_gate_is_refused_loudly_and_its_use_recorded(site: Desk) -> None:
    card_id = issued(site, tenant_card())
    with site.write() as ctx:
        cards.report_lost(ctx, card_id, "李明", "phone")
    gate = Desk(site.db, None, NOW + timedelta(hours=3))
    with gate.write() as ctx:
        check = cards.gate_check(ctx, "KA-20261123-001", "老周")
    assert not check.valid and check.refusal is not None
    assert check.refusal.key == "card_error.gate_lost"
    assert "REPORTED LOST" in check.refusal.message and "李明" in check.refusal.message
    card = stored(site, card_id)
    assert card.state == CardState.lost and card.gate_checks == 1
    with site.read() as ctx:
        event = audit.history(ctx, cards.REGISTER, card_id)[-1]
    assert event.action == "gate_checked"
    assert audit.event_data(event)["refused"] == "gate_lost"


def test_the_lost_card_stays_refused_once_replaced_and_the_new_one_passes(site: Desk) -> None:
    card_id = issued(site)
    with site.write() as ctx:
        cards.report_lost(ctx, card_id, "李明", "visit")
        new = cards.replace(ctx, card_id, "SJ-7", "李明")
    gate = Desk(site.db, None, NOW + timedelta(hours=3))
    with gate.write() as ctx:
        old = cards.gate_check(ctx, "KA-20261123-001", "老周")
        fresh = cards.gate_check(ctx, new.number, "老周")
    assert old.refusal is not None and old.refusal.key == "card_error.gate_replaced"
    assert new.number in old.refusal.message
    assert fresh.valid


@pytest.mark.parametrize("end", ["cancel", "take_back"])
def test_a_cancelled_or_returned_card_is_refused_at_the_gate(site: Desk, end: str) -> None:
    card_id = issued(site)
    with site.write() as ctx:
        if end == "cancel":
            cards.cancel(ctx, card_id, "业主要求注销")
        else:
            cards.take_back(ctx, card_id, "李明")
    with Desk(site.db, None).write() as ctx:
        check = cards.gate_check(ctx, "KA-20261123-001", "老周")
    expected = {"cancel": "card_error.gate_cancelled", "take_back": "card_error.gate_returned"}
    assert check.refusal is not None and check.refusal.key == expected[end]


def test_a_card_of_another_estate_at_the_gate_is_refused(
    db: Database, boss: Desk, clerk: Operator
) -> None:
    """A card made in estate HG (HG-KA-…) shown at the main estate's gate: refused, saying
    whose it is, and nothing is written on it; typed without its estate's code it is not found
    here at all."""
    _two_estates(boss)
    hg = _open(db, "HG")
    try:
        hg_desk = Desk(hg, clerk)
        add_residents(hg_desk)
        card_id = issued(hg_desk)
        number = stored(hg_desk, card_id).number
        assert number == "HG-KA-20261123-001"
        with Desk(db, None).write() as ctx:
            other = cards.gate_check(ctx, number, "老周")
            bare = cards.gate_check(ctx, "KA-20261123-001", "老周")
        assert other.card is None and other.refusal is not None
        assert other.refusal.key == "card_error.gate_other_estate"
        assert bare.card is None and bare.refusal is not None
        assert bare.refusal.key == "card_error.gate_unknown"
        card = stored(hg_desk, card_id)
        assert card.gate_checks == 0
        with Desk(hg, None).write() as ctx:
            assert cards.gate_check(ctx, number.lower(), "老王").valid
    finally:
        hg.dispose()


def test_renewing_an_owner_card_is_refused(site: Desk) -> None:
    """An owner card has no expiry: nothing to renew (or to mark expired), even by a call to
    the service no screen offers."""
    card_id = issued(site)
    for step in (cards.renew, cards.mark_expired):
        error = refused(site, lambda ctx, step=step: step(ctx, card_id))
        assert error.key == "card_error.owner_no_expiry"
    card = stored(site, card_id)
    assert card.renewals == 0 and card.valid_until is None and card.state == CardState.issued
    with site.read() as ctx:
        offered = cards.allowed_actions(ctx, cards.get(ctx, card_id))
    assert "renew" not in offered and "expire" not in offered


def test_a_cancelled_card_is_never_revived(site: Desk) -> None:
    """No step leads out of cancelled: not made ready, issued, renewed, reported lost (to be
    replaced for a fee), handed back, or cancelled again."""
    card_id = issued(site, tenant_card())
    with site.write() as ctx:
        cards.cancel(ctx, card_id, "租约结束")
    for call in (
        lambda ctx: cards.make_ready(ctx, card_id, photos_given=True),
        lambda ctx: cards.issue(ctx, card_id, "赵租"),
        lambda ctx: cards.renew(ctx, card_id),
        lambda ctx: cards.report_lost(ctx, card_id, "赵租", "phone"),
        lambda ctx: cards.replace(ctx, card_id, "SJ-1", "赵租"),
        lambda ctx: cards.mark_expired(ctx, card_id),
        lambda ctx: cards.take_back(ctx, card_id, "赵租"),
        lambda ctx: cards.cancel(ctx, card_id, "again"),
    ):
        error = refused(site, call)
        assert error.key.startswith("card_error.cannot"), error.key
    later = Desk(site.db, site.operator, NOW + timedelta(days=1))
    with later.write() as ctx:
        assert cards.cancel_for_sale(ctx, "3-1202", "出售") == []
    card = stored(site, card_id)
    assert card.state == CardState.cancelled and card.cancel_reason == "租约结束"
    with Desk(site.db, None).write() as ctx:
        assert not cards.gate_check(ctx, card.number, "老周").valid


def test_a_replaced_card_is_not_replaced_twice_for_one_fee(site: Desk) -> None:
    card_id = issued(site)
    with site.write() as ctx:
        cards.report_lost(ctx, card_id, "李明", "phone")
        cards.replace(ctx, card_id, "SJ-1", "李明")
    error = refused(site, lambda ctx: cards.replace(ctx, card_id, "SJ-2", "李明"))
    assert error.key == "card_error.cannot_replace"


def test_a_lost_card_is_not_dodged_by_applying_again_without_the_fee(site: Desk) -> None:
    card_id = issued(site)
    with site.write() as ctx:
        cards.report_lost(ctx, card_id, "李明", "phone")
    error = refused(site, lambda ctx: cards.apply(ctx, application()))
    assert error.key == "card_error.holder_has_card"


@pytest.mark.parametrize("typed", ["310101199001011234", "11010519491231002X", "12345"])
def test_the_full_id_number_is_never_stored(site: Desk, typed: str) -> None:
    """A clerk types the whole ID number: refused, and it is nowhere — not in the cards, the
    audit trail, the lookup index nor the error shown."""
    error = refused(site, lambda ctx: cards.apply(ctx, application(id_last4=typed)))
    assert (error.field, error.key) == ("id_last4", "pass_error.id_too_long")
    assert typed not in error.message
    card = stored(site, apply(site, application(id_last4=typed[-4:])))
    assert card.id_last4 == typed[-4:].upper()
    with site.read() as ctx:
        conn = ctx.session.connection()
        for table in ("resident_card", "audit_event", "search_doc"):
            rows = conn.execute(text(f"SELECT * FROM {table}")).all()
            assert not any(typed in str(value) for row in rows for value in row), table


def test_steps_are_not_skipped(site: Desk) -> None:
    """A card applied for is not handed over before it is made, nor reported lost, replaced or
    renewed before anyone held it."""
    card_id = apply(site, tenant_card())
    for call, key in (
        (lambda ctx: cards.issue(ctx, card_id, "赵租"), "card_error.cannot_issue"),
        (lambda ctx: cards.report_lost(ctx, card_id, "赵租", "phone"), "card_error.cannot_lose"),
        (lambda ctx: cards.replace(ctx, card_id, "SJ-1", "赵租"), "card_error.cannot_replace"),
        (lambda ctx: cards.renew(ctx, card_id), "card_error.cannot_renew"),
    ):
        assert refused(site, call).key == key
    assert stored(site, card_id).state == CardState.applied


def test_no_card_is_written_without_a_signed_in_operator(site: Desk) -> None:
    nobody = Desk(site.db, None)
    error = refused(nobody, lambda ctx: cards.apply(ctx, application()))
    assert error.key == "app.not_signed_in"
    card_id = apply(site)
    error = refused(nobody, lambda ctx: cards.make_ready(ctx, card_id))
    assert error.key == "app.not_signed_in"
    error = refused(nobody, lambda ctx: cards.cancel_for_sale(ctx, "3-1202", "出售"))
    assert error.key == "app.not_signed_in"
    assert stored(site, card_id).state == CardState.applied


def test_a_renewal_does_not_stretch_a_card_past_its_months(site: Desk) -> None:
    """Renewing twice in a row adds twice the months, no more; renewing on its first day does
    not add the days already used."""
    card_id = issued(site, tenant_card())
    with site.write() as ctx:
        card = cards.renew(ctx, card_id)
    assert card.valid_until == date(2027, 5, 23)


def test_a_gate_check_leaves_no_card_changed_behind_the_audit(site: Desk) -> None:
    card_id = issued(site)
    at_gate = datetime(2026, 11, 24, 7, 0, tzinfo=TZ)
    with Desk(site.db, None, at_gate).write() as ctx:
        assert cards.gate_check(ctx, "KA-20261123-001", "").valid
    with site.read() as ctx:
        events = ctx.session.exec(
            select(AuditEvent).where(
                AuditEvent.register_name == "cards", AuditEvent.record_id == card_id
            )
        ).all()
    assert [e.action for e in events] == ["applied", "ready", "issued", "gate_checked"]
