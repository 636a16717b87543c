"""Register 1: the reception log — log a call or visit, answer it, close it, link what it became."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select

from desk.models import (
    Channel,
    Complaint,
    ReceptionCategory,
    ReceptionEntry,
    ReceptionState,
    RepairOrder,
)
from desk.models.base import literal_in
from desk.models.reception import OWING_STATES
from desk.services import audit, limits, roles
from desk.services.context import Ctx
from desk.services.errors import DeskError, NotFound
from desk.services.lifecycle import Lifecycle, Step
from desk.services.limits import clean_column
from desk.services.numbering import next_number
from desk.services.residents import clean_phone, clean_text, normalise_room
from desk.services.submission import Submission, gather
from desk.services.when import happened, plausible

REGISTER = "reception"
OWING = OWING_STATES
# What a call or visit of these categories turns into: a record of another register.
BECOMES = (ReceptionCategory.repair, ReceptionCategory.complaint)

S = ReceptionState
# An entry's steps: a reply owed is answered; anything not filed (closed or voided) is closed
# with a reason; a repair call or complaint not yet turned into its record may become it.
LIFECYCLE: Lifecycle[ReceptionState] = Lifecycle(
    "record.already_closed",
    {
        "answer": Step(OWING, to=S.answered, refusal="reception.not_owing"),
        # closing one that still owes a reply is a supervisor's act (check_close)
        "close": Step(
            (S.open, S.referred, S.answered), to=S.closed, refusal="record.already_closed"
        ),
        "become": Step(
            (S.open, S.referred, S.answered, S.closed),
            offer_if=lambda entry: entry.category in BECOMES and not is_linked(entry),
        ),
    },
)


def allowed_actions(entry: ReceptionEntry | None) -> frozenset[str]:
    """The lifecycle steps (LIFECYCLE's names) a screen offers for this entry."""
    return LIFECYCLE.offered(entry)


class ReceptionCreate(Submission):
    """What the clerk typed in the reception form."""

    received_at: datetime | None = None
    channel: Channel = Channel.visit
    person: str = ""
    room: str = ""
    phone: str = ""
    category: ReceptionCategory = ReceptionCategory.enquiry
    request: str = ""
    action_taken: str = ""
    department: str = ""
    reply_due_at: datetime | None = None


def _department(ctx: Ctx, key: str) -> str:
    if key and ctx.settings.department(key) is None:
        raise DeskError("field.unknown_department", field="department", value=key)
    return key


def log(ctx: Ctx, data: ReceptionCreate) -> ReceptionEntry:
    """Write a reception entry. A reply owed keeps it open (on the board) until answered."""
    # every field is checked, and every refusal shown at once beside its field
    checked = gather(
        {
            "received_at": lambda: happened(data.received_at, ctx.now, "received_at"),
            "department": lambda: _department(ctx, data.department),
            "person": lambda: clean_column(data.person, ReceptionEntry, "person"),
            "room": lambda: normalise_room(clean_column(data.room, ReceptionEntry, "room")),
            "phone": lambda: clean_phone(data.phone),
            "request": lambda: clean_column(data.request, ReceptionEntry, "request", required=True),
            "action_taken": lambda: clean_column(data.action_taken, ReceptionEntry, "action_taken"),
        }
    )
    received = checked["received_at"]
    if data.reply_due_at is not None:
        plausible(data.reply_due_at, "reply_due_at")
        if data.reply_due_at <= received:
            raise DeskError("reception.reply_in_past", field="reply_due_at")
        latest = ctx.due(received, ctx.settings.reception.max_reply)
        if data.reply_due_at > latest:
            raise DeskError("reception.reply_too_late", field="reply_due_at")
    entry = ReceptionEntry(
        number="",
        received_at=received,
        channel=Channel(data.channel),
        person=checked["person"],
        room=checked["room"],
        phone=checked["phone"],
        category=ReceptionCategory(data.category),
        request=checked["request"],
        action_taken=checked["action_taken"],
        department=data.department,
        reply_due_at=data.reply_due_at,
        operator_id=ctx.acting(),
        created_at=ctx.now,
    )
    if data.reply_due_at is not None:
        entry.state = ReceptionState.referred if data.department else ReceptionState.open
    elif data.department:
        entry.state = ReceptionState.referred
    else:
        entry.state = ReceptionState.answered
        entry.answered_at = received
    entry.number = next_number(ctx, "JD")
    ctx.session.add(entry)
    ctx.session.flush()
    audit.record(ctx, REGISTER, entry.id, "logged", data.model_dump(exclude_none=True))
    return entry


def get(ctx: Ctx, entry_id: int) -> ReceptionEntry:
    entry = ctx.session.get(ReceptionEntry, entry_id)
    if entry is None:
        raise NotFound("record.not_found", id=entry_id)
    return entry


def answer(ctx: Ctx, entry_id: int, reply: str) -> ReceptionEntry:
    """Record the reply given to the resident; the entry stops owing one."""
    entry = get(ctx, entry_id)
    LIFECYCLE.require(entry, "answer")
    most = limits.max_length(ReceptionEntry, "answer")
    entry.answer = clean_text(reply, most, field="answer", required=True)
    entry.state = ReceptionState.answered
    entry.answered_at = ctx.now
    ctx.session.add(entry)
    audit.record(ctx, REGISTER, entry.id, "answered", {"answer": entry.answer})
    return entry


def owes_reply(entry: ReceptionEntry) -> bool:
    """A reply was promised by a time and has not been recorded."""
    return entry.state in OWING and entry.reply_due_at is not None


def check_close(ctx: Ctx, entry: ReceptionEntry) -> None:
    """Filing an entry is routine; closing one that still owes a reply is a supervisor's act."""
    if owes_reply(entry):
        roles.RECEPTION_CLOSE_OWING.require(ctx)


def close(ctx: Ctx, entry_id: int, reason: str) -> ReceptionEntry:
    """File an entry with a reason (who, when and why go into its history)."""
    entry = get(ctx, entry_id)
    LIFECYCLE.require(entry, "close")
    check_close(ctx, entry)
    most = limits.max_length(ReceptionEntry, "close_reason")
    entry.close_reason = clean_text(reason, most, field="reason", required=True)
    entry.state = ReceptionState.closed
    ctx.session.add(entry)
    audit.record(ctx, REGISTER, entry.id, "closed", reason=entry.close_reason)
    return entry


def is_linked(entry: ReceptionEntry) -> bool:
    """The entry has turned into its repair order or complaint."""
    return bool(entry.linked_register) and entry.linked_id is not None


def may_become_record(entry: ReceptionEntry) -> bool:
    """A repair call or complaint not yet turned into its record (and not voided)."""
    return "become" in LIFECYCLE.offered(entry)


def linkable(ctx: Ctx, entry_id: int) -> ReceptionEntry:
    """The entry a new repair order or complaint is to come from: refused when it already
    turned into one (a second record from the same call would be counted twice)."""
    entry = get(ctx, entry_id)
    if is_linked(entry):
        raise DeskError(
            "reception.already_linked", number=entry.number, linked=linked_number(ctx, entry)
        )
    return entry


def linked_number(ctx: Ctx, entry: ReceptionEntry) -> str:
    """The number of the repair order or complaint the entry turned into ("" when none)."""
    if not is_linked(entry):
        return ""
    found: RepairOrder | Complaint | None = None
    if entry.linked_register == "repairs":
        found = ctx.session.get(RepairOrder, entry.linked_id)
    elif entry.linked_register == "complaints":
        found = ctx.session.get(Complaint, entry.linked_id)
    return found.number if found else f"#{entry.linked_id}"


def link(ctx: Ctx, entry_id: int, register: str, record_id: int) -> ReceptionEntry:
    """Note the record (a repair order, a complaint…) this call or visit turned into."""
    entry = get(ctx, entry_id)
    entry.linked_register, entry.linked_id = register, record_id
    ctx.session.add(entry)
    audit.record(ctx, REGISTER, entry.id, "linked", {"register": register, "id": record_id})
    return entry


def recent(ctx: Ctx, limit: int = 100, since: datetime | None = None) -> list[ReceptionEntry]:
    """The newest entries (today's, when `since` is the start of the day)."""
    statement = select(ReceptionEntry).order_by(col(ReceptionEntry.received_at).desc()).limit(limit)
    if since is not None:
        statement = statement.where(col(ReceptionEntry.received_at) >= since)
    return list(ctx.session.exec(statement))


def owing_replies(ctx: Ctx, limit: int = 200) -> list[ReceptionEntry]:
    statement = (
        select(ReceptionEntry)
        .where(
            literal_in(col(ReceptionEntry.state), OWING),
            col(ReceptionEntry.reply_due_at).is_not(None),
        )
        .order_by(col(ReceptionEntry.reply_due_at))
        .limit(limit)
    )
    return list(ctx.session.exec(statement))


def number_of(ctx: Ctx, entry_id: int | None) -> str:
    """The number of the reception entry a repair or a complaint came from ("" when none)."""
    entry = ctx.session.get(ReceptionEntry, entry_id) if entry_id else None
    return entry.number if entry else ""
