"""Register 12: emergency incidents (突发事故, 001) — opened from the board or from a night-log
entry flagged emergency; the nine steps of 001 as a timed checklist (each done, with who was
called and who arrived, or not needed with the reason: none skipped silently); the security
stand-in holding the desk while the night duty is at the scene (000 值班制度 六); the repair
orders and complaints opened from it; closed once the cause is recorded, every step is done or
not needed and every follow-up is closed or handed on.

Each step is a row of `LIFECYCLE`; every write is audited under the register "incidents".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from desk.i18n import t
from desk.models import (
    STEP_KEYS,
    Complaint,
    Finding,
    Incident,
    IncidentFollowUp,
    IncidentStandIn,
    IncidentState,
    IncidentStep,
    NightLogEntry,
    PlaceKind,
    StepState,
)
from desk.models.reception import Channel
from desk.models.repair import RepairLocation
from desk.services import audit, complaint_intake, fetch, findings, repair
from desk.services.complaint_intake import ComplaintCreate
from desk.services.context import Ctx
from desk.services.errors import DeskError, FieldErrors
from desk.services.findings import FindingIn
from desk.services.incident_queries import (
    DUE_KIND,
    FOLLOW_UP_REGISTERS,
    PREFIX,
    REGISTER,
    canonical_number,
    close_blockers,
    find,
    findings_of,
    follow_up_settled,
    follow_up_state,
    follow_ups_of,
    get,
    listing,
    next_step,
    of_night_entry,
    of_shift,
    open_items,
    place_text,
    stand_ins_of,
    step_of,
    steps_of,
)
from desk.services.lifecycle import Lifecycle, Step
from desk.services.limits import clean_column
from desk.services.numbering import next_number
from desk.services.repair import RepairCreate
from desk.services.residents import clean_phone, normalise_room
from desk.services.submission import Submission, gather
from desk.services.when import happened

__all__ = [
    "DUE_KIND",
    "FOLLOW_UP_REGISTERS",
    "PREFIX",
    "REGISTER",
    "canonical_number",
    "close_blockers",
    "find",
    "findings_of",
    "follow_up_settled",
    "follow_up_state",
    "follow_ups_of",
    "get",
    "listing",
    "next_step",
    "of_night_entry",
    "of_shift",
    "open_items",
    "place_text",
    "stand_ins_of",
    "step_of",
    "steps_of",
]

S = IncidentState
OPEN = (S.open,)
# Anyone at the desk runs an incident (the night duty above all); a closed incident is history.
LIFECYCLE: Lifecycle[IncidentState] = Lifecycle(
    "incident_error.closed",
    {
        "record_step": Step(OPEN),
        "arrive": Step(OPEN),
        "not_needed": Step(OPEN),
        "record_cause": Step(OPEN),
        "stand_in": Step(OPEN),
        "end_stand_in": Step(OPEN),
        "follow_up": Step(OPEN),
        "hand_on": Step(OPEN),
        "close": Step(OPEN, to=S.closed),
    },
    state_words="incident_state",
)
# step ⑸: government help, with the reference number the fire brigade, police or utility gave
GOVERNMENT = STEP_KEYS.index("government") + 1
# step ⑻: the cause investigated and recorded — never "not needed": the cause closes the incident
INVESTIGATE = STEP_KEYS.index("investigate") + 1


def allowed_actions(found: Incident | None) -> frozenset[str]:
    """The steps (LIFECYCLE's names) a screen offers for this incident now."""
    return LIFECYCLE.offered(found)


def _step(ctx: Ctx, incident_id: int, action: str) -> Incident:
    """The incident, once its state allows `action` (a closed incident is not changed)."""
    return LIFECYCLE.take(ctx, action, lambda: get(ctx, incident_id))


def _audit(ctx: Ctx, found: Incident, event: str, data: dict[str, Any]) -> None:
    ctx.session.add(found)
    ctx.session.flush()
    audit.record(ctx, REGISTER, found.id, event, data)


def _text(value: str, column: str, *, required: bool = False, field: str | None = None) -> str:
    return clean_column(value, Incident, column, field=field, required=required)


def _step_text(value: str, column: str, *, required: bool = False, field: str | None = None) -> str:
    return clean_column(value, IncidentStep, column, field=field, required=required)


def _moment(ctx: Ctx, value: datetime | None, field: str, after: datetime | None) -> datetime:
    """A time recorded at the desk: given, not in the future, not before `after`."""
    if value is None:
        raise DeskError("field.required", field=field)
    moment = happened(value, ctx.now, field)
    if after is not None and moment < after:
        raise DeskError("incident_error.before_incident", field=field)
    return moment


# --- opening an incident --------------------------------------------------------------------


class IncidentCreate(Submission):
    happened_at: datetime | None = None
    place_kind: PlaceKind = PlaceKind.room
    room: str = ""
    # the common area or equipment (or, for a room, the spot inside it)
    place: str = ""
    what: str = ""
    reported_by: str = ""
    reporter_phone: str = ""
    first_judgement: str = ""
    kind: str = "other"
    severity: str = "minor"
    # the night-log entry flagged emergency it is opened from (the entry then links to it)
    night_log_id: int | None = None


def from_night_entry(entry: NightLogEntry) -> IncidentCreate:
    """The incident a night-log entry flagged emergency becomes, filled in from the entry."""
    return IncidentCreate(
        happened_at=entry.logged_at,
        place_kind=PlaceKind.room if entry.room else PlaceKind.common,
        room=entry.room,
        what=entry.what,
        reported_by=entry.caller,
        reporter_phone=entry.phone,
        night_log_id=entry.id,
    )


def _room(data: IncidentCreate) -> str:
    room = normalise_room(_text(data.room, "room"))
    if PlaceKind(data.place_kind) == PlaceKind.room and not room:
        raise DeskError("field.required", field="room")
    return room


def _place(data: IncidentCreate) -> str:
    needed = PlaceKind(data.place_kind) != PlaceKind.room
    return _text(data.place, "place", required=needed, field="incident_place")


def _kind(ctx: Ctx, key: str) -> str:
    if ctx.settings.incidents.kind(key) is None:
        raise DeskError("incident_error.unknown_kind", field="incident_kind", kind=key)
    return key


def _severity(ctx: Ctx, key: str) -> str:
    if ctx.settings.incidents.severity(key) is None:
        raise DeskError("incident_error.unknown_severity", field="incident_severity", severity=key)
    return key


def _night_entry(ctx: Ctx, entry_id: int | None) -> NightLogEntry | None:
    """The night-log entry to link: of this estate, flagged emergency, not yet an incident's."""
    if entry_id is None:
        return None
    entry = ctx.session.get(NightLogEntry, entry_id)
    if entry is None:
        raise DeskError("incident_error.no_night_entry", field="night_log_id", id=entry_id)
    if not entry.emergency:
        raise DeskError("incident_error.not_emergency", field="night_log_id")
    linked = of_night_entry(ctx, entry_id)
    if linked is not None:
        raise DeskError("incident_error.entry_linked", field="night_log_id", number=linked.number)
    return entry


def open_incident(ctx: Ctx, data: IncidentCreate) -> Incident:
    """Open an incident; its nine steps are due the site's minutes (by severity) after now."""
    checked = gather(
        {
            "happened_at": lambda: _moment(ctx, data.happened_at or ctx.now, "happened_at", None),
            "place_kind": lambda: PlaceKind(data.place_kind),
            "room": lambda: _room(data),
            "incident_place": lambda: _place(data),
            "what": lambda: _text(data.what, "what", required=True),
            "reported_by": lambda: _text(data.reported_by, "reported_by", required=True),
            "reporter_phone": lambda: clean_phone(data.reporter_phone, field="reporter_phone"),
            "first_judgement": lambda: _text(data.first_judgement, "first_judgement"),
            "incident_kind": lambda: _kind(ctx, data.kind),
            "incident_severity": lambda: _severity(ctx, data.severity),
            "night_log_id": lambda: _night_entry(ctx, data.night_log_id),
        }
    )
    entry: NightLogEntry | None = checked["night_log_id"]
    found = Incident(
        number=next_number(ctx, PREFIX),
        happened_at=checked["happened_at"],
        place_kind=checked["place_kind"],
        room=checked["room"],
        place=checked["incident_place"],
        what=checked["what"],
        reported_by=checked["reported_by"],
        reporter_phone=checked["reporter_phone"],
        first_judgement=checked["first_judgement"],
        kind=checked["incident_kind"],
        severity=checked["incident_severity"],
        night_log_id=entry.id if entry is not None else None,
        operator_id=ctx.acting(),
        created_at=ctx.now,
    )
    ctx.session.add(found)
    ctx.session.flush()
    assert found.id is not None
    rule = ctx.settings.incidents.severity(found.severity)
    assert rule is not None
    for place, (key, minutes) in enumerate(zip(STEP_KEYS, rule.due_minutes, strict=True), 1):
        ctx.session.add(
            IncidentStep(
                incident_id=found.id,
                step=place,
                key=key,
                due_at=ctx.due(found.created_at, f"{minutes}m"),
            )
        )
    ctx.session.flush()
    audit.record(
        ctx,
        REGISTER,
        found.id,
        "opened",
        {
            "happened_at": found.happened_at,
            "place_kind": found.place_kind,
            "room": found.room,
            "place": found.place,
            "what": found.what,
            "reported_by": found.reported_by,
            "kind": found.kind,
            "severity": found.severity,
            "night_log_id": found.night_log_id,
        },
    )
    return found


# --- the nine steps -------------------------------------------------------------------------


class StepIn(Submission):
    """A step done: who was called (or who did it) and when; who arrived and when, if anyone
    came; the government's reference number for step ⑸."""

    called: str = ""
    called_at: datetime | None = None
    arrived: str = ""
    arrived_at: datetime | None = None
    reference: str = ""
    note: str = ""


def _pending(ctx: Ctx, found: Incident, step: int) -> IncidentStep:
    assert found.id is not None
    row = step_of(ctx, found.id, step)
    if row.state != StepState.pending:
        raise DeskError(
            "incident_error.step_recorded",
            field="step",
            step=step,
            state=t(f"step_state.{row.state}"),
        )
    return row


def _arrival(
    ctx: Ctx, arrived: str, at: datetime | None, called_at: datetime | None
) -> tuple[str, datetime | None]:
    who = _step_text(arrived, "arrived")
    if not who and at is None:
        return "", None
    if not who:
        raise DeskError("field.required", field="arrived")
    return who, _moment(ctx, at, "arrived_at", called_at)


def record_step(ctx: Ctx, incident_id: int, step: int, data: StepIn) -> IncidentStep:
    """Record step `step` (1..9) done. Step ⑸ needs the government's reference number; step ⑻
    needs the cause recorded first."""
    found = _step(ctx, incident_id, "record_step")
    row = _pending(ctx, found, step)

    def called_at() -> datetime:
        return _moment(ctx, data.called_at, "called_at", found.happened_at)

    def readable_called_at() -> datetime | None:
        try:
            return called_at()
        except DeskError:
            return None

    def reference() -> str:
        return _step_text(data.reference, "reference", required=step == GOVERNMENT)

    def cause() -> None:
        if step == INVESTIGATE and not found.cause:
            raise DeskError("incident_error.cause_first", field="cause")

    checked = gather(
        {
            "called": lambda: _step_text(data.called, "called", required=True),
            "called_at": called_at,
            "arrived": lambda: _arrival(ctx, data.arrived, data.arrived_at, readable_called_at()),
            "reference": reference,
            "note": lambda: _step_text(data.note, "note"),
            "cause": cause,
        }
    )
    row.called, row.called_at = checked["called"], checked["called_at"]
    row.arrived, row.arrived_at = checked["arrived"]
    row.reference, row.note = checked["reference"], checked["note"]
    row.state = StepState.done
    row.recorded_at, row.recorded_by = ctx.now, ctx.acting()
    ctx.session.add(row)
    _audit(
        ctx,
        found,
        "step_done",
        {
            "step": step,
            "key": row.key,
            "called": row.called,
            "called_at": row.called_at,
            "arrived": row.arrived,
            "arrived_at": row.arrived_at,
            "reference": row.reference,
            "late": row.called_at is not None and row.called_at > row.due_at,
        },
    )
    return row


def arrive(
    ctx: Ctx, incident_id: int, step: int, arrived: str, arrived_at: datetime | None
) -> IncidentStep:
    """Who arrived, and when, for a step already recorded without anyone arriving yet."""
    found = _step(ctx, incident_id, "arrive")
    assert found.id is not None
    row = step_of(ctx, found.id, step)
    if row.state != StepState.done or row.arrived:
        raise DeskError("incident_error.cannot_arrive", field="step", step=step)
    who, at = _arrival(ctx, arrived, arrived_at or ctx.now, row.called_at)
    if not who:
        raise DeskError("field.required", field="arrived")
    row.arrived, row.arrived_at = who, at
    ctx.session.add(row)
    _audit(ctx, found, "arrived", {"step": step, "arrived": who, "arrived_at": at})
    return row


def not_needed(ctx: Ctx, incident_id: int, step: int, reason: str) -> IncidentStep:
    """Mark step `step` not needed, with the reason (required); the cause (⑻) is always needed."""
    found = _step(ctx, incident_id, "not_needed")
    row = _pending(ctx, found, step)
    if step == INVESTIGATE:
        raise DeskError("incident_error.cause_always", field="step")
    said = _step_text(reason, "reason", required=True)
    row.state, row.reason = StepState.not_needed, said
    row.recorded_at, row.recorded_by = ctx.now, ctx.acting()
    ctx.session.add(row)
    _audit(ctx, found, "step_not_needed", {"step": step, "key": row.key, "reason": said})
    return row


def record_cause(ctx: Ctx, incident_id: int, cause: str) -> Incident:
    """The cause investigated (step ⑻ is then recorded with who investigated)."""
    found = _step(ctx, incident_id, "record_cause")
    said = _text(cause, "cause", required=True)
    was = found.cause
    found.cause, found.cause_recorded_at = said, ctx.now
    _audit(ctx, found, "cause_recorded", {"cause": said, "was": was})
    return found


# --- the security stand-in at the desk (000 值班制度 六) ---------------------------------------


def start_stand_in(
    ctx: Ctx,
    incident_id: int,
    who: str,
    from_at: datetime | None = None,
    until_at: datetime | None = None,
) -> IncidentStandIn:
    """Security holds the desk from `from_at` (now when not given), until `until_at` if known."""
    found = _step(ctx, incident_id, "stand_in")
    assert found.id is not None
    if any(s.until_at is None for s in stand_ins_of(ctx, found.id)):
        raise DeskError("incident_error.stand_in_holding", field="who")

    def since() -> datetime:
        return _moment(ctx, from_at or ctx.now, "from_at", found.happened_at)

    def until() -> datetime | None:
        if until_at is None:
            return None
        try:
            start = since()
        except DeskError:
            start = None
        moment = _moment(ctx, until_at, "until_at", start)
        return moment

    checked = gather(
        {
            "who": lambda: clean_column(who, IncidentStandIn, "who", required=True),
            "from_at": since,
            "until_at": until,
        }
    )
    row = IncidentStandIn(
        incident_id=found.id,
        who=checked["who"],
        from_at=checked["from_at"],
        until_at=checked["until_at"],
        operator_id=ctx.acting(),
        created_at=ctx.now,
    )
    ctx.session.add(row)
    ctx.session.flush()
    _audit(
        ctx,
        found,
        "stand_in",
        {"who": row.who, "from_at": row.from_at, "until_at": row.until_at, "id": row.id},
    )
    return row


def end_stand_in(
    ctx: Ctx, incident_id: int, stand_in_id: int, until_at: datetime | None = None
) -> IncidentStandIn:
    """The night duty is back at the desk: security's stand-in ends (now when not given)."""
    found = _step(ctx, incident_id, "end_stand_in")
    row = ctx.session.get(IncidentStandIn, stand_in_id)
    if row is None or row.incident_id != found.id or row.until_at is not None:
        raise DeskError("incident_error.no_stand_in", field="until_at")
    row.until_at = _moment(ctx, until_at or ctx.now, "until_at", row.from_at)
    ctx.session.add(row)
    _audit(ctx, found, "stand_in_ended", {"who": row.who, "until_at": row.until_at, "id": row.id})
    return row


# --- follow-ups: repair orders and complaints opened from the incident ----------------------


def _description(found: Incident) -> str:
    return f"[{found.number}] {place_text(found)} {found.what}".strip()


def repair_prefill(ctx: Ctx, found: Incident) -> RepairCreate:
    """The repair order an incident opens, filled in from it (saving links them)."""
    category = found.kind if ctx.settings.repair_category(found.kind) else "other"
    return RepairCreate(
        reported_at=ctx.now,
        channel=Channel.phone,
        resident_name=found.reported_by,
        room=found.room,
        phone=found.reporter_phone,
        description=_description(found)[:1000],
        location=RepairLocation.unit if found.room else RepairLocation.public,
        category=category,
    )


def complaint_prefill(ctx: Ctx, found: Incident) -> ComplaintCreate:
    """The complaint an incident opens, filled in from it (saving links them)."""
    return ComplaintCreate(
        received_at=ctx.now,
        channel=Channel.phone,
        complainant=found.reported_by,
        room=found.room,
        phone=found.reporter_phone,
        category="other",
        what_happened=_description(found)[:1000],
    )


def _link(
    ctx: Ctx, found: Incident, register: str, record_id: int, number: str
) -> IncidentFollowUp:
    assert found.id is not None
    row = IncidentFollowUp(
        incident_id=found.id,
        register_name=register,
        record_id=record_id,
        number=number,
        operator_id=ctx.acting(),
        created_at=ctx.now,
    )
    ctx.session.add(row)
    ctx.session.flush()
    _audit(ctx, found, "follow_up", {"register": register, "number": number, "id": row.id})
    return row


def link(ctx: Ctx, incident_id: int, register: str, record_id: int) -> IncidentFollowUp:
    """Link a repair order or complaint just opened from the incident (in its saving
    transaction: both saved, or neither)."""
    found = _step(ctx, incident_id, "follow_up")
    if register == "repairs":
        number = repair.get(ctx, record_id).number
    elif register == "complaints":
        number = fetch.get(ctx, Complaint, record_id).number
    else:
        raise DeskError("incident_error.no_follow_up", field="follow_up", id=record_id)
    return _link(ctx, found, register, record_id, number)


def open_repair(ctx: Ctx, incident_id: int, data: RepairCreate | None = None) -> IncidentFollowUp:
    """Open a repair order from the incident (through the repair register), linked to it."""
    found = _step(ctx, incident_id, "follow_up")
    order = repair.register(ctx, data or repair_prefill(ctx, found))
    assert order.id is not None
    return link(ctx, incident_id, "repairs", order.id)


def open_complaint(
    ctx: Ctx, incident_id: int, data: ComplaintCreate | None = None
) -> IncidentFollowUp:
    """Open a complaint from the incident (through the complaint register), linked to it."""
    found = _step(ctx, incident_id, "follow_up")
    case = complaint_intake.register(ctx, data or complaint_prefill(ctx, found))
    assert case.id is not None
    return link(ctx, incident_id, "complaints", case.id)


def raise_finding(ctx: Ctx, incident_id: int, data: FindingIn) -> Finding:
    """A finding of the incident (something to put right: a department's task, or a repair
    order), through the findings register: sent, rectified and accepted there. Closing the
    incident waits until each is sent to its department (handed on), never for its acceptance."""
    found = _step(ctx, incident_id, "follow_up")
    raised = findings.raise_finding(ctx, "incident", incident_id, data, after=found.happened_at)
    _audit(ctx, found, "finding", {"number": raised.number, "what": raised.what})
    return raised


def hand_on(ctx: Ctx, incident_id: int, follow_up_id: int, note: str) -> IncidentFollowUp:
    """A follow-up still open in its register handed on (to the morning clerk, a department),
    with a note saying to whom and why: the incident may close without waiting for it."""
    found = _step(ctx, incident_id, "hand_on")
    row = ctx.session.get(IncidentFollowUp, follow_up_id)
    if row is None or row.incident_id != found.id:
        raise DeskError("incident_error.no_follow_up", field="follow_up", id=follow_up_id)
    if follow_up_settled(ctx, row):
        raise DeskError("incident_error.follow_up_settled", field="follow_up", number=row.number)
    said = clean_column(note, IncidentFollowUp, "handed_on_note", field="note", required=True)
    row.handed_on, row.handed_on_note, row.handed_on_at = True, said, ctx.now
    ctx.session.add(row)
    _audit(ctx, found, "handed_on", {"number": row.number, "note": said})
    return row


# --- closing ---------------------------------------------------------------------------------


def close(ctx: Ctx, incident_id: int, note: str = "") -> Incident:
    """Close the incident: only once the cause is recorded, every step is done or marked not
    needed, every follow-up is closed or handed on, and security no longer holds the desk.
    Everything still missing is refused at once."""
    found = _step(ctx, incident_id, "close")
    blockers = close_blockers(ctx, found)
    if blockers:
        raise FieldErrors.of(blockers)
    said = _text(note, "close_note", field="note")
    found.state = S.closed
    found.closed_at, found.closed_by, found.close_note = ctx.now, ctx.acting(), said
    _audit(ctx, found, "closed", {"note": said})
    return found
