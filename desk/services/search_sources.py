"""What each register contributes to the lookup index: its model, token, person, time, text, due.

One Source per register (desk.services.search_index makes a record's document from it): which
columns are the person, the time and the words, which column is the number and the phone, when
an open record is due, and the short token every full-text token of the register starts with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from desk.models import (
    Complaint,
    EntrustedKey,
    FeeBalance,
    Incident,
    KeyLoan,
    MoveIn,
    NightLogEntry,
    OwnerChange,
    PatrolRound,
    ReceptionEntry,
    ReleasePass,
    Renovation,
    RepairOrder,
    Resident,
    ResidentCard,
    ServiceBooking,
    WorkerPass,
)
from desk.services import complaint_queries, repair


def _open_due(*states: str, column: str) -> Callable[[Any], datetime | None]:
    def due(row: Any) -> datetime | None:
        return getattr(row, column) if row.state in states else None

    return due


def _repair_due(row: Any) -> datetime | None:
    return repair.due_at(row)


# the complaint columns of migration 0011, as a complaint stored before it has them: a row read
# by the index rebuild of an older migration (search_index.rebuild) may lack them
LATER_COMPLAINT_COLUMNS: dict[str, Any] = {
    "assign_due_at": None,
    "assigned_at": None,
    "told_due_at": None,
    "told_at": None,
    "late_notice_due_at": None,
    "late_notice_at": None,
    "harm_ongoing": False,
    "harm_stopped_at": None,
}


def _complaint_due(row: Any) -> datetime | None:
    if not isinstance(row, Complaint):
        row = SimpleNamespace(**{**LATER_COMPLAINT_COLUMNS, **row._mapping})
    return complaint_queries.due_at(row)


def _pass_due(row: Any) -> datetime | None:
    return row.valid_until if row.state == "issued" and row.stub_returned_at is None else None


def _no_due(_row: Any) -> None:
    return None


def _apply_due(row: Any) -> datetime | None:
    return row.apply_due_at if row.state == "declared" else None


def _renovation_due(row: Any) -> datetime | None:
    """The engineering department's approval, or the inspection booked."""
    if row.state == "with_engineering":
        return row.approval_due_at  # type: ignore[no-any-return]
    if row.state == "finished":
        return row.inspection_booked_for  # type: ignore[no-any-return]
    return None


def _service_due(row: Any) -> datetime | None:
    """A paid service's next due time: sent to the head, the work, the callback."""
    if row.state == "agreed":
        return row.send_due_at  # type: ignore[no-any-return]
    if row.state in ("sent", "redo"):
        return row.due_at  # type: ignore[no-any-return]
    if row.state == "paid":
        return row.callback_due_at  # type: ignore[no-any-return]
    return None


@dataclass(frozen=True)
class Source:
    """How one register's rows become documents."""

    register: str
    model: Any
    token: str
    person: str
    at: str
    body: tuple[str, ...]
    due: Callable[[Any], datetime | None]
    number: str = "number"
    phone: str = "phone"
    # a second number of the register's records (a renovation's permit): its documents hold
    # that number alone, so the lookup finds the record by it and nothing else lists it twice
    number_only: bool = False
    # the columns `due` reads besides the state (read by the index rebuild)
    due_columns: tuple[str, ...] = ()


SOURCES = (
    Source(
        "reception",
        ReceptionEntry,
        "rec",
        "person",
        "received_at",
        ("request", "action_taken", "answer", "department"),
        _open_due("open", "referred", column="reply_due_at"),
    ),
    Source(
        "repairs",
        RepairOrder,
        "rep",
        "resident_name",
        "reported_at",
        ("description", "work_done", "technician", "callback_note", "referred_to"),
        _repair_due,
    ),
    Source(
        "complaints",
        Complaint,
        "cmp",
        "complainant",
        "received_at",
        ("what_happened", "resident_asks", "person_complained", "resolution", "reply_text"),
        _complaint_due,
    ),
    Source(
        "key_loans",
        KeyLoan,
        "kl",
        "borrower",
        "out_at",
        ("reason", "department", "note"),
        _open_due("out", "partly_returned", column="due_at"),
        phone="",
    ),
    Source(
        "entrusted_keys",
        EntrustedKey,
        "ek",
        "owner_name",
        "deposited_at",
        ("description", "reason", "notify_note"),
        _no_due,
    ),
    Source(
        "passes",
        ReleasePass,
        "fx",
        "applicant",
        "created_at",
        ("vehicle_plate", "gate_note", "void_reason"),
        _pass_due,
        phone="owner_phone_called",
    ),
    Source(
        "nightlog",
        NightLogEntry,
        "yj",
        "caller",
        "logged_at",
        ("what", "action_taken", "close_reason"),
        _no_due,
        number="",
    ),
    # a renovation worker's pass: its room, and the renovation's and permit's numbers in its
    # words, are its renovation's (desk.services.search_index)
    Source("residents", Resident, "res", "name", "created_at", (), _no_due, number=""),
    # registers added later go last: a register's place is in every document's rank
    # (desk.services.search_tokens.rank), so an earlier one's stored ranks stay right
    Source(
        "cards",
        ResidentCard,
        "ka",
        "holder",
        "created_at",
        ("applicant", "collected_by", "lost_reported_by", "lost_note", "cancel_reason"),
        _no_due,
        phone="",
    ),
    Source(
        "worker_passes",
        WorkerPass,
        "sg",
        "name",
        "created_at",
        ("revoke_reason",),
        _no_due,
        phone="",
    ),
    # who asked, and the names the change is about (the phone: the new one)
    Source(
        "owner_changes",
        OwnerChange,
        "bg",
        "asked_by",
        "created_at",
        ("name_from", "name_to", "old_owners", "evidence", "note", "reason"),
        _apply_due,
        phone="phone_to",
        due_columns=("apply_due_at",),
    ),
    Source(
        "renovations",
        Renovation,
        "zx",
        "applicant",
        "created_at",
        (
            "contractor",
            "contractor_person",
            "contractor_licence",
            "scope",
            "refusal_reason",
            "suspend_reason",
            "withheld_reason",
            "damage_note",
            "withdraw_reason",
        ),
        _renovation_due,
        phone="applicant_phone",
        due_columns=("approval_due_at", "inspection_booked_for"),
    ),
    Source(
        "renovation_permits",
        Renovation,
        "xk",
        "applicant",
        "created_at",
        (),
        _no_due,
        number="permit_number",
        phone="",
        number_only=True,
    ),
    # issue 20: incidents take place 14 (patrols 15)
    Source(
        "incidents",
        Incident,
        "tf",
        "reported_by",
        "happened_at",
        ("place", "what", "first_judgement", "cause", "close_note"),
        _no_due,
        phone="reporter_phone",
    ),
    # issue 20: patrols take place 15 (incidents 14); a round's findings (their numbers, what,
    # where, rooms) are in its words (desk.services.search_index): findings have no place
    Source(
        "patrols",
        PatrolRound,
        "xc",
        "patrolled_by",
        "started_at",
        ("route", "note"),
        _no_due,
        phone="",
    ),
    # issue 21: the fee desk takes place 16 (the first of the shared last place): a balance of
    # finance's file, found by its room, its kind and months, and the import that brought it
    Source(
        "fees",
        FeeBalance,
        "wy",
        "kind",
        "created_at",
        ("kind", "from_month", "to_month", "superseded_by"),
        _no_due,
        number="import_number",
        phone="",
    ),
    # issue 21: paid services take place 17 (fees 16, move-ins 18; from the 16th on registers
    # share the last place: desk.services.search_tokens.placed)
    Source(
        "services",
        ServiceBooking,
        "fw",
        "resident",
        "created_at",
        (
            "service_name",
            "expected_result",
            "note",
            "head",
            "accepted_by",
            "receipt",
            "callback_note",
            "cancel_reason",
        ),
        _service_due,
        due_columns=("send_due_at", "due_at", "callback_due_at"),
    ),
    # issue 21: move-ins take place 18 (after fees 16 and paid services 17: the order is the
    # lead's at the merge); a case's problems are findings, listed on its page
    Source(
        "move_ins",
        MoveIn,
        "rh",
        "owner_name",
        "created_at",
        ("agent_name", "inspected_by", "custody_agreement", "fee_receipt", "note", "cancel_reason"),
        _no_due,
    ),
)
BY_MODEL: dict[Any, tuple[Source, ...]] = {}
for _source in SOURCES:
    BY_MODEL[_source.model] = (*BY_MODEL.get(_source.model, ()), _source)
BY_REGISTER = {source.register: source for source in SOURCES}
REG_TOKENS = {source.register: source.token for source in SOURCES}
# no register's token may begin another's: `rec` + a word is never `res` + another
assert not any(a != b and b.startswith(a) for a in REG_TOKENS.values() for b in REG_TOKENS.values())
REGISTERS = tuple(source.register for source in SOURCES)
