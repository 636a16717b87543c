"""Reading incidents: by id or number, lists, each incident's steps, stand-ins and follow-ups,
the next step due (the board, the handover), and what still keeps an incident open."""

from __future__ import annotations

import re
from datetime import datetime

from sqlmodel import col, or_, select

from desk.models import (
    OPEN_COMPLAINT_STATES,
    OPEN_FINDING_STATES,
    OPEN_REPAIR_STATES,
    STEP_KEYS,
    Complaint,
    Finding,
    FindingOwner,
    FindingState,
    Incident,
    IncidentFollowUp,
    IncidentStandIn,
    IncidentState,
    IncidentStep,
    RepairOrder,
    StepState,
)
from desk.services import estates, fetch
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.open_item import OpenItem

REGISTER = "incidents"
# 突发: TF-20261123-001 (HG-TF-… in estate HG)
PREFIX = "TF"
_NUMBER = re.compile(r"^(?:([A-Z0-9]{2,8}?)TF|TF)(\d{8})(\d{3,4})$")
# the board's due kind of an incident with every step behind it (only closing is owed); while
# a step is owed, the due kind names that step ("incident_judge" ...): desk.services.board puts
# every running incident on top
DUE_KIND = "incident"


def due_kind(step: IncidentStep | None) -> str:
    """What the board says is due: the next step's short name, or closing."""
    return f"{DUE_KIND}_{step.key}" if step is not None else DUE_KIND


# the follow-ups an incident opens, each in its own register
FOLLOW_UP_REGISTERS = ("repairs", "complaints")


def get(ctx: Ctx, incident_id: int) -> Incident:
    return fetch.get(ctx, Incident, incident_id)


def canonical_number(typed: str, estate: str = "") -> str | None:
    """`TF-20261123-001` (`HG-TF-…` in estate HG) from what was typed: any case, with or
    without dashes; `estate` is the code put first when none was typed."""
    compact = re.sub(r"[^0-9A-Z]", "", typed.upper())
    match = _NUMBER.match(compact)
    if match is None:
        return None
    code = match.group(1) or estate
    start = f"{code}-" if code else ""
    return f"{start}{PREFIX}-{match.group(2)}-{match.group(3)}"


def find(ctx: Ctx, number: str) -> Incident | None:
    """The incident with this number as typed, or None."""
    here = estates.number_prefix(ctx).rstrip("-") if estates.chosen(ctx) else ""
    canonical = canonical_number(number, here)
    if canonical is None:
        return None
    return fetch.by_number(ctx, Incident, canonical)


def of_night_entry(ctx: Ctx, entry_id: int) -> Incident | None:
    """The incident opened from this night-log entry, if any."""
    statement = select(Incident).where(Incident.night_log_id == entry_id)
    return ctx.session.exec(statement).first()


def steps_of(ctx: Ctx, incident_id: int) -> list[IncidentStep]:
    statement = (
        select(IncidentStep)
        .where(IncidentStep.incident_id == incident_id)
        .order_by(col(IncidentStep.step))
    )
    return list(ctx.session.exec(statement))


def step_of(ctx: Ctx, incident_id: int, step: int) -> IncidentStep:
    if not 1 <= step <= len(STEP_KEYS):
        raise DeskError("incident_error.no_such_step", field="step", step=step)
    statement = select(IncidentStep).where(
        IncidentStep.incident_id == incident_id, IncidentStep.step == step
    )
    found = ctx.session.exec(statement).first()
    if found is None:
        raise DeskError("incident_error.no_such_step", field="step", step=step)
    return found


def stand_ins_of(ctx: Ctx, incident_id: int) -> list[IncidentStandIn]:
    statement = (
        select(IncidentStandIn)
        .where(IncidentStandIn.incident_id == incident_id)
        .order_by(col(IncidentStandIn.from_at), col(IncidentStandIn.id))
    )
    return list(ctx.session.exec(statement))


def follow_ups_of(ctx: Ctx, incident_id: int) -> list[IncidentFollowUp]:
    statement = (
        select(IncidentFollowUp)
        .where(IncidentFollowUp.incident_id == incident_id)
        .order_by(col(IncidentFollowUp.id))
    )
    return list(ctx.session.exec(statement))


def findings_of(ctx: Ctx, incident_id: int) -> list[Finding]:
    """The findings raised on the incident (desk.services.findings), oldest first."""
    statement = (
        select(Finding)
        .where(Finding.owner == FindingOwner.incident, Finding.owner_id == incident_id)
        .order_by(col(Finding.created_at), col(Finding.id))
    )
    return list(ctx.session.exec(statement))


def open_findings(found: list[Finding]) -> list[Finding]:
    return [f for f in found if f.state in OPEN_FINDING_STATES]


def follow_up_state(ctx: Ctx, follow_up: IncidentFollowUp) -> str:
    """The state of the repair order or complaint a follow-up is ("" when gone)."""
    found: RepairOrder | Complaint | None
    if follow_up.register_name == "repairs":
        found = ctx.session.get(RepairOrder, follow_up.record_id)
    else:
        found = ctx.session.get(Complaint, follow_up.record_id)
    return str(found.state) if found is not None else ""


def follow_up_settled(ctx: Ctx, follow_up: IncidentFollowUp) -> bool:
    """Closed in its own register (no longer open there), or handed on with a note."""
    if follow_up.handed_on:
        return True
    state = follow_up_state(ctx, follow_up)
    still_open = (
        OPEN_REPAIR_STATES if follow_up.register_name == "repairs" else OPEN_COMPLAINT_STATES
    )
    return bool(state) and state not in still_open


def next_step(steps: list[IncidentStep]) -> IncidentStep | None:
    """The first step of 001's order still pending (None: every step done or not needed)."""
    return next((step for step in steps if step.state == StepState.pending), None)


_MARKS = {StepState.done: "x", StepState.not_needed: "-", StepState.pending: "."}


def step_marks(steps: list[IncidentStep]) -> str:
    """The nine steps in one short line, printable anywhere: x done, - not needed, . to do."""
    return "".join(_MARKS[StepState(step.state)] for step in steps)


def close_blockers(ctx: Ctx, found: Incident) -> list[DeskError]:
    """What still keeps the incident open: the cause not recorded, each step neither done nor
    marked not needed, each follow-up neither closed nor handed on, security still at the desk.
    Empty: it may be closed."""
    blockers: list[DeskError] = []
    assert found.id is not None
    if not found.cause:
        blockers.append(DeskError("incident_error.cause_missing", field="cause"))
    pending = [step for step in steps_of(ctx, found.id) if step.state == StepState.pending]
    if pending:
        names = "、".join(str(step.step) for step in pending)
        blockers.append(DeskError("incident_error.steps_pending", field="steps", steps=names))
    unsettled = [f.number for f in follow_ups_of(ctx, found.id) if not follow_up_settled(ctx, f)]
    if unsettled:
        blockers.append(
            DeskError(
                "incident_error.follow_ups_open", field="follow_ups", numbers=", ".join(unsettled)
            )
        )
    unsent = [f.number for f in findings_of(ctx, found.id) if f.state == FindingState.open]
    if unsent:
        blockers.append(
            DeskError("incident_error.findings_unsent", field="findings", numbers=", ".join(unsent))
        )
    if any(s.until_at is None for s in stand_ins_of(ctx, found.id)):
        blockers.append(DeskError("incident_error.stand_in_holding", field="stand_in"))
    return blockers


def listing(ctx: Ctx, *, everything: bool = False, limit: int = 500) -> list[Incident]:
    """The incidents still open (every one when `everything`), newest first."""
    statement = select(Incident)
    if not everything:
        statement = statement.where(Incident.state == IncidentState.open)
    statement = statement.order_by(col(Incident.created_at).desc(), col(Incident.id).desc())
    return list(ctx.session.exec(statement.limit(limit)))


def of_shift(ctx: Ctx, start: datetime, end: datetime, limit: int = 500) -> list[Incident]:
    """Every incident opened or closed in the shift [start, end), and every one still open."""
    statement = (
        select(Incident)
        .where(
            or_(
                Incident.state == IncidentState.open,
                (col(Incident.created_at) >= start) & (col(Incident.created_at) < end),
                (col(Incident.closed_at) >= start) & (col(Incident.closed_at) < end),
            )
        )
        .order_by(col(Incident.created_at), col(Incident.id))
    )
    return list(ctx.session.exec(statement.limit(limit)))


def place_text(found: Incident) -> str:
    """Where it happened, as one line: the room, or the common area or equipment named."""
    if found.room and found.place:
        return f"{found.room} {found.place}"
    return found.room or found.place


def item(found: Incident, step: IncidentStep | None) -> OpenItem:
    """An open incident as the board shows it: on top, with its next step due."""
    return OpenItem(
        register=REGISTER,
        record_id=found.id or 0,
        number=found.number,
        room=found.room,
        summary=found.what if found.room else f"{found.place} {found.what}".strip(),
        state=found.state,
        opened_at=found.created_at,
        due_at=step.due_at if step is not None else None,
        due_kind=due_kind(step),
    )


def open_items(ctx: Ctx) -> list[OpenItem]:
    """Every incident still open, each with its next step due (none: only closing is owed)."""
    incidents = listing(ctx, limit=200)
    if not incidents:
        return []
    ids = [found.id for found in incidents]
    statement = (
        select(IncidentStep)
        .where(col(IncidentStep.incident_id).in_(ids), IncidentStep.state == StepState.pending)
        .order_by(col(IncidentStep.incident_id), col(IncidentStep.step))
    )
    first: dict[int, IncidentStep] = {}
    for step in ctx.session.exec(statement):
        first.setdefault(step.incident_id, step)
    return [item(found, first.get(found.id or 0)) for found in incidents]
