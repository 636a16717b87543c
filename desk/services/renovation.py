"""Register 9: renovation (装修办理, 001) — the application and its papers, the engineering
department's approval (due in 3 working days), the permit, the works and their supervision, the
inspection rounds, and the deposit refunded without interest 3 months after the first inspection
that passed. Worker passes are desk.services.renovation_workers.

Each step is a row of `LIFECYCLE`; every write is audited under the register "renovations".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from desk.models import (
    ApplicantKind,
    InspectionResult,
    Renovation,
    RenovationInspection,
    RenovationState,
    RenovationVisit,
    RepairOrder,
    VisitDepartment,
)
from desk.models.patrol import PatrolRound
from desk.models.reception import Channel
from desk.services import (
    audit,
    complaint_intake,
    findings,
    patrol,
    renovation_checks,
    repair,
    roles,
)
from desk.services.complaint_intake import ComplaintCreate
from desk.services.context import Ctx
from desk.services.errors import DeskError, FieldErrors
from desk.services.findings import FindingIn
from desk.services.lifecycle import Lifecycle, Step
from desk.services.numbering import next_number
from desk.services.pass_queries import owners_of
from desk.services.patrol import RoundIn
from desk.services.renovation_queries import (
    DOCUMENTS,
    EARLY_STATES,
    PERMIT_PREFIX,
    PERMIT_REGISTER,
    PERMIT_STATES,
    PREFIX,
    REGISTER,
    canonical_number,
    find,
    get,
    inspections_of,
    listing,
    local_day,
    missing_documents,
    open_items,
    owed,
    permit_end,
    refund_deadline,
    refund_due_on,
    special_works,
    today,
    visits_of,
    within_hours,
)
from desk.services.repair import RepairCreate
from desk.services.residents import clean_phone
from desk.services.submission import Submission, gather

__all__ = [
    "DOCUMENTS",
    "EARLY_STATES",
    "PERMIT_PREFIX",
    "PERMIT_REGISTER",
    "PERMIT_STATES",
    "PREFIX",
    "REGISTER",
    "canonical_number",
    "find",
    "get",
    "inspections_of",
    "listing",
    "missing_documents",
    "open_items",
    "owed",
    "owners_of",
    "permit_end",
    "refund_deadline",
    "refund_due_on",
    "special_works",
    "visits_of",
    "within_hours",
]

S = RenovationState
# Each step: from which states, to which, and who (None: anyone at the desk). The engineering
# department's decision is recorded by the desk with the engineer's name; a suspended permit is
# lifted, and any part of a deposit kept, by a supervisor only (refund checks the latter).
LIFECYCLE: Lifecycle[RenovationState] = Lifecycle(
    "renovation_error.not_now",
    {
        "complete": Step(
            (S.applied,), to=S.documents_complete, refusal="renovation_error.cannot_complete"
        ),
        "to_engineering": Step(
            (S.documents_complete,),
            to=S.with_engineering,
            refusal="renovation_error.cannot_to_engineering",
        ),
        "approve": Step(
            (S.with_engineering,), to=S.approved, refusal="renovation_error.cannot_approve"
        ),
        "refuse": Step(
            (S.with_engineering,), to=S.refused, refusal="renovation_error.cannot_refuse"
        ),
        "issue_permit": Step(
            (S.approved,), to=S.permit_issued, refusal="renovation_error.cannot_issue_permit"
        ),
        "start_works": Step(
            (S.permit_issued,), to=S.in_works, refusal="renovation_error.cannot_start_works"
        ),
        "visit": Step(
            (S.permit_issued, S.in_works, S.suspended, S.finished, S.rectifying),
            refusal="renovation_error.cannot_visit",
        ),
        "resume": Step(
            (S.suspended,),
            to=S.in_works,
            who=roles.RENOVATION_RESUME,
            refusal="renovation_error.cannot_resume",
        ),
        "finish": Step((S.in_works,), to=S.finished, refusal="renovation_error.cannot_finish"),
        "inspect": Step((S.finished,), refusal="renovation_error.cannot_inspect"),
        "rebook": Step((S.rectifying,), to=S.finished, refusal="renovation_error.cannot_rebook"),
        "refund": Step((S.passed,), to=S.refunded, refusal="renovation_error.cannot_refund"),
        "archive": Step((S.refunded,), to=S.archived, refusal="renovation_error.cannot_archive"),
        "withdraw": Step(EARLY_STATES, to=S.withdrawn, refusal="renovation_error.cannot_withdraw"),
    },
    state_words="renovation_state",
)


def allowed_actions(found: Renovation | None) -> frozenset[str]:
    """The steps (LIFECYCLE's names) a screen offers for this renovation now."""
    return LIFECYCLE.offered(found)


def _step(ctx: Ctx, renovation_id: int, action: str) -> Renovation:
    """The renovation, once the signed-in role and its state allow `action`."""
    return LIFECYCLE.take(ctx, action, lambda: get(ctx, renovation_id))


def _move(ctx: Ctx, found: Renovation, action: str, event: str, data: dict[str, Any]) -> None:
    LIFECYCLE.move(ctx, found, action, REGISTER, event, data)


# --- the application -----------------------------------------------------------------------


class RenovationCreate(Submission):
    room: str = ""
    applicant: str = ""
    applicant_kind: ApplicantKind = ApplicantKind.owner
    applicant_phone: str = ""
    # an agent: the owner called back on this phone, who confirmed, when
    owner_phone_called: str = ""
    owner_confirmed_by: str = ""
    owner_confirmed_at: datetime | None = None
    contractor: str = ""
    contractor_licence: str = ""
    contractor_person: str = ""
    contractor_phone: str = ""
    planned_start: date | None = None
    planned_end: date | None = None
    scope: str = ""
    touches_structure: bool = False
    touches_walls: bool = False
    touches_lines: bool = False
    touches_facade: bool = False
    undertaking_signed: bool = False
    doc_floor_plan: bool = False
    doc_drawings: bool = False
    doc_licence: bool = False
    doc_qualification: bool = False
    agreement_signed: bool = False
    fire_pledge_signed: bool = False
    # fen; None: the site's default (desk.config.RenovationRules)
    deposit_fen: int | None = None
    deposit_receipt: str = ""
    debris_fee_fen: int | None = None
    debris_fee_receipt: str = ""


def default_fees(ctx: Ctx) -> tuple[int, int]:
    """The deposit and the debris fee the site asks, in fen."""
    rules = ctx.settings.renovation
    return rules.deposit * 100, rules.debris_fee * 100


def apply(ctx: Ctx, data: RenovationCreate) -> Renovation:
    """Take an application; an agent needs the owner's confirmation by phone (who, on which
    phone, when), as for a goods pass. Its papers may be ticked now or at `complete`."""
    agent = ApplicantKind(data.applicant_kind) == ApplicantKind.agent
    deposit, debris = default_fees(ctx)
    deposit = deposit if data.deposit_fen is None else data.deposit_fen
    debris = debris if data.debris_fee_fen is None else data.debris_fee_fen
    checks = renovation_checks
    readers: dict[str, Callable[[], Any]] = {
        "room": lambda: checks.unit(ctx, data.room),
        "applicant": lambda: checks.text(data.applicant, "applicant", required=True),
        "applicant_phone": lambda: clean_phone(
            data.applicant_phone, field="applicant_phone", required=True
        ),
    }
    if agent:
        readers |= {
            "owner_phone_called": lambda: clean_phone(
                data.owner_phone_called, field="owner_phone_called", required=True
            ),
            "owner_confirmed_by": lambda: checks.text(
                data.owner_confirmed_by, "owner_confirmed_by", required=True
            ),
            "owner_confirmed_at": lambda: checks.moment(
                ctx, data.owner_confirmed_at, "owner_confirmed_at"
            ),
        }
    readers |= {
        "contractor": lambda: checks.text(data.contractor, "contractor", required=True),
        "contractor_licence": lambda: checks.text(
            data.contractor_licence, "contractor_licence", required=True
        ),
        "contractor_person": lambda: checks.text(
            data.contractor_person, "contractor_person", required=True
        ),
        "contractor_phone": lambda: clean_phone(
            data.contractor_phone, field="contractor_phone", required=True
        ),
        "planned_start": lambda: checks.start(ctx, data.planned_start),
        "planned_end": lambda: checks.end(data.planned_start, data.planned_end),
        "scope": lambda: checks.text(data.scope, "scope", required=True),
        "deposit": lambda: checks.fen(deposit, "deposit"),
        "deposit_receipt": lambda: checks.receipt(
            deposit, data.deposit_receipt, "deposit_receipt", needed=False
        ),
        "debris_fee": lambda: checks.fen(debris, "debris_fee"),
        "debris_fee_receipt": lambda: checks.receipt(
            debris, data.debris_fee_receipt, "debris_fee_receipt", needed=False
        ),
    }
    checked = gather(readers)
    room = checked["room"].code
    owners = owners_of(ctx, room)
    notes: dict[str, Any] = {}
    if not agent and owners and checked["applicant"] not in {o.name for o in owners}:
        notes["applicant_not_owner_on_file"] = True
    if agent:
        digits = re.sub(r"\D", "", checked["owner_phone_called"])
        notes["owner_phone_on_file"] = any(re.sub(r"\D", "", o.phone) == digits for o in owners)
        if owners and checked["owner_confirmed_by"] not in {o.name for o in owners}:
            notes["confirmed_by_not_owner_on_file"] = True
    found = Renovation(
        number=next_number(ctx, PREFIX),
        room=room,
        applicant=checked["applicant"],
        applicant_kind=ApplicantKind(data.applicant_kind),
        applicant_phone=checked["applicant_phone"],
        owner_phone_called=checked.get("owner_phone_called", ""),
        owner_confirmed_by=checked.get("owner_confirmed_by", ""),
        owner_confirmed_at=checked.get("owner_confirmed_at"),
        contractor=checked["contractor"],
        contractor_licence=checked["contractor_licence"],
        contractor_person=checked["contractor_person"],
        contractor_phone=checked["contractor_phone"],
        planned_start=checked["planned_start"],
        planned_end=checked["planned_end"],
        scope=checked["scope"],
        touches_structure=data.touches_structure,
        touches_walls=data.touches_walls,
        touches_lines=data.touches_lines,
        touches_facade=data.touches_facade,
        undertaking_signed=data.undertaking_signed,
        doc_floor_plan=data.doc_floor_plan,
        doc_drawings=data.doc_drawings,
        doc_licence=data.doc_licence,
        doc_qualification=data.doc_qualification,
        agreement_signed=data.agreement_signed,
        fire_pledge_signed=data.fire_pledge_signed,
        deposit_fen=checked["deposit"],
        deposit_receipt=checked["deposit_receipt"],
        debris_fee_fen=checked["debris_fee"],
        debris_fee_receipt=checked["debris_fee_receipt"],
        operator_id=ctx.acting(),
        created_at=ctx.now,
    )
    ctx.session.add(found)
    ctx.session.flush()
    audit.record(
        ctx,
        REGISTER,
        found.id,
        "applied",
        {
            "room": room,
            "applicant": found.applicant,
            "applicant_kind": found.applicant_kind,
            "owner_confirmed_by": found.owner_confirmed_by,
            "contractor": found.contractor,
            "special_works": special_works(ctx.settings, found),
            "missing": missing_documents(found),
            **notes,
        },
    )
    return found


class Documents(Submission):
    """The papers checked at the desk (001 装修办理 ⑵ ⑶): each True once seen or signed."""

    doc_floor_plan: bool = False
    doc_drawings: bool = False
    doc_licence: bool = False
    doc_qualification: bool = False
    agreement_signed: bool = False
    fire_pledge_signed: bool = False


def complete(ctx: Ctx, renovation_id: int, papers: Documents) -> Renovation:
    """Every paper of the checklist seen, the agreement and the fire pledge signed: complete.
    Anything missing is refused beside its own line, and nothing is saved."""
    found = _step(ctx, renovation_id, "complete")
    missing = missing_documents(papers)
    if missing:
        raise FieldErrors.of(
            [DeskError("renovation_error.document_missing", field=name) for name in missing]
        )
    for name in DOCUMENTS:
        setattr(found, name, True)
    found.documents_complete_at = ctx.now
    _move(ctx, found, "complete", "documents_complete", {})
    return found


class Papers(Submission):
    """What goes to the engineering department with the application: the undertaking for
    special works, the deposit and the debris fee paid, each with its receipt."""

    undertaking_signed: bool = False
    deposit_fen: int = 0
    deposit_receipt: str = ""
    debris_fee_fen: int = 0
    debris_fee_receipt: str = ""


def papers_of(found: Renovation) -> Papers:
    return Papers(
        undertaking_signed=found.undertaking_signed,
        deposit_fen=found.deposit_fen,
        deposit_receipt=found.deposit_receipt,
        debris_fee_fen=found.debris_fee_fen,
        debris_fee_receipt=found.debris_fee_receipt,
    )


def _undertaking(ctx: Ctx, found: Renovation, signed: bool) -> bool:
    works = special_works(ctx.settings, found)
    if works and not signed:
        raise DeskError("renovation_error.undertaking_needed", field="undertaking_signed")
    return signed


def to_engineering(ctx: Ctx, renovation_id: int, papers: Papers) -> Renovation:
    """Hand the application to the engineering department (001 ⑸): its approval is due the
    site's `approval_within` (3 working days) later, holidays and make-up days counted."""
    found = _step(ctx, renovation_id, "to_engineering")
    checks = renovation_checks
    checked = gather(
        {
            "undertaking_signed": lambda: _undertaking(ctx, found, papers.undertaking_signed),
            "deposit": lambda: checks.fen(papers.deposit_fen, "deposit"),
            "deposit_receipt": lambda: checks.receipt(
                papers.deposit_fen, papers.deposit_receipt, "deposit_receipt", needed=True
            ),
            "debris_fee": lambda: checks.fen(papers.debris_fee_fen, "debris_fee"),
            "debris_fee_receipt": lambda: checks.receipt(
                papers.debris_fee_fen, papers.debris_fee_receipt, "debris_fee_receipt", needed=True
            ),
        }
    )
    found.undertaking_signed = checked["undertaking_signed"]
    found.deposit_fen, found.deposit_receipt = checked["deposit"], checked["deposit_receipt"]
    found.debris_fee_fen = checked["debris_fee"]
    found.debris_fee_receipt = checked["debris_fee_receipt"]
    found.sent_to_engineering_at = ctx.now
    spec = ctx.settings.renovation.approval_within
    found.approval_due_at = ctx.due(ctx.now, spec)
    data = {
        "approval_due_at": found.approval_due_at,
        "within": spec,
        "deposit_fen": found.deposit_fen,
        "deposit_receipt": found.deposit_receipt,
        "debris_fee_fen": found.debris_fee_fen,
        "debris_fee_receipt": found.debris_fee_receipt,
        "special_works": special_works(ctx.settings, found),
    }
    _move(ctx, found, "to_engineering", "sent_to_engineering", data)
    return found


def _decision(
    ctx: Ctx, found: Renovation, engineer: str, decided_at: datetime | None
) -> tuple[str, datetime]:
    checked = gather(
        {
            "decided_by": lambda: renovation_checks.text(engineer, "decided_by", required=True),
            "decided_at": lambda: renovation_checks.moment(
                ctx, decided_at, "decided_at", after=found.sent_to_engineering_at
            ),
        }
    )
    return checked["decided_by"], checked["decided_at"]


def approve(
    ctx: Ctx, renovation_id: int, engineer: str, decided_at: datetime | None = None
) -> Renovation:
    """The engineering department approved: recorded at the desk with the engineer's name."""
    found = _step(ctx, renovation_id, "approve")
    found.decided_by, found.decided_at = _decision(ctx, found, engineer, decided_at)
    data = {"engineer": found.decided_by, "decided_at": found.decided_at, **_timeliness(found)}
    _move(ctx, found, "approve", "approved", data)
    return found


def refuse(
    ctx: Ctx, renovation_id: int, engineer: str, reason: str, decided_at: datetime | None = None
) -> Renovation:
    """The engineering department refused, for a reason the applicant is told."""
    found = _step(ctx, renovation_id, "refuse")
    checked = gather(
        {
            "decision": lambda: _decision(ctx, found, engineer, decided_at),
            "refusal_reason": lambda: renovation_checks.text(
                reason, "refusal_reason", required=True
            ),
        }
    )
    found.decided_by, found.decided_at = checked["decision"]
    found.refusal_reason = checked["refusal_reason"]
    data = {"engineer": found.decided_by, "decided_at": found.decided_at, **_timeliness(found)}
    _move(ctx, found, "refuse", "refused", data)
    return found


def _timeliness(found: Renovation) -> dict[str, bool]:
    late = (
        found.approval_due_at is not None
        and found.decided_at is not None
        and found.decided_at > found.approval_due_at
    )
    return {"late": late}


def issue_permit(
    ctx: Ctx, renovation_id: int, start: date | None = None, end: date | None = None
) -> Renovation:
    """The permit (装修许可证, number XK-…) for the works' days: the planned ones unless others
    were agreed; they may not already be over."""
    found = _step(ctx, renovation_id, "issue_permit")
    first = start or found.planned_start
    checked = gather(
        {
            "planned_start": lambda: first,
            "planned_end": lambda: renovation_checks.end(first, end or found.planned_end),
        }
    )
    if checked["planned_end"] < today(ctx):
        raise DeskError("renovation_error.permit_past", field="planned_end")
    found.planned_start, found.planned_end = checked["planned_start"], checked["planned_end"]
    found.permit_number = next_number(ctx, PERMIT_PREFIX)
    found.permit_issued_at = ctx.now
    data = {
        "permit_number": found.permit_number,
        "planned_start": found.planned_start,
        "planned_end": found.planned_end,
    }
    _move(ctx, found, "issue_permit", "permit_issued", data)
    return found


def start_works(ctx: Ctx, renovation_id: int, started_at: datetime | None = None) -> Renovation:
    """The works began: not before the permit's first day."""
    found = _step(ctx, renovation_id, "start_works")
    began = renovation_checks.moment(
        ctx, started_at, "works_started_at", after=found.permit_issued_at
    )
    if local_day(ctx, began) < found.planned_start:
        raise DeskError(
            "renovation_error.before_permit",
            field="works_started_at",
            day=found.planned_start.isoformat(),
        )
    found.works_started_at = began
    _move(ctx, found, "start_works", "works_started", {"at": began})
    return found


# --- supervision ---------------------------------------------------------------------------


class VisitIn(Submission):
    """A supervision visit (001 装修办理 ⑺): by the desk, security, engineering or cleaning."""

    department: VisitDepartment = VisitDepartment.desk
    visitor: str = ""
    visited_at: datetime | None = None
    findings: str = ""
    # works outside the permitted hours ("hours") or scope ("scope"): the permit suspended
    suspend: bool = False
    suspend_for: str = ""
    # what a finding opens: "" nothing, "repair" a repair order, "complaint" a complaint
    follow_up: str = ""
    repair_category: str = "other"


SUSPEND_FOR = ("hours", "scope")
FOLLOW_UPS = ("", "repair", "complaint")


def _suspend_for(ctx: Ctx, found: Renovation, data: VisitIn, at: datetime | None) -> str:
    if not data.suspend:
        return ""
    if found.state != S.in_works:
        raise DeskError("renovation_error.suspend_not_in_works", field="suspend")
    if data.suspend_for not in SUSPEND_FOR:
        raise DeskError("renovation_error.suspend_why", field="suspend_for")
    if data.suspend_for == "hours" and at is not None and within_hours(ctx.settings, at):
        hours = ", ".join(ctx.settings.renovation.permitted_hours)
        raise DeskError("renovation_error.within_hours", field="suspend_for", hours=hours)
    return data.suspend_for


def _findings(data: VisitIn) -> str:
    needed = data.suspend or bool(data.follow_up)
    return renovation_checks.visit_text(data.findings, "findings", required=needed)


def _follow_up(data: VisitIn) -> str:
    if data.follow_up not in FOLLOW_UPS:
        raise DeskError("renovation_error.follow_up", field="follow_up")
    return data.follow_up


def visit(ctx: Ctx, renovation_id: int, data: VisitIn) -> RenovationVisit:
    """Record a supervision visit. A finding may open a repair order or a complaint (each in its
    own register, linked from the visit); works outside the permitted hours (the visit itself
    outside them) or outside the scope suspend the permit."""
    found = _step(ctx, renovation_id, "visit")
    checks = renovation_checks
    last = found.works_started_at or found.permit_issued_at

    def when() -> datetime:
        return checks.moment(ctx, data.visited_at, "visited_at", after=last)

    def when_if_readable() -> datetime | None:
        try:
            return when()
        except DeskError:
            return None

    checked = gather(
        {
            "visited_at": when,
            "department": lambda: VisitDepartment(data.department),
            "visitor": lambda: checks.visit_text(data.visitor, "visitor", required=True),
            "findings": lambda: _findings(data),
            "suspend_for": lambda: _suspend_for(ctx, found, data, when_if_readable()),
            "follow_up": lambda: _follow_up(data),
        }
    )
    at: datetime = checked["visited_at"]
    department: VisitDepartment = checked["department"]
    findings: str = checked["findings"]
    suspend_for: str = checked["suspend_for"]
    visit = RenovationVisit(
        renovation_id=renovation_id,
        visited_at=at,
        department=department,
        visitor=checked["visitor"],
        findings=findings,
        suspended=bool(suspend_for),
        operator_id=ctx.acting(),
        created_at=ctx.now,
    )
    opened: dict[str, str] = {}
    what = f"[{found.number}] {findings}"
    order: RepairOrder | None = None
    if checked["follow_up"] == "repair":
        order = repair.register(
            ctx,
            RepairCreate(
                reported_at=at,
                channel=Channel.visit,
                resident_name=found.applicant,
                room=found.room,
                phone=found.applicant_phone,
                description=what,
                category=data.repair_category,
            ),
        )
        visit.repair_id, opened["repair_number"] = order.id, order.number
    elif checked["follow_up"] == "complaint":
        category = "decoration" if ctx.settings.complaint_category("decoration") else "other"
        case = complaint_intake.register(
            ctx,
            ComplaintCreate(
                received_at=at,
                channel=Channel.visit,
                complainant=visit.visitor,
                room=found.room,
                category=category,
                person_complained=found.contractor[:60],
                what_happened=what,
            ),
        )
        visit.complaint_id, opened["complaint_number"] = case.id, case.number
    ctx.session.add(visit)
    walked = _visit_round(ctx, found, visit, data.repair_category, order)
    if walked is not None:
        opened["round_number"] = walked.number
    data_out: dict[str, Any] = {
        "department": department,
        "visitor": visit.visitor,
        "at": at,
        "findings": findings,
        **opened,
    }
    if suspend_for:
        found.suspended_at = at
        found.suspend_reason = f"{suspend_for}: {findings}"[:500]
        found.state = S.suspended
        data_out["suspended_for"] = suspend_for
    _move(ctx, found, "visit", "visited", data_out)
    return visit


# the department a visit's finding goes to: its follow-up's (a repair order: repairs), else the
# visiting department's
_FINDING_DEPARTMENT = {
    VisitDepartment.desk: "service",
    VisitDepartment.security: "security",
    VisitDepartment.engineering: "repairs",
    VisitDepartment.cleaning: "cleaning",
}


def _visit_round(
    ctx: Ctx, found: Renovation, visit: RenovationVisit, category: str, order: RepairOrder | None
) -> PatrolRound | None:
    """The visit as a round of the patrol register (the site's `patrol.renovation_route`),
    linked to the renovation: its checkpoint ok, or the visit's findings as a shared finding
    (desk.services.findings) of the renovation's room; a repair order the visit opened is that
    finding's order, sent at once. None when the site keeps visits out of the patrol."""
    route = ctx.settings.patrol.route(ctx.settings.patrol.renovation_route)
    if route is None or found.id is None:
        return None
    walked = patrol.start(
        ctx,
        RoundIn(route=route.key, patrolled_by=visit.visitor, started_at=visit.visited_at),
        renovation_id=found.id,
    )
    assert walked.id is not None
    for point in patrol.points_of(ctx, walked.id):
        assert point.id is not None
        if not visit.findings:
            patrol.check_ok(ctx, walked.id, point.id)
            continue
        department = "repairs" if order is not None else _FINDING_DEPARTMENT[visit.department]
        if ctx.settings.findings.department(department) is None:
            department = ""  # the checkpoint's own
        raised = patrol.check_finding(
            ctx,
            walked.id,
            point.id,
            FindingIn(
                room=found.room,
                place=found.number,
                what=visit.findings[:500],
                department=department,
                repair_category=category,
                raised_by=visit.visitor,
                raised_at=visit.visited_at,
            ),
        )
        if order is not None and raised.id is not None:
            findings.send(ctx, raised.id, visit.visited_at, order=order)
    return patrol.finish(ctx, walked.id, visit.visited_at)


def resume(ctx: Ctx, renovation_id: int, note: str) -> Renovation:
    """A supervisor lifts the suspension, once what was wrong was put right."""
    found = _step(ctx, renovation_id, "resume")
    said = renovation_checks.text(note, "suspend_reason", required=True, field="reason")
    _move(ctx, found, "resume", "resumed", {"suspended_at": found.suspended_at, "note": said})
    return found


# --- inspection ----------------------------------------------------------------------------


def finish(
    ctx: Ctx, renovation_id: int, booked_for: datetime | None, finished_at: datetime | None = None
) -> Renovation:
    """The works are finished; the inspection is booked (001 ⑻)."""
    found = _step(ctx, renovation_id, "finish")
    checks = renovation_checks
    done = checks.moment(ctx, finished_at, "works_finished_at", after=found.works_started_at)
    booked = checks.booked(ctx, booked_for, "inspection_booked_for", after=done)
    found.works_finished_at, found.inspection_booked_for = done, booked
    _move(ctx, found, "finish", "works_finished", {"at": done, "inspection_booked_for": booked})
    return found


class InspectionIn(Submission):
    inspector: str = ""
    inspected_at: datetime | None = None
    result: InspectionResult = InspectionResult.passed
    findings: str = ""


def inspect(ctx: Ctx, renovation_id: int, data: InspectionIn) -> RenovationInspection:
    """One inspection round: passed (the deposit falls due `refund_months` after the first one
    that passed), or to rectify (what, in its findings), then booked again (`rebook`)."""
    found = _step(ctx, renovation_id, "inspect")
    result = InspectionResult(data.result)
    checks = renovation_checks
    rounds = inspections_of(ctx, renovation_id)
    after = rounds[-1].inspected_at if rounds else found.works_finished_at
    checked = gather(
        {
            "inspector": lambda: checks.inspection_text(data.inspector, "inspector", required=True),
            "inspected_at": lambda: checks.moment(
                ctx, data.inspected_at, "inspected_at", after=after
            ),
            "findings": lambda: checks.inspection_text(
                data.findings, "findings", required=result == InspectionResult.rectify
            ),
        }
    )
    at: datetime = checked["inspected_at"]
    inspection = RenovationInspection(
        renovation_id=renovation_id,
        round=len(rounds) + 1,
        inspected_at=at,
        inspector=checked["inspector"],
        result=result,
        findings=checked["findings"],
        operator_id=ctx.acting(),
        created_at=ctx.now,
    )
    ctx.session.add(inspection)
    found.inspection_booked_for = None
    data_out: dict[str, Any] = {
        "round": inspection.round,
        "result": result,
        "inspector": inspection.inspector,
        "findings": inspection.findings,
    }
    if result == InspectionResult.passed:
        found.state = S.passed
        found.first_passed_at = at
        months = ctx.settings.renovation.refund_months
        found.refund_due_on = refund_due_on(local_day(ctx, at), months)
        data_out["refund_due_on"] = found.refund_due_on
    else:
        found.state = S.rectifying
    _move(ctx, found, "inspect", "inspected", data_out)
    return inspection


def rebook(ctx: Ctx, renovation_id: int, booked_for: datetime | None) -> Renovation:
    """What the inspection found was put right: the next round is booked."""
    found = _step(ctx, renovation_id, "rebook")
    rounds = inspections_of(ctx, renovation_id)
    last = rounds[-1].inspected_at if rounds else ctx.now
    booked = renovation_checks.booked(ctx, booked_for, "inspection_booked_for", after=last)
    found.inspection_booked_for = booked
    data = {"inspection_booked_for": booked, "round": len(rounds) + 1}
    _move(ctx, found, "rebook", "inspection_booked", data)
    return found


# --- the deposit ---------------------------------------------------------------------------


def refund(
    ctx: Ctx,
    renovation_id: int,
    refund_fen: int | None = None,
    withheld_reason: str = "",
    damage_note: str = "",
) -> Renovation:
    """The deposit back, without interest (001 ⑼), from the day it is due: all of it, or less
    (never more) with the reason and the damage noted, which only a supervisor may decide."""
    found = _step(ctx, renovation_id, "refund")
    assert found.refund_due_on is not None
    if today(ctx) < found.refund_due_on:
        raise DeskError(
            "renovation_error.refund_not_due", day=found.refund_due_on.isoformat(), field="refund"
        )
    amount = found.deposit_fen if refund_fen is None else refund_fen
    renovation_checks.fen(amount, "refund")
    if amount > found.deposit_fen:
        deposit = f"{found.deposit_fen / 100:.2f}"
        raise DeskError("renovation_error.refund_above_deposit", field="refund", deposit=deposit)
    withheld = found.deposit_fen - amount
    reason, damage = "", ""
    if withheld:
        roles.RENOVATION_WITHHOLD.require(ctx)
        checked = gather(
            {
                "withheld_reason": lambda: renovation_checks.text(
                    withheld_reason, "withheld_reason", required=True
                ),
                "damage_note": lambda: renovation_checks.text(
                    damage_note, "damage_note", required=True
                ),
            }
        )
        reason, damage = checked["withheld_reason"], checked["damage_note"]
    found.refund_fen, found.withheld_fen = amount, withheld
    found.withheld_reason, found.damage_note = reason, damage
    found.refunded_at = ctx.now
    deadline = refund_deadline(ctx, found)
    data = {
        "refund_fen": amount,
        "withheld_fen": withheld,
        "withheld_reason": reason,
        "damage_note": damage,
        "late": deadline is not None and ctx.now > deadline,
    }
    _move(ctx, found, "refund", "refunded", data)
    return found


def archive(ctx: Ctx, renovation_id: int) -> Renovation:
    """The papers and the inspection reports filed together (001 ⑽)."""
    found = _step(ctx, renovation_id, "archive")
    found.archived_at = ctx.now
    _move(ctx, found, "archive", "archived", {})
    return found


def withdraw(ctx: Ctx, renovation_id: int, reason: str) -> Renovation:
    """The applicant withdrew before the works began; what was paid is to be given back."""
    found = _step(ctx, renovation_id, "withdraw")
    found.withdraw_reason = renovation_checks.text(
        reason, "withdraw_reason", required=True, field="reason"
    )
    found.withdrawn_at = ctx.now
    data = {"from": found.state, "deposit_fen": found.deposit_fen}
    _move(ctx, found, "withdraw", "withdrawn", data)
    return found
