"""Resident cards at fixed clocks: apply, ready, issue, renew, lost, replace, expire, return,
cancel; 3 months from a month-end; a sale cancels the room's cards; the gate's check."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from desk.models import AuditEvent, CardKind, CardState, ResidentCard
from desk.services import audit, board, cards, stats
from desk.services.card_queries import CardFilter
from desk.services.cards import CardStatus
from desk.services.errors import DeskError, FieldErrors
from tests.card_support import (
    add_residents,
    application,
    apply,
    at,
    issued,
    stored,
    tenant_card,
)
from tests.conftest import NOW, TZ, Desk


@pytest.fixture
def site(desk: Desk) -> Desk:
    add_residents(desk)
    return desk


def refused(desk: Desk, call: object) -> DeskError:
    with pytest.raises(DeskError) as err, desk.write() as ctx:
        call(ctx)  # type: ignore[operator]
    return err.value


def actions(desk: Desk, card_id: int) -> list[str]:
    with desk.read() as ctx:
        return [e.action for e in audit.history(ctx, cards.REGISTER, card_id)]


def local(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ)


# --- applying -------------------------------------------------------------------------------


def test_the_owner_applies_in_person_for_his_own_owner_card(site: Desk) -> None:
    card_id = apply(site)
    card = stored(site, card_id)
    assert card.number == "KA-20261123-001"
    assert (card.room, card.kind, card.holder, card.applicant) == (
        "3-1202",
        CardKind.owner,
        "李明",
        "李明",
    )
    assert (card.id_type, card.id_last4, card.photos_given) == ("id_card", "123X", True)
    assert card.owner_signed and card.terms_explained
    assert card.state == CardState.applied and card.pickup_on == date(2026, 11, 23)
    assert card.valid_until is None and card.holder_resident_id != 0
    with site.read() as ctx:
        (event,) = audit.history(ctx, cards.REGISTER, card_id)
    data = audit.event_data(event)
    assert event.action == "applied" and data["holder_relation"] == "owner"
    assert data["pickup_on"] == "2026-11-23"


def test_a_tenants_card_is_a_resident_card_applied_for_by_the_owner(site: Desk) -> None:
    card = stored(site, apply(site, tenant_card(pickup_on=date(2026, 11, 25))))
    assert (card.kind, card.holder, card.applicant) == (CardKind.resident, "赵租", "李明")
    assert card.pickup_on == date(2026, 11, 25)
    family = stored(site, apply(site, application(holder="王丽", holder_relation="family")))
    assert family.kind == CardKind.resident and family.number == "KA-20261123-002"


def test_every_refusal_of_an_application_is_said_at_once(site: Desk) -> None:
    data = application(
        room="",
        applicant="",
        holder="",
        id_last4="12",
        terms_explained=False,
        owner_signed=False,
        pickup_on=date(2026, 11, 22),
    )
    with pytest.raises(FieldErrors) as err, site.write() as ctx:
        cards.apply(ctx, data)
    assert [(e.field, e.key) for e in err.value.errors] == [
        ("room", "field.required"),
        ("applicant", "field.required"),
        ("id_last4", "pass_error.id_last4_exactly"),
        ("card_holder", "field.required"),
        ("terms_explained", "card_error.terms_not_explained"),
        ("owner_signed", "card_error.not_signed"),
        ("pickup_on", "card_error.pickup_past"),
    ]
    with site.read() as ctx:
        assert cards.listing(ctx, CardFilter.all) == []


def test_applicant_and_holder_are_read_from_the_rooms_residents(site: Desk) -> None:
    data = application(applicant="王五", holder="李四")
    with pytest.raises(FieldErrors) as err, site.write() as ctx:
        cards.apply(ctx, data)
    assert [(e.field, e.key) for e in err.value.errors] == [
        ("applicant", "card_error.applicant_not_owner"),
        ("card_holder", "card_error.holder_not_resident"),
    ]
    assert "李明" in err.value.errors[0].message and "王丽" in err.value.errors[0].message
    error = refused(site, lambda ctx: cards.apply(ctx, application(room="9-9999")))
    assert (error.field, error.key) == ("room", "card_error.unknown_room")
    # 孙丽 is an owner, but of another room
    error = refused(site, lambda ctx: cards.apply(ctx, application(applicant="孙丽")))
    assert error.key == "card_error.applicant_not_owner"


def test_an_owner_card_is_for_an_owner_and_a_tenant_card_for_a_tenant(site: Desk) -> None:
    error = refused(site, lambda ctx: cards.apply(ctx, application(holder="赵租")))
    assert (error.field, error.key) == ("holder_relation", "card_error.owner_card_for_owner")
    error = refused(
        site, lambda ctx: cards.apply(ctx, application(holder="王丽", holder_relation="tenant"))
    )
    assert error.key == "card_error.not_a_tenant"


def test_a_pick_up_day_is_agreed_within_the_limit(site: Desk) -> None:
    far = NOW.date() + timedelta(days=cards.MAX_PICKUP_DAYS + 1)
    error = refused(site, lambda ctx: cards.apply(ctx, application(pickup_on=far)))
    assert (error.field, error.key) == ("pickup_on", "card_error.pickup_far")


def test_one_card_at_a_time_per_holder(site: Desk) -> None:
    first = issued(site)
    error = refused(site, lambda ctx: cards.apply(ctx, application()))
    assert (error.field, error.key) == ("card_holder", "card_error.holder_has_card")
    assert "KA-20261123-001" in error.message
    with site.write() as ctx:
        cards.take_back(ctx, first, "李明")
    assert stored(site, apply(site)).number == "KA-20261123-002"


# --- ready, issue ---------------------------------------------------------------------------


def test_ready_needs_the_holders_photos(site: Desk) -> None:
    card_id = apply(site, application(photos_given=False))
    error = refused(site, lambda ctx: cards.make_ready(ctx, card_id))
    assert (error.field, error.key) == ("photos_given", "card_error.no_photos")
    with site.write() as ctx:
        card = cards.make_ready(ctx, card_id, photos_given=True)
    assert card.state == CardState.ready and card.photos_given and card.ready_at == NOW
    with site.read() as ctx:
        event = audit.history(ctx, cards.REGISTER, card_id)[-1]
    assert event.action == "ready" and audit.event_data(event)["photos_given_now"] is True


def test_an_owner_card_is_issued_with_no_expiry(site: Desk) -> None:
    card = stored(site, issued(site))
    assert card.state == CardState.issued and card.collected_by == "李明"
    assert card.valid_from == date(2026, 11, 23) and card.valid_until is None
    assert actions(site, card.id or 0) == ["applied", "ready", "issued"]
    far = date(2040, 1, 1)
    assert cards.status_of(card, far) == CardStatus.valid


def test_a_resident_card_is_valid_three_months_from_its_issue(site: Desk) -> None:
    card = stored(site, issued(site, tenant_card(), collected_by="赵租"))
    assert card.valid_from == date(2026, 11, 23) and card.valid_until == date(2027, 2, 23)
    assert cards.status_of(card, date(2027, 2, 23)) == CardStatus.valid
    assert cards.status_of(card, date(2027, 2, 24)) == CardStatus.expired


@pytest.mark.parametrize(
    ("issued_on", "until"),
    [
        (date(2026, 11, 30), date(2027, 2, 28)),
        (date(2027, 11, 30), date(2028, 2, 29)),  # a leap year
        (date(2026, 12, 31), date(2027, 3, 31)),
        (date(2027, 5, 31), date(2027, 8, 31)),
        (date(2027, 8, 31), date(2027, 11, 30)),
    ],
)
def test_three_months_from_a_month_end(site: Desk, issued_on: date, until: date) -> None:
    desk = at(site, local(issued_on))
    card = stored(desk, issued(desk, tenant_card()))
    assert card.valid_until == until


def test_the_months_are_a_site_setting(site: Desk) -> None:
    site.db.settings.cards.resident_months = 6
    try:
        card = stored(site, issued(site, tenant_card()))
    finally:
        site.db.settings.cards.resident_months = 3
    assert card.valid_until == date(2027, 5, 23)


# --- renewal --------------------------------------------------------------------------------


def test_a_renewal_runs_from_the_old_expiry_when_it_is_later(site: Desk) -> None:
    card_id = issued(site, tenant_card())  # valid to 2027-02-23
    early = at(site, local(date(2027, 2, 10)))
    with early.write() as ctx:
        card = cards.renew(ctx, card_id)
    assert card.valid_until == date(2027, 5, 23) and card.renewals == 1
    with early.read() as ctx:
        event = audit.history(ctx, cards.REGISTER, card_id)[-1]
    assert audit.event_data(event) == {"from": "2027-02-23", "to": "2027-05-23", "renewals": 1}


def test_a_renewal_runs_from_today_once_the_card_has_run_out(site: Desk) -> None:
    card_id = issued(site, tenant_card())  # valid to 2027-02-23
    late = at(site, local(date(2027, 3, 31)))
    with late.write() as ctx:
        card = cards.renew(ctx, card_id)
    assert card.valid_until == date(2027, 6, 30) and card.state == CardState.issued
    with late.write() as ctx:
        card = cards.renew(ctx, card_id)  # again the same day: from its new expiry
    assert card.valid_until == date(2027, 9, 30) and card.renewals == 2


def test_an_expired_card_marked_so_is_issued_again_by_its_renewal(site: Desk) -> None:
    card_id = issued(site, tenant_card())
    later = at(site, local(date(2027, 3, 1)))
    with later.write() as ctx:
        assert cards.mark_expired(ctx, card_id).state == CardState.expired
        card = cards.renew(ctx, card_id)
    assert card.state == CardState.issued and card.valid_until == date(2027, 6, 1)


# --- marked expired, handed back, cancelled -------------------------------------------------


def test_a_card_is_marked_expired_only_past_its_last_day(site: Desk) -> None:
    card_id = issued(site, tenant_card())
    last_day = at(site, local(date(2027, 2, 23), hour=23))
    error = refused(last_day, lambda ctx: cards.mark_expired(ctx, card_id))
    assert error.key == "card_error.not_yet_expired"
    with last_day.read() as ctx:
        assert "expire" not in cards.allowed_actions(ctx, cards.get(ctx, card_id))
    after = at(site, local(date(2027, 2, 24), hour=0))
    with after.read() as ctx:
        assert "expire" in cards.allowed_actions(ctx, cards.get(ctx, card_id))
    with after.write() as ctx:
        card = cards.mark_expired(ctx, card_id)
    assert card.state == CardState.expired and card.expired_at == after.now
    assert cards.status_of(card, date(2027, 2, 24)) == CardStatus.expired


def test_a_card_is_handed_back(site: Desk) -> None:
    card_id = issued(site, tenant_card())
    with site.write() as ctx:
        card = cards.take_back(ctx, card_id, "赵租")
    assert (card.state, card.returned_by, card.returned_at) == (CardState.returned, "赵租", NOW)
    error = refused(site, lambda ctx: cards.take_back(ctx, card_id, "赵租"))
    assert error.key == "card_error.cannot_return"
    expired = issued(site, application(holder="王丽", holder_relation="family"))
    later = at(site, local(date(2027, 3, 1)))
    with later.write() as ctx:
        cards.mark_expired(ctx, expired)
        assert cards.take_back(ctx, expired, "王丽").state == CardState.returned
    error = refused(site, lambda ctx: cards.take_back(ctx, card_id, " "))
    assert error.key == "card_error.cannot_return"


def test_handing_back_needs_who(site: Desk) -> None:
    card_id = issued(site)
    error = refused(site, lambda ctx: cards.take_back(ctx, card_id, " "))
    assert (error.field, error.key) == ("returned_by", "field.required")


def test_a_card_is_cancelled_with_a_reason(site: Desk) -> None:
    card_id = apply(site)
    error = refused(site, lambda ctx: cards.cancel(ctx, card_id, " "))
    assert (error.field, error.key) == ("reason", "field.required")
    with site.write() as ctx:
        card = cards.cancel(ctx, card_id, "业主改变主意")
    assert card.state == CardState.cancelled and card.cancel_reason == "业主改变主意"
    with site.read() as ctx:
        event = audit.history(ctx, cards.REGISTER, card_id)[-1]
    assert (event.action, event.reason) == ("cancelled", "业主改变主意")
    assert audit.event_data(event) == {"from": "applied"}


# --- lost, replaced -------------------------------------------------------------------------


def test_a_loss_is_reported_by_phone_with_who_and_when(site: Desk) -> None:
    card_id = issued(site, tenant_card())
    called = NOW - timedelta(minutes=20)
    with site.write() as ctx:
        card = cards.report_lost(ctx, card_id, "李明", "phone", "在地铁上丢失", called)
    assert card.state == CardState.lost
    assert (card.lost_reported_by, card.lost_via, card.lost_reported_at) == (
        "李明",
        "phone",
        called,
    )
    assert card.lost_note == "在地铁上丢失"
    with site.read() as ctx:
        event = audit.history(ctx, cards.REGISTER, card_id)[-1]
    assert event.action == "lost" and audit.event_data(event)["via"] == "phone"


def test_a_loss_report_needs_who_how_and_a_time_not_to_come(site: Desk) -> None:
    card_id = issued(site)
    with pytest.raises(FieldErrors) as err, site.write() as ctx:
        cards.report_lost(ctx, card_id, "", "fax", "", NOW + timedelta(hours=1))
    assert [(e.field, e.key) for e in err.value.errors] == [
        ("lost_reported_by", "field.required"),
        ("lost_via", "card_error.bad_via"),
        ("lost_reported_at", "field.in_future"),
    ]
    assert stored(site, card_id).state == CardState.issued


def test_a_lost_card_is_replaced_by_a_new_one_for_the_sites_fee(site: Desk) -> None:
    lost_id = issued(site, tenant_card())
    with site.write() as ctx:
        cards.report_lost(ctx, lost_id, "赵租", "visit")
    later = at(site, NOW + timedelta(days=2))
    with later.write() as ctx:
        new = cards.replace(ctx, lost_id, "SJ-0099", "赵租")
    old = stored(site, lost_id)
    assert old.state == CardState.replaced and old.replaced_by_id == new.id
    assert new.replaces_id == lost_id and new.number == "KA-20261125-001"
    assert (new.state, new.kind, new.holder, new.room) == (
        CardState.issued,
        CardKind.resident,
        "赵租",
        "3-1202",
    )
    # the new card runs to the lost one's day: a replacement is not a renewal
    assert new.valid_until == old.valid_until == date(2027, 2, 23)
    assert (new.replacement_fee_fen, new.replacement_receipt) == (2000, "SJ-0099")
    assert actions(site, lost_id)[-1] == "replaced"
    assert actions(site, new.id or 0) == ["replacement_issued"]
    with site.read() as ctx:
        event = audit.history(ctx, cards.REGISTER, new.id or 0)[0]
    assert audit.event_data(event)["replaces"] == old.number


def test_the_replacement_fee_is_a_site_setting(site: Desk) -> None:
    lost_id = issued(site)
    with site.write() as ctx:
        cards.report_lost(ctx, lost_id, "李明", "phone")
    site.db.settings.cards.replacement_fee = Decimal("35.5")
    try:
        with site.write() as ctx:
            new = cards.replace(ctx, lost_id, "SJ-1", "李明")
    finally:
        site.db.settings.cards.replacement_fee = Decimal("20")
    assert new.replacement_fee_fen == 3550 and new.valid_until is None


def test_a_replacement_needs_its_receipt(site: Desk) -> None:
    lost_id = issued(site)
    with site.write() as ctx:
        cards.report_lost(ctx, lost_id, "李明", "phone")
    with pytest.raises(FieldErrors) as err, site.write() as ctx:
        cards.replace(ctx, lost_id, " ", "")
    assert [(e.field, e.key) for e in err.value.errors] == [
        ("replacement_receipt", "field.required"),
        ("collected_by", "field.required"),
    ]
    assert stored(site, lost_id).state == CardState.lost


def test_a_resident_card_past_its_day_is_not_replaced(site: Desk) -> None:
    lost_id = issued(site, tenant_card())
    with site.write() as ctx:
        cards.report_lost(ctx, lost_id, "李明", "phone")
    later = at(site, local(date(2027, 3, 1)))
    error = refused(later, lambda ctx: cards.replace(ctx, lost_id, "SJ-1", "赵租"))
    assert error.key == "card_error.replace_expired"


# --- the lifecycle's refusals ---------------------------------------------------------------

STEPS = {
    "ready": lambda ctx, i: cards.make_ready(ctx, i),
    "issue": lambda ctx, i: cards.issue(ctx, i, "李明"),
    "renew": lambda ctx, i: cards.renew(ctx, i),
    "lost": lambda ctx, i: cards.report_lost(ctx, i, "李明", "phone"),
    "replace": lambda ctx, i: cards.replace(ctx, i, "SJ-1", "李明"),
    "expire": lambda ctx, i: cards.mark_expired(ctx, i),
    "take_back": lambda ctx, i: cards.take_back(ctx, i, "李明"),
    "cancel": lambda ctx, i: cards.cancel(ctx, i, "测试"),
}


def _in_state(desk: Desk, state: CardState) -> int:
    """A resident card (王丽's, family) brought to `state` at NOW."""
    card_id = apply(desk, application(holder="王丽", holder_relation="family"))
    path = {
        CardState.applied: [],
        CardState.ready: ["ready"],
        CardState.issued: ["ready", "issue"],
        CardState.lost: ["ready", "issue", "lost"],
        CardState.replaced: ["ready", "issue", "lost", "replace"],
        CardState.returned: ["ready", "issue", "take_back"],
        CardState.cancelled: ["cancel"],
    }[state]
    for step in path:
        with desk.write() as ctx:
            STEPS[step](ctx, card_id)
    return card_id


@pytest.mark.parametrize(
    "state",
    [s for s in CardState if s != CardState.expired],
)
def test_each_step_is_refused_from_a_state_that_does_not_allow_it(
    site: Desk, state: CardState
) -> None:
    card_id = _in_state(site, state)
    assert stored(site, card_id).state == state
    for action, step in STEPS.items():
        if state in cards.LIFECYCLE[action].states:
            continue
        error = refused(site, lambda ctx, step=step: step(ctx, card_id))
        assert error.key == cards.LIFECYCLE[action].refusal, (state, action)
        assert stored(site, card_id).state == state


def test_the_screen_is_offered_the_steps_of_the_state(site: Desk) -> None:
    owner = _in_state(site, CardState.issued)
    with site.read() as ctx:
        offered = cards.allowed_actions(ctx, cards.get(ctx, owner))
        assert offered == {"renew", "lost", "take_back", "cancel"}
        assert cards.allowed_actions(ctx, None) == frozenset()
    mine = issued(site)  # an owner card: nothing to renew
    with site.read() as ctx:
        assert cards.allowed_actions(ctx, cards.get(ctx, mine)) == {"lost", "take_back", "cancel"}


# --- a sale ---------------------------------------------------------------------------------


def test_a_sale_cancels_every_card_of_the_room_not_yet_ended(site: Desk) -> None:
    mine = issued(site)  # 李明: issued
    tenant = issued(site, tenant_card())  # 赵租: lost
    with site.write() as ctx:
        cards.report_lost(ctx, tenant, "赵租", "phone")
    wife = apply(site, application(holder="王丽", holder_relation="family"))  # applied
    other = issued(site, application(room="5-0801", holder="孙丽", applicant="孙丽"))
    with site.write() as ctx:
        done = cards.cancel_for_sale(ctx, "3-1202", "房屋已出售")
    assert sorted(c.id or 0 for c in done) == sorted([mine, tenant, wife])
    for card_id in (mine, tenant, wife):
        card = stored(site, card_id)
        assert card.state == CardState.cancelled and card.cancel_reason == "房屋已出售"
        with site.read() as ctx:
            event = audit.history(ctx, cards.REGISTER, card_id)[-1]
        assert audit.event_data(event)["sale"] is True and event.reason == "房屋已出售"
    assert stored(site, other).state == CardState.issued


def test_a_sale_leaves_the_ended_cards_and_says_none(site: Desk) -> None:
    returned = issued(site)
    with site.write() as ctx:
        cards.take_back(ctx, returned, "李明")
        assert cards.cancel_for_sale(ctx, "3-1202", "出售") == []
        assert cards.cancel_for_sale(ctx, "9-9999", "出售") == []
    assert stored(site, returned).state == CardState.returned
    error = refused(site, lambda ctx: cards.cancel_for_sale(ctx, "3-1202", ""))
    assert (error.field, error.key) == ("reason", "field.required")


def test_a_sale_is_found_by_the_room_as_typed(site: Desk) -> None:
    card_id = issued(site, application(room="5-801", holder="孙丽", applicant="孙丽"))
    with site.write() as ctx:
        (done,) = cards.cancel_for_sale(ctx, " 5-0801 ", "出售")
    assert done.id == card_id


# --- the gate -------------------------------------------------------------------------------


def test_the_gate_checks_a_valid_card_counts_and_audits_it(site: Desk) -> None:
    card_id = issued(site, tenant_card())
    gate = Desk(site.db, None, NOW + timedelta(hours=1))
    with gate.write() as ctx:
        check = cards.gate_check(ctx, "ka20261123001", "保安老周")
    assert check.valid and check.card is not None and check.card.id == card_id
    card = stored(site, card_id)
    assert card.gate_checks == 1 and card.last_gate_check_at == gate.now
    with site.read() as ctx:
        event = audit.history(ctx, cards.REGISTER, card_id)[-1]
    assert event.action == "gate_checked" and event.operator_id is None
    assert audit.event_data(event) == {"valid": True, "guard": "保安老周", "at_desk": False}


def test_the_gate_refuses_an_expired_card_and_one_not_yet_issued(site: Desk) -> None:
    card_id = issued(site, tenant_card())
    waiting = apply(site, application(holder="王丽", holder_relation="family"))
    gate = Desk(site.db, None, local(date(2027, 2, 24), hour=7))
    with gate.write() as ctx:
        late = cards.gate_check(ctx, "KA-20261123-001", "老周")
        early = cards.gate_check(ctx, "KA-20261123-002", "老周")
    assert late.refusal is not None and late.refusal.key == "card_error.gate_expired"
    assert "2027-02-23" in late.refusal.message
    assert early.refusal is not None and early.refusal.key == "card_error.gate_not_issued"
    assert stored(site, card_id).gate_checks == 1 and stored(site, waiting).gate_checks == 1


def test_a_number_not_on_file_is_refused_and_writes_nothing(site: Desk) -> None:
    gate = Desk(site.db, None)
    with gate.write() as ctx:
        check = cards.gate_check(ctx, "KA-20261123-009", "老周")
    assert check.card is None and check.refusal is not None
    assert check.refusal.key == "card_error.gate_unknown"
    with site.read() as ctx:
        assert (
            ctx.session.exec(select(AuditEvent).where(AuditEvent.register_name == "cards")).first()
            is None
        )


def test_card_numbers_are_read_in_any_case_and_never_from_digits_alone() -> None:
    assert cards.canonical_number("ka-20261123-001") == "KA-20261123-001"
    assert cards.canonical_number(" KA 20261123 001 ") == "KA-20261123-001"
    assert cards.canonical_number("hg-ka-20261123-001") == "HG-KA-20261123-001"
    assert cards.canonical_number("KA20261123001", "HG") == "HG-KA-20261123-001"
    assert cards.canonical_number("20261123001") is None  # a pass's number, typed bare
    assert not cards.is_card_number("FX-20261123-001")
    assert not cards.is_card_number("KA-FX-20261123-001")  # a pass of estate KA


# --- the board, the list --------------------------------------------------------------------


def test_the_board_lists_cards_to_make_to_pick_up_and_running_out(site: Desk) -> None:
    making = apply(site, application(pickup_on=date(2026, 11, 25)))
    ready = apply(site, tenant_card())
    with site.write() as ctx:
        cards.make_ready(ctx, ready)
    running_out = issued(
        at(site, NOW - timedelta(days=80)), application(holder="王丽", holder_relation="family")
    )
    later = issued(
        at(site, NOW - timedelta(days=60)),
        application(room="5-801", holder="孙丽", applicant="孙丽", holder_relation="family"),
    )
    with site.read() as ctx:
        found = {i.record_id: i for i in board.open_items(ctx) if i.register == "cards"}
    assert set(found) == {making, ready, running_out}
    assert found[making].due_kind == "card_make"
    assert found[making].due_at == datetime(2026, 11, 25, 8, 30, tzinfo=TZ)
    assert (found[ready].due_kind, found[ready].due_at) == ("card_pickup", None)
    expiring = found[running_out]
    assert expiring.due_kind == "card_expiry" and expiring.summary == "王*"
    assert stored(site, running_out).valid_until == date(2026, 12, 4)
    assert expiring.due_at == datetime(2026, 12, 5, 0, 0, tzinfo=TZ)
    assert later not in found


def test_the_list_filters_by_state_kind_and_what_is_typed(site: Desk) -> None:
    mine = issued(site)
    tenant = issued(site, tenant_card())
    with site.write() as ctx:
        cards.report_lost(ctx, tenant, "李明", "phone")
        new = cards.replace(ctx, tenant, "SJ-1", "赵租")
    waiting = apply(site, application(holder="王丽", holder_relation="family"))
    with site.read() as ctx:

        def ids(*args: object, **kwargs: object) -> list[int]:
            return [c.id or 0 for c in cards.listing(ctx, *args, **kwargs)]  # type: ignore[arg-type]

        assert ids() == [waiting, new.id, mine]
        assert ids(CardFilter.all) == [waiting, new.id, tenant, mine]
        assert ids(CardFilter.waiting) == [waiting]
        assert ids(CardFilter.ended) == [tenant]
        assert ids(CardFilter.live, kind="owner") == [mine]
        assert ids(CardFilter.all, text="赵") == [new.id, tenant]
        assert ids(CardFilter.all, text="3-1202") == [waiting, new.id, tenant, mine]
        assert ids(CardFilter.all, text="ka-20261123-001") == [mine]
        assert ids(CardFilter.all, text="KA20261123004") == [waiting]
        assert ids(CardFilter.all, text="20261123") == [waiting, new.id, tenant, mine]
        assert ids(CardFilter.expiring) == []


def test_a_replacement_shows_on_the_stored_rows(site: Desk) -> None:
    lost_id = issued(site)
    with site.write() as ctx:
        cards.report_lost(ctx, lost_id, "李明", "phone")
        cards.replace(ctx, lost_id, "SJ-1", "李明")
    with site.read() as ctx:
        rows = ctx.session.exec(select(ResidentCard).order_by(ResidentCard.id)).all()  # type: ignore[arg-type]
    assert [(r.number, r.state) for r in rows] == [
        ("KA-20261123-001", "replaced"),
        ("KA-20261123-002", "issued"),
    ]


# --- the month's figures --------------------------------------------------------------------


def test_the_months_figures_count_cards_issued_lost_and_replaced(site: Desk) -> None:
    mine = issued(site)
    tenant = issued(site, tenant_card())
    with site.write() as ctx:
        cards.report_lost(ctx, tenant, "李明", "phone")
        cards.replace(ctx, tenant, "SJ-1", "赵租")
        cards.renew(ctx, tenant + 1)
    with Desk(site.db, None).write() as ctx:
        assert not cards.gate_check(ctx, "KA-20261123-002", "老周").valid
    apply(site, application(holder="王丽", holder_relation="family"))
    december = at(site, local(date(2026, 12, 2)))
    with december.write() as ctx:
        cards.take_back(ctx, mine, "李明")
    start, end = local(date(2026, 11, 1), 0), local(date(2026, 12, 1), 0)
    with site.read() as ctx:
        figures = stats.monthly(ctx, start, end).cards
    assert figures == stats.CardFigures(
        applied=3, issued=2, renewed=1, lost=1, replaced=1, returned=0, cancelled=0, gate_refused=1
    )
    with december.read() as ctx:
        later = stats.monthly(ctx, end, local(date(2027, 1, 1), 0)).cards
    assert later == stats.CardFigures(returned=1)
