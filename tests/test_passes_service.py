"""Release passes at fixed clocks: issue, owner confirmation, gate once, void, stubs, reconcile."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from pathlib import Path

import pytest

from desk.config import load_settings
from desk.db import Database, open_database
from desk.models import GateResult, Operator, PassState, Relationship
from desk.services import audit, export, passes, residents
from desk.services.errors import DeskError, FieldErrors, Forbidden
from desk.services.passes import PassCreate, PassItemIn, PassStatus, StubStatus
from tests.conftest import NOW, TZ, Desk
from tests.seed import owner_pass


@pytest.fixture
def site(desk: Desk) -> Desk:
    with desk.write() as ctx:
        residents.add_resident(ctx, "3", "1202", "李明", "13812345678", "owner")
        residents.add_resident(ctx, "3", "1202", "赵租", "13700001111", "tenant")
        residents.add_resident(ctx, "5", "0801", "孙丽", "13600002222", "owner")
    return desk


def tenant_pass(**changes: object) -> PassCreate:
    fields: dict[str, object] = {
        "applicant": "赵租",
        "relationship": "tenant",
        "owner_phone_called": "13812345678",
        "owner_confirmed_by": "李明",
        "owner_confirmed": True,
        **changes,
    }
    return owner_pass(**fields)


def issue(desk: Desk, data: PassCreate | None = None) -> str:
    with desk.write() as ctx:
        return passes.issue(ctx, data or owner_pass()).number


def refused(desk: Desk, call: object) -> DeskError:
    with pytest.raises(DeskError) as err, desk.write() as ctx:
        call(ctx)  # type: ignore[operator]
    return err.value


def test_issue_with_items(site: Desk) -> None:
    number = issue(site)
    assert number == "FX-20261123-001"
    with site.read() as ctx:
        found = passes.find(ctx, number)
        assert found is not None and found.id is not None
        items = passes.items_of(ctx, found.id)
        (event,) = audit.history(ctx, passes.REGISTER, found.id)
    assert (found.room, found.applicant, found.relationship) == ("3-1202", "李明", "owner")
    assert found.id_last4 == "123X" and found.vehicle_plate == "沪A12345"
    assert found.valid_on == date(2026, 11, 23)
    assert found.valid_until.astimezone(TZ).strftime("%m-%d %H:%M:%S") == "11-23 23:59:59"
    assert found.state == PassState.issued and found.owner_confirmed is None
    assert [(i.line_no, i.description, i.quantity, i.remark) for i in items] == [
        (1, "双人沙发", 1, ""),
        (2, "冰箱", 1, "海尔 双门"),
        (3, "纸箱（衣物）", 6, ""),
    ]
    assert event.action == "issued" and "applicant_not_owner_on_file" not in event.data
    assert issue(site) == "FX-20261123-002"


def test_owner_not_on_file_is_noted_not_refused(site: Desk) -> None:
    number = issue(site, owner_pass(applicant="王五"))
    with site.read() as ctx:
        found = passes.find(ctx, number)
        assert found is not None and found.id is not None
        (event,) = audit.history(ctx, passes.REGISTER, found.id)
    assert audit.event_data(event)["applicant_not_owner_on_file"] is True


def test_find_in_any_case_with_or_without_dashes(site: Desk) -> None:
    number = issue(site)
    with site.read() as ctx:
        for typed in ("fx-20261123-001", "FX20261123001", " fx 20261123 001 ", "20261123001"):
            found = passes.find(ctx, typed)
            assert found is not None and found.number == number, typed
        assert passes.find(ctx, "FX-20261123-002") is None
        assert passes.find(ctx, "hello") is None


def test_valid_for_a_duration(site: Desk) -> None:
    site.db.settings.passes.valid_for = "4h"
    try:
        with site.write() as ctx:
            found = passes.issue(ctx, owner_pass())
        assert found.valid_until == NOW + timedelta(hours=4)
    finally:
        site.db.settings.passes.valid_for = "same_day"


def test_tenant_without_owner_confirmation_is_refused(site: Desk) -> None:
    error = refused(site, lambda ctx: passes.issue(ctx, tenant_pass(owner_confirmed=False)))
    assert error.field == "owner_confirmed"
    assert "a pass for a unit whose owner has not confirmed cannot be issued" in error.message
    error = refused(site, lambda ctx: passes.issue(ctx, tenant_pass(owner_confirmed=None)))
    assert error.key == "pass_error.owner_not_confirmed"
    error = refused(site, lambda ctx: passes.issue(ctx, tenant_pass(owner_phone_called="")))
    assert error.field == "owner_phone_called"
    error = refused(site, lambda ctx: passes.issue(ctx, tenant_pass(owner_confirmed_by=" ")))
    assert error.field == "owner_confirmed_by"
    with site.read() as ctx:
        assert passes.listing(ctx) == []


def test_tenant_with_owner_confirmation(site: Desk) -> None:
    number = issue(site, tenant_pass(relationship=Relationship.agent))
    with site.read() as ctx:
        found = passes.find(ctx, number)
        assert found is not None and found.id is not None
        (event,) = audit.history(ctx, passes.REGISTER, found.id)
    assert found.owner_confirmed is True and found.owner_confirmed_by == "李明"
    assert found.owner_confirmed_at == NOW and found.owner_phone_called == "13812345678"
    assert audit.event_data(event)["owner_phone_on_file"] is True


@pytest.mark.parametrize("typed", ["310101199001011234", "12345", "1 2 3 4 5"])
def test_id_longer_than_4_is_refused_and_never_stored(site: Desk, typed: str) -> None:
    error = refused(site, lambda ctx: passes.issue(ctx, owner_pass(id_last4=typed)))
    assert error.field == "id_last4" and typed not in error.message
    assert "last 4" in error.message


def test_an_id_cards_last_4_are_digits_or_a_final_x_other_papers_may_have_letters(
    site: Desk,
) -> None:
    for typed in ("12ab", "X123", "12X4"):
        error = refused(
            site, lambda ctx, typed=typed: passes.issue(ctx, owner_pass(id_last4=typed))
        )
        assert (error.key, error.field) == ("pass_error.id_card_last4", "id_last4")
    with site.write() as ctx:
        card = passes.issue(ctx, owner_pass(id_last4="123x"))
        passport = passes.issue(ctx, owner_pass(id_type="passport", id_last4="E12a"))
    assert (card.id_last4, passport.id_last4) == ("123X", "E12A")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id_last4": "12"}, "id_last4"),
        ({"room": "9-9999"}, "room"),
        ({"room": ""}, "room"),
        ({"applicant": ""}, "applicant"),
        ({"items": []}, "items"),
        ({"items": [PassItemIn(description="床", quantity=0)]}, "items"),
        ({"items": [PassItemIn(description="", quantity=2)]}, "items"),
        ({"valid_on": date(2026, 11, 22)}, "valid_on"),
    ],
)
def test_bad_passes_are_refused_at_the_field(
    site: Desk, changes: dict[str, object], field: str
) -> None:
    error = refused(site, lambda ctx: passes.issue(ctx, owner_pass(**changes)))
    assert error.field == field


def test_a_pass_s_refusals_are_all_said_at_once_each_beside_its_field(site: Desk) -> None:
    data = tenant_pass(
        room="9-9999",
        id_last4="12",
        owner_phone_called="",
        owner_confirmed=False,
        valid_on=date(2026, 11, 22),
        items=[],
    )
    with pytest.raises(FieldErrors) as err, site.write() as ctx:
        passes.issue(ctx, data)
    assert [(e.field, e.key) for e in err.value.errors] == [
        ("room", "pass_error.unknown_room"),
        ("id_last4", "pass_error.id_last4_exactly"),
        ("valid_on", "pass_error.valid_on_past"),
        ("owner_phone_called", "field.required"),
        ("owner_confirmed", "pass_error.owner_not_confirmed"),
        ("items", "pass_error.no_items"),
    ]
    with site.read() as ctx:
        assert passes.listing(ctx) == []


def test_gate_check_once_then_refused(site: Desk) -> None:
    number = issue(site)
    gate = Desk(site.db, None, NOW + timedelta(hours=2))
    with gate.write() as ctx:
        checked = passes.gate_check(ctx, number.lower(), GateResult.all_out, "保安老周")
    assert checked.state == PassState.used and checked.guard_name == "保安老周"
    with gate.read() as ctx:
        assert checked.id is not None
        event = audit.history(ctx, passes.REGISTER, checked.id)[-1]
    assert event.operator_id is None and audit.event_data(event)["guard"] == "保安老周"
    error = refused(gate, lambda ctx: passes.gate_check(ctx, number, "all_out", "保安老周"))
    assert error.key == "pass_error.gate_used" and "ALREADY USED" in error.message


def test_expired_voided_and_unknown_are_refused_distinctly(
    site: Desk, supervisor: Operator
) -> None:
    expired = issue(site)
    voided = issue(site)
    with Desk(site.db, supervisor).write() as ctx:
        found = passes.find(ctx, voided)
        assert found is not None and found.id is not None
        passes.void(ctx, found.id, "业主取消搬家")
    tomorrow = Desk(site.db, None, NOW + timedelta(days=1))
    keys = set()
    for typed in (expired, voided, "FX-20261123-999"):
        error = refused(tomorrow, lambda ctx, n=typed: passes.gate_check(ctx, n, "all_out", "老周"))
        keys.add(error.key)
    assert keys == {"pass_error.gate_expired", "pass_error.gate_voided", "pass_error.gate_unknown"}
    with tomorrow.read() as ctx:
        found = passes.find(ctx, expired)
    assert found is not None and found.gate_checked_at is None


def test_partly_needs_a_note_and_refused_a_reason(site: Desk) -> None:
    number = issue(site)
    gate = Desk(site.db, None)
    error = refused(gate, lambda ctx: passes.gate_check(ctx, number, "partly", "老周"))
    assert error.field == "gate_note"
    error = refused(gate, lambda ctx: passes.gate_check(ctx, number, "refused", "老周", " "))
    assert error.field == "gate_note"
    error = refused(gate, lambda ctx: passes.gate_check(ctx, number, "all_out", ""))
    assert error.field == "guard_name"
    with gate.write() as ctx:
        found = passes.gate_check(ctx, number, "partly", "老周", "冰箱未带出")
    assert found.state == PassState.partly_used and found.gate_note == "冰箱未带出"


def test_the_gate_is_told_the_guard_and_the_note_at_once(site: Desk) -> None:
    number = issue(site)
    with pytest.raises(FieldErrors) as err, Desk(site.db, None).write() as ctx:
        passes.gate_check(ctx, number, "partly", " ")
    assert [(e.field, e.key) for e in err.value.errors] == [
        ("guard_name", "field.required"),
        ("gate_note", "pass_error.partly_needs_note"),
    ]


def test_void_by_clerk_is_refused_with_the_reason(site: Desk, supervisor: Operator) -> None:
    number = issue(site)
    with site.read() as ctx:
        found = passes.find(ctx, number)
        assert found is not None and found.id is not None
    pass_id = found.id
    with pytest.raises(Forbidden) as err, site.write() as ctx:
        passes.void(ctx, pass_id, "写错了")
    assert err.value.message == (
        "only a supervisor may void a release pass, because a voided pass no longer lets goods "
        "out, and every pass issued must be accounted for at reconciliation"
    )
    with site.read() as ctx:
        assert passes.get(ctx, pass_id).state == PassState.issued
    boss = Desk(site.db, supervisor)
    error = refused(boss, lambda ctx: passes.void(ctx, pass_id, ""))
    assert error.field == "reason"
    with boss.write() as ctx:
        voided = passes.void(ctx, pass_id, "写错了")
    assert voided.state == PassState.voided and voided.void_reason == "写错了"
    with site.read() as ctx:
        event = audit.history(ctx, passes.REGISTER, pass_id)[-1]
    assert (event.action, event.reason, event.operator_id) == ("voided", "写错了", supervisor.id)
    assert refused(boss, lambda ctx: passes.void(ctx, pass_id, "again")).key == (
        "pass_error.cannot_void"
    )


def test_stub_return(site: Desk) -> None:
    number = issue(site)
    with Desk(site.db, None).write() as ctx:
        passes.gate_check(ctx, number, "all_out", "老周")
    site.now = NOW + timedelta(days=1)
    with site.write() as ctx:
        found = passes.return_stub(ctx, number.replace("-", ""))
    assert found.stub_returned_at == site.now and found.stub_received_by == site.operator.id  # type: ignore[union-attr]
    error = refused(site, lambda ctx: passes.return_stub(ctx, number))
    assert error.key == "pass_error.stub_already"


def test_reconciliation_of_a_day_with_every_status(site: Desk, supervisor: Operator) -> None:
    numbers = [issue(site) for _ in range(7)]
    used, partly, gate_refused, expired, voided, no_check, back = numbers
    gate = Desk(site.db, None, NOW + timedelta(hours=1))
    with gate.write() as ctx:
        passes.gate_check(ctx, used, "all_out", "老周")
        passes.gate_check(ctx, partly, "partly", "老周", "床垫未带出")
        passes.gate_check(ctx, gate_refused, "refused", "老周", "物品与清单不符")
        passes.gate_check(ctx, back, "all_out", "老周")
    with Desk(site.db, supervisor).write() as ctx:
        found = passes.find(ctx, voided)
        assert found is not None and found.id is not None
        passes.void(ctx, found.id, "重复开具")
    site.now = NOW + timedelta(days=1, hours=1)
    with site.write() as ctx:
        passes.return_stub(ctx, no_check)
        passes.return_stub(ctx, back)
    still_valid = issue(site)  # issued the next day: outside the period
    with site.read() as ctx:
        rows = passes.reconciliation(ctx, date(2026, 11, 23), date(2026, 11, 23))
        missing = [p.number for p in passes.missing_stubs(ctx)]
        unchecked = [p.number for p in passes.used_without_gate_check(ctx)]
        board = [(it.number, it.summary) for it in passes.open_items(ctx)]
        whole = passes.reconciliation(ctx, date(2026, 11, 23), date(2026, 11, 24))
    shown = {r.release_pass.number: (r.status, r.stub, r.no_gate_check) for r in rows}
    assert shown == {
        used: (PassStatus.used, StubStatus.missing, False),
        partly: (PassStatus.partly, StubStatus.missing, False),
        gate_refused: (PassStatus.refused, StubStatus.missing, False),
        expired: (PassStatus.expired, StubStatus.missing, False),
        voided: (PassStatus.voided, StubStatus.not_due, False),
        no_check: (PassStatus.expired, StubStatus.returned, True),
        back: (PassStatus.used, StubStatus.returned, False),
    }
    assert all(r.items == 3 for r in rows)
    assert missing == [used, partly, gate_refused, expired]
    # its stub came back only after it expired, never checked: expired unused, not "used"
    assert unchecked == []
    # yesterday's unchecked pass stays on the board, overdue, until noon; today's is due tonight
    summary = "双人沙发 x1, 冰箱 x1, 纸箱（衣物） x6"
    assert board == [(expired, summary), (still_valid, summary)]
    assert whole[-1].release_pass.number == still_valid
    assert whole[-1].status == PassStatus.valid


def test_open_items_are_passes_waiting_for_the_gate(site: Desk) -> None:
    number = issue(site)
    with site.read() as ctx:
        (item,) = passes.open_items(ctx)
    assert (item.register, item.number, item.due_kind) == ("passes", number, "gate")
    assert item.due_at is not None and item.due_at.astimezone(TZ).hour == 23
    with Desk(site.db, None).write() as ctx:
        passes.gate_check(ctx, number, "all_out", "老周")
    with site.read() as ctx:
        assert passes.open_items(ctx) == []


def test_export_has_passes_with_items_and_events(site: Desk) -> None:
    number = issue(site)
    with Desk(site.db, None).write() as ctx:
        passes.gate_check(ctx, number, "all_out", "老周")
    with site.read() as ctx:
        data = export.export(ctx, ["passes"])
    (row,) = data["passes"]
    assert row["number"] == number and row["operator"] == "王芳"
    assert [i["description"] for i in row["items"]] == ["双人沙发", "冰箱", "纸箱（衣物）"]
    assert [e["action"] for e in row["events"]] == ["issued", "gate_checked"]
    assert "items" in export.columns("passes")


def test_the_gate_checks_while_the_desk_issues(site: Desk, tmp_path: Path) -> None:
    """Two desks' connections on one database (the same file on SQLite): nothing is locked out."""
    numbers = [issue(site) for _ in range(20)]
    gate_db: Database = open_database(site.db.url, settings=load_settings())
    errors: list[BaseException] = []

    def guard() -> None:
        try:
            for number in numbers:
                with gate_db.writing() as session:
                    from desk.services.context import Ctx

                    ctx = Ctx(session, None, gate_db.settings, NOW)
                    passes.gate_check(ctx, number, "all_out", "老周")
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=guard)
    thread.start()
    issued = [issue(site) for _ in range(20)]
    thread.join(timeout=60)
    gate_db.dispose()
    assert errors == []
    with site.read() as ctx:
        states = {passes.find(ctx, n).state for n in numbers}  # type: ignore[union-attr]
        assert states == {PassState.used}
        assert len({n for n in issued}) == 20


def test_a_pass_for_a_later_day_is_not_valid_yet_until_that_day(site: Desk) -> None:
    number = issue(site, owner_pass(valid_on=date(2026, 11, 24)))
    tz = site.db.settings.tz
    with site.read() as ctx:
        found = passes.find(ctx, number)
        assert found is not None
        assert passes.status_of(found, NOW, tz) == "not_yet"  # as the gate sees it
        assert passes.refusal(ctx, found, number) is not None
    on_the_day = NOW + timedelta(days=1)
    assert passes.status_of(found, on_the_day, tz) == "valid"
    assert passes.status_of(found, on_the_day + timedelta(days=2), tz) == "expired"
