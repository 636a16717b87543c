"""Bad input everywhere, registers 4 and 5: the key cabinet, loans with any counts, entrusted keys,
the key count, release passes with any items, and anything at the gate.

See tests/property_support.py for the property each call keeps.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st
from sqlmodel import col, select

from desk.db import Database
from desk.models import (
    EntrustedKey,
    EntrustedState,
    GateResult,
    IdType,
    Key,
    KeyCount,
    KeyLoan,
    LoanState,
    Operator,
    PassItem,
    PassState,
    Relationship,
    ReleasePass,
)
from desk.services import keys, pass_checks, passes, residents
from desk.services.keys import EntrustedCreate, KeyLoanCreate
from desk.services.passes import PassCreate, PassItemIn
from desk.services.residents import normalise_room
from tests.conftest import NOW, TZ, Desk
from tests.property_support import (
    FEW,
    PROPERTY,
    WALK,
    any_text,
    attempt,
    counts,
    maybe_times,
    mostly_nice,
    phones,
    read,
    rooms,
    variants,
)

SERIAL = itertools.count(1)
tags = st.one_of(
    st.sampled_from(["K-NEW-1", "k-pump-b2", "钥匙1", "3-1202", "K/1.2#3", "-K", "K" * 41, "²"]),
    any_text,
)
kinds = st.one_of(st.sampled_from(["", "unit", "facility", "单元", "设施", "UNIT"]), any_text)

KEY_NICE: dict[str, Any] = {
    "tag": "K-NEW-1",
    "opens": "水泵房",
    "kind": "",
    "room": "",
    "copies": 2,
    "hook": "A-01",
    "note": "",
}
KEY_WILD: dict[str, Any] = {
    "tag": tags,
    "opens": any_text,
    "kind": kinds,
    "room": rooms,
    "copies": counts,
    "hook": any_text,
    "note": any_text,
}


def _key_matches(key: Key, given: dict[str, Any]) -> None:
    assert key.tag == given["tag"].strip().upper()
    assert key.opens == given["opens"].strip()
    assert key.room == normalise_room(given["room"].strip())
    assert key.copies == given["copies"]
    assert key.hook == given["hook"].strip()
    assert key.note == given["note"].strip()
    assert key.kind == keys.parse_kind(given["kind"], key.room)


@pytest.mark.tampers
@PROPERTY
@given(fields=variants(KEY_NICE, KEY_WILD), edit=variants(KEY_NICE, KEY_WILD))
def test_adding_and_editing_a_cabinet_key(
    desk: Desk, fields: dict[str, Any], edit: dict[str, Any]
) -> None:
    added = attempt(desk, lambda ctx: keys.add_key(ctx, **fields))
    if added is None:
        return
    _key_matches(read(desk, Key, added.id), fields)
    key_id = added.id
    assert key_id is not None
    edited = attempt(desk, lambda ctx: keys.update_key(ctx, key_id, **edit))
    if edited is not None:
        _key_matches(read(desk, Key, key_id), edit)
    with desk.write() as ctx:  # the next example starts from an empty cabinet again
        ctx.session.delete(keys.get_key(ctx, key_id))


@FEW
@given(reason=mostly_nice, out=st.booleans())
def test_retiring_a_cabinet_key(db: Database, supervisor: Operator, reason: str, out: bool) -> None:
    boss = Desk(db, supervisor)  # retiring is a supervisor's
    tag = f"K-OLD-{next(SERIAL)}"
    with boss.write() as ctx:
        key_id = keys.add_key(ctx, tag, "旧仓库").id
        if out:
            keys.lend(ctx, KeyLoanCreate(key=tag, borrower="李建国", reason="取物"))
    assert key_id is not None
    retired = attempt(boss, lambda ctx: keys.retire_key(ctx, key_id, reason))
    if retired is not None:
        assert not out and not read(boss, Key, key_id).active
        assert attempt(boss, lambda ctx: keys.retire_key(ctx, key_id, reason)) is None


@pytest.fixture
def cabinet(desk: Desk) -> Desk:
    with desk.write() as ctx:
        keys.add_key(ctx, "K-PUMP-B2", "水泵房", copies=3, hook="A-01")
        keys.add_key(ctx, "K-3-1202", "3-1202 空置房", room="3-1202", copies=1)
    return desk


LOAN_NICE: dict[str, Any] = {
    "key": "K-PUMP-B2",
    "borrower": "李建国",
    "department": "",
    "reason": "巡检水泵",
    "room": "",
    "count": 1,
    "due_at": None,
    "note": "",
}
LOAN_WILD: dict[str, Any] = {
    "key": st.one_of(
        st.sampled_from(["k-pump-b2", "1", "2", "999", "²", "١", "9" * 25, "0x10", ""]),
        tags,
    ),
    "borrower": any_text,
    "department": st.one_of(st.sampled_from(["engineering", "工程维修部", "Security"]), any_text),
    "reason": any_text,
    "room": rooms,
    "count": counts,
    "due_at": maybe_times,
    "note": any_text,
}


@PROPERTY
@given(fields=variants(LOAN_NICE, LOAN_WILD))
@example(fields={**LOAN_NICE, "key": "²"})
@example(fields={**LOAN_NICE, "key": "9" * 25})
@example(fields={**LOAN_NICE, "key": "\ud800"})
@example(fields={**LOAN_NICE, "due_at": datetime.max.replace(tzinfo=UTC)})
def test_lending_keys(cabinet: Desk, fields: dict[str, Any]) -> None:
    desk = cabinet
    data = KeyLoanCreate(**fields)
    with desk.read() as ctx:
        free = {key.id: keys.available(ctx, key) for key in keys.cabinet(ctx)}
    lent = attempt(desk, lambda ctx: keys.lend(ctx, data))
    if lent is None:
        return
    loan = read(desk, KeyLoan, lent.id)
    assert 1 <= loan.count == data.count <= free[loan.key_id]
    assert loan.borrower == data.borrower.strip()
    assert loan.reason == data.reason.strip()
    assert loan.note == data.note.strip()
    assert loan.due_at == (data.due_at or loan.due_at) and loan.due_at > NOW
    assert loan.room == (normalise_room(data.room.strip()) or read(desk, Key, loan.key_id).room)
    with desk.write() as ctx:  # give the keys back, so every example finds the cabinet full
        keys.take_back(ctx, loan.id or 0, loan.count, "李建国")


returns = st.one_of(
    st.tuples(st.just("take_back"), counts, mostly_nice, counts, any_text),
    st.tuples(st.just("report_lost"), counts, any_text),
)


@WALK
@given(lent=st.integers(min_value=1, max_value=3), walk=st.lists(returns, min_size=1, max_size=4))
def test_returning_keys_in_any_counts(
    cabinet: Desk, lent: int, walk: list[tuple[Any, ...]]
) -> None:
    desk = cabinet
    tag = f"K-WALK-{next(SERIAL)}"  # a key of its own: keys lost in one example stay lost
    with desk.write() as ctx:
        keys.add_key(ctx, tag, "配电房", copies=3)
        loan = KeyLoanCreate(key=tag, borrower="李建国", reason="巡检", count=lent)
        loan_id = keys.lend(ctx, loan).id
    assert loan_id is not None
    for step in walk:
        before = read(desk, KeyLoan, loan_id)
        if step[0] == "take_back":
            _, count, who, lost, note = step
            done = attempt(
                desk,
                lambda ctx, c=count, w=who, x=lost, n=note: keys.take_back(
                    ctx, loan_id, c, w, x, n
                ),
            )
        else:
            _, lost, note = step
            count = 0
            done = attempt(desk, lambda ctx, x=lost, n=note: keys.report_lost(ctx, loan_id, x, n))
        event(f"{step[0]}: {'done' if done is not None else 'refused'}")
        after = read(desk, KeyLoan, loan_id)
        assert 0 <= after.returned_count + after.lost_count <= after.count
        if done is None:
            continue
        assert count >= 0 and lost >= 0 and count + lost > 0
        assert before.state in (LoanState.out, LoanState.partly_returned)
        assert after.returned_count == before.returned_count + count
        assert after.lost_count == before.lost_count + lost


def test_returning_a_key_never_lent_or_more_than_lent_is_refused(cabinet: Desk) -> None:
    desk = cabinet
    assert attempt(desk, lambda ctx: keys.take_back(ctx, 999, 1, "李建国")) is None
    loan = KeyLoanCreate(key="K-PUMP-B2", borrower="李建国", reason="巡检", count=2)
    lent = attempt(desk, lambda ctx: keys.lend(ctx, loan))
    assert lent is not None and lent.id is not None
    loan_id = lent.id
    assert attempt(desk, lambda ctx: keys.take_back(ctx, loan_id, 3, "李建国")) is None
    assert attempt(desk, lambda ctx: keys.take_back(ctx, loan_id, 2, "李建国")) is not None
    assert attempt(desk, lambda ctx: keys.take_back(ctx, loan_id, 1, "李建国")) is None


# --- entrusted keys and the count ---------------------------------------------------------

ENTRUSTED_NICE: dict[str, Any] = {
    "owner_name": "李明",
    "room": "3-1202",
    "phone": "13812345678",
    "description": "入户门钥匙",
    "count": 2,
    "reason": "卫生间防水整改",
    "hook": "",
    "repair_order_number": "",
}
ENTRUSTED_WILD: dict[str, Any] = {
    "owner_name": any_text,
    "room": rooms,
    "phone": phones,
    "description": any_text,
    "count": counts,
    "reason": any_text,
    "hook": any_text,
    "repair_order_number": st.one_of(st.sampled_from(["WX-20261123-001", "wx"]), any_text),
}
entrusted_steps = st.one_of(
    st.tuples(st.just("take_out"), mostly_nice, any_text),
    st.tuples(st.just("bring_back")),
    st.tuples(st.just("work_done"), any_text),
    st.tuples(st.just("notify"), any_text),
    st.tuples(st.just("collect"), st.sampled_from(["own", "other", "", "\x00"]), mostly_nice),
)


@WALK
@given(
    fields=variants(ENTRUSTED_NICE, ENTRUSTED_WILD),
    walk=st.lists(entrusted_steps, max_size=5),
)
@example(fields={**ENTRUSTED_NICE, "repair_order_number": "\ud800"}, walk=[])
def test_entrusted_keys_with_anything(
    desk: Desk, fields: dict[str, Any], walk: list[tuple[Any, ...]]
) -> None:
    data = EntrustedCreate(**fields)
    deposited = attempt(desk, lambda ctx: keys.deposit(ctx, data))
    if deposited is None:
        return
    stored = read(desk, EntrustedKey, deposited.id)
    assert stored.owner_name == data.owner_name.strip()
    assert stored.room == normalise_room(data.room.strip())
    assert (stored.phone, stored.description) == (data.phone.strip(), data.description.strip())
    assert (stored.count, stored.reason, stored.hook) == (
        data.count,
        data.reason.strip(),
        data.hook.strip(),
    )
    entrusted_id = stored.id
    assert entrusted_id is not None
    for step in walk:
        before = read(desk, EntrustedKey, entrusted_id)
        action = step[0]
        if action == "take_out":
            done = attempt(desk, lambda ctx, s=step: keys.take_out(ctx, entrusted_id, s[1], s[2]))
        elif action == "bring_back":
            done = attempt(desk, lambda ctx: keys.bring_back_key(ctx, entrusted_id))
        elif action == "work_done":
            done = attempt(desk, lambda ctx, s=step: keys.work_done(ctx, entrusted_id, s[1]))
        elif action == "notify":
            done = attempt(desk, lambda ctx, s=step: keys.notify_owner(ctx, entrusted_id, s[1]))
        else:
            slip = {"own": before.number.lower(), "other": "WT-20261123-999"}.get(step[1], step[1])
            done = attempt(
                desk, lambda ctx, s=step, n=slip: keys.collect(ctx, entrusted_id, n, s[2])
            )
        event(f"{action} from {before.state}: {'done' if done is not None else 'refused'}")
        if done is None:
            continue
        after = read(desk, EntrustedKey, entrusted_id)
        assert before.state != EntrustedState.collected
        if action == "collect":
            assert (after.state, after.collected_by) == (EntrustedState.collected, step[2].strip())
        elif action == "work_done":
            assert (before.state, after.state) == (
                EntrustedState.deposited,
                EntrustedState.work_done,
            )
        elif action == "notify":
            assert after.notify_note == step[1].strip()


@PROPERTY
@given(
    found=st.dictionaries(
        st.one_of(st.sampled_from(["K-PUMP-B2", "k-3-1202", " k-pump-b2 "]), any_text),
        counts,
        max_size=3,
    ),
    note=any_text,
)
@example(found={"K-PUMP-B2": 2**63}, note="")
def test_counting_the_keys_with_any_numbers(
    cabinet: Desk, found: dict[str, int], note: str
) -> None:
    desk = cabinet
    counted = attempt(desk, lambda ctx: keys.count(ctx, found, note))
    if counted is None:
        return
    record = read(desk, KeyCount, counted.id)
    typed = {ref.strip().upper(): number for ref, number in found.items()}
    assert record.found == sum(typed.values())
    assert all(number >= 0 for number in typed.values())
    assert record.note == note.strip()
    assert record.note or not keys.discrepancies(record)  # a difference is always explained


# --- release passes -----------------------------------------------------------------------


@pytest.fixture
def site(desk: Desk) -> Desk:
    with desk.write() as ctx:
        residents.add_resident(ctx, "3", "1202", "李明", "13812345678", "owner")
        residents.add_resident(ctx, "3", "1202", "赵租", "13700001111", "tenant")
    return desk


items = st.builds(
    PassItemIn,
    description=mostly_nice,
    quantity=st.one_of(st.just(1), counts),
    remark=st.one_of(st.just(""), any_text),
)
PASS_NICE: dict[str, Any] = {
    "room": "3-1202",
    "applicant": "赵租",
    "relationship": Relationship.tenant,
    "id_type": IdType.id_card,
    "id_last4": "123x",
    "owner_phone_called": "13812345678",
    "owner_confirmed_by": "李明",
    "owner_confirmed": True,
    "owner_confirmed_at": None,
    "vehicle_plate": "沪a 12345",
    "valid_on": None,
    "items": [PassItemIn(description="双人沙发"), PassItemIn(description="纸箱", quantity=6)],
}
PASS_WILD: dict[str, Any] = {
    "room": st.one_of(st.sampled_from(["3栋1202", "1202", "5-0801"]), rooms),
    "applicant": any_text,
    "relationship": st.sampled_from(list(Relationship)),
    "id_type": st.sampled_from(list(IdType)),
    "id_last4": st.one_of(
        st.sampled_from(["1234", "ßß", "１２３４", "12 3x", "310101199001011234", "١٢٣٤"]),
        any_text,
    ),
    "owner_phone_called": phones,
    "owner_confirmed_by": any_text,
    "owner_confirmed": st.sampled_from([None, True, False]),
    "owner_confirmed_at": maybe_times,
    "vehicle_plate": st.one_of(st.sampled_from(["ß" * 20, "ﬃ" * 8, "粤B 1234 5"]), any_text),
    "valid_on": st.one_of(
        st.dates(),
        st.sampled_from([date.min, date.max, NOW.date(), NOW.date() + timedelta(days=31)]),
    ),
    "items": st.lists(items, max_size=4),
}


@PROPERTY
@given(fields=variants(PASS_NICE, PASS_WILD))
@example(fields={**PASS_NICE, "owner_confirmed_at": datetime.min.replace(tzinfo=TZ)})
@example(fields={**PASS_NICE, "applicant": "\ud800"})
def test_issuing_a_pass(site: Desk, fields: dict[str, Any]) -> None:
    desk = site
    data = PassCreate(**fields)
    issued = attempt(desk, lambda ctx: passes.issue(ctx, data))
    if issued is None:
        return
    stored = read(desk, ReleasePass, issued.id)
    assert stored.room == "3-1202"
    assert stored.applicant == data.applicant.strip()
    assert stored.id_last4 == "".join(data.id_last4.split()).upper()
    assert len(stored.id_last4) == 4 and len(stored.vehicle_plate) <= 20
    assert stored.valid_on == (data.valid_on or NOW.date())
    with desk.read() as ctx:
        lines = list(
            ctx.session.exec(
                select(PassItem)
                .where(PassItem.pass_id == stored.id)
                .order_by(col(PassItem.line_no))
            )
        )
    assert [(i.description, i.quantity, i.remark) for i in lines] == [
        (i.description.strip(), i.quantity, i.remark.strip()) for i in data.items
    ]
    assert all(1 <= i.quantity <= pass_checks.MAX_QUANTITY for i in lines)


gate_steps = st.one_of(
    st.tuples(
        st.just("gate"),
        st.sampled_from(["own", "own_lower", "FX-20261123-999", "", "\x00"]),
        st.sampled_from(list(GateResult)),
        mostly_nice,
        st.one_of(st.just(""), any_text),
    ),
    st.tuples(st.just("stub"), st.sampled_from(["own", "own_lower", "FX", "\ud800"])),
    st.tuples(st.just("void"), mostly_nice),
)


@WALK
@given(walk=st.lists(gate_steps, min_size=1, max_size=4))
def test_anything_at_the_gate(
    site: Desk, db: Database, supervisor: Operator, walk: list[tuple[Any, ...]]
) -> None:
    desk, boss = site, Desk(db, supervisor)
    items = [PassItemIn(description="冰箱")]
    with desk.write() as ctx:
        issued = passes.issue(
            ctx, PassCreate(room="3-1202", applicant="李明", id_last4="1234", items=items)
        )
    pass_id, number = issued.id, issued.number
    assert pass_id is not None
    for step in walk:
        before = read(desk, ReleasePass, pass_id)
        if step[0] == "gate":
            typed = {"own": number, "own_lower": number.lower().replace("-", "")}.get(
                step[1], step[1]
            )
            done = attempt(
                desk,
                lambda ctx, s=step, n=typed: passes.gate_check(ctx, n, s[2], s[3], s[4]),
            )
        elif step[0] == "stub":
            typed = {"own": number, "own_lower": number.lower()}.get(step[1], step[1])
            done = attempt(desk, lambda ctx, n=typed: passes.return_stub(ctx, n))
        else:
            done = attempt(boss, lambda ctx, s=step: passes.void(ctx, pass_id, s[1]))
        event(f"{step[0]} from {before.state}: {'done' if done is not None else 'refused'}")
        if done is None:
            continue
        after = read(desk, ReleasePass, pass_id)
        if step[0] == "gate":
            assert before.state == PassState.issued and before.gate_checked_at is None
            assert before.stub_returned_at is None
            assert after.guard_name == step[3].strip()
            assert after.gate_note == step[4].strip()
        elif step[0] == "stub":
            assert before.stub_returned_at is None and after.stub_returned_at == NOW
        else:
            assert before.state == PassState.issued
            assert (after.state, after.void_reason) == (PassState.voided, step[1].strip())


def test_checking_a_pass_twice_and_returning_a_stub_twice_are_refused(site: Desk) -> None:
    desk = site
    data = PassCreate(
        room="3-1202", applicant="李明", id_last4="1234", items=[PassItemIn(description="冰箱")]
    )
    issued = attempt(desk, lambda ctx: passes.issue(ctx, data))
    assert issued is not None
    number = issued.number
    check = lambda ctx: passes.gate_check(ctx, number, GateResult.all_out, "周海")  # noqa: E731
    assert attempt(desk, check) is not None
    assert attempt(desk, check) is None
    assert attempt(desk, lambda ctx: passes.return_stub(ctx, number)) is not None
    assert attempt(desk, lambda ctx: passes.return_stub(ctx, number)) is None


@FEW
@given(quantity=counts)
def test_pass_item_quantities(site: Desk, quantity: int) -> None:
    data = PassCreate(
        room="3-1202",
        applicant="李明",
        id_last4="1234",
        items=[PassItemIn(description="纸箱", quantity=quantity)],
    )
    issued = attempt(site, lambda ctx: passes.issue(ctx, data))
    assert (issued is not None) == (1 <= quantity <= pass_checks.MAX_QUANTITY)


@pytest.mark.parametrize("plate", ["ß" * 20, "ﬃ" * 8, "粤b 1234 5"])
def test_a_plate_fits_its_column_after_upper_casing(site: Desk, plate: str) -> None:
    data = PassCreate(
        room="3-1202",
        applicant="李明",
        id_last4="1234",
        vehicle_plate=plate,
        items=[PassItemIn(description="冰箱")],
    )
    issued = attempt(site, lambda ctx: passes.issue(ctx, data))
    if issued is not None:
        stored = read(site, ReleasePass, issued.id)
        assert stored.vehicle_plate == plate.upper().replace(" ", "")
        assert len(stored.vehicle_plate) <= 20
