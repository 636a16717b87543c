"""Owner record changes at fixed clocks: declare (identity checked), apply, reject, withdraw."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import col, select

from desk.models import (
    AuditEvent,
    IdentityCheck,
    Operator,
    OwnerChange,
    OwnerChangeState,
    Resident,
    Role,
)
from desk.services import (
    audit,
    board,
    cards,
    export,
    id_numbers,
    lookup,
    owner_changes,
    passes,
    residents,
    residents_import,
    room_history,
    stats,
    stats_period,
    summary,
)
from desk.services.errors import DeskError, FieldErrors
from desk.services.owner_changes import OwnerChangeCreate
from tests import card_support
from tests.conftest import NOW, TZ, Desk, add_staff
from tests.seed import deposit_key, owner_pass, register_repair


def id_number(first17: str) -> str:
    """A mainland ID card number: 17 digits and their check character."""
    return first17 + id_numbers.check_character(first17)


# 李明, owner of 3-1202, born 1980-05-12 in Shanghai's Huangpu district; 王强, a stranger
LI_MING = id_number("31010119800512201")
WANG_QIANG = id_number("11010519491231002")
# the new owner of 3-1202 after the sale
ZHAO_LIU = id_number("44030519900101123")


@pytest.fixture(autouse=True)
def fast_proofs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proofs of 1,000 rounds instead of 100,000: what is matched is the same, and the slow
    proof of a stolen database's numbers is not what these tests are about."""
    monkeypatch.setattr(id_numbers, "ROUNDS", 1_000)


@pytest.fixture
def site(desk: Desk) -> Desk:
    with desk.write() as ctx:
        residents.add_resident(ctx, "3", "1202", "李明", "13812345678", "owner")
        residents.add_resident(ctx, "3", "1202", "赵租", "13700001111", "tenant")
        residents.add_resident(ctx, "5", "0801", "孙丽", "13600002222", "owner")
    return desk


@pytest.fixture
def records(site: Desk) -> Desk:
    """The desk as the records clerk (资料管理员) works it."""
    return Desk(site.db, add_staff(site.db, "周档", Role.records, "4444"))


def phone_change(**changes: object) -> OwnerChangeCreate:
    """李明, at the desk with his ID card, changes his phone number: signed there and then."""
    fields: dict[str, object] = {
        "room": "3-1202",
        "change": "amend",
        "resident": "李明",
        "asked_by": "李明",
        "identity": "in_person",
        "id_kind": "id_card",
        "id_number": LI_MING,
        "new_phone": "139 0000 2222",
        "signed": True,
        **changes,
    }
    return OwnerChangeCreate.model_validate(fields)


def by_phone(**changes: object) -> OwnerChangeCreate:
    """李明 calls to change his phone number, reading out his ID number."""
    fields: dict[str, object] = {"identity": "phone", "signed": False, **changes}
    return phone_change(**fields)


def declare(desk: Desk, data: OwnerChangeCreate | None = None) -> OwnerChange:
    with desk.write() as ctx:
        return owner_changes.declare(ctx, data or phone_change())


def apply(desk: Desk, change_id: int | None) -> OwnerChange:
    assert change_id is not None
    with desk.write() as ctx:
        return owner_changes.apply(ctx, change_id)


def resident(desk: Desk, name: str) -> Resident:
    with desk.read() as ctx:
        return ctx.session.exec(select(Resident).where(Resident.name == name)).one()


def events(desk: Desk, register: str, record_id: int | None) -> list[AuditEvent]:
    assert record_id is not None
    with desk.read() as ctx:
        return audit.history(ctx, register, record_id)


def refused(desk: Desk, call: object) -> DeskError:
    with pytest.raises(DeskError) as err, desk.write() as ctx:
        call(ctx)  # type: ignore[operator]
    return err.value


# --- the ID number's check ------------------------------------------------------------------


def test_the_check_character_of_an_id_card_number() -> None:
    assert id_numbers.valid_id_card("11010519491231002X")  # GB 11643's own example
    assert id_numbers.normalise(" 110105 19491231 002x ") == "11010519491231002X"
    assert not id_numbers.valid_id_card("110105194912310021")  # one character mistyped
    assert not id_numbers.valid_id_card("11010519491231012X")  # another digit mistyped
    assert not id_numbers.valid_id_card(id_number("31010119801332201")[:18])  # month 13
    assert not id_numbers.valid_id_card("31010119800512201")  # 17 characters
    assert id_numbers.valid_id_card(LI_MING) and id_numbers.valid_id_card(ZHAO_LIU)
    swapped = LI_MING[:10] + LI_MING[11] + LI_MING[10] + LI_MING[12:]  # 0512 -> 0152
    assert not id_numbers.valid_id_card(swapped)


def test_a_proof_matches_its_number_only_in_its_kind(desk: Desk) -> None:
    with desk.write() as ctx:
        kept = id_numbers.proof(ctx, "id_card", LI_MING)
        assert len(kept) == 64 and LI_MING not in kept
        assert id_numbers.matches(ctx, "id_card", LI_MING.lower(), kept)
        assert not id_numbers.matches(ctx, "id_card", WANG_QIANG, kept)
        assert not id_numbers.matches(ctx, "passport", LI_MING, kept)
        assert not id_numbers.matches(ctx, "id_card", LI_MING, "")


# --- declaring ------------------------------------------------------------------------------


def test_declare_in_person_keeps_from_and_to_and_the_signature(site: Desk) -> None:
    found = declare(site)
    assert found.number == "BG-20261123-001"
    assert found.state == OwnerChangeState.declared
    assert (found.room, found.change, found.channel) == ("3-1202", "amend", "in_person")
    assert (found.asked_by, found.id_kind, found.id_last4) == ("李明", "id_card", LI_MING[-4:])
    assert found.id_number_checked and found.id_proof  # to record on 李明 when applied
    assert (found.phone_from, found.phone_to) == ("13812345678", "13900002222")
    assert found.name_to is None and found.kind_to is None
    assert found.signed and found.signed_at == NOW
    # due in two working days: Monday 09:30 -> Wednesday 09:30
    assert found.apply_due_at == datetime(2026, 11, 25, 9, 30, tzinfo=TZ)
    (event,) = events(site, owner_changes.REGISTER, found.id)
    assert event.action == "declared"
    data = audit.event_data(event)
    assert data["fields"] == {"phone": ["138****5678", "139****2222"]}  # phones masked
    assert data["id_last4"] == LI_MING[-4:] and LI_MING not in event.data
    assert resident(site, "李明").phone == "13812345678"  # nothing applied yet


def test_every_refusal_of_a_form_comes_at_once(site: Desk) -> None:
    data = phone_change(
        resident="王五", asked_by="赵租", id_number="12", new_phone="12345", signed=False
    )
    error = refused(site, lambda ctx: owner_changes.declare(ctx, data))
    assert isinstance(error, FieldErrors)
    assert [e.field for e in error.errors] == [
        "resident",
        "asked_by",
        "id_number",
        "new_phone",
        "signed",
    ]
    assert "赵租" in error.errors[1].message and "李明" in error.errors[1].message
    with site.read() as ctx:
        assert owner_changes.listing(ctx) == []  # nothing kept: not an identity refusal


def test_the_room_must_be_on_record_and_something_must_change(site: Desk) -> None:
    error = refused(site, lambda ctx: owner_changes.declare(ctx, phone_change(room="9-999")))
    assert error.field == "room"
    same = phone_change(new_phone="13812345678")
    assert refused(site, lambda ctx: owner_changes.declare(ctx, same)).key == (
        "owner_change_error.nothing_changes"
    )


def test_by_phone_only_a_phone_number_and_only_against_an_id_card(site: Desk) -> None:
    error = refused(site, lambda ctx: owner_changes.declare(ctx, by_phone(new_name="李小明")))
    assert error.field == "identity"
    passport = by_phone(id_kind="passport", id_number="E12345678")
    assert refused(site, lambda ctx: owner_changes.declare(ctx, passport)).field == "id_kind"


# --- applying -------------------------------------------------------------------------------


def test_the_records_clerk_applies_and_the_old_values_stay_in_history(
    site: Desk, records: Desk
) -> None:
    found = declare(site)
    applied = apply(records, found.id)
    assert applied.state == OwnerChangeState.applied
    assert applied.applied_at == NOW and applied.applied_by == records.operator.id  # type: ignore[union-attr]
    assert applied.id_proof == ""  # recorded on the resident, dropped from the declaration
    li = resident(site, "李明")
    assert li.phone == "13900002222"
    assert (li.id_kind, li.id_last4) == ("id_card", LI_MING[-4:]) and li.id_proof
    assert applied.resident_id == li.id
    created, updated = events(site, "residents", li.id)
    assert (created.action, updated.action) == ("created", "updated")
    assert audit.event_data(updated) == {
        "phone": "139****2222",
        "id_kind": "id_card",
        "id_last4": LI_MING[-4:],
        "id_proof": True,
        "was": {"phone": "138****5678", "id_kind": "", "id_last4": ""},
        "by": found.number,
    }
    assert updated.operator_id == records.operator.id  # type: ignore[union-attr]
    assert [e.action for e in events(site, owner_changes.REGISTER, found.id)] == [
        "declared",
        "applied",
    ]
    # the lookup finds him by his new number, and the room's history shows both
    with site.read() as ctx:
        hits = lookup.search(ctx, "13900002222")
        assert [g.register for g in hits.groups] == ["residents", "owner_changes"]
        timeline = room_history.history(ctx, "3-1202").timeline
    shown = [(e.register, e.number, e.summary) for e in timeline]
    assert ("owner_changes", found.number, "李明 138****5678→139****2222") in shown
    assert (
        "residents",
        found.number,
        "李明: Phone 138****5678 → 139****2222, ID recorded",
    ) in shown
    assert not any(summary.startswith("put on record") for _r, _n, summary in shown)


def test_a_phone_request_after_the_id_was_seen_in_person(site: Desk, records: Desk) -> None:
    apply(records, declare(site).id)  # 李明's ID recorded with his first change
    found = declare(site, by_phone(new_phone="13900003333", id_number=LI_MING.lower()))
    assert found.channel == IdentityCheck.phone and found.id_number_checked
    assert not found.signed and found.signed_at is None and found.id_proof == ""
    apply(records, found.id)
    assert resident(site, "李明").phone == "13900003333"


def test_a_supervisor_may_apply_their_own_declaration(site: Desk, boss: Desk) -> None:
    found = declare(boss)
    assert apply(boss, found.id).state == OwnerChangeState.applied


def test_reject_needs_a_reason_and_withdraw_closes_at_the_desk(site: Desk, records: Desk) -> None:
    first, second = declare(site), declare(site, phone_change(new_phone="13900004444"))
    assert first.id is not None and second.id is not None
    no_reason = refused(records, lambda ctx: owner_changes.reject(ctx, first.id, " "))
    assert no_reason.field == "reason"
    with records.write() as ctx:
        rejected = owner_changes.reject(ctx, first.id, "签名与登记的不一致")
    assert (rejected.state, rejected.reason) == (OwnerChangeState.rejected, "签名与登记的不一致")
    assert rejected.closed_by == records.operator.id and rejected.id_proof == ""  # type: ignore[union-attr]
    with site.write() as ctx:
        withdrawn = owner_changes.withdraw(ctx, second.id, "业主改主意了")
    assert withdrawn.state == OwnerChangeState.withdrawn
    for step in ("apply", "reject", "withdraw"):
        error = refused(
            records,
            lambda ctx, step=step: getattr(owner_changes, step)(
                ctx, first.id, *(["x"] if step != "apply" else [])
            ),
        )
        assert error.key == "owner_change_error.cannot"
        assert "turned down" not in error.message or step != "apply"
    with site.read() as ctx:
        assert owner_changes.allowed_actions(ctx, rejected) == frozenset()
        fresh = owner_changes.get(ctx, first.id)
        assert owner_changes.allowed_actions(ctx, fresh) == frozenset()
    assert resident(site, "李明").phone == "13812345678"


def test_a_record_changed_since_the_declaration_is_not_overwritten(
    site: Desk, records: Desk
) -> None:
    found = declare(site)
    csv = "building,room,name,phone,kind\n3,1202,李明,13500005555,owner\n"
    with site.write() as ctx:
        residents_import.import_text(ctx, csv)
    error = refused(records, lambda ctx: owner_changes.apply(ctx, found.id))
    assert error.key == "owner_change_error.changed_since"
    assert resident(site, "李明").phone == "13500005555"


def test_rename_and_change_kind_then_add_and_remove_family(site: Desk, records: Desk) -> None:
    rename = declare(site, phone_change(resident="赵租", new_name="赵大租", new_phone="",
                                        new_kind="family"))  # fmt: skip
    assert (rename.name_from, rename.name_to, rename.kind_to) == ("赵租", "赵大租", "family")
    apply(records, rename.id)
    assert (resident(site, "赵大租").kind, resident(site, "赵大租").phone) == (
        "family",
        "13700001111",
    )
    add = phone_change(change="add", resident="", new_name="李小明", new_phone="", new_kind="")
    assert refused(site, lambda ctx: owner_changes.declare(ctx, add)).field == "new_kind"
    added = declare(site, add.model_copy(update={"new_kind": "family"}))
    assert added.resident_id is None
    apply(records, added.id)
    child = resident(site, "李小明")
    assert (child.kind, child.active, child.phone) == ("family", True, "")
    with site.read() as ctx:
        assert owner_changes.get(ctx, added.id).resident_id == child.id  # type: ignore[arg-type]
    (made,) = events(site, "residents", child.id)
    assert audit.event_data(made) == {
        "unit": "3-1202",
        "name": "李小明",
        "kind": "family",
        "by": added.number,
    }
    leave = phone_change(change="remove", resident="李小明", new_phone="")
    removed = declare(site, leave)
    apply(records, removed.id)
    assert not resident(site, "李小明").active
    assert events(site, "residents", child.id)[-1].action == "moved_out"
    # the room's only owner leaves only by a sale
    last = phone_change(change="remove", resident="李明", new_phone="")
    assert refused(site, lambda ctx: owner_changes.declare(ctx, last)).key == (
        "owner_change_error.last_owner"
    )


def test_a_sale_moves_the_room_and_lists_what_to_settle(site: Desk, records: Desk) -> None:
    deposit_key(site)
    register_repair(site)
    with site.write() as ctx:
        passes.issue(ctx, owner_pass())
    sale = OwnerChangeCreate.model_validate(
        {
            "room": "3-1202",
            "change": "sale",
            "asked_by": "赵六",
            "identity": "in_person",
            "id_kind": "id_card",
            "id_number": ZHAO_LIU,
            "new_name": "赵六",
            "new_phone": "18600001234",
            "evidence": "沪(2026)黄浦区不动产权第0012345号",
            "signed": True,
        }
    )
    found = declare(site, sale)
    assert (found.old_owners, found.kind_to, found.asker_id) == ("李明", "owner", None)
    with site.read() as ctx:
        settle = owner_changes.to_settle(ctx, found.room)
        others = owner_changes.others_on_record(ctx, found.unit_id)
    assert [(line.register, line.count) for line in settle] == [
        ("entrusted_keys", 1),
        ("repairs", 1),
        ("passes", 1),
    ]
    assert settle[0].numbers[0].startswith("WT-") and [p.name for p in others] == ["赵租"]
    apply(records, found.id)
    li, zhao = resident(site, "李明"), resident(site, "赵六")
    assert not li.active and li.kind == "owner"  # kept on record, inactive
    assert (zhao.kind, zhao.active, zhao.phone) == ("owner", True, "18600001234")
    assert (zhao.id_kind, zhao.id_last4) == ("id_card", ZHAO_LIU[-4:]) and zhao.id_proof
    assert resident(site, "赵租").active  # the tenant stays: the clerk settles it
    with site.read() as ctx:
        assert [r.name for r in passes.owners_of(ctx, "3-1202")] == ["赵六"]
    assert events(site, "residents", li.id)[-1].action == "moved_out"
    assert audit.event_data(events(site, "residents", li.id)[-1])["by"] == found.number
    # the new owner may now change their number by phone
    call = by_phone(resident="赵六", asked_by="赵六", id_number=ZHAO_LIU, new_phone="18600005678")
    assert declare(site, call).id_number_checked


def test_a_sale_cancels_the_rooms_cards_and_no_other(site: Desk, records: Desk) -> None:
    """The old owner's card and the tenant's he applied for end with the sale; a card of
    another room stays in use; the application's audit event names the cards cancelled."""
    own = card_support.issued(site)
    tenant = card_support.issued(site, card_support.tenant_card(applicant="李明"))
    other = card_support.issued(
        site, card_support.application(room="5-0801", holder="孙丽", applicant="孙丽")
    )
    sale = OwnerChangeCreate.model_validate(
        {
            "room": "3-1202",
            "change": "sale",
            "asked_by": "赵六",
            "identity": "in_person",
            "id_kind": "id_card",
            "id_number": ZHAO_LIU,
            "new_name": "赵六",
            "evidence": "买卖合同 HT-002",
            "signed": True,
        }
    )
    found = declare(site, sale)
    apply(records, found.id)
    states = {card: card_support.stored(site, card).state for card in (own, tenant, other)}
    assert states == {own: "cancelled", tenant: "cancelled", other: "issued"}
    assert found.number in card_support.stored(site, own).cancel_reason
    with site.read() as ctx:
        assert cards.gate_refusal(ctx, card_support.stored(site, own), "") is not None
    data = audit.event_data(events(site, "owner_changes", found.id)[-1])
    assert sorted(data["cards_cancelled"]) == sorted(
        card_support.stored(site, card).number for card in (own, tenant)
    )


def test_a_sale_is_declared_by_the_new_owner_in_person(site: Desk) -> None:
    sale = {
        "room": "3-1202",
        "change": "sale",
        "asked_by": "李明",
        "id_number": ZHAO_LIU,
        "new_name": "赵六",
        "signed": True,
    }
    error = refused(
        site,
        lambda ctx: owner_changes.declare(ctx, OwnerChangeCreate.model_validate(sale)),
    )
    assert error.field == "evidence"
    sale["evidence"] = "买卖合同 HT-001"
    error = refused(
        site,
        lambda ctx: owner_changes.declare(ctx, OwnerChangeCreate.model_validate(sale)),
    )
    assert error.key == "owner_change_error.sale_by_new_owner"


def test_the_import_and_a_declaration_write_the_same_audited_change(
    site: Desk, records: Desk
) -> None:
    """孙丽's number changed by the import, 李明's by a declaration: one event shape."""
    with site.write() as ctx:
        residents_import.import_text(
            ctx, "building,room,name,phone,kind\n5,0801,孙丽,13600009999,owner\n"
        )
    found = declare(site, phone_change(id_number=LI_MING[-4:]))  # last 4 only: no proof
    apply(records, found.id)
    by_import = events(site, "residents", resident(site, "孙丽").id)[-1]
    by_declaration = events(site, "residents", resident(site, "李明").id)[-1]
    assert by_import.action == by_declaration.action == "updated"
    assert audit.event_data(by_import) == {
        "phone": "136****9999",
        "was": {"phone": "136****2222"},
        "by": "import",
    }
    assert audit.event_data(by_declaration) == {
        "phone": "139****2222",
        "was": {"phone": "138****5678"},
        "by": found.number,
    }


def test_due_in_working_days_over_a_weekend(site: Desk) -> None:
    friday = Desk(site.db, site.operator, NOW + timedelta(days=4))  # Friday 27 November
    found = declare(friday)
    assert found.apply_due_at == datetime(2026, 12, 1, 9, 30, tzinfo=TZ)  # Tuesday
    with friday.read() as ctx:
        (item,) = owner_changes.open_items(ctx)
    assert (item.register, item.due_kind, item.number) == ("owner_changes", "apply", found.number)


def test_export_keeps_no_hash_of_an_id(site: Desk, records: Desk) -> None:
    found = declare(site)
    with site.read() as ctx:
        (row,) = export.records(ctx, "owner_changes")
        people = export.records(ctx, "residents")
    assert row["number"] == found.number and "id_proof" not in row
    assert row["phone_to"] == "13900002222"  # the office's own export: in full
    assert [e["action"] for e in row["events"]] == ["declared"]
    assert all("id_proof" not in person for person in people)
    apply(records, found.id)
    with site.read() as ctx:
        assert "id_proof" not in export.columns("residents")
        assert "id_proof" not in export.columns("owner_changes")


def test_the_list_shows_what_to_apply_first(site: Desk, records: Desk) -> None:
    first = declare(site)
    apply(records, first.id)
    waiting = declare(site, phone_change(resident="赵租", new_phone="13700002222"))
    with site.read() as ctx:
        shown = [found.number for found in owner_changes.listing(ctx)]
        assert owner_changes.find(ctx, waiting.number.lower().replace("-", "")) is not None
    assert shown == [waiting.number, first.number]


def test_phone_numbers_the_import_would_refuse_are_refused(site: Desk) -> None:
    error = refused(site, lambda ctx: owner_changes.declare(ctx, phone_change(new_phone="12")))
    assert error.field == "new_phone"


def test_the_declared_list_is_the_boards(site: Desk, records: Desk) -> None:
    declare(site)
    with site.read() as ctx:
        items = [i for i in board.open_items(ctx) if i.register == "owner_changes"]
    assert len(items) == 1 and items[0].summary == "李* 138****5678→139****2222"


def _operator(desk: Desk) -> Operator:
    assert desk.operator is not None
    return desk.operator


def test_the_declaring_operator_is_kept(site: Desk) -> None:
    found = declare(site)
    assert found.operator_id == _operator(site).id
    with site.read() as ctx:
        ids = list(ctx.session.exec(select(OwnerChange.id).order_by(col(OwnerChange.id))))
    assert ids == [found.id]


def test_the_month_the_handover_and_the_lookup_see_it(site: Desk, records: Desk) -> None:
    """Declared in person and applied, by phone and waiting, a caller refused: the monthly
    figures count each; the handover lists what waits; the lookup finds number and name."""
    apply(records, declare(site).id)
    waiting = declare(site, by_phone(id_number=LI_MING, new_phone="13900003333"))
    call = by_phone(id_number=WANG_QIANG, new_phone="13900004444")
    refused(site, lambda ctx: owner_changes.declare(ctx, call))
    with site.read() as ctx:
        figures = stats.monthly(ctx, stats_period.month(2026, 11, TZ)).owner_changes
        sections = summary.open_sections(ctx)
        by_number = lookup.search(ctx, waiting.number.replace("-", "").lower())
        by_name = lookup.search(ctx, "李明")
    assert (figures.declared, figures.applied, figures.applied_on_time) == (2, 1, 1)
    assert (figures.in_person, figures.by_phone, figures.refused, figures.waiting) == (1, 1, 1, 1)
    assert [item.number for item in sections["owner_changes"]] == [waiting.number]
    assert summary.state_keys("owner_changes", sections["owner_changes"][0]) == (
        "owner_change_state.declared",
    )
    assert [(g.register, [h.number for h in g.hits]) for g in by_number.groups] == [
        ("owner_changes", [waiting.number])
    ]
    assert "owner_changes" in [g.register for g in by_name.groups]
