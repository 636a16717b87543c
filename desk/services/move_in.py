"""Register 18: move-in (入伙 / 入住, 000 篇四.1, 001 入伙办理) and 托管.

A case per room: the appointment booked; the papers checked (the owner's ID, the notice of
handover, the purchase contract; an agent's ID and power of attorney; a company's certificate);
the agreements signed, the fees taken (finance's receipt), the items handed over and signed for
(keys, the resident handbook, the drawings); the meters read and confirmed by the owner; the
inspection against the house-quality checklist, each problem a finding of the shared flow
(desk.services.findings, owner "move_in": the repairs department's becomes a repair order, the
developer's warranty work), re-inspected with the owner at an agreed time and accepted. The case
is complete only when every problem is accepted and every paper is signed.

托管 (000 四.1 ⑥): the agreement, the keys left in our custody (counted with the entrusted
keys), the readings at its start; at each 托管 patrol (a round of the patrol register's custody
routes, linked to the case) the meters are read, and a reading over the site's limit is flagged
until the owner is told (who, when). Each step is a row of `LIFECYCLE`; every write is audited
under the register "move_ins".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from desk.models import (
    Finding,
    FindingCheck,
    FindingOwner,
    FindingState,
    MoveIn,
    MoveInApplicant,
    MoveInReading,
    MoveInState,
    PatrolRound,
    ReadingKind,
)
from desk.services import audit, fetch, findings, keys_entrusted, patrol, roles
from desk.services.context import Ctx
from desk.services.errors import DeskError, FieldErrors
from desk.services.findings import FindingIn, RecheckIn
from desk.services.lifecycle import Lifecycle, Step
from desk.services.limits import clean_column
from desk.services.move_in_queries import (
    AGREEMENTS,
    ALL_DOCUMENTS,
    DOCUMENTS,
    ITEMS,
    PREFIX,
    REGISTER,
    accepted_first_time,
    canonical_number,
    custody_patrol_due,
    find,
    get,
    listing,
    missing_agreements,
    missing_documents,
    missing_items,
    of_room,
    open_items,
    open_problems,
    over_limit,
    owed,
    patrols_of,
    problems_of,
    reading,
    readings_of,
    rooms_in_custody,
)
from desk.services.numbering import next_number
from desk.services.patrol import RoundIn
from desk.services.residents import clean_phone, find_unit
from desk.services.submission import Submission, gather
from desk.services.when import happened, plausible

__all__ = [
    "AGREEMENTS",
    "ALL_DOCUMENTS",
    "DOCUMENTS",
    "ITEMS",
    "LIFECYCLE",
    "PREFIX",
    "REGISTER",
    "accepted_first_time",
    "canonical_number",
    "custody_patrol_due",
    "find",
    "get",
    "listing",
    "missing_agreements",
    "missing_documents",
    "missing_items",
    "of_room",
    "open_items",
    "open_problems",
    "over_limit",
    "owed",
    "patrols_of",
    "problems_of",
    "reading",
    "readings_of",
    "rooms_in_custody",
]

S = MoveInState
# The most a meter may read (a typing mistake beyond it).
MAX_READING = 10_000_000.0

LIFECYCLE: Lifecycle[MoveInState] = Lifecycle(
    "move_in_error.not_now",
    {
        # the papers checked: the ones this kind of applicant brings, every one
        "check_documents": Step(
            (S.booked,), to=S.in_progress, refusal="move_in_error.cannot_check"
        ),
        # agreements, fees and items recorded (as they are done, in any order)
        "papers": Step((S.in_progress, S.inspected), refusal="move_in_error.cannot_papers"),
        "meters": Step((S.in_progress,), refusal="move_in_error.cannot_meters"),
        "inspect": Step((S.in_progress,), to=S.inspected, refusal="move_in_error.cannot_inspect"),
        "problem": Step((S.inspected,), refusal="move_in_error.cannot_problem"),
        "book_reinspection": Step((S.inspected,), refusal="move_in_error.cannot_book"),
        "reinspect": Step((S.inspected,), refusal="move_in_error.cannot_reinspect"),
        "complete": Step((S.inspected,), to=S.completed, refusal="move_in_error.cannot_complete"),
        "cancel": Step(
            (S.booked, S.in_progress),
            to=S.cancelled,
            who=roles.MOVE_IN_CANCEL,
            refusal="move_in_error.cannot_cancel",
        ),
        "start_custody": Step(
            (S.completed,), to=S.custody, refusal="move_in_error.cannot_start_custody"
        ),
        "custody_patrol": Step((S.custody,), refusal="move_in_error.cannot_patrol"),
        "tell_owner": Step((S.custody, S.custody_ended), refusal="move_in_error.cannot_tell"),
        "end_custody": Step(
            (S.custody,), to=S.custody_ended, refusal="move_in_error.cannot_end_custody"
        ),
    },
    state_words="move_in_state",
)


def allowed_actions(found: MoveIn | None) -> frozenset[str]:
    """The steps (LIFECYCLE's names) a screen offers for this case now."""
    return LIFECYCLE.offered(found)


def _step(ctx: Ctx, case_id: int, action: str) -> MoveIn:
    return LIFECYCLE.take(ctx, action, lambda: get(ctx, case_id))


def _move(ctx: Ctx, found: MoveIn, action: str, event: str, data: dict[str, Any]) -> None:
    LIFECYCLE.move(ctx, found, action, REGISTER, event, data)


def _text(value: str, column: str, *, required: bool = False, field: str | None = None) -> str:
    return clean_column(value, MoveIn, column, field=field, required=required)


def _room(ctx: Ctx, typed: str) -> str:
    cleaned = _text(typed, "room", required=True)
    unit = find_unit(ctx, cleaned)
    if unit is None:
        raise DeskError("move_in_error.unknown_room", field="room", room=cleaned)
    return unit.code


def _kind(value: str) -> MoveInApplicant:
    try:
        return MoveInApplicant(value or "owner")
    except ValueError:
        raise DeskError("move_in_error.bad_kind", field="applicant_kind", value=value) from None


def _after(moment: datetime, start: datetime | None, field: str) -> datetime:
    if start is not None and moment < start:
        raise DeskError("move_in_error.before_last_step", field=field)
    return moment


# --- booked --------------------------------------------------------------------------------


class MoveInIn(Submission):
    """The appointment: which room, the owner, who comes (the owner, an agent, a company's
    person), when."""

    room: str = ""
    owner_name: str = ""
    phone: str = ""
    applicant_kind: str = "owner"
    agent_name: str = ""
    booked_for: datetime | None = None
    fee_fen: int | None = None
    note: str = ""


def book(ctx: Ctx, data: MoveInIn) -> MoveIn:
    """Book a move-in for a room (one open case per room)."""

    def booked_for() -> datetime:
        if data.booked_for is None:
            raise DeskError("field.required", field="booked_for")
        return plausible(data.booked_for, "booked_for")

    def agent() -> str:
        kind = _kind(data.applicant_kind)
        return _text(data.agent_name, "agent_name", required=kind != MoveInApplicant.owner)

    def fee() -> int:
        value = ctx.settings.move_ins.fee_fen if data.fee_fen is None else data.fee_fen
        if value < 0 or value > 100_000_000:
            raise DeskError("move_in_error.bad_fee", field="fee_fen")
        return value

    checked = gather(
        {
            "room": lambda: _room(ctx, data.room),
            "owner_name": lambda: _text(data.owner_name, "owner_name", required=True),
            "phone": lambda: clean_phone(data.phone),
            "applicant_kind": lambda: _kind(data.applicant_kind),
            "agent_name": agent,
            "booked_for": booked_for,
            "fee_fen": fee,
            "note": lambda: _text(data.note, "note"),
        }
    )
    room = checked["room"]
    if any(case.state not in (S.cancelled,) for case in of_room(ctx, room)):
        raise DeskError("move_in_error.room_has_case", field="room", room=room)
    found = MoveIn(
        number=next_number(ctx, PREFIX),
        room=room,
        owner_name=checked["owner_name"],
        phone=checked["phone"],
        applicant_kind=checked["applicant_kind"],
        agent_name=checked["agent_name"],
        booked_for=checked["booked_for"],
        fee_fen=checked["fee_fen"],
        note=checked["note"],
        operator_id=ctx.acting(),
        created_at=ctx.now,
    )
    ctx.session.add(found)
    ctx.session.flush()
    audit.record(
        ctx,
        REGISTER,
        found.id,
        "booked",
        {
            "room": found.room,
            "owner_name": found.owner_name,
            "applicant_kind": found.applicant_kind,
            "agent_name": found.agent_name,
            "booked_for": found.booked_for,
            "fee_fen": found.fee_fen,
        },
    )
    return found


# --- the papers ----------------------------------------------------------------------------


def check_documents(ctx: Ctx, case_id: int, ticked: dict[str, bool]) -> MoveIn:
    """The papers the applicant brought, ticked; every one this kind of applicant needs
    (000 四.1 ①) must be there, or the case stays booked and the missing ones are named."""
    found = _step(ctx, case_id, "check_documents")
    unknown = set(ticked) - set(ALL_DOCUMENTS)
    if unknown:
        raise DeskError("move_in_error.unknown_paper", value=", ".join(sorted(unknown)))
    for name in ALL_DOCUMENTS:
        setattr(found, name, bool(ticked.get(name, getattr(found, name))))
    missing = missing_documents(found)
    if missing:
        ctx.session.expire(found)
        raise FieldErrors.of(
            [DeskError("move_in_error.paper_missing", field=name) for name in missing]
        )
    found.checked_at = ctx.now
    data = {name: getattr(found, name) for name in ALL_DOCUMENTS}
    _move(ctx, found, "check_documents", "documents_checked", data)
    return found


class PapersIn(Submission):
    """The agreements signed, the fees taken, the items handed over (as far as done)."""

    sign_resident_form: bool = False
    sign_covenant: bool = False
    sign_management: bool = False
    sign_bank_mandate: bool = False
    sign_fire_pledge: bool = False
    fee_fen: int = 0
    fee_receipt: str = ""
    keys_handed: int = 0
    handbook_handed: bool = False
    drawings_handed: bool = False
    items_signed_by: str = ""


def papers(ctx: Ctx, case_id: int, data: PapersIn) -> MoveIn:
    """Record the agreements signed, the fees taken (receipt) and the items handed over and
    signed for; a paper once recorded is never un-ticked here (a mistake is corrected by a
    supervisor through the corrections register)."""
    found = _step(ctx, case_id, "papers")

    def keys() -> int:
        if data.keys_handed < 0 or data.keys_handed > 99:
            raise DeskError("move_in_error.bad_keys", field="keys_handed")
        return data.keys_handed

    def fee() -> int:
        if data.fee_fen < 0 or data.fee_fen > 100_000_000:
            raise DeskError("move_in_error.bad_fee", field="fee_fen")
        return data.fee_fen

    checked = gather(
        {
            "fee_fen": fee,
            "fee_receipt": lambda: _text(data.fee_receipt, "fee_receipt"),
            "keys_handed": keys,
            "items_signed_by": lambda: _text(data.items_signed_by, "items_signed_by"),
        }
    )
    if checked["fee_fen"] > 0 and not checked["fee_receipt"] and not found.fee_receipt:
        raise DeskError("move_in_error.receipt_needed", field="fee_receipt")
    for name in AGREEMENTS:
        setattr(found, name, getattr(found, name) or bool(getattr(data, name)))
    found.handbook_handed = found.handbook_handed or data.handbook_handed
    found.drawings_handed = found.drawings_handed or data.drawings_handed
    if checked["keys_handed"]:
        found.keys_handed = checked["keys_handed"]
    if checked["fee_fen"]:
        found.fee_fen = checked["fee_fen"]
    if checked["fee_receipt"]:
        found.fee_receipt = checked["fee_receipt"]
    if checked["items_signed_by"]:
        found.items_signed_by = checked["items_signed_by"]
        found.items_signed_at = found.items_signed_at or ctx.now
    out = {name: getattr(found, name) for name in (*AGREEMENTS, *ITEMS)}
    out |= {
        "fee_fen": found.fee_fen,
        "fee_receipt": found.fee_receipt,
        "items_signed_by": found.items_signed_by,
    }
    _move(ctx, found, "papers", "papers", out)
    return found


# --- the meters ----------------------------------------------------------------------------


class MetersIn(Submission):
    """A reading of the flat's meters: who read them, when, and (at the handover) the owner
    who confirmed them."""

    water: float | None = None
    electricity: float | None = None
    gas: float | None = None
    read_by: str = ""
    confirmed_by: str = ""
    read_at: datetime | None = None
    note: str = ""


def _meter(value: float | None, field: str, *, required: bool = True) -> float:
    if value is None:
        if required:
            raise DeskError("field.required", field=field)
        return 0.0
    if not 0 <= value <= MAX_READING:
        raise DeskError("move_in_error.bad_reading", field=field)
    return float(value)


def _reading(
    ctx: Ctx,
    found: MoveIn,
    kind: ReadingKind,
    data: MetersIn,
    *,
    after: datetime | None,
    extra: dict[str, Callable[[], Any]] | None = None,
) -> tuple[MoveInReading, dict[str, Any]]:
    """A reading checked with the step's own fields (`extra`): every refusal at once."""
    checked = gather(
        {
            "water": lambda: _meter(data.water, "water"),
            "electricity": lambda: _meter(data.electricity, "electricity"),
            "gas": lambda: _meter(data.gas, "gas", required=False),
            "read_by": lambda: clean_column(data.read_by, MoveInReading, "read_by", required=True),
            "read_at": lambda: _after(happened(data.read_at, ctx.now, "read_at"), after, "read_at"),
            "note": lambda: clean_column(data.note, MoveInReading, "note"),
            **(extra or {}),
        }
    )
    assert found.id is not None
    read = MoveInReading(
        move_in_id=found.id,
        kind=kind,
        read_at=checked["read_at"],
        read_by=checked["read_by"],
        water=checked["water"],
        electricity=checked["electricity"],
        gas=checked["gas"],
        note=checked["note"],
        operator_id=ctx.acting(),
        created_at=ctx.now,
    )
    ctx.session.add(read)
    return read, checked


def _reading_data(read: MoveInReading) -> dict[str, Any]:
    return {
        "kind": read.kind,
        "water": read.water,
        "electricity": read.electricity,
        "gas": read.gas,
        "read_by": read.read_by,
        "read_at": read.read_at,
    }


def meters(ctx: Ctx, case_id: int, data: MetersIn) -> MoveInReading:
    """The meters read with the owner at the handover (water, electricity, gas) and confirmed
    by the owner (their name, as signed on the house inspection form)."""
    found = _step(ctx, case_id, "meters")
    confirm = {
        "confirmed_by": lambda: _text(
            data.confirmed_by, "meters_confirmed_by", required=True, field="confirmed_by"
        )
    }
    read, checked = _reading(ctx, found, ReadingKind.handover, data, after=None, extra=confirm)
    confirmed = checked["confirmed_by"]
    found.meters_confirmed_by = confirmed
    _move(ctx, found, "meters", "meters", _reading_data(read) | {"confirmed_by": confirmed})
    return read


# --- the inspection and its problems -------------------------------------------------------


def inspect(ctx: Ctx, case_id: int, inspected_by: str, at: datetime | None = None) -> MoveIn:
    """The flat inspected with the owner against the house-quality checklist (the meters read
    and confirmed first); its problems are raised next, one finding each."""
    found = _step(ctx, case_id, "inspect")
    checked = gather(
        {
            "inspected_by": lambda: _text(inspected_by, "inspected_by", required=True),
            "inspected_at": lambda: _after(
                happened(at, ctx.now, "inspected_at"), found.checked_at, "inspected_at"
            ),
        }
    )
    if not found.meters_confirmed_by:
        raise DeskError("move_in_error.meters_first", field="water")
    found.inspected_by = checked["inspected_by"]
    found.inspected_at = checked["inspected_at"]
    data = {"inspected_by": found.inspected_by, "at": found.inspected_at}
    _move(ctx, found, "inspect", "inspected", data)
    return found


def raise_problem(ctx: Ctx, case_id: int, data: FindingIn) -> Finding:
    """A problem found at the inspection: a finding of the shared flow on this case (the room
    the case's, the department the site's default, found by the inspector unless said)."""
    found = _step(ctx, case_id, "problem")
    update: dict[str, Any] = {}
    if not data.room:
        update["room"] = found.room
    if not data.department:
        update["department"] = ctx.settings.move_ins.department
    if not data.raised_by:
        update["raised_by"] = found.inspected_by
    if update:
        data = data.model_copy(update=update)
    assert found.id is not None
    raised = findings.raise_finding(
        ctx, FindingOwner.move_in, found.id, data, after=found.inspected_at
    )
    audit.record(
        ctx, REGISTER, found.id, "problem", {"finding": raised.number, "what": raised.what}
    )
    return raised


def _problem(ctx: Ctx, found: MoveIn, finding_id: int) -> Finding:
    problem = findings.get(ctx, finding_id)
    if problem.owner != FindingOwner.move_in or problem.owner_id != found.id:
        raise DeskError("move_in_error.not_this_case", number=found.number)
    return problem


def book_reinspection(ctx: Ctx, case_id: int, at: datetime | None) -> MoveIn:
    """The re-inspection agreed with the owner: once the department says a problem is put
    right (000 四.1 ⑤ "维修部复检合格后…确认再次验收时间")."""
    found = _step(ctx, case_id, "book_reinspection")
    assert found.id is not None
    if at is None:
        raise DeskError("field.required", field="reinspect_at")
    when = plausible(at, "reinspect_at")
    waiting = [p for p in problems_of(ctx, found.id) if p.state == FindingState.rectified]
    if not waiting:
        raise DeskError("move_in_error.nothing_rectified", field="reinspect_at")
    found.reinspect_at = when
    _move(ctx, found, "book_reinspection", "reinspection_booked", {"at": when})
    return found


def reinspect(ctx: Ctx, case_id: int, finding_id: int, data: RecheckIn) -> FindingCheck:
    """A problem re-inspected with the owner: accepted and signed (the owner's name), or still
    wrong and back to its department (the finding's own rule: only once rectified)."""
    found = _step(ctx, case_id, "reinspect")
    problem = _problem(ctx, found, finding_id)
    check = findings.recheck(ctx, problem.id or 0, data)
    assert found.id is not None
    if not any(p.state == FindingState.rectified for p in problems_of(ctx, found.id)):
        found.reinspect_at = None
    out = {"finding": problem.number, "accepted": check.accepted, "signed_by": check.checked_by}
    _move(ctx, found, "reinspect", "reinspected", out)
    return check


def complete(ctx: Ctx, case_id: int) -> MoveIn:
    """The move-in is complete: every problem accepted, every agreement signed, the fees
    receipted, the items handed over and signed for. What is missing is said, all at once."""
    found = _step(ctx, case_id, "complete")
    assert found.id is not None
    errors: list[DeskError] = []
    still = open_problems(ctx, found.id)
    if still:
        numbers = ", ".join(p.number for p in still)
        errors.append(DeskError("move_in_error.problems_open", field="problems", numbers=numbers))
    for name in missing_agreements(found):
        errors.append(DeskError("move_in_error.paper_missing", field=name))
    if found.fee_fen > 0 and not found.fee_receipt:
        errors.append(DeskError("move_in_error.receipt_needed", field="fee_receipt"))
    for name in missing_items(found):
        errors.append(DeskError("move_in_error.item_missing", field=name))
    if errors:
        raise FieldErrors.of(errors)
    found.completed_at = ctx.now
    found.reinspect_at = None
    data = {
        "problems": len(problems_of(ctx, found.id)),
        "first_time": accepted_first_time(ctx, found.id),
    }
    _move(ctx, found, "complete", "completed", data)
    return found


def cancel(ctx: Ctx, case_id: int, reason: str) -> MoveIn:
    """A booked move-in called off (a supervisor, with the reason)."""
    found = _step(ctx, case_id, "cancel")
    found.cancel_reason = _text(reason, "cancel_reason", required=True, field="reason")
    found.cancelled_at = ctx.now
    _move(ctx, found, "cancel", "cancelled", {"from": found.state, "reason": found.cancel_reason})
    return found


# --- 托管 ------------------------------------------------------------------------------------


class CustodyIn(MetersIn):
    """托管 begins: the agreement's number, the keys left with us, the readings at its start."""

    agreement: str = ""
    keys: int = 0


def start_custody(ctx: Ctx, case_id: int, data: CustodyIn) -> MoveIn:
    """The owner leaves the flat in our care: 《托管协议》 signed, the keys left (counted into
    the key cabinet's custody), the water and electricity meters read."""
    found = _step(ctx, case_id, "start_custody")

    def keys() -> int:
        if data.keys < 0 or data.keys > 99:
            raise DeskError("move_in_error.bad_keys", field="custody_keys")
        return data.keys

    extra = {
        "agreement": lambda: _text(
            data.agreement, "custody_agreement", required=True, field="agreement"
        ),
        "custody_keys": keys,
    }
    read, checked = _reading(
        ctx, found, ReadingKind.custody_start, data, after=found.completed_at, extra=extra
    )
    found.custody_agreement = checked["agreement"]
    found.custody_keys = checked["custody_keys"]
    found.custody_from = read.read_at
    out = _reading_data(read) | {"agreement": found.custody_agreement, "keys": found.custody_keys}
    _move(ctx, found, "start_custody", "custody_started", out)
    return found


def used(ctx: Ctx, case_id: int, read: MoveInReading) -> tuple[float, float]:
    """Water and electricity used since 托管 began, at this reading."""
    start = reading(ctx, case_id, ReadingKind.custody_start)
    if start is None:
        return (0.0, 0.0)
    return (read.water - start.water, read.electricity - start.electricity)


def is_over(ctx: Ctx, case_id: int, read: MoveInReading) -> bool:
    rules = ctx.settings.move_ins
    water, electricity = used(ctx, case_id, read)
    return water > rules.custody_water_limit or electricity > rules.custody_electricity_limit


class CustodyPatrolIn(MetersIn):
    """A 托管 patrol: the route (the weekly or the heavy-rain one), who walked, the readings."""

    route: str = ""


def custody_patrol(
    ctx: Ctx, case_id: int, data: CustodyPatrolIn
) -> tuple[PatrolRound, MoveInReading]:
    """A 托管 patrol of the flat: a round of the patrol register's custody route (or the heavy-
    rain one) linked to the case, its checkpoints recorded there; the meters read now, and the
    reading flagged when what was used since 托管 began is over the site's limit."""
    found = _step(ctx, case_id, "custody_patrol")
    rules = ctx.settings.move_ins
    route = data.route or rules.custody_route
    if route not in (rules.custody_route, rules.custody_rain_route):
        raise DeskError("move_in_error.not_custody_route", field="route", value=route)
    read, _ = _reading(ctx, found, ReadingKind.patrol, data, after=found.custody_from)
    assert found.id is not None
    started = patrol.start(
        ctx,
        RoundIn(route=route, patrolled_by=read.read_by, started_at=read.read_at, note=found.room),
        move_in_id=found.id,
    )
    read.patrol_round_id = started.id
    read.over_limit = is_over(ctx, found.id, read)
    ctx.session.add(read)
    out = _reading_data(read) | {"round": started.number, "over_limit": read.over_limit}
    _move(ctx, found, "custody_patrol", "custody_patrol", out)
    return started, read


def tell_owner(
    ctx: Ctx, case_id: int, reading_id: int, told_by: str, at: datetime | None = None
) -> MoveInReading:
    """The owner told of a reading over its limit: who told them, when."""
    found = _step(ctx, case_id, "tell_owner")
    read = fetch.get(ctx, MoveInReading, reading_id)
    if read.move_in_id != found.id:
        raise DeskError("move_in_error.not_this_case", number=found.number)
    if not read.over_limit:
        raise DeskError("move_in_error.not_over_limit")
    if read.owner_told_at is not None:
        raise DeskError("move_in_error.already_told")
    checked = gather(
        {
            "told_by": lambda: clean_column(
                told_by, MoveInReading, "owner_told_by", required=True, field="told_by"
            ),
            "told_at": lambda: _after(happened(at, ctx.now, "told_at"), read.read_at, "told_at"),
        }
    )
    read.owner_told_by = checked["told_by"]
    read.owner_told_at = checked["told_at"]
    ctx.session.add(read)
    data = {"reading": read.id, "told_by": read.owner_told_by, "at": read.owner_told_at}
    _move(ctx, found, "tell_owner", "owner_told", data)
    return read


def end_custody(ctx: Ctx, case_id: int, data: MetersIn) -> MoveIn:
    """托管 ends: the owner takes the flat (and the keys) back; the meters read once more."""
    found = _step(ctx, case_id, "end_custody")
    read, _ = _reading(ctx, found, ReadingKind.custody_end, data, after=found.custody_from)
    assert found.id is not None
    read.over_limit = is_over(ctx, found.id, read)
    found.custody_to = read.read_at
    out = _reading_data(read) | {"over_limit": read.over_limit, "keys": found.custody_keys}
    _move(ctx, found, "end_custody", "custody_ended", out)
    return found


def keys_in_custody(ctx: Ctx) -> list[MoveIn]:
    """The cases under 托管 whose keys are left with us (the key count lists them)."""
    return keys_entrusted._custody_cases(ctx)
