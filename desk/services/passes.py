"""Register 5: goods release passes — issue, void, check at the gate, return the stub, reconcile."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from pydantic import Field

from desk.models import (
    GateResult,
    IdType,
    PassItem,
    PassState,
    Relationship,
    ReleasePass,
    Resident,
    Unit,
)
from desk.services import audit, limits, pass_checks, roles
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.lifecycle import Lifecycle, Step
from desk.services.numbering import next_number
from desk.services.pass_checks import MAX_ITEMS as MAX_ITEMS
from desk.services.pass_checks import PassItemIn as PassItemIn
from desk.services.pass_queries import (
    CHECKED_STATES,
    PREFIX,
    REGISTER,
    PassStatus,
    ReconRow,
    StubStatus,
    canonical_number,
    find,
    get,
    item_counts,
    items_of,
    listing,
    missing_stubs,
    open_items,
    owners_of,
    reconciliation,
    status_of,
    stub_of,
    today,
    used_without_gate_check,
)
from desk.services.residents import clean_phone, clean_text
from desk.services.submission import Submission, gather
from desk.services.when import happened

__all__ = [
    "CHECKED_STATES",
    "PREFIX",
    "REGISTER",
    "PassCreate",
    "PassItemIn",
    "PassStatus",
    "ReconRow",
    "StubStatus",
    "canonical_number",
    "find",
    "get",
    "item_counts",
    "items_of",
    "listing",
    "missing_stubs",
    "open_items",
    "owners_of",
    "reconciliation",
    "status_of",
    "stub_of",
    "used_without_gate_check",
]

S = PassState
# A pass's steps: a supervisor voids one not yet used at the gate; the gate checks an issued pass
# (whether its day has come or passed, or its stub is already back, `refusal` says, each case in
# its own words); its stub comes back once, whatever became of it.
LIFECYCLE: Lifecycle[PassState] = Lifecycle(
    "pass_error.cannot_void",
    {
        "void": Step(
            (S.issued,), to=S.voided, who=roles.PASS_VOID, refusal="pass_error.cannot_void"
        ),
        "gate": Step((S.issued,)),
        "stub": Step(tuple(PassState), offer_if=lambda found: found.stub_returned_at is None),
    },
)


class PassCreate(Submission):
    room: str = ""
    applicant: str = ""
    relationship: Relationship = Relationship.owner
    id_type: IdType = IdType.id_card
    id_last4: str = ""
    owner_phone_called: str = ""
    owner_confirmed_by: str = ""
    owner_confirmed: bool | None = None
    owner_confirmed_at: datetime | None = None
    vehicle_plate: str = ""
    valid_on: date | None = None
    items: list[PassItemIn] = Field(default_factory=list)


# --- issuing ------------------------------------------------------------------------------


def _not_an_owner(name: str, owners: list[Resident]) -> bool:
    """The room has owners on file and `name` is none of them (noted on the pass, not refused)."""
    return bool(owners) and name not in {o.name for o in owners}


def applicant_not_owner_on_file(ctx: Ctx, issued: ReleasePass) -> bool:
    """An owner's pass whose applicant is not one of the room's owners on file."""
    if issued.relationship != Relationship.owner:
        return False
    return _not_an_owner(issued.applicant, owners_of(ctx, issued.room))


def issue(ctx: Ctx, data: PassCreate) -> ReleasePass:
    """Issue a pass; a tenant or agent needs the owner's confirmation by phone, and a yes."""
    relationship = Relationship(data.relationship)
    owner = relationship == Relationship.owner
    # every field is checked, and every refusal shown at once beside its field
    readers: dict[str, Callable[[], Any]] = {
        "room": lambda: pass_checks.unit(ctx, data.room),
        "applicant": lambda: clean_text(
            data.applicant,
            limits.max_length(ReleasePass, "applicant"),
            field="applicant",
            required=True,
        ),
        "id_last4": lambda: pass_checks.last4(data.id_last4, IdType(data.id_type)),
        "valid_on": lambda: pass_checks.valid_on(ctx, data.valid_on),
    }
    if not owner:
        readers |= {
            "owner_phone_called": lambda: clean_phone(
                data.owner_phone_called, field="owner_phone_called", required=True
            ),
            "owner_confirmed_by": lambda: clean_text(
                data.owner_confirmed_by,
                limits.max_length(ReleasePass, "owner_confirmed_by"),
                field="owner_confirmed_by",
                required=True,
            ),
            "owner_confirmed": lambda: pass_checks.confirmed(data.owner_confirmed),
            "owner_confirmed_at": lambda: happened(
                data.owner_confirmed_at, ctx.now, "owner_confirmed_at"
            ),
        }
    readers |= {
        "items": lambda: pass_checks.items(data.items),
        # upper-cased before the length check: "ß".upper() is "SS"
        "vehicle_plate": lambda: clean_text(
            data.vehicle_plate.upper().replace(" ", ""),
            limits.max_length(ReleasePass, "vehicle_plate"),
            field="vehicle_plate",
        ),
    }
    checked = gather(readers)
    unit: Unit = checked["room"]
    applicant: str = checked["applicant"]
    id_last4: str = checked["id_last4"]
    valid_on: date = checked["valid_on"]
    items: list[PassItemIn] = checked["items"]
    plate: str = checked["vehicle_plate"]
    owners = owners_of(ctx, unit.code)
    notes: dict[str, Any] = {}
    called, confirmed_by, confirmed_at = "", "", None
    confirmed: bool | None = None
    if owner:
        if _not_an_owner(applicant, owners):
            notes["applicant_not_owner_on_file"] = True
    else:
        called = checked["owner_phone_called"]
        confirmed_by = checked["owner_confirmed_by"]
        confirmed_at = checked["owner_confirmed_at"]
        confirmed = True
        digits = re.sub(r"\D", "", called)
        notes["owner_phone_on_file"] = any(re.sub(r"\D", "", o.phone) == digits for o in owners)
        if owners and confirmed_by not in {o.name for o in owners}:
            notes["confirmed_by_not_owner_on_file"] = True
    issued = ReleasePass(
        number=next_number(ctx, PREFIX),
        room=unit.code,
        applicant=applicant,
        relationship=relationship,
        id_type=IdType(data.id_type),
        id_last4=id_last4,
        owner_phone_called=called,
        owner_confirmed_at=confirmed_at,
        owner_confirmed_by=confirmed_by,
        owner_confirmed=confirmed,
        vehicle_plate=plate,
        valid_on=valid_on,
        valid_until=pass_checks.valid_until(ctx, valid_on),
        operator_id=ctx.acting(),
        created_at=ctx.now,
    )
    ctx.session.add(issued)
    ctx.session.flush()
    assert issued.id is not None
    for line, item in enumerate(items, start=1):
        ctx.session.add(PassItem(pass_id=issued.id, line_no=line, **item.model_dump()))
    audit.record(
        ctx,
        REGISTER,
        issued.id,
        "issued",
        {
            "room": issued.room,
            "applicant": applicant,
            "relationship": relationship,
            "owner_confirmed_by": confirmed_by,
            "valid_until": issued.valid_until,
            "items": [item.model_dump() for item in items],
            **notes,
        },
    )
    return issued


def void(ctx: Ctx, pass_id: int, reason: str) -> ReleasePass:
    """A supervisor withdraws a pass not yet used at the gate."""
    LIFECYCLE.permit(ctx, "void")
    found = get(ctx, pass_id)
    LIFECYCLE.require(found, "void")
    most = limits.max_length(ReleasePass, "void_reason")
    found.void_reason = clean_text(reason, most, field="reason", required=True)
    found.voided_at = ctx.now
    found.state = PassState.voided
    ctx.session.add(found)
    audit.record(ctx, REGISTER, found.id, "voided", reason=found.void_reason)
    return found


# --- at the gate --------------------------------------------------------------------------


def refusal(ctx: Ctx, found: ReleasePass | None, typed: str) -> DeskError | None:
    """Why this pass may not let goods out now (each case its own message), or None."""
    show = _show(ctx)
    if found is None:
        return DeskError("pass_error.gate_unknown", number=typed.strip())
    if found.state == PassState.voided:
        return DeskError("pass_error.gate_voided", number=found.number, reason=found.void_reason)
    if found.state in CHECKED_STATES or found.gate_checked_at is not None:
        return DeskError(
            "pass_error.gate_used",
            number=found.number,
            at=show(found.gate_checked_at),
            guard=found.guard_name,
        )
    if found.stub_returned_at is not None:
        return DeskError("pass_error.gate_stub_back", number=found.number)
    if today(ctx) < found.valid_on:
        return DeskError(
            "pass_error.gate_not_yet", number=found.number, day=found.valid_on.isoformat()
        )
    if ctx.now > found.valid_until:
        return DeskError(
            "pass_error.gate_expired", number=found.number, until=show(found.valid_until)
        )
    return None


def allowed_actions(ctx: Ctx, found: ReleasePass | None) -> frozenset[str]:
    """The steps (LIFECYCLE's names) a screen offers for this pass now: the gate's only while
    `refusal` has nothing against it (the clock has its say there)."""
    offered = LIFECYCLE.offered(found)
    if "gate" in offered and refusal(ctx, found, found.number if found else "") is not None:
        return offered - {"gate"}
    return offered


def _show(ctx: Ctx) -> Callable[[datetime | None], str]:
    def show(moment: datetime | None) -> str:
        return moment.astimezone(ctx.tz).strftime("%Y-%m-%d %H:%M") if moment else ""

    return show


def _gate_note(result: GateResult, note: str) -> str:
    """What stayed behind (partly) or why the goods were stopped (refused): those say it."""
    note = clean_text(note, limits.max_length(ReleasePass, "gate_note"), field="gate_note")
    if result == GateResult.partly and not note:
        raise DeskError("pass_error.partly_needs_note", field="gate_note")
    if result == GateResult.refused and not note:
        raise DeskError("pass_error.refused_needs_reason", field="gate_note")
    return note


def gate_check(
    ctx: Ctx, number: str, result: GateResult | str, guard_name: str, note: str = ""
) -> ReleasePass:
    """The guard checked the goods against the pass: all out, partly (what stayed) or refused."""
    found = find(ctx, number, for_update=True)
    refused = refusal(ctx, found, number)
    if refused is not None:
        raise refused
    assert found is not None
    result = GateResult(result)
    most = limits.max_length(ReleasePass, "guard_name")
    checked = gather(
        {
            "guard_name": lambda: clean_text(guard_name, most, field="guard_name", required=True),
            "gate_note": lambda: _gate_note(result, note),
        }
    )
    guard: str = checked["guard_name"]
    note = checked["gate_note"]
    found.gate_result = result.value
    found.gate_checked_at = ctx.now
    found.guard_name = guard
    found.gate_note = note
    found.state = {
        GateResult.all_out: PassState.used,
        GateResult.partly: PassState.partly_used,
        GateResult.refused: PassState.refused,
    }[result]
    ctx.session.add(found)
    data = {"result": result, "guard": guard, "note": note, "at_desk": ctx.operator is not None}
    audit.record(ctx, REGISTER, found.id, "gate_checked", data)
    return found


# --- stubs and reconciliation -------------------------------------------------------------


def return_stub(ctx: Ctx, number: str) -> ReleasePass:
    """Security handed the pass back: the desk ticks it off."""
    found = find(ctx, number)
    if found is None:
        raise DeskError("pass_error.gate_unknown", number=number.strip())
    if found.stub_returned_at is not None:
        raise DeskError(
            "pass_error.stub_already", number=found.number, at=_show(ctx)(found.stub_returned_at)
        )
    found.stub_returned_at = ctx.now
    found.stub_received_by = ctx.acting()
    ctx.session.add(found)
    unchecked = found.gate_checked_at is None and found.state != PassState.voided
    data = {"without_gate_check": unchecked}
    audit.record(ctx, REGISTER, found.id, "stub_returned", data)
    return found
