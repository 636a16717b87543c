"""Renovation worker passes at fixed clocks: issue (only under permit, within it), the ID kept as
its last 4, fees and receipts, revoke one or all, what the gate finds, the board's list."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from desk.db import Database
from desk.models import RenovationState, WorkerPass, WorkerPassState
from desk.services import audit, board, export, renovation_workers, summary
from desk.services.errors import DeskError, FieldErrors
from desk.services.renovation_workers import WorkerPassStatus
from tests.conftest import NOW, TZ, Desk
from tests.worker_seed import (
    FULL_ID,
    LAST4,
    PLANNED_END,
    issue_pass,
    renovation_row,
    set_renovation_state,
    stored_text_of,
    worker,
)

TODAY = NOW.date()


@pytest.fixture
def works(desk: Desk) -> int:
    """3-1202's works, permit XK-20261121-001 issued two days ago, planned to end on 12-31."""
    return renovation_row(desk)


def refused(desk: Desk, call: Any) -> DeskError:
    with pytest.raises(DeskError) as err, desk.write() as ctx:
        call(ctx)
    return err.value


def fields_of(error: DeskError) -> dict[str, str]:
    errors = error.errors if isinstance(error, FieldErrors) else [error]
    return {str(each.field): each.key for each in errors}


def get(desk: Desk, number: str) -> WorkerPass:
    with desk.read() as ctx:
        found = renovation_workers.find(ctx, number)
    assert found is not None
    return found


# --- issuing ------------------------------------------------------------------------------


def test_issue_keeps_the_last_4_of_a_whole_id_number_and_nothing_more(
    db: Database, desk: Desk, works: int
) -> None:
    number = issue_pass(desk)
    assert number == "SG-20261123-001"
    found = get(desk, number)
    assert (found.name, found.id_last4, found.photo_taken) == ("王建", LAST4, True)
    assert (found.valid_from, found.valid_until) == (TODAY, PLANNED_END)
    assert (found.fee_fen, found.fee_receipt, found.state) == (1000, "SJ-0001", "issued")
    assert found.renovation_id == works and found.gate_checks == 0
    with desk.read() as ctx:
        assert found.id is not None
        (event,) = audit.history(ctx, renovation_workers.REGISTER, found.id)
    data = audit.event_data(event)
    assert event.action == "issued"
    assert data["permit"] == "XK-20261121-001" and data["room"] == "3-1202"
    stored = stored_text_of(db)
    assert FULL_ID not in stored and FULL_ID[:14] not in stored and LAST4 in stored
    assert issue_pass(desk, worker(name="李四", id_number="1234")) == "SG-20261123-002"


@pytest.mark.parametrize(
    ("typed", "last4"),
    [
        ("002x", "002X"),
        (" 11010519491231002x ", "002X"),
        ("110105 19491231 002X", "002X"),
        ("110105491231002", "1002"),  # an old card's 15 digits
        ("a1b2", "A1B2"),
    ],
)
def test_the_id_is_typed_whole_or_as_its_last_4(
    desk: Desk, works: int, typed: str, last4: str
) -> None:
    assert get(desk, issue_pass(desk, worker(id_number=typed))).id_last4 == last4


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("", "field.required"),
        ("12-3", "worker_pass_error.id_shape"),
        ("002*", "worker_pass_error.id_last4"),
        ("110105194912310021", "worker_pass_error.id_check"),
        ("1101051949123100", "worker_pass_error.id_shape"),
        ("11010519491231002X9", "worker_pass_error.id_shape"),
    ],
)
def test_a_wrong_id_is_refused_without_quoting_it(
    desk: Desk, works: int, typed: str, key: str
) -> None:
    error = refused(desk, lambda ctx: renovation_workers.issue(ctx, worker(id_number=typed)))
    assert (error.key, error.field) == (key, "id_number")
    assert not typed or typed not in error.message
    assert "1231" not in error.message


@pytest.mark.parametrize("state", list(RenovationState))
def test_a_pass_is_issued_only_under_permit_or_in_works(desk: Desk, state: RenovationState) -> None:
    renovation_row(desk, state=state)
    if state in renovation_workers.ISSUING_STATES:
        assert issue_pass(desk).startswith("SG-")
        return
    error = refused(desk, lambda ctx: renovation_workers.issue(ctx, worker()))
    assert (error.key, error.field) == ("worker_pass_error.renovation_not_in_works", "renovation")
    with desk.read() as ctx:
        assert renovation_workers.listing(ctx, "XK") == []


def test_the_renovation_is_found_by_its_number_or_permit_in_any_case(
    desk: Desk, works: int
) -> None:
    assert get(desk, issue_pass(desk, worker("zx-20261120-001"))).renovation_id == works
    assert (
        get(desk, issue_pass(desk, worker(" xk-20261121-001 ", name="李四"))).renovation_id == works
    )
    for typed, key in (("", "field.required"), ("XK-9", "worker_pass_error.renovation_unknown")):
        error = refused(desk, lambda ctx, typed=typed: renovation_workers.issue(ctx, worker(typed)))
        assert (error.key, error.field) == (key, "renovation")


def test_every_refusal_is_said_at_once_beside_its_field(desk: Desk, works: int) -> None:
    bad = worker(
        name="",
        id_number="12",
        valid_from=TODAY - timedelta(days=1),
        valid_until=PLANNED_END + timedelta(days=1),
        fee_fen=-5,
    )
    error = refused(desk, lambda ctx: renovation_workers.issue(ctx, bad))
    assert fields_of(error) == {
        "name": "field.required",
        "id_number": "worker_pass_error.id_shape",
        "valid_from": "worker_pass_error.from_past",
        "valid_until": "worker_pass_error.until_past_permit",
        "fee_fen": "worker_pass_error.fee_range",
    }


def test_the_dates_stay_within_the_permit(desk: Desk) -> None:
    # a permit issued for tomorrow: a pass starts on its day at the earliest, by default too
    later = renovation_row(desk, permit_at=NOW + timedelta(days=1))
    data = worker(valid_from=TODAY)
    error = refused(desk, lambda ctx: renovation_workers.issue(ctx, data))
    assert (error.key, error.field) == ("worker_pass_error.from_before_permit", "valid_from")
    assert error.params["day"] == "2026-11-24"
    found = get(desk, issue_pass(desk))
    assert found.valid_from == date(2026, 11, 24) and found.renovation_id == later
    # to the planned end at the latest, never before it starts
    for until, key in (
        (PLANNED_END + timedelta(days=1), "worker_pass_error.until_past_permit"),
        (date(2026, 11, 23), "worker_pass_error.until_before_from"),
    ):
        error = refused(
            desk,
            lambda ctx, until=until: renovation_workers.issue(
                ctx, worker(name="李四", valid_until=until)
            ),
        )
        assert (error.key, error.field) == (key, "valid_until")
    short = get(desk, issue_pass(desk, worker(name="李四", valid_until=date(2026, 11, 30))))
    assert short.valid_until == date(2026, 11, 30)


def test_the_fee_is_the_sites_unless_given_and_a_fee_needs_its_receipt(
    desk: Desk, works: int
) -> None:
    assert desk.db.settings.renovation.worker_pass_fee_fen == 1000
    site = get(desk, issue_pass(desk, worker(fee_fen=None)))
    assert (site.fee_fen, site.fee_receipt) == (1000, "SJ-0001")
    free = get(desk, issue_pass(desk, worker(name="李四", fee_fen=0, fee_receipt="")))
    assert (free.fee_fen, free.fee_receipt) == (0, "")
    for fee, key, field in (
        (2000, "worker_pass_error.receipt_needed", "fee_receipt"),
        (None, "worker_pass_error.receipt_needed", "fee_receipt"),
        (100_001, "worker_pass_error.fee_range", "fee_fen"),
    ):
        data = worker(name="赵六", fee_fen=fee, fee_receipt="")
        error = refused(desk, lambda ctx, data=data: renovation_workers.issue(ctx, data))
        assert (error.key, error.field) == (key, field)


def test_a_worker_holds_one_pass_of_a_works_at_a_time(desk: Desk, works: int) -> None:
    first = issue_pass(desk)
    error = refused(desk, lambda ctx: renovation_workers.issue(ctx, worker(id_number=LAST4)))
    assert error.key == "worker_pass_error.already_holds" and error.params["number"] == first
    # another worker with the same name is another ID
    issue_pass(desk, worker(id_number="5678"))
    with desk.write() as ctx:
        renovation_workers.revoke(ctx, get(desk, first).id or 0, "出入证遗失")
    assert issue_pass(desk) == "SG-20261123-003"


# --- revoking -----------------------------------------------------------------------------


def test_revoke_keeps_the_reason_and_happens_once(desk: Desk, works: int) -> None:
    found = get(desk, issue_pass(desk))
    assert found.id is not None
    error = refused(desk, lambda ctx: renovation_workers.revoke(ctx, found.id or 0, "  "))
    assert (error.key, error.field) == ("field.required", "reason")
    with desk.write() as ctx:
        revoked = renovation_workers.revoke(ctx, found.id, "施工队辞退")
        assert (revoked.state, revoked.revoke_reason) == ("revoked", "施工队辞退")
        assert revoked.revoked_at == NOW
    error = refused(desk, lambda ctx: renovation_workers.revoke(ctx, found.id or 0, "再来一次"))
    assert error.key == "worker_pass_error.cannot_revoke"
    with desk.read() as ctx:
        events = audit.history(ctx, renovation_workers.REGISTER, found.id)
        assert [(e.action, e.reason) for e in events] == [("issued", ""), ("revoked", "施工队辞退")]
        assert renovation_workers.allowed_actions(ctx, get(desk, found.number)) == {"gate"}


def test_revoke_all_withdraws_every_issued_pass_of_one_renovation(desk: Desk, works: int) -> None:
    other = renovation_row(desk, room="5-0301")
    mine = [issue_pass(desk, worker(name=name)) for name in ("王建", "李四", "赵六")]
    theirs = issue_pass(desk, worker("XK-20261121-002"))
    with desk.write() as ctx:
        renovation_workers.revoke(ctx, get(desk, mine[0]).id or 0, "离场")
    with desk.write() as ctx:
        done = renovation_workers.revoke_all(ctx, works, "违规施工，停工整改")
    assert [p.number for p in done] == mine[1:]
    assert get(desk, mine[0]).revoke_reason == "离场"
    assert {get(desk, n).revoke_reason for n in mine[1:]} == {"违规施工，停工整改"}
    assert get(desk, theirs).state == WorkerPassState.issued
    with desk.read() as ctx:
        assert [p.number for p in renovation_workers.passes_of(ctx, other)] == [theirs]
        event = audit.history(ctx, renovation_workers.REGISTER, get(desk, mine[1]).id or 0)[-1]
    assert audit.event_data(event) == {"with_renovation": works}
    with desk.write() as ctx:
        assert renovation_workers.revoke_all(ctx, works, "再次停工") == []


# --- what a pass is worth -----------------------------------------------------------------


def test_status_by_dates_and_by_the_works(desk: Desk, works: int) -> None:
    number = issue_pass(desk, worker(valid_from=date(2026, 11, 25), valid_until=date(2026, 11, 30)))

    def status(at: date) -> WorkerPassStatus:
        desk.now = NOW.replace(year=at.year, month=at.month, day=at.day)
        with desk.read() as ctx:
            found = get(desk, number)
            return renovation_workers.status_of(
                ctx, found, renovation_workers.renovation_of(ctx, found)
            )

    assert status(date(2026, 11, 24)) == WorkerPassStatus.not_yet
    assert status(date(2026, 11, 25)) == WorkerPassStatus.valid
    assert status(date(2026, 11, 30)) == WorkerPassStatus.valid
    assert status(date(2026, 12, 1)) == WorkerPassStatus.expired
    desk.now = NOW
    set_renovation_state(desk, works, RenovationState.suspended)
    assert status(date(2026, 11, 26)) == WorkerPassStatus.suspended
    set_renovation_state(desk, works, RenovationState.finished)
    assert status(date(2026, 11, 26)) == WorkerPassStatus.closed
    set_renovation_state(desk, works, RenovationState.in_works)
    assert status(date(2026, 11, 26)) == WorkerPassStatus.valid


def test_the_last_day_is_valid_until_midnight(desk: Desk, works: int) -> None:
    number = issue_pass(desk, worker(valid_until=date(2026, 11, 30)))
    for moment, admitted in (
        (NOW.replace(day=30, hour=23, minute=59), True),
        (NOW.replace(day=30, hour=23, minute=59) + timedelta(minutes=1), False),
    ):
        desk.now = moment
        with desk.write() as ctx:
            check = renovation_workers.gate_check(ctx, number, "老周")
        assert (check.refusal is None) is admitted


def test_printing_is_offered_while_the_pass_can_be_used(desk: Desk, works: int) -> None:
    number = issue_pass(desk, worker(valid_until=date(2026, 11, 30)))
    for at, offered in ((NOW, True), (NOW + timedelta(days=8), False)):
        desk.now = at
        with desk.read() as ctx:
            actions = renovation_workers.allowed_actions(ctx, get(desk, number))
        assert ("print" in actions) is offered and {"revoke", "gate"} <= actions


# --- at the gate --------------------------------------------------------------------------


def test_every_check_of_a_pass_on_file_is_counted_and_audited(desk: Desk, works: int) -> None:
    number = issue_pass(desk, worker(valid_until=date(2026, 11, 30)))
    gate = Desk(desk.db, None)
    for days, status in ((0, "valid"), (3, "valid"), (8, "expired")):
        gate.now = NOW + timedelta(days=days)
        with gate.write() as ctx:
            check = renovation_workers.gate_check(ctx, number.lower().replace("-", ""), "老周")
        assert check.status == status
        assert (check.refusal is None) is (status == "valid")
    found = get(desk, number)
    assert found.gate_checks == 3 and found.last_gate_check_at == NOW + timedelta(days=8)
    with desk.read() as ctx:
        events = audit.history(ctx, renovation_workers.REGISTER, found.id or 0)
    checks = [audit.event_data(e) for e in events if e.action == "gate_checked"]
    assert [c["result"] for c in checks] == ["valid", "valid", "expired"]
    assert {c["guard"] for c in checks} == {"老周"} and not any(c["at_desk"] for c in checks)
    assert all(e.operator_id is None for e in events if e.action == "gate_checked")
    with gate.write() as ctx:
        unknown = renovation_workers.gate_check(ctx, "SG-20261123-099", "老周")
    assert unknown.worker_pass is None and unknown.refusal is not None
    assert unknown.refusal.key == "worker_pass_error.gate_unknown"


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("SG-20261123-001", "SG-20261123-001"),
        ("sg202611230001", "SG-20261123-0001"),
        ("hg-sg-20261123-007", "HG-SG-20261123-007"),
        ("FX-20261123-001", None),
        ("20261123001", None),
    ],
)
def test_a_worker_pass_number_always_says_sg(typed: str, canonical: str | None) -> None:
    assert renovation_workers.canonical_number(typed) == canonical


# --- board, handover, listing, export -----------------------------------------------------


def test_the_board_lists_passes_ending_within_a_week(desk: Desk, works: int) -> None:
    ending = issue_pass(desk, worker(valid_until=date(2026, 11, 30)))
    issue_pass(desk, worker(name="李四", valid_until=date(2026, 12, 1)))  # 8 days: not yet
    today = issue_pass(desk, worker(name="赵六", valid_until=TODAY))
    gone = issue_pass(desk, worker(name="钱七", valid_until=date(2026, 11, 29)))
    with desk.write() as ctx:
        renovation_workers.revoke(ctx, get(desk, gone).id or 0, "离场")
    with desk.read() as ctx:
        items = [i for i in board.open_items(ctx) if i.register == "worker_passes"]
        sections = summary.open_sections(ctx)
    assert [i.number for i in items] == [today, ending]
    assert items[1].due_at == NOW.replace(day=1, month=12, hour=0, minute=0).astimezone(TZ)
    assert items[1].summary == "王* ****002X XK-20261121-001" and items[1].room == "3-1202"
    assert items[1].due_kind == "worker_pass_ends" and not items[1].overdue(NOW)
    assert [i.number for i in sections["worker_passes"]] == [today, ending]
    assert [i.number for i in sections["worker_revoked"]] == [gone]
    assert "worker_passes" in summary.BOARD_SECTIONS and "worker_revoked" in summary.LISTED_APART
    set_renovation_state(desk, works, RenovationState.finished)
    with desk.read() as ctx:
        assert [i for i in board.open_items(ctx) if i.register == "worker_passes"] == []


def test_the_list_shows_what_is_current_or_every_pass_of_a_renovation(desk: Desk) -> None:
    renovation_row(desk)
    renovation_row(desk, room="5-0301")
    old = issue_pass(desk, worker(valid_until=date(2026, 11, 25)))
    other = issue_pass(desk, worker("XK-20261121-002"))
    desk.now = NOW + timedelta(days=10)
    with desk.read() as ctx:
        assert [r.worker_pass.number for r in renovation_workers.listing(ctx)] == [other]
        rows = renovation_workers.listing(ctx, "xk-20261121-001")
        assert [(r.worker_pass.number, r.status, r.room) for r in rows] == [
            (old, WorkerPassStatus.expired, "3-1202")
        ]
        assert [r.worker_pass.number for r in renovation_workers.listing(ctx, "0301")] == [other]


def test_export_has_each_pass_with_its_works_and_events(desk: Desk, works: int) -> None:
    number = issue_pass(desk)
    with desk.read() as ctx:
        (row,) = export.records(ctx, "worker_passes")
    assert row["number"] == number and row["id_last4"] == LAST4
    assert (row["room"], row["renovation"], row["permit_number"]) == (
        "3-1202",
        "ZX-20261120-001",
        "XK-20261121-001",
    )
    assert [e["action"] for e in row["events"]] == ["issued"] and row["operator"] == "王芳"
    assert list(row) == export.columns("worker_passes")


def test_lookup_and_the_rooms_history_find_a_pass(db: Database, desk: Desk, works: int) -> None:
    from desk.services import lookup, room_history, search_index

    number = issue_pass(desk)
    expected = {"worker_passes": [number]}

    def found(query: str) -> dict[str, list[str]]:
        with desk.read() as ctx:
            results = lookup.search(ctx, query)
        return {g.register: [h.number for h in g.hits] for g in results.groups}

    for query in (number, number.lower().replace("-", ""), "SG-20261123"):
        assert found(query) == expected
    assert found("王建")["worker_passes"] == [number]
    assert found("3-1202")["worker_passes"] == [number]
    with desk.read() as ctx:
        (hit,) = lookup.search(ctx, number).groups[0].hits
        timeline = room_history.history(ctx, "3-1202").timeline
    assert (hit.room, hit.person, hit.state) == ("3-1202", "王*", "issued")
    assert "XK-20261121-001" in hit.summary
    assert lookup.state_key("worker_passes", "revoked") == "worker_pass_state.revoked"
    # the room's history holds the pass, and the renovation it belongs to (its own entry)
    assert [(e.register, e.number) for e in timeline] == [
        ("worker_passes", number),
        ("renovations", "ZX-20261120-001"),
    ]
    # the index rebuilt from the registers (as a migration does) finds it the same
    with db.writing() as session:
        search_index.reindex(session.connection())
    assert found(number) == expected and found("3-1202")["worker_passes"] == [number]
