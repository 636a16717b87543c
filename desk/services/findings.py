"""Findings (整改): finding → order → acceptance, one service for every register that finds
things (a patrol round, an incident, a renovation's supervision, a move-in inspection).

001 日常巡查 ⑷-⑹: a problem found is sent to the department that puts it right ("发单进行维修"),
followed up, and when rectified it is re-inspected: accepted and recorded, or rejected and
rectified again ("不合格的需重新整改"), round after round. Sent to a department whose site entry
says `repair_order` (the repairs department) a finding becomes a repair order through the
repair register's own service; sent to any other it is that department's task itself.

Nothing closes a finding but its acceptance on re-inspection: a repair finding is not even said
to be rectified until its repair order is completed, and its re-inspection is that order's
callback (accepted closes the order; rejected sends it back to maintenance). A finding raised
in error is withdrawn by a supervisor, with the reason. Each step is a row of `LIFECYCLE`;
every write is audited under the register "findings"; each re-inspection is a `FindingCheck`
row.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from desk.config import FindingDepartment
from desk.i18n import t
from desk.models import (
    OPEN_REPAIR_STATES,
    Channel,
    Finding,
    FindingCheck,
    FindingOwner,
    FindingState,
    Incident,
    IncidentState,
    MoveIn,
    MoveInState,
    PatrolRound,
    PatrolState,
    Renovation,
    RepairLocation,
    RepairOrder,
    RepairState,
)
from desk.models.base import Record
from desk.services import audit, fetch, repair, roles
from desk.services.callback_step import CallbackResult
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.finding_queries import (
    DUE_KINDS,
    PREFIX,
    REGISTER,
    awaiting_recheck,
    by_number,
    checks_of,
    department,
    department_name,
    due_at,
    get,
    item,
    of_owner,
    of_owners,
    open_findings,
    open_items,
    overdue,
    summary,
)
from desk.services.lifecycle import Lifecycle, Step
from desk.services.limits import clean_column
from desk.services.numbering import next_number
from desk.services.repair import RepairCreate
from desk.services.residents import find_unit
from desk.services.submission import Submission, gather
from desk.services.when import happened

__all__ = [
    "DUE_KINDS",
    "LIFECYCLE",
    "OWNERS",
    "PREFIX",
    "REGISTER",
    "allowed_actions",
    "awaiting_recheck",
    "by_number",
    "checks_of",
    "department",
    "department_name",
    "due_at",
    "get",
    "item",
    "of_owner",
    "of_owners",
    "open_findings",
    "open_items",
    "overdue",
    "summary",
]

S = FindingState
# The registers a finding may belong to, and the table of their records: a finding is raised
# on a record of one of them.
OWNERS: dict[str, type[Record]] = {
    FindingOwner.patrol: PatrolRound,
    FindingOwner.renovation: Renovation,
    FindingOwner.incident: Incident,
    FindingOwner.move_in: MoveIn,
}
# an owner record that is history takes no new finding: a round finished, an incident closed
# (that state, and the catalogue section that names it)
FINISHED: dict[str, tuple[str, str]] = {
    FindingOwner.patrol: (PatrolState.done, "patrol_state"),
    FindingOwner.incident: (IncidentState.closed, "incident_state"),
    FindingOwner.move_in: (MoveInState.completed, "move_in_state"),
}
# when an owner record began: a finding of it is never found before
STARTS: dict[str, str] = {
    FindingOwner.patrol: "started_at",
    FindingOwner.incident: "happened_at",
    FindingOwner.move_in: "inspected_at",
}
# a repair order counts as put right once completed (or closed after its callback)
ORDER_DONE = (RepairState.completed, RepairState.closed)
# a repair order its own register ended without the work: the finding is never rectified by it
ORDER_DROPPED = (RepairState.cancelled, RepairState.referred_out)

# Each step: from which states, to which (None: the re-inspection's outcome decides), who.
LIFECYCLE: Lifecycle[FindingState] = Lifecycle(
    "finding_error.not_now",
    {
        "send": Step((S.open,), to=S.sent, refusal="finding_error.cannot_send"),
        "rectified": Step((S.sent,), to=S.rectified, refusal="finding_error.cannot_rectify"),
        # accepted: done; rejected: back to its department (sent), round after round
        "recheck": Step((S.rectified,), refusal="finding_error.cannot_recheck"),
        "withdraw": Step(
            (S.open, S.sent),
            to=S.withdrawn,
            who=roles.FINDING_WITHDRAW,
            refusal="finding_error.cannot_withdraw",
        ),
    },
    state_words="finding_state",
)


def allowed_actions(found: Finding | None) -> frozenset[str]:
    """The steps (LIFECYCLE's names) a screen offers for this finding now."""
    return LIFECYCLE.offered(found)


def _step(ctx: Ctx, finding_id: int, action: str) -> Finding:
    return LIFECYCLE.take(ctx, action, lambda: get(ctx, finding_id))


def _move(ctx: Ctx, found: Finding, action: str, event: str, data: dict[str, Any]) -> None:
    LIFECYCLE.move(ctx, found, action, REGISTER, event, data)


def _text(value: str, column: str, *, required: bool = False, field: str | None = None) -> str:
    return clean_column(value, Finding, column, field=field, required=required)


def _moment(ctx: Ctx, when: datetime | None, field: str, after: datetime | None) -> datetime:
    """When a step happened (now unless given): not in the future, not before the last step."""
    found = happened(when, ctx.now, field)
    if after is not None and found < after:
        raise DeskError("finding_error.before_last_step", field=field)
    return found


def _department(ctx: Ctx, key: str) -> FindingDepartment:
    found = department(ctx, key)
    if found is None:
        raise DeskError("finding_error.unknown_department", field="department", value=key)
    return found


def _room(ctx: Ctx, typed: str) -> str:
    """A room typed on a finding: empty (a common area), or a room of the directory."""
    cleaned = _text(typed, "room")
    if not cleaned:
        return ""
    unit = find_unit(ctx, cleaned)
    if unit is None:
        raise DeskError("finding_error.unknown_room", field="room", room=cleaned)
    return unit.code


def _owner(ctx: Ctx, owner: str, owner_id: int) -> tuple[FindingOwner, datetime | None]:
    """The owner register and record a finding is raised on: known, in this estate, and not
    history (a round finished, an incident closed); with the record's own start (a finding is
    never found before it)."""
    try:
        kind = FindingOwner(owner)
    except ValueError:
        raise DeskError("finding_error.unknown_owner", value=owner) from None
    table = OWNERS.get(kind)
    if table is None:
        raise DeskError("finding_error.unknown_owner", value=owner)
    record = fetch.get(ctx, table, owner_id)
    over, words = FINISHED.get(kind, ("", ""))
    if over and getattr(record, "state", None) == over:
        raise DeskError(
            "finding_error.owner_finished",
            number=getattr(record, "number", ""),
            state=t(f"{words}.{over}"),
        )
    start = STARTS.get(kind)
    return kind, getattr(record, start) if start else None


# --- raised --------------------------------------------------------------------------------


class FindingIn(Submission):
    """What was found: where (a room, or a place in words), what, the photo's reference, which
    department is to put it right, who found it and when."""

    room: str = ""
    place: str = ""
    what: str = ""
    photo: str = ""
    department: str = ""
    # a finding for the repairs department: the repair order's category
    repair_category: str = "other"
    raised_by: str = ""
    raised_at: datetime | None = None


def raise_finding(
    ctx: Ctx, owner: str, owner_id: int, data: FindingIn, *, after: datetime | None = None
) -> Finding:
    """Raise a finding on a record of `owner` ("patrol", "incident", "renovation", "move_in");
    it is to be sent to its department within the site's `findings.send_within`. `after`: when
    the finding may be found from (default: the owner record's own start)."""
    kind, start = _owner(ctx, owner, owner_id)
    after = after if after is not None else start
    readers: dict[str, Callable[[], Any]] = {
        "room": lambda: _room(ctx, data.room),
        "place": lambda: _text(data.place, "place"),
        "what": lambda: _text(data.what, "what", required=True),
        "photo": lambda: _text(data.photo, "photo"),
        "department": lambda: _department(ctx, data.department),
        "raised_by": lambda: _text(data.raised_by, "raised_by", required=True),
        "raised_at": lambda: _moment(ctx, data.raised_at, "raised_at", after),
    }
    checked = gather(readers)
    chosen: FindingDepartment = checked["department"]
    category = ""
    if chosen.repair_order:
        category = gather({"repair_category": lambda: _category(ctx, data.repair_category)})[
            "repair_category"
        ]
    if not checked["room"] and not checked["place"]:
        raise DeskError("finding_error.where_needed", field="place")
    found = Finding(
        number=next_number(ctx, PREFIX),
        owner=kind,
        owner_id=owner_id,
        room=checked["room"],
        place=checked["place"],
        what=checked["what"],
        photo=checked["photo"],
        department=chosen.key,
        repair_category=category,
        raised_by=checked["raised_by"],
        raised_at=checked["raised_at"],
        operator_id=ctx.acting(),
        created_at=ctx.now,
    )
    ctx.session.add(found)
    ctx.session.flush()
    audit.record(
        ctx,
        REGISTER,
        found.id,
        "raised",
        {
            "owner": kind,
            "owner_id": owner_id,
            "room": found.room,
            "place": found.place,
            "what": found.what,
            "photo": found.photo,
            "department": found.department,
            "raised_by": found.raised_by,
            "raised_at": found.raised_at,
        },
    )
    return found


def _category(ctx: Ctx, key: str) -> str:
    if ctx.settings.repair_category(key or "other") is None:
        raise DeskError("repair.unknown_category", field="repair_category", value=key)
    return key or "other"


# --- sent, rectified, re-inspected ---------------------------------------------------------


def _order(ctx: Ctx, found: Finding, at: datetime, rework: int = 0) -> RepairOrder:
    """The repair order a finding for the repairs department becomes (again, for a rework)."""
    where = " ".join(part for part in (found.place, found.what) if part)
    again = f" ({rework})" if rework else ""
    order = repair.register(
        ctx,
        RepairCreate(
            reported_at=at,
            channel=Channel.visit,
            resident_name="",
            room=found.room,
            location=RepairLocation.unit if found.room else RepairLocation.public,
            description=f"[{found.number}{again}] {where}"[:500],
            category=found.repair_category or "other",
        ),
    )
    return order


def send(
    ctx: Ctx, finding_id: int, at: datetime | None = None, *, order: RepairOrder | None = None
) -> Finding:
    """Send the finding to its department: a repair order for the repairs department (linked;
    `order`: one its owner register already opened for it, such as a renovation visit's), the
    department's own task otherwise; rectify by its `rectify_within` (working days)."""
    found = _step(ctx, finding_id, "send")
    sent = _moment(ctx, at, "sent_at", found.raised_at)
    chosen = _department(ctx, found.department)
    data: dict[str, Any] = {"department": chosen.key}
    if chosen.repair_order:
        order = order or _order(ctx, found, sent)
        found.repair_id = order.id
        data["repair_number"] = order.number
    found.sent_at = sent
    found.rectify_due_at = ctx.due(sent, chosen.rectify_within)
    data |= {"at": sent, "rectify_due_at": found.rectify_due_at, "within": chosen.rectify_within}
    _move(ctx, found, "send", "sent", data)
    return found


def _order_done(ctx: Ctx, found: Finding, field: str = "rectified_at") -> RepairOrder | None:
    """A repair finding's order, once completed; refused while it is not."""
    if found.repair_id is None:
        return None
    order = repair.get(ctx, found.repair_id)
    if order.state not in ORDER_DONE:
        raise DeskError(
            "finding_error.order_not_done",
            field=field,
            repair=order.number,
            state=order.state,
        )
    return order


def rectified(ctx: Ctx, finding_id: int, note: str = "", at: datetime | None = None) -> Finding:
    """The department says it is put right (a repair finding: only once its order is completed);
    the re-inspection is due the site's `findings.recheck_within` later."""
    found = _step(ctx, finding_id, "rectified")
    checked = gather(
        {
            "rectified_at": lambda: _moment(ctx, at, "rectified_at", _last_step(ctx, found)),
            "rectified_note": lambda: _text(note, "rectified_note"),
            "order": lambda: _order_done(ctx, found),
        }
    )
    when: datetime = checked["rectified_at"]
    found.rectified_at = when
    found.rectified_note = checked["rectified_note"]
    if found.first_rectified_at is None:
        found.first_rectified_at = when
    found.recheck_due_at = ctx.due(when, ctx.settings.findings.recheck_within)
    late = found.rectify_due_at is not None and when > found.rectify_due_at
    data = {
        "at": when,
        "note": found.rectified_note,
        "recheck_due_at": found.recheck_due_at,
        "late": late,
    }
    if checked["order"] is not None:
        data["repair_number"] = checked["order"].number
    _move(ctx, found, "rectified", "rectified", data)
    return found


def _last_step(ctx: Ctx, found: Finding) -> datetime | None:
    """Sent, or sent back by the last re-inspection: what a rectification comes after."""
    if found.rounds and found.id is not None:
        return checks_of(ctx, found.id)[-1].checked_at
    return found.sent_at


class RecheckIn(Submission):
    """A re-inspection: who, when, accepted or not; a rejection says what is still wrong."""

    accepted: bool = True
    checked_by: str = ""
    checked_at: datetime | None = None
    note: str = ""


def recheck(ctx: Ctx, finding_id: int, data: RecheckIn) -> FindingCheck:
    """Re-inspect a rectified finding: accepted (recorded; the finding is done), or rejected
    (what is still wrong, required) and sent back to its department for another round, with a
    new rectify-by; a repair finding's order is called back with the outcome (accepted only
    while that order is still completed or closed)."""
    found = _step(ctx, finding_id, "recheck")
    checked = gather(
        {
            "checked_by": lambda: clean_column(
                data.checked_by, FindingCheck, "checked_by", required=True
            ),
            "checked_at": lambda: _moment(ctx, data.checked_at, "checked_at", found.rectified_at),
            "note": lambda: clean_column(
                data.note, FindingCheck, "note", required=not data.accepted
            ),
            # accepted: its repair order is still done (not sent back to maintenance since)
            "accepted": lambda: _order_done(ctx, found, "accepted") if data.accepted else None,
        }
    )
    at: datetime = checked["checked_at"]
    found.rounds += 1
    check = FindingCheck(
        finding_id=finding_id,
        round=found.rounds,
        checked_by=checked["checked_by"],
        checked_at=at,
        accepted=data.accepted,
        note=checked["note"],
        repair_id=found.repair_id,
        operator_id=ctx.acting(),
        created_at=ctx.now,
    )
    ctx.session.add(check)
    out: dict[str, Any] = {
        "round": check.round,
        "accepted": data.accepted,
        "checked_by": check.checked_by,
        "at": at,
        "note": check.note,
    }
    if data.accepted:
        found.state = S.accepted
        found.accepted_at, found.accepted_by = at, check.checked_by
        found.recheck_due_at = None
    else:
        chosen = _department(ctx, found.department)
        found.state = S.sent
        found.rectify_due_at = ctx.due(at, chosen.rectify_within)
        found.rectified_at, found.recheck_due_at = None, None
        out["rectify_due_at"] = found.rectify_due_at
    if found.repair_id is not None:
        out |= _order_rechecked(ctx, found, check)
    _move(ctx, found, "recheck", "accepted" if data.accepted else "rejected", out)
    return check


def _order_rechecked(ctx: Ctx, found: Finding, check: FindingCheck) -> dict[str, Any]:
    """A repair finding's re-inspection is its order's callback (回访): accepted closes the
    order, rejected sends that same order back to maintenance (the repair register's own rule).
    An order no longer awaiting its callback is left as it is; a rejection then opens another
    order for the rework unless the one there is still with maintenance."""
    assert found.repair_id is not None
    order = repair.get(ctx, found.repair_id)
    if order.state == RepairState.completed:
        note = check.note or f"{found.number} {t('findings_ui.result_accepted')}"
        said = CallbackResult(reached=True, satisfied=check.accepted, note=note[:200])
        repair.call_back(ctx, order.id or 0, said)
        return {"repair_number": order.number, "repair_state": order.state}
    if not check.accepted and order.state not in OPEN_REPAIR_STATES:
        again = _order(ctx, found, check.checked_at, rework=found.rounds)
        found.repair_id = again.id
        return {"repair_number": again.number}
    return {}


def _order_dropped(ctx: Ctx, found: Finding) -> bool:
    """A repair finding whose order was cancelled or referred out: nothing left to rectify by."""
    if found.repair_id is None:
        return False
    return repair.get(ctx, found.repair_id).state in ORDER_DROPPED


def withdraw(ctx: Ctx, finding_id: int, reason: str) -> Finding:
    """A finding raised in error, withdrawn by a supervisor with the reason (never one already
    rectified: that one is re-inspected, and one rejected there is rectified again, unless its
    repair order was cancelled or referred out since, leaving nothing to rectify it by)."""
    found = _step(ctx, finding_id, "withdraw")
    # rejected on re-inspection: back to its department, unless its order can no longer be done
    if found.first_rectified_at is not None and not _order_dropped(ctx, found):
        raise DeskError("finding_error.rework_not_withdrawn", number=found.number)
    found.withdraw_reason = _text(reason, "withdraw_reason", required=True, field="reason")
    found.withdrawn_at = ctx.now
    _move(
        ctx, found, "withdraw", "withdrawn", {"from": found.state, "reason": found.withdraw_reason}
    )
    return found
