"""Each register's lifecycle table (desk.services.lifecycle) offers the keys the screens offered
before it existed, refuses with the same words, and one urgency rule colours every due time."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from desk.i18n import set_language, t
from desk.models import (
    ComplaintState,
    EntrustedState,
    HandoverState,
    LoanState,
    RepairState,
    ReplyState,
)
from desk.services import complaint, handover, keys_entrusted, keys_loans, repair, replies
from desk.services.errors import DeskError
from desk.services.urgency import Urgency, urgency
from tests.conftest import NOW

R, C, E = RepairState, ComplaintState, EntrustedState
# what repair_detail, complaint_detail and entrusted_detail kept as their own ALLOWED tables
REPAIR_KEYS = {
    "dispatch": (R.registered, R.dispatched),
    "on_site": (R.dispatched,),
    "complete": (R.dispatched, R.on_site),
    "callback": (R.completed,),
    "cancel": (R.registered, R.dispatched, R.on_site, R.completed),
    "refer_out": (R.registered, R.dispatched),
    # a free order's money (desk.services.repair_billing): only its correction is offered
    "correct_charges": (R.registered, R.dispatched, R.on_site, R.completed, R.closed),
    "reschedule": (R.registered, R.dispatched),
}
HANDLING = (C.registered, C.judged, C.assigned, C.replied)
COMPLAINT_KEYS = {
    "judge": (C.registered, C.judged),
    "escalate": HANDLING,
    "assign": (C.judged, C.assigned, C.replied),
    "reply": (C.judged, C.assigned, C.replied),
    "resolve": (C.judged, C.assigned, C.replied),
    "callback": (C.resolved,),
    "reopen": (C.resolved, C.closed),
    "close": (*HANDLING, C.resolved),
}
HELD = (E.deposited, E.work_done)
ENTRUSTED_KEYS = {"take_out": HELD, "take_back": HELD, "work_done": HELD, "collect": HELD}


def record(state: object, **more: object) -> SimpleNamespace:
    return SimpleNamespace(number="X-1", state=state, **more)


@pytest.mark.parametrize("state", list(RepairState))
def test_repair_keys_are_offered_as_before(state: RepairState) -> None:
    free = {"paid": False, "billed_at": None, "paid_at": None, "labour_fen": 0, "material_fen": 0}
    offered = repair.allowed_actions(record(state, **free))
    assert offered == {key for key, states in REPAIR_KEYS.items() if state in states}


@pytest.mark.parametrize("called_back", [False, True])
@pytest.mark.parametrize("state", list(ComplaintState))
def test_complaint_keys_are_offered_as_before(state: ComplaintState, called_back: bool) -> None:
    item = record(state, callback_at=NOW if called_back else None)
    offered = complaint.allowed_actions(item) & COMPLAINT_KEYS.keys()
    expected = {key for key, states in COMPLAINT_KEYS.items() if state in states}
    if not (state == C.resolved or called_back):
        expected.discard("close")  # offered once a callback is due or done
    assert offered == expected


@pytest.mark.parametrize("state", list(EntrustedState))
def test_entrusted_keys_are_offered_as_before(state: EntrustedState) -> None:
    offered = keys_entrusted.allowed_actions(record(state)) & ENTRUSTED_KEYS.keys()
    assert offered == {key for key, states in ENTRUSTED_KEYS.items() if state in states}


def test_no_record_no_keys() -> None:
    assert repair.allowed_actions(None) == complaint.allowed_actions(None) == frozenset()


def test_refusals_keep_their_words() -> None:
    with pytest.raises(DeskError) as refused:
        repair.LIFECYCLE.require(record(R.closed), "dispatch")
    assert refused.value.key == "repair.bad_state"
    assert refused.value.params == {"number": "X-1", "state": R.closed, "action": "dispatch"}
    with pytest.raises(DeskError) as refused:
        keys_entrusted.LIFECYCLE.require(record(E.work_done), "work_done")
    assert (refused.value.key, refused.value.params) == (
        "key_error.entrusted_bad_state",
        {"number": "X-1"},
    )
    with pytest.raises(DeskError) as refused:
        keys_entrusted.LIFECYCLE.require(record(E.collected), "collect")
    assert refused.value.key == "key_error.entrusted_collected"


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_loans_replies_and_handovers_refuse_in_the_words_they_had(lang: str) -> None:
    set_language(lang)  # put back to English after each test (conftest)
    for state in LoanState:
        loan = record(state)
        open_loan = state in (LoanState.out, LoanState.partly_returned)
        assert keys_loans.allowed_actions(loan) == (
            {"take_back", "report_lost"} if open_loan else frozenset()
        )
        if not open_loan:
            with pytest.raises(DeskError) as refused:
                keys_loans.LIFECYCLE.require(loan, "take_back")
            shown = t(f"key_loan_state.{state}")
            assert refused.value.message == t("key_error.loan_closed", number="X-1", state=shown)
    answer = SimpleNamespace(topic="停水", state=ReplyState.retired)
    assert replies.allowed_actions(answer) == frozenset()
    with pytest.raises(DeskError) as refused:
        replies.LIFECYCLE.require(answer, "approve")
    shown = t("reply_state.retired")
    assert refused.value.message == t("replies.bad_state", topic="停水", state=shown)
    assert replies.allowed_actions(record(ReplyState.draft)) == {"revise", "approve", "retire"}
    assert replies.allowed_actions(record(ReplyState.approved)) == {"revise", "retire"}
    signed = SimpleNamespace(state=HandoverState.signed_off)
    with pytest.raises(DeskError) as refused:
        handover.LIFECYCLE.require(signed, "update")
    assert refused.value.message == t("handover_ui.error.frozen")
    with pytest.raises(DeskError) as refused:
        handover.LIFECYCLE.require(signed, "sign_off")
    shown = t("handover_ui.state.signed_off")
    assert refused.value.message == t("handover_ui.error.not_editable", state=shown)
    for state in (HandoverState.open, HandoverState.acknowledged):
        with pytest.raises(DeskError) as refused:
            handover.LIFECYCLE.require(SimpleNamespace(state=state), "acknowledge")
        assert refused.value.message == t("handover_ui.error.not_signed_off")
    assert replies.LIFECYCLE.who("approve") is not None
    assert replies.LIFECYCLE.who("revise") is None


def test_the_supervisors_steps_say_who() -> None:
    assert repair.LIFECYCLE.who("cancel") is not None
    assert complaint.LIFECYCLE.who("close") is not None
    assert complaint.LIFECYCLE.who("reply") is None


@pytest.mark.parametrize(
    ("left", "expected"),
    [
        (timedelta(seconds=-1), Urgency.overdue),
        (timedelta(0), Urgency.due_soon),
        (timedelta(minutes=59, seconds=59), Urgency.due_soon),
        (timedelta(hours=1), Urgency.fine),
    ],
)
def test_urgency_is_one_rule(left: timedelta, expected: Urgency) -> None:
    assert urgency(NOW + left, NOW) == expected
    assert urgency(None, NOW) == Urgency.fine
