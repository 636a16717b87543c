"""The night log's, the release passes' and the reception log's lifecycle tables offer the keys
their screens offered before the tables existed, and refuse with the same words."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from desk.models import (
    NightLogEntry,
    NightLogState,
    PassItem,
    PassState,
    ReceptionCategory,
    ReceptionEntry,
    ReceptionState,
    ReleasePass,
)
from desk.services import limits, nightlog, passes, reception
from desk.services.errors import DeskError
from tests.conftest import NOW

N, P, R = NightLogState, PassState, ReceptionState


def record(state: object, **more: object) -> SimpleNamespace:
    return SimpleNamespace(number="X-1", state=state, **more)


@pytest.mark.parametrize("state", list(NightLogState))
def test_night_log_keys_are_offered_as_before(state: NightLogState) -> None:
    # nightlog_detail offered its three morning keys only while the entry was left for the morning;
    # a repair handled at night is made a completed order (its callback), or closed (no repair)
    offered = nightlog.allowed_actions(record(state))
    expected = {N.left_for_morning: {"transfer", "close"}, N.handled: {"record_repair", "close"}}
    assert offered == expected.get(state, set())


def test_night_log_refuses_with_the_same_words() -> None:
    for step in ("transfer", "close"):
        assert not nightlog.LIFECYCLE.allows(record(N.closed), step)
    assert nightlog.LIFECYCLE.refusal == "nightlog_ui.error.not_left"


@pytest.mark.parametrize("linked", [False, True])
@pytest.mark.parametrize("category", list(ReceptionCategory))
@pytest.mark.parametrize("state", list(ReceptionState))
def test_reception_keys_are_offered_as_before(
    state: ReceptionState, category: ReceptionCategory, linked: bool
) -> None:
    entry = record(
        state,
        category=category,
        linked_register="repairs" if linked else "",
        linked_id=7 if linked else None,
    )
    expected = set()
    if state in (R.open, R.referred):
        expected.add("answer")
    if state not in (R.closed, R.voided):
        expected.add("close")
    becomes = (ReceptionCategory.repair, ReceptionCategory.complaint)
    if category in becomes and not linked and state != R.voided:
        expected.add("become")
    assert reception.allowed_actions(entry) == expected
    assert reception.may_become_record(entry) == ("become" in expected)


def test_reception_refuses_with_the_same_words() -> None:
    with pytest.raises(DeskError) as refused:
        reception.LIFECYCLE.require(record(R.answered), "answer")
    assert (refused.value.key, refused.value.params) == ("reception.not_owing", {"number": "X-1"})
    with pytest.raises(DeskError) as refused:
        reception.LIFECYCLE.require(record(R.voided), "close")
    assert (refused.value.key, refused.value.params) == (
        "record.already_closed",
        {"number": "X-1"},
    )


def a_pass(state: PassState, stub_back: bool = False, **more: object) -> SimpleNamespace:
    fields: dict[str, object] = {
        "gate_checked_at": NOW if state in passes.CHECKED_STATES else None,
        "stub_returned_at": NOW if stub_back else None,
        "valid_on": NOW.date(),
        "valid_until": NOW + timedelta(hours=4),
        "void_reason": "",
        "guard_name": "",
    }
    return record(state, **{**fields, **more})


@pytest.mark.parametrize("stub_back", [False, True])
@pytest.mark.parametrize("state", list(PassState))
def test_pass_keys_are_offered_as_before(state: PassState, stub_back: bool) -> None:
    ctx = SimpleNamespace(now=NOW, tz=ZoneInfo("UTC"))
    found = a_pass(state, stub_back)
    offered = passes.allowed_actions(ctx, found)
    # pass_detail: void while issued, the stub until it is back, the gate while nothing refuses
    expected = set()
    if state == P.issued:
        expected.add("void")
    if not stub_back:
        expected.add("stub")
    if passes.refusal(ctx, found, "X-1") is None:
        expected.add("gate")
    assert offered == expected
    assert passes.allowed_actions(ctx, None) == frozenset()


def test_the_gate_key_follows_the_clock() -> None:
    ctx = SimpleNamespace(now=NOW, tz=ZoneInfo("UTC"))
    expired = a_pass(P.issued, valid_until=NOW - timedelta(minutes=1))
    assert "gate" not in passes.allowed_actions(ctx, expired)
    assert "gate" in passes.allowed_actions(ctx, a_pass(P.issued))


def test_passes_refuse_with_the_same_words() -> None:
    with pytest.raises(DeskError) as refused:
        passes.LIFECYCLE.require(record(P.used), "void")
    assert (refused.value.key, refused.value.params) == (
        "pass_error.cannot_void",
        {"number": "X-1"},
    )
    assert passes.LIFECYCLE.who("void") is not None


def test_limits_are_the_models() -> None:
    assert limits.max_length(NightLogEntry, "close_reason") == 500
    assert limits.max_length(ReceptionEntry, "request") == 2000
    assert limits.max_length(ReleasePass, "vehicle_plate") == 20
    assert limits.max_length(PassItem, "remark") == 200
    with pytest.raises(LookupError):
        limits.max_length(ReleasePass, "valid_on")
