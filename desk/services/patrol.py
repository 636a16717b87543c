"""Register 12: the daily patrol (日常巡查, 001) — rounds of the site's routes, each checkpoint
ok or a finding; findings go through the shared finding → order → acceptance flow
(desk.services.findings), rounds the schedule calls for and nobody walked are due items.

001 日常巡查: ⑴ the whole estate is walked (the building itself, facilities, security, cleaning,
landscaping, renovations, fire equipment, signs, the car park); ⑵ equipment is checked in use;
⑶ the round is written down (《日常巡查记录表》); ⑷ what needs putting right goes to its
department; ⑸ it is followed up; ⑹ and accepted on re-inspection, or redone.

Each step is a row of `LIFECYCLE`; every write is audited under the register "patrols".
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from desk.config import PatrolRoute
from desk.models import Finding, FindingOwner, PatrolPoint, PatrolRound, PatrolState, PointResult
from desk.services import audit, fetch, findings
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.findings import FindingIn
from desk.services.lifecycle import Lifecycle, Step
from desk.services.limits import clean_column, max_length
from desk.services.numbering import next_number
from desk.services.patrol_queries import (
    DUE_REGISTER,
    PREFIX,
    REGISTER,
    canonical_number,
    checkpoint,
    checkpoint_name,
    find,
    get,
    listing,
    missed,
    of_renovation,
    open_items,
    points_of,
    route,
    route_name,
    schedule,
)
from desk.services.submission import Submission, gather
from desk.services.when import happened

__all__ = [
    "DUE_REGISTER",
    "LIFECYCLE",
    "PREFIX",
    "REGISTER",
    "canonical_number",
    "checkpoint",
    "checkpoint_name",
    "find",
    "get",
    "listing",
    "missed",
    "of_renovation",
    "open_items",
    "points_of",
    "route",
    "route_name",
    "schedule",
]

S = PatrolState
LIFECYCLE: Lifecycle[PatrolState] = Lifecycle(
    "patrol_error.not_now",
    {
        # a checkpoint recorded: ok, or a finding
        "check": Step((S.under_way,), refusal="patrol_error.cannot_check"),
        "finish": Step((S.under_way,), to=S.done, refusal="patrol_error.cannot_finish"),
    },
    state_words="patrol_state",
)


def allowed_actions(found: PatrolRound | None) -> frozenset[str]:
    return LIFECYCLE.offered(found)


def _step(ctx: Ctx, round_id: int, action: str) -> PatrolRound:
    return LIFECYCLE.take(ctx, action, lambda: get(ctx, round_id))


def _text(value: str, column: str, *, required: bool = False) -> str:
    return clean_column(value, PatrolRound, column, required=required)


def _route(ctx: Ctx, key: str) -> PatrolRoute:
    found = route(ctx, key)
    if found is None:
        raise DeskError("patrol_error.unknown_route", field="route", value=key)
    return found


class RoundIn(Submission):
    route: str = ""
    patrolled_by: str = ""
    started_at: datetime | None = None
    note: str = ""


def _started(ctx: Ctx, moment: datetime | None, renovation_id: int | None) -> datetime:
    """When the round began: not after now, and (but for a renovation's visit, whose time its
    own register checks) within `record_within_hours` of now, so that a round typed in days
    later cannot clear a missed one."""
    started = happened(moment, ctx.now, "started_at")
    hours = ctx.settings.patrol.record_within_hours
    if renovation_id is None and started < ctx.now - timedelta(hours=hours):
        raise DeskError("patrol_error.recorded_late", field="started_at", hours=hours)
    return started


def start(
    ctx: Ctx, data: RoundIn, *, renovation_id: int | None = None, move_in_id: int | None = None
) -> PatrolRound:
    """A round begins: who walks which route, from when; one line per checkpoint of the route,
    each to be recorded ok or a finding before the round is finished."""
    checked = gather(
        {
            "route": lambda: _route(ctx, data.route),
            "patrolled_by": lambda: _text(data.patrolled_by, "patrolled_by", required=True),
            "started_at": lambda: _started(ctx, data.started_at, renovation_id),
            "note": lambda: _text(data.note, "note"),
        }
    )
    chosen: PatrolRoute = checked["route"]
    found = PatrolRound(
        number=next_number(ctx, PREFIX),
        route=chosen.key,
        patrolled_by=checked["patrolled_by"],
        started_at=checked["started_at"],
        note=checked["note"],
        renovation_id=renovation_id,
        move_in_id=move_in_id,
        operator_id=ctx.acting(),
        created_at=ctx.now,
    )
    ctx.session.add(found)
    ctx.session.flush()
    assert found.id is not None
    for position, point in enumerate(chosen.checkpoints):
        ctx.session.add(PatrolPoint(round_id=found.id, position=position, checkpoint=point.key))
    ctx.session.flush()
    audit.record(
        ctx,
        REGISTER,
        found.id,
        "started",
        {
            "route": found.route,
            "patrolled_by": found.patrolled_by,
            "started_at": found.started_at,
            "checkpoints": [point.key for point in chosen.checkpoints],
        },
    )
    return found


def _point(ctx: Ctx, found: PatrolRound, point_id: int) -> PatrolPoint:
    """A checkpoint of this round, not yet recorded."""
    point = fetch.get(ctx, PatrolPoint, point_id)
    if point.round_id != found.id:
        raise DeskError("patrol_error.not_this_round", number=found.number)
    if point.result != PointResult.pending:
        name = checkpoint_name(ctx, found.route, point.checkpoint)
        raise DeskError("patrol_error.already_recorded", checkpoint=name)
    return point


def check_ok(ctx: Ctx, round_id: int, point_id: int, note: str = "") -> PatrolPoint:
    """A checkpoint found in order."""
    found = _step(ctx, round_id, "check")
    point = _point(ctx, found, point_id)
    point.note = clean_column(note, PatrolPoint, "note")
    point.result = PointResult.ok
    point.checked_at = ctx.now
    ctx.session.add(point)
    ctx.session.flush()
    data = {"checkpoint": point.checkpoint, "result": point.result, "note": point.note}
    audit.record(ctx, REGISTER, found.id, "checked", data)
    return point


def check_finding(ctx: Ctx, round_id: int, point_id: int, data: FindingIn) -> Finding:
    """A checkpoint with something to put right: a finding raised through the shared service
    (its department the checkpoint's unless the patrol chose another), the point linked to it."""
    found = _step(ctx, round_id, "check")
    point = _point(ctx, found, point_id)
    spot = checkpoint(ctx, found.route, point.checkpoint)
    if not data.department and spot is not None:
        data = data.model_copy(update={"department": spot.department})
    if not data.raised_by:
        data = data.model_copy(update={"raised_by": found.patrolled_by})
    raised = findings.raise_finding(
        ctx, FindingOwner.patrol, round_id, data, after=found.started_at
    )
    point.result = PointResult.finding
    point.finding_id = raised.id
    point.note = raised.what[: max_length(PatrolPoint, "note")]
    point.checked_at = ctx.now
    ctx.session.add(point)
    ctx.session.flush()
    audit.record(
        ctx,
        REGISTER,
        found.id,
        "checked",
        {"checkpoint": point.checkpoint, "result": point.result, "finding": raised.number},
    )
    return raised


def finish(ctx: Ctx, round_id: int, at: datetime | None = None) -> PatrolRound:
    """The round is over: every checkpoint recorded (ok or a finding), none left blank."""
    found = _step(ctx, round_id, "finish")
    pending = [p for p in points_of(ctx, round_id) if p.result == PointResult.pending]
    if pending:
        names = ", ".join(checkpoint_name(ctx, found.route, p.checkpoint) for p in pending)
        raise DeskError("patrol_error.points_pending", checkpoints=names)
    finished = happened(at, ctx.now, "finished_at")
    if finished < found.started_at:
        raise DeskError("patrol_error.before_start", field="finished_at")
    found.finished_at = finished
    found.state = S.done
    ctx.session.add(found)
    ctx.session.flush()
    points = points_of(ctx, round_id)
    data: dict[str, Any] = {
        "at": finished,
        "ok": sum(p.result == PointResult.ok for p in points),
        "findings": sum(p.result == PointResult.finding for p in points),
    }
    audit.record(ctx, REGISTER, found.id, "finished", data)
    return found
