"""Register 9, its worker passes (施工人员临时出入证): issue, revoke, check at the gate.

A pass is issued to one worker of a renovation whose permit is issued or whose works are under
way (never one applied for, refused, withdrawn, suspended or finished), for days within the
permit: from the day the permit was issued at the earliest, to the renovation's planned end at
the latest. The worker's ID number is typed whole or as its last 4; only the last 4 are kept —
not in the row, not in the audit trail, not in a refusal's words. A pass is issued, then maybe
revoked (with a reason; every pass of a renovation at once when its permit is suspended:
`revoke_all`); that it has expired, or is not valid yet, is read off its dates.

The gate terminal checks a pass by its number (`gate_check`): every check of a pass on file is
counted on it and audited, whatever it finds (valid, not yet valid, expired, revoked, the works
suspended or over); an unknown number is refused and leaves nothing.

Its fields' checks are desk.services.worker_pass_checks, its reading
desk.services.worker_pass_queries (both named here too, as the screens use them).

Audit events: register "worker_passes" — issued, revoked, gate_checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import col, select

from desk.i18n import t
from desk.models import Renovation, WorkerPass, WorkerPassState
from desk.services import audit, limits
from desk.services import worker_pass_checks as checks
from desk.services.context import Ctx
from desk.services.errors import DeskError, FieldErrors
from desk.services.lifecycle import Lifecycle, Step
from desk.services.numbering import next_number
from desk.services.submission import gather
from desk.services.worker_pass_checks import (
    MAX_FEE_FEN,
    WorkerPassCreate,
    check_character,
    clean_free_text,
    default_from,
    id_last4,
    looks_like_id,
)
from desk.services.worker_pass_queries import (
    ISSUING_STATES,
    LISTED_AFTER,
    PREFIX,
    REGISTER,
    REVOKED_SHOWN,
    Row,
    WorkerPassStatus,
    canonical_number,
    ends_at,
    expiring,
    find,
    find_renovation,
    get,
    is_worker_number,
    listing,
    open_items,
    passes_of,
    permit_day,
    recently_revoked,
    renovation_of,
    renovations_by_id,
    status_of,
    summary_of,
    today,
    works_of,
)

__all__ = [
    "ISSUING_STATES",
    "LIFECYCLE",
    "LISTED_AFTER",
    "MAX_FEE_FEN",
    "PREFIX",
    "REGISTER",
    "REVOKED_SHOWN",
    "GateCheck",
    "Row",
    "WorkerPass",
    "WorkerPassCreate",
    "WorkerPassStatus",
    "allowed_actions",
    "canonical_number",
    "check_character",
    "clean_free_text",
    "default_from",
    "ends_at",
    "expiring",
    "find",
    "find_renovation",
    "gate_check",
    "get",
    "id_last4",
    "is_worker_number",
    "issue",
    "listing",
    "looks_like_id",
    "open_items",
    "passes_of",
    "permit_day",
    "recently_revoked",
    "refusal_at_gate",
    "refusals",
    "renovation_of",
    "renovations_by_id",
    "revoke",
    "revoke_all",
    "status_of",
    "summary_of",
    "today",
    "works_of",
]

S = WorkerPassState
# A pass's steps: any desk operator revokes an issued pass (a worker gone, a pass lost: the
# normal end of a pass, as roles.py has it); the gate checks a pass in any state (each check is
# counted, whatever it finds); an issued pass is printed while it can still be used.
LIFECYCLE: Lifecycle[WorkerPassState] = Lifecycle(
    "worker_pass_error.cannot",
    {
        "revoke": Step((S.issued,), to=S.revoked, refusal="worker_pass_error.cannot_revoke"),
        "gate": Step(tuple(WorkerPassState)),
        "print": Step((S.issued,), refusal="worker_pass_error.cannot_print"),
    },
    state_words="worker_pass_state",
)


# --- what a pass is worth at the gate, what the desk may do with it ------------------------


def refusal_at_gate(
    ctx: Ctx, found: WorkerPass | None, renovation: Renovation | None, typed: str
) -> DeskError | None:
    """Why the gate must not let this worker in now (each case in its own words), or None."""
    if found is None or renovation is None:
        if looks_like_id(typed):  # an ID number typed into the box: not shown back
            return DeskError("worker_pass_error.gate_id_typed")
        return DeskError("worker_pass_error.gate_unknown", number=typed.strip()[:40])
    status = status_of(ctx, found, renovation)
    number = found.number
    if status == WorkerPassStatus.revoked:
        return DeskError(
            "worker_pass_error.gate_revoked", number=number, reason=found.revoke_reason
        )
    if status == WorkerPassStatus.suspended:
        return DeskError(
            "worker_pass_error.gate_suspended", number=number, works=works_of(renovation)
        )
    if status == WorkerPassStatus.closed:
        state = t(f"worker_pass_works.{renovation.state}")
        return DeskError(
            "worker_pass_error.gate_closed", number=number, works=works_of(renovation), state=state
        )
    if status == WorkerPassStatus.not_yet:
        return DeskError(
            "worker_pass_error.gate_not_yet", number=number, day=found.valid_from.isoformat()
        )
    if status == WorkerPassStatus.expired:
        return DeskError(
            "worker_pass_error.gate_expired", number=number, until=found.valid_until.isoformat()
        )
    return None


def allowed_actions(ctx: Ctx, found: WorkerPass | None) -> frozenset[str]:
    """The steps (LIFECYCLE's names) a screen offers for this pass now: printing only while
    the pass can still be used (not expired, its works not stopped)."""
    offered = LIFECYCLE.offered(found)
    if found is None or "print" not in offered:
        return offered
    status = status_of(ctx, found, renovation_of(ctx, found))
    if status not in (WorkerPassStatus.valid, WorkerPassStatus.not_yet):
        return offered - {"print"}
    return offered


# --- issuing ------------------------------------------------------------------------------


def _checked(ctx: Ctx, data: WorkerPassCreate) -> dict[str, Any]:
    """Every field of a new pass read and checked; every refusal raised at once."""
    renovation = checks.renovation_wanted(ctx, data)
    # the dates are checked against the renovation found, even one that may not have passes
    # now (its refusal is said beside its own field)
    days: dict[str, date] = {}

    def valid_from() -> date:
        days["from"] = checks.valid_from(ctx, data.valid_from, renovation)
        return days["from"]

    checked = gather(
        {
            "renovation": lambda: checks.issuable(renovation, data.renovation),
            "name": lambda: clean_free_text(
                data.name, limits.max_length(WorkerPass, "name"), field="name", required=True
            ),
            "id_number": lambda: id_last4(data.id_number),
            "valid_from": valid_from,
            "valid_until": lambda: checks.valid_until(
                ctx, data.valid_until, days.get("from"), renovation
            ),
            "fee_fen": lambda: checks.fee(ctx, data.fee_fen),
            "fee_receipt": lambda: checks.receipt(
                data.fee_receipt, lambda: checks.fee(ctx, data.fee_fen)
            ),
        }
    )
    works: Renovation = checked["renovation"]
    held = checks.holding(
        ctx,
        works,
        checked["name"],
        checked["id_number"],
        checked["valid_from"],
        checked["valid_until"],
    )
    if held is not None:
        raise DeskError(
            "worker_pass_error.already_holds",
            field="name",
            number=held.number,
            until=held.valid_until.isoformat(),
        )
    return checked


def refusals(ctx: Ctx, data: WorkerPassCreate) -> list[DeskError]:
    """What `issue` would refuse of `data`, each beside its field; nothing is written. A form
    that could not read some of its fields asks this of the others, to say everything at once."""
    try:
        _checked(ctx, data)
    except FieldErrors as several:
        return list(several.errors)
    except DeskError as one:
        return [one]
    return []


def issue(ctx: Ctx, data: WorkerPassCreate) -> WorkerPass:
    """Issue a pass to one worker of works under permit; every refusal is raised at once."""
    ctx.acting()
    checked = _checked(ctx, data)
    works: Renovation = checked["renovation"]
    assert works.id is not None
    name: str = checked["name"]
    last4: str = checked["id_number"]
    start: date = checked["valid_from"]
    end: date = checked["valid_until"]
    issued = WorkerPass(
        number=next_number(ctx, PREFIX),
        renovation_id=works.id,
        name=name,
        id_last4=last4,
        photo_taken=bool(data.photo_taken),
        valid_from=start,
        valid_until=end,
        fee_fen=checked["fee_fen"],
        fee_receipt=checked["fee_receipt"],
        operator_id=ctx.acting(),
        created_at=ctx.now,
    )
    ctx.session.add(issued)
    ctx.session.flush()
    audit.record(
        ctx,
        REGISTER,
        issued.id,
        "issued",
        {
            "renovation": works.number,
            "permit": works.permit_number,
            "room": works.room,
            "name": name,
            "valid_from": start,
            "valid_until": end,
            "fee_fen": issued.fee_fen,
            "fee_receipt": issued.fee_receipt,
            "photo_taken": issued.photo_taken,
        },
    )
    return issued


# --- revoking -----------------------------------------------------------------------------


def _revoke(ctx: Ctx, found: WorkerPass, reason: str, data: dict[str, Any]) -> WorkerPass:
    found.state = WorkerPassState.revoked
    found.revoked_at = ctx.now
    found.revoke_reason = reason
    ctx.session.add(found)
    audit.record(ctx, REGISTER, found.id, "revoked", data, reason=reason)
    return found


def _reason(reason: str) -> str:
    most = limits.max_length(WorkerPass, "revoke_reason")
    return clean_free_text(reason, most, field="reason", required=True)


def revoke(ctx: Ctx, pass_id: int, reason: str) -> WorkerPass:
    """Withdraw one issued pass (the worker left, the pass was lost…); the reason is kept."""
    ctx.acting()
    LIFECYCLE.permit(ctx, "revoke")
    found = get(ctx, pass_id, for_update=True)  # two desks revoking at once: one does
    LIFECYCLE.require(found, "revoke")
    return _revoke(ctx, found, _reason(reason), {})


def revoke_all(ctx: Ctx, renovation_id: int, reason: str) -> list[WorkerPass]:
    """Withdraw every issued pass of a renovation at once (its permit suspended, its works
    stopped); called by the renovation's own service. Returns the passes revoked."""
    ctx.acting()
    cleaned = _reason(reason)
    statement = (
        select(WorkerPass)
        .where(
            WorkerPass.renovation_id == renovation_id,
            WorkerPass.state == WorkerPassState.issued,
        )
        .order_by(col(WorkerPass.id))
        .with_for_update()
    )
    found = list(ctx.session.exec(statement))
    return [_revoke(ctx, each, cleaned, {"with_renovation": renovation_id}) for each in found]


# --- at the gate --------------------------------------------------------------------------


@dataclass(frozen=True)
class GateCheck:
    """What the gate found for a number: the pass (None: not on file), its works, its status
    and why the worker may not come in (None: let in)."""

    worker_pass: WorkerPass | None
    renovation: Renovation | None
    status: WorkerPassStatus | None
    refusal: DeskError | None


def gate_check(ctx: Ctx, typed: str, guard: str = "") -> GateCheck:
    """The guard scanned a worker's pass: every check of a pass on file is counted on it and
    audited with what it found; a number not on file (or another estate's) leaves nothing."""
    found = find(ctx, typed, for_update=True)
    renovation = renovation_of(ctx, found) if found is not None else None
    refused = refusal_at_gate(ctx, found, renovation, typed)
    if found is None or renovation is None:
        return GateCheck(None, None, None, refused)
    status = status_of(ctx, found, renovation)
    LIFECYCLE.require(found, "gate")
    found.gate_checks += 1
    found.last_gate_check_at = ctx.now
    ctx.session.add(found)
    data = {"result": status, "guard": guard.strip()[:60], "at_desk": ctx.operator is not None}
    audit.record(ctx, REGISTER, found.id, "gate_checked", data)
    return GateCheck(found, renovation, status, refused)
