"""Register 6 (night duty): log night calls; in the morning transfer or close what was left.

Nothing left for the morning can be forgotten: until it is transferred to a repair order or a
complaint, or closed with a reason, it is an open item on the board and on every handover.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from sqlmodel import col, select

from desk.i18n import t
from desk.models import (
    Channel,
    Complaint,
    NightLogEntry,
    NightLogState,
    RepairLocation,
    RepairOrder,
)
from desk.models.base import literal_in, literal_is
from desk.services import audit, limits
from desk.services.context import Ctx
from desk.services.errors import DeskError, NotFound
from desk.services.lifecycle import Lifecycle, Step
from desk.services.open_item import OpenItem
from desk.services.residents import clean_phone, clean_text, normalise_room
from desk.services.submission import Submission
from desk.services.when import happened

if TYPE_CHECKING:
    from desk.services.complaint import ComplaintCreate
    from desk.services.repair import RepairCreate

REGISTER = "nightlog"
# an entry has no counter number of its own: it is named YJ-<night's date>-<id>
NUMBER_PREFIX = "YJ"
TRANSFER_REGISTERS = ("repairs", "complaints")

S = NightLogState
# The morning steps: an entry left for the morning is transferred (to a repair order or a
# complaint); a repair the night duty handled becomes a completed order, so that it gets its
# callback (desk.services.night_repair); either is closed with a reason when it needs no record
# (a handled call that was no repair). What was transferred or closed stays.
LIFECYCLE: Lifecycle[NightLogState] = Lifecycle(
    "nightlog_ui.error.not_left",
    {
        "transfer": Step((S.left_for_morning,), to=S.transferred),
        "record_repair": Step((S.handled,), to=S.transferred),
        "close": Step((S.left_for_morning, S.handled), to=S.closed),
    },
)
# what the morning clerk still has to deal with
MORNING_STATES = (S.left_for_morning, S.handled)


def allowed_actions(entry: NightLogEntry | None) -> frozenset[str]:
    """The lifecycle steps (LIFECYCLE's names) a screen offers for this entry."""
    return LIFECYCLE.offered(entry)


def _require(entry: NightLogEntry, action: str) -> None:
    """Refuse `action` unless the entry's state allows it (an entry has no number of its own:
    the refusal names its state)."""
    if not LIFECYCLE.allows(entry, action):
        raise DeskError(LIFECYCLE.refusal, state=t(f"nightlog_state.{entry.state}"))


class NightLogCreate(Submission):
    """What the night duty wrote down about one call or visit."""

    logged_at: datetime | None = None
    caller: str = ""
    room: str = ""
    phone: str = ""
    what: str = ""
    emergency: bool = False
    # what was done at night; empty means the entry is left for the morning clerk
    action_taken: str = ""
    left_for_morning: bool = False


def get(ctx: Ctx, entry_id: int) -> NightLogEntry:
    entry = ctx.session.get(NightLogEntry, entry_id)
    if entry is None:
        raise NotFound("record.not_found", id=entry_id)
    return entry


def log(ctx: Ctx, data: NightLogCreate) -> NightLogEntry:
    """Write one night entry: handled at night (what was done) or left for the morning."""
    logged = happened(data.logged_at, ctx.now, "logged_at")
    action = clean_text(
        data.action_taken, limits.max_length(NightLogEntry, "action_taken"), field="action_taken"
    )
    left = data.left_for_morning or not action
    entry = NightLogEntry(
        logged_at=logged,
        caller=clean_text(data.caller, limits.max_length(NightLogEntry, "caller"), field="caller"),
        room=normalise_room(
            clean_text(data.room, limits.max_length(NightLogEntry, "room"), field="room")
        ),
        phone=clean_phone(data.phone),
        what=clean_text(
            data.what, limits.max_length(NightLogEntry, "what"), field="what", required=True
        ),
        emergency=data.emergency,
        action_taken=action,
        state=NightLogState.left_for_morning if left else NightLogState.handled,
        operator_id=ctx.acting(),
        created_at=ctx.now,
    )
    ctx.session.add(entry)
    ctx.session.flush()
    audit.record(ctx, REGISTER, entry.id, "logged", data.model_dump(exclude_none=True))
    return entry


def transfer(ctx: Ctx, entry_id: int, register: str, record_id: int) -> NightLogEntry:
    """Link an entry left for the morning to the repair order or complaint it became."""
    if register not in TRANSFER_REGISTERS:
        raise DeskError("nightlog_ui.error.bad_register", register=register)
    entry = get(ctx, entry_id)
    _require(entry, "transfer")
    entry.state = NightLogState.transferred
    entry.transferred_to, entry.transferred_id = register, record_id
    entry.transferred_at = ctx.now
    entry.done_by_id = ctx.acting()
    ctx.session.add(entry)
    audit.record(ctx, REGISTER, entry.id, "transferred", {"register": register, "id": record_id})
    return entry


def close(ctx: Ctx, entry_id: int, reason: str) -> NightLogEntry:
    """Close an entry that needs no record: left for the morning (e.g. the caller sorted it out)
    or handled at night but no repair (e.g. the security office dealt with it); audited."""
    entry = get(ctx, entry_id)
    _require(entry, "close")
    most = limits.max_length(NightLogEntry, "close_reason")
    entry.close_reason = clean_text(reason, most, field="close_reason", required=True)
    entry.state = NightLogState.closed
    entry.closed_at = ctx.now
    entry.done_by_id = ctx.acting()
    ctx.session.add(entry)
    audit.record(ctx, REGISTER, entry.id, "closed", reason=entry.close_reason)
    return entry


def night_note(entry: NightLogEntry, ctx: Ctx) -> str:
    """What the night entry says, for the record it becomes; an emergency stays marked so."""
    at = entry.logged_at.astimezone(ctx.tz).strftime("%m-%d %H:%M")
    done = f" / {entry.action_taken}" if entry.action_taken else ""
    urgent = f"[{t('nightlog_ui.emergency_mark')}] " if entry.emergency else ""
    return f"{urgent}{entry.what}{done} ({at})"


def repair_prefill(ctx: Ctx, entry: NightLogEntry) -> RepairCreate:
    """The repair order a night entry becomes; registered now, so dispatch is due from now."""
    from desk.services.repair import RepairCreate

    return RepairCreate(
        channel=Channel.phone,
        resident_name=entry.caller,
        room=entry.room,
        phone=entry.phone,
        description=night_note(entry, ctx),
        location=RepairLocation.unit if entry.room else RepairLocation.public,
    )


def complaint_prefill(ctx: Ctx, entry: NightLogEntry) -> ComplaintCreate:
    from desk.services.complaint import ComplaintCreate

    return ComplaintCreate(
        channel=Channel.phone,
        complainant=entry.caller,
        room=entry.room,
        phone=entry.phone,
        what_happened=night_note(entry, ctx),
    )


def transfer_to_repair(ctx: Ctx, entry_id: int, data: RepairCreate | None = None) -> int:
    """Register the repair order and link the entry, in one transaction; the order's id."""
    from desk.services import repair

    entry = get(ctx, entry_id)
    _require(entry, "transfer")
    order = repair.register(ctx, data or repair_prefill(ctx, entry))
    assert order.id is not None
    transfer(ctx, entry_id, "repairs", order.id)
    return order.id


def transfer_to_complaint(ctx: Ctx, entry_id: int, data: ComplaintCreate | None = None) -> int:
    from desk.services import complaint

    entry = get(ctx, entry_id)
    _require(entry, "transfer")
    case = complaint.register(ctx, data or complaint_prefill(ctx, entry))
    assert case.id is not None
    transfer(ctx, entry_id, "complaints", case.id)
    return case.id


def transferred_number(ctx: Ctx, entry: NightLogEntry) -> str:
    """The number of the repair order or complaint the entry became ("" if it became none)."""
    if entry.transferred_id is None or entry.transferred_to not in TRANSFER_REGISTERS:
        return ""
    record: RepairOrder | Complaint | None
    if entry.transferred_to == "repairs":
        record = ctx.session.get(RepairOrder, entry.transferred_id)
    else:
        record = ctx.session.get(Complaint, entry.transferred_id)
    return record.number if record is not None else f"#{entry.transferred_id}"


def morning_work(ctx: Ctx, limit: int = 200) -> list[NightLogEntry]:
    """Entries the morning clerk still has to deal with, oldest first: those left for the
    morning, and the repairs handled at night that are not yet orders (their callback)."""
    statement = (
        select(NightLogEntry)
        .where(literal_in(col(NightLogEntry.state), MORNING_STATES))
        .order_by(col(NightLogEntry.logged_at), col(NightLogEntry.id))
        .limit(limit)
    )
    return list(ctx.session.exec(statement))


def left_for_morning(ctx: Ctx, limit: int = 200) -> list[NightLogEntry]:
    """Entries still to be transferred or closed, oldest first."""
    statement = (
        select(NightLogEntry)
        .where(literal_is(col(NightLogEntry.state), NightLogState.left_for_morning))
        .order_by(col(NightLogEntry.logged_at), col(NightLogEntry.id))
        .limit(limit)
    )
    return list(ctx.session.exec(statement))


def recent(ctx: Ctx, hours: int = 24, limit: int = 200) -> list[NightLogEntry]:
    """The entries of the last `hours` (tonight's and last night's), newest first."""
    since = ctx.now - timedelta(hours=hours)
    statement = (
        select(NightLogEntry)
        .where(col(NightLogEntry.logged_at) >= since)
        .order_by(col(NightLogEntry.logged_at).desc(), col(NightLogEntry.id).desc())
        .limit(limit)
    )
    return list(ctx.session.exec(statement))


def open_items(ctx: Ctx) -> list[OpenItem]:
    """Entries left for the morning and repairs handled at night awaiting their transfer (and
    so their callback), in the board's shape (due: now, i.e. this morning)."""
    items: list[OpenItem] = []
    for entry in morning_work(ctx):
        assert entry.id is not None
        items.append(
            OpenItem(
                register="nightlog",
                record_id=entry.id,
                number=number(entry, ctx),
                room=entry.room,
                summary=entry.what,
                state=entry.state,
                opened_at=entry.logged_at,
                due_at=None,
                due_kind="",
            )
        )
    return items


def number(entry: NightLogEntry, ctx: Ctx) -> str:
    """How an entry is named on screen and paper (it has no counter number of its own)."""
    return number_at(entry.logged_at, entry.id or 0, ctx.tz)


def number_at(logged_at: datetime, entry_id: int, tz: tzinfo) -> str:
    """The number of the entry `entry_id` logged at `logged_at`: YJ-20261124-012."""
    return f"{NUMBER_PREFIX}-{logged_at.astimezone(tz):%Y%m%d}-{entry_id:03d}"
