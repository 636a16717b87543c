"""The ways an insider or a caller would try to change a resident's record without the right."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import inspect, text
from sqlmodel import col, select

from desk.db import Database
from desk.models import AuditEvent, OwnerChange, OwnerChangeState, Refusal, Role
from desk.services import audit, export, operators, owner_changes, residents
from desk.services.errors import DeskError, Forbidden, NotFound
from tests.conftest import Desk, add_staff
from tests.test_estates_service import _open, _two_estates
from tests.test_owner_changes_service import (
    LI_MING,
    WANG_QIANG,
    apply,
    by_phone,
    declare,
    events,
    fast_proofs,  # noqa: F401  (autouse: quick proofs here too)
    phone_change,
    refused,
    resident,
)


@pytest.fixture
def site(desk: Desk) -> Desk:
    with desk.write() as ctx:
        residents.add_resident(ctx, "3", "1202", "李明", "13812345678", "owner")
    return desk


@pytest.fixture
def records(site: Desk) -> Desk:
    return Desk(site.db, add_staff(site.db, "周档", Role.records, "4444"))


@pytest.fixture
def on_record(site: Desk, records: Desk) -> Desk:
    """李明's ID card seen at the desk with a first change: his number is on record."""
    apply(records, declare(site).id)
    return site


def kept_refusals(desk: Desk) -> list[OwnerChange]:
    with desk.read() as ctx:
        statement = (
            select(OwnerChange)
            .where(OwnerChange.state == OwnerChangeState.refused)
            .order_by(col(OwnerChange.id))
        )
        return list(ctx.session.exec(statement))


def caller(desk: Desk, number: str, **changes: object) -> DeskError:
    """A call reading out `number` to change 李明's phone: what the desk answers."""
    data = by_phone(id_number=number, new_phone="13900007777", **changes)
    return refused(desk, lambda ctx: owner_changes.declare(ctx, data))


def test_a_mistyped_id_number_is_refused_and_the_refusal_recorded(on_record: Desk) -> None:
    mistyped = LI_MING[:5] + str((int(LI_MING[5]) + 1) % 10) + LI_MING[6:]
    error = caller(on_record, mistyped)
    assert error.key == "owner_change_error.refused_check_digit" and error.field == "id_number"
    (kept,) = kept_refusals(on_record)
    assert (kept.refusal, kept.channel, kept.asked_by) == (Refusal.check_digit, "phone", "李明")
    assert kept.id_last4 == mistyped[-4:] and kept.phone_to == "13900007777"
    assert kept.number.startswith("BG-") and kept.operator_id == on_record.operator.id  # type: ignore[union-attr]
    (event,) = events(on_record, owner_changes.REGISTER, kept.id)
    assert event.action == "refused" and audit.event_data(event)["refusal"] == "check_digit"
    assert resident(on_record, "李明").phone == "13900002222"  # as the first change left it
    with on_record.read() as ctx:
        assert owner_changes.allowed_actions(ctx, kept) == frozenset()  # nothing to apply


def test_a_valid_number_that_is_not_the_owners_is_refused(on_record: Desk) -> None:
    assert caller(on_record, WANG_QIANG).key == "owner_change_error.refused_no_match"
    assert [r.refusal for r in kept_refusals(on_record)] == [Refusal.no_match]


def test_no_phone_change_before_the_owners_id_was_seen_in_person(site: Desk) -> None:
    assert caller(site, LI_MING).key == "owner_change_error.refused_no_record"
    assert [r.refusal for r in kept_refusals(site)] == [Refusal.no_record]


def test_after_three_refusals_in_a_day_even_the_right_number_is_refused(on_record: Desk) -> None:
    for _ in range(3):
        caller(on_record, WANG_QIANG)
    assert caller(on_record, LI_MING).key == "owner_change_error.refused_too_many"
    assert [r.refusal for r in kept_refusals(on_record)][-1] == Refusal.too_many
    later = Desk(on_record.db, on_record.operator, on_record.now.replace(day=24, hour=10))
    assert declare(later, by_phone(id_number=LI_MING, new_phone="13900008888")).id_number_checked


def test_in_person_an_id_that_is_not_the_one_on_record_is_refused(on_record: Desk) -> None:
    data = phone_change(id_number=WANG_QIANG, new_phone="13900009999")
    error = refused(on_record, lambda ctx: owner_changes.declare(ctx, data))
    assert error.key == "owner_change_error.refused_no_match"
    last4 = phone_change(id_number="0000", new_phone="13900009999")
    assert refused(on_record, lambda ctx: owner_changes.declare(ctx, last4)).key == (
        "owner_change_error.refused_no_match"
    )
    assert len(kept_refusals(on_record)) == 2


def test_a_phone_caller_cannot_rename_add_or_sell(on_record: Desk) -> None:
    renamed = {"new_name": "李小明"}
    added = {"change": "add", "new_name": "王五", "new_kind": "family"}
    for changes in (renamed, added):
        data = by_phone(id_number=LI_MING, **changes)
        assert refused(on_record, lambda ctx, d=data: owner_changes.declare(ctx, d)).field == (
            "identity"
        )
    assert kept_refusals(on_record) == []  # refused as a form is, not as an identity


def test_the_declaring_clerk_does_not_apply_their_own(site: Desk, records: Desk) -> None:
    theirs = declare(records)
    error = refused(records, lambda ctx: owner_changes.apply(ctx, theirs.id))
    assert isinstance(error, Forbidden) and error.key == "owner_change_error.own_declaration"
    # a clerk may not apply at all, even another's
    mine = declare(site, phone_change(new_phone="13900001212"))
    error = refused(site, lambda ctx: owner_changes.apply(ctx, theirs.id))
    assert isinstance(error, Forbidden) and "records clerk" in error.message
    assert isinstance(refused(site, lambda ctx: owner_changes.reject(ctx, mine.id, "x")), Forbidden)
    assert resident(site, "李明").phone == "13812345678"
    apply(records, mine.id)  # another's: yes
    assert resident(site, "李明").phone == "13900001212"


def test_a_records_clerk_demoted_meanwhile_applies_nothing(
    db: Database, site: Desk, records: Desk, boss: Desk
) -> None:
    found = declare(site)
    with boss.write() as ctx:
        operators.set_role(ctx, "周档", Role.clerk)
    assert isinstance(refused(records, lambda ctx: owner_changes.apply(ctx, found.id)), Forbidden)


def test_applying_twice_changes_the_record_once(site: Desk, records: Desk, boss: Desk) -> None:
    found = declare(site)
    apply(records, found.id)
    error = refused(boss, lambda ctx: owner_changes.apply(ctx, found.id))
    assert error.key == "owner_change_error.cannot" and "applied" in error.message
    li = resident(site, "李明")
    assert [e.action for e in events(site, "residents", li.id)] == ["created", "updated"]


def test_a_resident_of_another_estate_is_out_of_reach(db: Database, site: Desk, boss: Desk) -> None:
    _two_estates(boss)
    hg = _open(db, "HG")
    try:
        hg_desk = Desk(hg, boss.operator)
        with hg_desk.write() as ctx:
            residents.add_resident(ctx, "8", "0101", "钱多", "13600000001", "owner")
        theirs = declare(
            hg_desk, phone_change(room="8-101", resident="钱多", asked_by="钱多", id_number="1234")
        )
        assert theirs.number.startswith("HG-BG-")
        # at this estate's desk: their room is not on record, their declaration not found
        here = phone_change(room="8-101", resident="钱多", asked_by="钱多", id_number="1234")
        assert refused(site, lambda ctx: owner_changes.declare(ctx, here)).field == "room"
        error = refused(boss, lambda ctx: owner_changes.apply(ctx, theirs.id))
        assert isinstance(error, NotFound)
        with site.read() as ctx:
            assert owner_changes.find(ctx, theirs.number) is None
        with hg_desk.read() as ctx:
            assert owner_changes.get(ctx, theirs.id or 0).room == "8-101"
        # the call-centre desk declares nothing before the estate of the call is chosen
        centre = _open(db, "*")
        try:
            anywhere = Desk(centre, boss.operator)
            error = refused(anywhere, lambda ctx: owner_changes.declare(ctx, here))
            assert error.key == "estate.not_chosen"
        finally:
            centre.dispose()
    finally:
        hg.dispose()


def _every_text(db: Database) -> list[str]:
    """Every value of every table's text columns, as stored."""
    found: list[str] = []
    with db.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            if table.startswith(("search_fts", "alembic")):  # FTS5: contentless, no text
                continue
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                found += [str(value) for value in row if value is not None]
    return found


def test_the_full_id_number_is_never_stored_or_audited(
    site: Desk, records: Desk, on_record: Desk
) -> None:
    declare(site, by_phone(id_number=LI_MING, new_phone="13900003333"))
    caller(site, WANG_QIANG)
    numbers = (LI_MING, WANG_QIANG)
    for value in _every_text(site.db):
        assert not any(number in value or number.lower() in value for number in numbers), value
    with site.read() as ctx:
        data = json.dumps(export.export(ctx), ensure_ascii=False)
        proofs = [r.id_proof for r in ctx.session.exec(select(OwnerChange))]
    assert not any(number in data for number in numbers)
    assert not re.search(r"[0-9a-f]{64}", data)  # nor any number's keyed hash
    assert proofs and all(proof == "" for proof in proofs)  # none waiting to be recorded
    with site.read() as ctx:
        audited = list(ctx.session.exec(select(AuditEvent.data)))
    assert not any(number in data for data in audited for number in numbers)
