"""The ways an insider or a careless clerk could try to get round a worker pass's rules (issue
#19): each test is one way in, shut."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import select

from desk.db import Database
from desk.models import Operator, RenovationState, WorkerPass, WorkerPassState
from desk.services import audit, lookup, renovation_workers
from desk.services.errors import DeskError
from tests.conftest import NOW, Desk
from tests.test_estates_service import _open, _two_estates
from tests.worker_seed import (
    FULL_ID,
    PLANNED_END,
    issue_pass,
    renovation_row,
    set_renovation_state,
    stored_text_of,
    worker,
)

# the same number as a careless clerk might write it
WRITTEN = (FULL_ID, FULL_ID.lower(), "110105 19491231 002X", "110105-19491231-002x")


def refused(desk: Desk, call: Any) -> DeskError:
    with pytest.raises(DeskError) as err, desk.write() as ctx:
        call(ctx)
    return err.value


def passes_in(desk: Desk) -> list[WorkerPass]:
    with desk.read() as ctx:
        return list(ctx.session.exec(select(WorkerPass)))


def test_a_whole_id_number_typed_into_any_field_never_reaches_the_database(
    db: Database, desk: Desk
) -> None:
    """The ID field keeps the last 4; the name, the receipt and a revocation's reason refuse an
    ID number however it is written; the gate's box and the lookup keep nothing of it; no
    refusal quotes it back."""
    renovation_row(desk)
    number = issue_pass(desk)
    found = passes_in(desk)[0]
    messages: list[str] = []
    for written in WRITTEN:
        for field, data in (
            ("name", worker(name=f"王建 {written}", id_number="1234")),
            ("fee_receipt", worker(name="李四", fee_receipt=written)),
        ):
            error = refused(desk, lambda ctx, data=data: renovation_workers.issue(ctx, data))
            assert (error.key, error.field) == ("worker_pass_error.id_in_text", field)
            messages.append(error.message)
        for revoke in (
            lambda ctx, w=written: renovation_workers.revoke(ctx, found.id or 0, f"身份证{w}遗失"),
            lambda ctx, w=written: renovation_workers.revoke_all(ctx, found.renovation_id, w),
        ):
            error = refused(desk, revoke)
            assert (error.key, error.field) == ("worker_pass_error.id_in_text", "reason")
            messages.append(error.message)
        with Desk(db, None).write() as ctx:
            check = renovation_workers.gate_check(ctx, written, "老周")
        assert check.worker_pass is None and check.refusal is not None
        assert check.refusal.key == "worker_pass_error.gate_id_typed"
        messages.append(check.refusal.message)
        with desk.read() as ctx:
            assert lookup.search(ctx, written).total == 0
    # a wrong check character is refused too, without quoting what was typed
    error = refused(
        desk,
        lambda ctx: renovation_workers.issue(
            ctx, worker(name="赵六", id_number=FULL_ID[:-1] + "1")
        ),
    )
    assert error.key == "worker_pass_error.id_check"
    messages.append(error.message)
    assert not [m for m in messages if "19491231" in m]
    assert [p.number for p in passes_in(desk)] == [number]
    assert passes_in(desk)[0].state == WorkerPassState.issued
    stored = stored_text_of(db)
    assert not [w for w in (*WRITTEN, "19491231") if w in stored]


def test_a_pass_of_another_estate_is_unknown_at_this_gate(
    db: Database, boss: Desk, clerk: Operator
) -> None:
    _two_estates(boss)
    hg = _open(db, "HG")
    try:
        theirs = Desk(hg, clerk)
        renovation_row(theirs)
        number = issue_pass(theirs)
        assert number == "HG-SG-20261123-001"
        for typed in (number, number.removeprefix("HG-"), number.replace("-", "").lower()):
            with Desk(db, None).write() as ctx:
                check = renovation_workers.gate_check(ctx, typed, "老周")
            assert check.worker_pass is None and check.refusal is not None
            assert check.refusal.key == "worker_pass_error.gate_unknown"
        with Desk(hg, None).write() as ctx:
            assert renovation_workers.gate_check(ctx, number, "老马").refusal is None
        (found,) = passes_in(theirs)
        assert found.gate_checks == 1
        # nor can this estate's desk revoke it, or issue on its renovation by id
        mine = Desk(db, clerk)
        assert passes_in(mine) == []
        error = refused(mine, lambda ctx: renovation_workers.revoke(ctx, found.id or 0, "误操作"))
        assert error.key == "record.not_found"
        with mine.write() as ctx:
            assert renovation_workers.revoke_all(ctx, found.renovation_id, "停工") == []
        data = worker("", renovation_id=found.renovation_id, name="李四")
        error = refused(mine, lambda ctx: renovation_workers.issue(ctx, data))
        assert (error.key, error.field) == ("field.required", "renovation")
        assert passes_in(theirs)[0].state == WorkerPassState.issued
    finally:
        hg.dispose()


@pytest.mark.parametrize(
    ("what", "key"),
    [
        ("revoked", "worker_pass_error.gate_revoked"),
        ("expired", "worker_pass_error.gate_expired"),
        ("not_yet", "worker_pass_error.gate_not_yet"),
        ("suspended", "worker_pass_error.gate_suspended"),
        ("finished", "worker_pass_error.gate_closed"),
        ("withdrawn", "worker_pass_error.gate_closed"),
    ],
)
def test_a_pass_that_may_not_be_used_is_refused_at_the_gate_and_the_check_kept(
    desk: Desk, what: str, key: str
) -> None:
    works = renovation_row(desk, state=RenovationState.in_works)
    start = NOW.date() + timedelta(days=3) if what == "not_yet" else None
    number = issue_pass(desk, worker(valid_from=start, valid_until=date(2026, 11, 30)))
    found = passes_in(desk)[0]
    gate = Desk(desk.db, None)
    if what == "revoked":
        with desk.write() as ctx:
            renovation_workers.revoke(ctx, found.id or 0, "施工队辞退")
    elif what == "expired":
        gate.now = NOW + timedelta(days=8)
    elif what in ("suspended", "finished", "withdrawn"):
        set_renovation_state(desk, works, what)
    with gate.write() as ctx:
        check = renovation_workers.gate_check(ctx, number, "老周")
    assert check.refusal is not None and check.refusal.key == key
    assert number in check.refusal.message
    after = passes_in(desk)[0]
    assert after.gate_checks == 1 and after.last_gate_check_at == gate.now
    with desk.read() as ctx:
        event = audit.history(ctx, renovation_workers.REGISTER, after.id or 0)[-1]
    data = audit.event_data(event)
    assert event.action == "gate_checked" and data["result"] != "valid"
    assert event.operator_id is None


@pytest.mark.parametrize(
    "state",
    [
        RenovationState.applied,
        RenovationState.approved,
        RenovationState.refused,
        RenovationState.withdrawn,
        RenovationState.suspended,
        RenovationState.passed,
    ],
)
def test_no_pass_is_issued_on_works_not_under_permit(desk: Desk, state: RenovationState) -> None:
    """Skipping the permit (applied, approved), after a refusal or a withdrawal, while suspended
    or after the works passed inspection: refused, nothing written, no number used up."""
    renovation_row(desk, state=state, permit_at=None if state != "passed" else NOW)
    error = refused(desk, lambda ctx: renovation_workers.issue(ctx, worker("ZX-20261120-001")))
    assert (error.key, error.field) == ("worker_pass_error.renovation_not_in_works", "renovation")
    assert passes_in(desk) == []
    renovation_row(desk)
    assert issue_pass(desk, worker("XK-20261121-002")) == "SG-20261123-001"


def test_a_pass_cannot_outlast_or_predate_the_permit(desk: Desk) -> None:
    renovation_row(desk)
    for data, field, key in (
        (
            worker(valid_until=PLANNED_END + timedelta(days=1)),
            "valid_until",
            "worker_pass_error.until_past_permit",
        ),
        (
            worker(valid_from=PLANNED_END + timedelta(days=1)),
            "valid_until",
            "worker_pass_error.until_before_from",
        ),
        (
            worker(valid_from=NOW.date() - timedelta(days=5)),
            "valid_from",
            "worker_pass_error.from_past",
        ),
    ):
        error = refused(desk, lambda ctx, data=data: renovation_workers.issue(ctx, data))
        assert (error.key, error.field) == (key, field)
    assert passes_in(desk) == []


def test_nothing_is_issued_or_revoked_without_a_signed_in_operator(desk: Desk) -> None:
    renovation_row(desk)
    issue_pass(desk)
    found = passes_in(desk)[0]
    nobody = Desk(desk.db, None)
    for call in (
        lambda ctx: renovation_workers.issue(ctx, worker(name="李四")),
        lambda ctx: renovation_workers.revoke(ctx, found.id or 0, "离场"),
        lambda ctx: renovation_workers.revoke_all(ctx, found.renovation_id, "停工"),
    ):
        assert refused(nobody, call).key == "app.not_signed_in"
    assert [(p.state, p.gate_checks) for p in passes_in(desk)] == [(WorkerPassState.issued, 0)]
