"""Owners' entrusted keys (委托钥匙) on a two-part WT slip; the periodic count of keys held.

Audit events: register "entrusted_keys" (deposited, taken_out, brought_back, work_done,
owner_notified, collected) and "key_counts" (counted).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from desk.i18n import t
from desk.models import (
    EntrustedKey,
    EntrustedKeyUse,
    EntrustedState,
    KeyCount,
    MoveIn,
    MoveInState,
)
from desk.services import audit, fetch, repair
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.keys_cabinet import cabinet, holdings
from desk.services.lifecycle import Lifecycle, Step
from desk.services.limits import clean_column
from desk.services.numbering import next_number
from desk.services.residents import clean_phone, clean_text, normalise_room
from desk.services.submission import Submission, gather

REGISTER = "entrusted_keys"
COUNTS = "key_counts"
PREFIX = "WT"
# The most keys one line of a count may find (what the count field takes: three digits).
MAX_FOUND = 999


class EntrustedCreate(Submission):
    owner_name: str = ""
    room: str = ""
    phone: str = ""
    description: str = ""
    count: int = 1
    reason: str = ""
    hook: str = ""
    repair_order_number: str = ""


def get(ctx: Ctx, entrusted_id: int) -> EntrustedKey:
    return fetch.get(ctx, EntrustedKey, entrusted_id)


def by_number(ctx: Ctx, number: str) -> EntrustedKey | None:
    return fetch.by_number(ctx, EntrustedKey, number.strip().upper())


def _count(count: int) -> int:
    if count <= 0 or count > 99:
        raise DeskError("key_error.count_positive", field="key_count")
    return count


def _repair_order_id(ctx: Ctx, number: str) -> int | None:
    """The repair order the keys were left for, by its number; None when none is named."""
    wanted = number.strip().upper()
    if not wanted:
        return None
    order = repair.by_number(ctx, wanted)
    if order is None:
        raise DeskError("key_error.no_such_repair", field="repair_number", value=wanted)
    return order.id


def deposit(ctx: Ctx, data: EntrustedCreate) -> EntrustedKey:
    """An owner leaves keys for rectification work; the slip number is WT-YYYYMMDD-NNN."""
    # every field is checked, and every refusal shown at once beside its field
    checked = gather(
        {
            "key_owner": lambda: clean_column(
                data.owner_name, EntrustedKey, "owner_name", field="key_owner", required=True
            ),
            "room": lambda: normalise_room(
                clean_column(data.room, EntrustedKey, "room", required=True)
            ),
            "phone": lambda: clean_phone(data.phone),
            "description": lambda: clean_column(
                data.description, EntrustedKey, "description", required=True
            ),
            "key_count": lambda: _count(data.count),
            "reason": lambda: clean_column(data.reason, EntrustedKey, "reason", required=True),
            "hook": lambda: clean_column(data.hook, EntrustedKey, "hook"),
            "repair_number": lambda: _repair_order_id(ctx, data.repair_order_number),
        }
    )
    owner, room, phone = checked["key_owner"], checked["room"], checked["phone"]
    description, reason, hook = checked["description"], checked["reason"], checked["hook"]
    order_id: int | None = checked["repair_number"]
    entrusted = EntrustedKey(
        number=next_number(ctx, PREFIX),
        owner_name=owner,
        room=room,
        phone=phone,
        description=description,
        count=data.count,
        reason=reason,
        hook=hook,
        repair_order_id=order_id,
        deposited_at=ctx.now,
        operator_id=ctx.acting(),
        created_at=ctx.now,
    )
    ctx.session.add(entrusted)
    ctx.session.flush()
    audit.record(ctx, REGISTER, entrusted.id, "deposited", data.model_dump())
    return entrusted


S = EntrustedState
HELD = (S.deposited, S.work_done)  # at the desk (or out with staff), not yet collected
# The lifecycle of an entrusted key: each step, the states it is taken from, where it leads.
LIFECYCLE: Lifecycle[EntrustedState] = Lifecycle(
    "key_error.entrusted_bad_state",
    {
        "take_out": Step(HELD, refusal="key_error.entrusted_collected"),
        # brings back the use that is out (none can be, once collected)
        "take_back": Step(HELD),
        # offered while held: pressing it again says it is already marked done
        "work_done": Step(
            (S.deposited,),
            to=S.work_done,
            offered_in=HELD,
            refusal="key_error.entrusted_bad_state",
        ),
        "notify_owner": Step((S.work_done,), refusal="key_error.notify_before_done"),
        "collect": Step(HELD, to=S.collected, refusal="key_error.entrusted_collected"),
    },
)


def allowed_actions(entrusted: EntrustedKey | None) -> frozenset[str]:
    """The lifecycle steps (LIFECYCLE's names) a screen offers for this entrusted key."""
    return LIFECYCLE.offered(entrusted)


def current_use(ctx: Ctx, entrusted_id: int) -> EntrustedKeyUse | None:
    """The use of the key still out with staff, if any."""
    statement = select(EntrustedKeyUse).where(
        EntrustedKeyUse.entrusted_id == entrusted_id, col(EntrustedKeyUse.back_at).is_(None)
    )
    return ctx.session.exec(statement).first()


def uses_of(ctx: Ctx, entrusted_id: int) -> list[EntrustedKeyUse]:
    statement = (
        select(EntrustedKeyUse)
        .where(EntrustedKeyUse.entrusted_id == entrusted_id)
        .order_by(col(EntrustedKeyUse.id))
    )
    return list(ctx.session.exec(statement))


def take_out(ctx: Ctx, entrusted_id: int, taken_by: str, purpose: str) -> EntrustedKeyUse:
    """Staff take the key out for the work; logged until it is brought back."""
    entrusted = get(ctx, entrusted_id)
    LIFECYCLE.require(entrusted, "take_out")
    use = current_use(ctx, entrusted_id)
    if use is not None:
        raise DeskError("key_error.entrusted_out", number=entrusted.number, taken_by=use.taken_by)
    use = EntrustedKeyUse(
        entrusted_id=entrusted_id,
        taken_by=clean_column(taken_by, EntrustedKeyUse, "taken_by", required=True),
        purpose=clean_column(purpose, EntrustedKeyUse, "purpose"),
        out_at=ctx.now,
        operator_id=ctx.acting(),
    )
    ctx.session.add(use)
    ctx.session.flush()
    audit.record(
        ctx, REGISTER, entrusted_id, "taken_out", {"taken_by": use.taken_by, "purpose": use.purpose}
    )
    return use


def bring_back(ctx: Ctx, use_id: int) -> EntrustedKeyUse:
    use = fetch.get(ctx, EntrustedKeyUse, use_id)
    if use.back_at is not None:
        raise DeskError("key_error.already_back")
    use.back_at = ctx.now
    ctx.session.add(use)
    audit.record(ctx, REGISTER, use.entrusted_id, "brought_back", {"taken_by": use.taken_by})
    return use


def bring_back_key(ctx: Ctx, entrusted_id: int) -> EntrustedKeyUse:
    """The key that is out with staff comes back to the desk."""
    entrusted = get(ctx, entrusted_id)
    use = current_use(ctx, entrusted_id)
    if use is None or use.id is None:
        raise DeskError("key_error.entrusted_not_out", number=entrusted.number)
    return bring_back(ctx, use.id)


def work_done(ctx: Ctx, entrusted_id: int, note: str = "") -> EntrustedKey:
    """The rectification is finished; the key must be back at the desk."""
    entrusted = get(ctx, entrusted_id)
    LIFECYCLE.require(entrusted, "work_done")
    if current_use(ctx, entrusted_id) is not None:
        raise DeskError("key_error.entrusted_still_out", number=entrusted.number)
    text = clean_text(note, 500, field="note")
    entrusted.state = EntrustedState.work_done
    entrusted.work_done_at = ctx.now
    ctx.session.add(entrusted)
    audit.record(ctx, REGISTER, entrusted_id, "work_done", {"note": text})
    return entrusted


def notify_owner(ctx: Ctx, entrusted_id: int, note: str = "") -> EntrustedKey:
    """The owner has been told to come, inspect the work and collect the key."""
    entrusted = get(ctx, entrusted_id)
    LIFECYCLE.require(entrusted, "notify_owner")
    entrusted.owner_notified_at = ctx.now
    entrusted.notify_note = clean_column(note, EntrustedKey, "notify_note", field="note")
    ctx.session.add(entrusted)
    audit.record(ctx, REGISTER, entrusted_id, "owner_notified", {"note": entrusted.notify_note})
    return entrusted


def _slip(entrusted: EntrustedKey, slip_number: str) -> str:
    """The owner's copy of the slip, which must be this key's."""
    typed = slip_number.strip().upper()
    if not typed:
        raise DeskError("field.required", field="slip_number")
    if typed != entrusted.number:
        raise DeskError("key_error.slip_mismatch", field="slip_number", value=typed)
    return typed


def collect(ctx: Ctx, entrusted_id: int, slip_number: str, collected_by: str) -> EntrustedKey:
    """The owner hands back the owner copy of the slip and takes the key; the record closes."""
    entrusted = get(ctx, entrusted_id)
    LIFECYCLE.require(entrusted, "collect")
    # both fields are checked, and every refusal shown at once beside its field
    checked = gather(
        {
            "slip_number": lambda: _slip(entrusted, slip_number),
            "collected_by": lambda: clean_column(
                collected_by, EntrustedKey, "collected_by", required=True
            ),
        }
    )
    if current_use(ctx, entrusted_id) is not None:
        raise DeskError("key_error.entrusted_still_out", number=entrusted.number)
    entrusted.collected_by = checked["collected_by"]
    entrusted.collected_at = ctx.now
    entrusted.state = EntrustedState.collected
    ctx.session.add(entrusted)
    audit.record(ctx, REGISTER, entrusted_id, "collected", {"collected_by": entrusted.collected_by})
    return entrusted


def in_custody(ctx: Ctx, limit: int = 500) -> list[EntrustedKey]:
    """Entrusted keys not yet collected, the oldest first."""
    statement = (
        select(EntrustedKey)
        .where(EntrustedKey.state != EntrustedState.collected)
        .order_by(col(EntrustedKey.deposited_at), col(EntrustedKey.id))
        .limit(limit)
    )
    return list(ctx.session.exec(statement))


def recently_collected(ctx: Ctx, limit: int = 100) -> list[EntrustedKey]:
    statement = (
        select(EntrustedKey)
        .where(EntrustedKey.state == EntrustedState.collected)
        .order_by(col(EntrustedKey.collected_at).desc(), col(EntrustedKey.id).desc())
        .limit(limit)
    )
    return list(ctx.session.exec(statement))


def out_with_staff(ctx: Ctx) -> dict[int, EntrustedKeyUse]:
    """Entrusted key id -> its open use, for every key out with staff."""
    statement = select(EntrustedKeyUse).where(col(EntrustedKeyUse.back_at).is_(None))
    return {use.entrusted_id: use for use in ctx.session.exec(statement)}


# --- counting the keys in custody -------------------------------------------------------


@dataclass(frozen=True)
class CountLine:
    """One thing to count: a cabinet tag or a WT number, what it is, how many should be there."""

    ref: str
    label: str
    expected: int


def expected_counts(ctx: Ctx) -> list[CountLine]:
    """What should be in the cabinet now: cabinet keys not out or lost, entrusted keys not out."""
    held = holdings(ctx)
    lines: list[CountLine] = []
    for key in cabinet(ctx):
        out, lost = held.get(key.id or 0, (0, 0))
        lines.append(CountLine(key.tag, key.opens, max(key.copies - out - lost, 0)))
    away = out_with_staff(ctx)
    for entrusted in in_custody(ctx):
        if entrusted.id not in away:
            label = f"{entrusted.room} {entrusted.description}"
            lines.append(CountLine(entrusted.number, label, entrusted.count))
    # a flat in our care (托管, desk.services.move_in): the keys its owner left with us
    for case in _custody_cases(ctx):
        label = t("move_in_ui.custody_keys", room=case.room)
        lines.append(CountLine(case.number, label, case.custody_keys))
    return lines


def _custody_cases(ctx: Ctx) -> list[MoveIn]:
    statement = (
        select(MoveIn)
        .where(MoveIn.state == MoveInState.custody, col(MoveIn.custody_keys) > 0)
        .order_by(col(MoveIn.custody_from), col(MoveIn.id))
    )
    return list(ctx.session.exec(statement))


def count(ctx: Ctx, found: dict[str, int], note: str = "") -> KeyCount:
    """Record a count; anything not listed in `found` counts as not found (0)."""
    lines = expected_counts(ctx)
    typed = {ref.strip().upper(): number for ref, number in found.items()}
    known = {line.ref for line in lines}
    for ref, number in typed.items():
        if ref not in known:
            raise DeskError("key_error.count_unknown", value=ref)
        if number < 0:
            raise DeskError("key_error.count_negative", field="found")
        if number > MAX_FOUND:
            raise DeskError("key_error.count_too_large", field="found", max=MAX_FOUND)
    discrepancies = [
        {"ref": line.ref, "expected": line.expected, "found": typed.get(line.ref, 0)}
        for line in lines
        if typed.get(line.ref, 0) != line.expected
    ]
    if discrepancies and not note.strip():
        raise DeskError("key_error.count_note_needed", field="note", n=len(discrepancies))
    record = KeyCount(
        counted_at=ctx.now,
        expected=sum(line.expected for line in lines),
        found=sum(typed.get(line.ref, 0) for line in lines),
        discrepancies=json.dumps(discrepancies, ensure_ascii=False),
        note=clean_column(note, KeyCount, "note"),
        operator_id=ctx.acting(),
    )
    ctx.session.add(record)
    ctx.session.flush()
    audit.record(
        ctx,
        COUNTS,
        record.id,
        "counted",
        {"expected": record.expected, "found": record.found, "discrepancies": discrepancies},
    )
    return record


def discrepancies(record: KeyCount) -> list[dict[str, object]]:
    loaded = json.loads(record.discrepancies or "[]")
    return loaded if isinstance(loaded, list) else []


def last_count(ctx: Ctx) -> KeyCount | None:
    statement = select(KeyCount).order_by(col(KeyCount.counted_at).desc(), col(KeyCount.id).desc())
    return ctx.session.exec(statement).first()


def next_count_due(ctx: Ctx) -> datetime | None:
    """When the next count is due (None: never counted, so due now)."""
    last = last_count(ctx)
    return ctx.due(last.counted_at, ctx.settings.keys.count_every) if last else None


def count_due(ctx: Ctx) -> bool:
    due = next_count_due(ctx)
    return due is None or due <= ctx.now
