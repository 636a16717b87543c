"""Reading move-in cases: by id or number, lists, readings, the case's problems, and what is
owed on them now (the board and the handover)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlmodel import col, select

from desk.models import (
    OPEN_FINDING_STATES,
    OPEN_MOVE_IN_STATES,
    Finding,
    FindingOwner,
    FindingState,
    MoveIn,
    MoveInApplicant,
    MoveInReading,
    MoveInState,
    PatrolRound,
    ReadingKind,
)
from desk.services import estates, fetch
from desk.services.context import Ctx
from desk.services.open_item import OpenItem

REGISTER = "move_ins"
PREFIX = "RH"
_NUMBER = re.compile(r"^(?:([A-Z0-9]{2,8}?)RH|RH)(\d{8})(\d{3,4})$")

S = MoveInState

# the papers checked for each kind of applicant (000 四.1 ①)
DOCUMENTS: dict[MoveInApplicant, tuple[str, ...]] = {
    MoveInApplicant.owner: ("doc_id", "doc_notice", "doc_contract"),
    MoveInApplicant.agent: ("doc_id", "doc_notice", "doc_contract", "doc_agent_id", "doc_attorney"),
    MoveInApplicant.company: ("doc_id", "doc_notice", "doc_contract", "doc_company"),
}
ALL_DOCUMENTS = (
    "doc_id",
    "doc_notice",
    "doc_contract",
    "doc_agent_id",
    "doc_attorney",
    "doc_company",
)
# the agreements signed (001 入伙办理 ⑶)
AGREEMENTS = (
    "sign_resident_form",
    "sign_covenant",
    "sign_management",
    "sign_bank_mandate",
    "sign_fire_pledge",
)
# the items handed over and signed for (000 四.1 ③)
ITEMS = ("keys_handed", "handbook_handed", "drawings_handed")


def get(ctx: Ctx, case_id: int) -> MoveIn:
    return fetch.get(ctx, MoveIn, case_id)


def canonical_number(typed: str, estate: str = "") -> str | None:
    compact = re.sub(r"[^0-9A-Z]", "", typed.upper())
    match = _NUMBER.match(compact)
    if match is None:
        return None
    code = match.group(1) or estate
    start = f"{code}-" if code else ""
    return f"{start}{PREFIX}-{match.group(2)}-{match.group(3)}"


def find(ctx: Ctx, number: str) -> MoveIn | None:
    here = estates.number_prefix(ctx).rstrip("-") if estates.chosen(ctx) else ""
    canonical = canonical_number(number, here)
    if canonical is None:
        return None
    return fetch.by_number(ctx, MoveIn, canonical)


def listing(ctx: Ctx, *, everything: bool = False, limit: int = 500) -> list[MoveIn]:
    """The cases still open (every one when `everything`), the soonest booked first."""
    statement = select(MoveIn)
    if not everything:
        statement = statement.where(col(MoveIn.state).in_(OPEN_MOVE_IN_STATES))
    statement = statement.order_by(col(MoveIn.booked_for).desc(), col(MoveIn.id).desc())
    return list(ctx.session.exec(statement.limit(limit)))


def of_room(ctx: Ctx, room: str) -> list[MoveIn]:
    statement = select(MoveIn).where(MoveIn.room == room).order_by(col(MoveIn.booked_for))
    return list(ctx.session.exec(statement))


def missing_documents(found: MoveIn) -> list[str]:
    return [
        name
        for name in DOCUMENTS[MoveInApplicant(found.applicant_kind)]
        if not getattr(found, name)
    ]


def missing_agreements(found: MoveIn) -> list[str]:
    return [name for name in AGREEMENTS if not getattr(found, name)]


def missing_items(found: MoveIn) -> list[str]:
    """What is still to be handed over and signed for (keys: at least one)."""
    missing = [name for name in ITEMS if not getattr(found, name)]
    if not found.items_signed_by:
        missing.append("items_signed_by")
    return missing


def readings_of(ctx: Ctx, case_id: int) -> list[MoveInReading]:
    statement = (
        select(MoveInReading)
        .where(MoveInReading.move_in_id == case_id)
        .order_by(col(MoveInReading.read_at), col(MoveInReading.id))
    )
    return list(ctx.session.exec(statement))


def reading(ctx: Ctx, case_id: int, kind: ReadingKind) -> MoveInReading | None:
    """The case's latest reading of this kind."""
    found = [r for r in readings_of(ctx, case_id) if r.kind == kind]
    return found[-1] if found else None


def problems_of(ctx: Ctx, case_id: int) -> list[Finding]:
    statement = (
        select(Finding)
        .where(Finding.owner == FindingOwner.move_in, Finding.owner_id == case_id)
        .order_by(col(Finding.raised_at), col(Finding.id))
    )
    return list(ctx.session.exec(statement))


def open_problems(ctx: Ctx, case_id: int) -> list[Finding]:
    return [f for f in problems_of(ctx, case_id) if f.state in OPEN_FINDING_STATES]


def accepted_first_time(ctx: Ctx, case_id: int) -> bool:
    """Every problem of the case accepted at its first re-inspection (none: true)."""
    return all(
        f.state == FindingState.accepted and f.rounds == 1
        for f in problems_of(ctx, case_id)
        if f.state != FindingState.withdrawn
    )


def patrols_of(ctx: Ctx, case_id: int) -> list[PatrolRound]:
    statement = (
        select(PatrolRound)
        .where(PatrolRound.move_in_id == case_id)
        .order_by(col(PatrolRound.started_at), col(PatrolRound.id))
    )
    return list(ctx.session.exec(statement))


def custody_patrol_due(ctx: Ctx, found: MoveIn) -> datetime | None:
    """When the next 托管 patrol is due: the site's interval after the last (or 托管's start)."""
    if found.state != S.custody or found.custody_from is None or found.id is None:
        return None
    rounds = patrols_of(ctx, found.id)
    last = rounds[-1].started_at if rounds else found.custody_from
    return ctx.due(last, ctx.settings.move_ins.custody_patrol_every)


def over_limit(ctx: Ctx, *, untold_only: bool = True) -> list[tuple[MoveIn, MoveInReading]]:
    """Readings over their 托管 limit (the owner not yet told, unless `untold_only` is off)."""
    statement = select(MoveIn, MoveInReading).where(
        MoveInReading.move_in_id == MoveIn.id, col(MoveInReading.over_limit)
    )
    if untold_only:
        statement = statement.where(col(MoveInReading.owner_told_at).is_(None))
    rows = ctx.session.exec(statement.order_by(col(MoveInReading.read_at)))
    return [(case, read) for case, read in rows]


def rooms_in_custody(ctx: Ctx) -> set[str]:
    """The rooms under 托管 now (the fee desk charges them the site's share of the fee)."""
    statement = select(MoveIn.room).where(MoveIn.state == S.custody)
    return set(ctx.session.exec(statement))


def _day_end(ctx: Ctx) -> datetime:
    local = ctx.now.astimezone(ctx.tz)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start + timedelta(days=1)


def owed(ctx: Ctx, found: MoveIn) -> list[OpenItem]:
    """What the desk owes on this case now: the move-in booked (today or late), a re-inspection
    agreed, a 托管 patrol due, a reading over its limit the owner has not been told of."""
    assert found.id is not None
    items: list[OpenItem] = []

    def item(summary: str, due: datetime | None, kind: str) -> None:
        items.append(
            OpenItem(
                register=REGISTER,
                record_id=found.id or 0,
                number=found.number,
                room=found.room,
                summary=summary,
                state=found.state,
                opened_at=found.created_at,
                due_at=due,
                due_kind=kind,
            )
        )

    if found.state in (S.booked, S.in_progress) and found.booked_for < _day_end(ctx):
        item(found.owner_name, found.booked_for, "move_in")
    if found.state == S.inspected:
        # the problems awaiting their re-inspection: at the time agreed with the owner, or the
        # finding's own re-inspection due when none is agreed yet
        waiting = [p for p in problems_of(ctx, found.id) if p.state == FindingState.rectified]
        if waiting:
            due = found.reinspect_at or min(
                (p.recheck_due_at for p in waiting if p.recheck_due_at), default=None
            )
            item(found.owner_name, due, "reinspection")
    due = custody_patrol_due(ctx, found)
    if due is not None and due < _day_end(ctx):
        item(found.owner_name, due, "custody_patrol")
    if found.state in (S.custody, S.custody_ended):  # ended: the owner still to be told
        for read in readings_of(ctx, found.id):
            if read.over_limit and read.owner_told_at is None:
                tell = ctx.due(read.read_at, ctx.settings.move_ins.tell_owner_within)
                item(found.owner_name, tell, "over_limit")
    return items


def open_items(ctx: Ctx) -> list[OpenItem]:
    """Every case the desk owes something on now, for the board and the handover."""
    statement = (
        select(MoveIn)
        .where(
            col(MoveIn.state).in_(OPEN_MOVE_IN_STATES)
            | col(MoveIn.id).in_(
                select(MoveInReading.move_in_id).where(
                    col(MoveInReading.over_limit), col(MoveInReading.owner_told_at).is_(None)
                )
            )
        )
        .order_by(col(MoveIn.booked_for))
        .limit(2000)
    )
    return [item for found in ctx.session.exec(statement) for item in owed(ctx, found)]
