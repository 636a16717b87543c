"""Reading renovation worker passes (施工人员临时出入证): by number, their status (the stored
state, the dates and the works), the list, the passes ending soon and those just revoked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import col, select

from desk.models import Renovation, RenovationState, WorkerPass, WorkerPassState
from desk.services import estates
from desk.services.context import Ctx
from desk.services.errors import NotFound
from desk.services.open_item import OpenItem
from desk.services.residents import mask_name

REGISTER = "worker_passes"
PREFIX = "SG"
# an estate other than the default one puts its code first: HG-SG-20261123-007
_NUMBER = re.compile(rf"^(?:([A-Z0-9]{{2,8}}?){PREFIX}|{PREFIX})(\d{{8}})(\d{{3,4}})$")
# a renovation whose passes may be issued (and used): its permit issued, or its works under way
ISSUING_STATES = (RenovationState.permit_issued, RenovationState.in_works)


class WorkerPassStatus(StrEnum):
    """A pass as the gate and the list see it: its stored state, its dates and its works."""

    not_yet = "not_yet"  # issued, its first day still to come
    valid = "valid"
    expired = "expired"  # issued, its last day past
    revoked = "revoked"
    suspended = "suspended"  # the renovation's permit is suspended
    closed = "closed"  # the renovation is no longer in works (finished, withdrawn…)


def today(ctx: Ctx) -> date:
    return ctx.now.astimezone(ctx.tz).date()


def day_start(ctx: Ctx, day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=ctx.tz)


def ends_at(ctx: Ctx, found: WorkerPass) -> datetime:
    """The moment a pass stops being valid: the midnight after its last day."""
    return day_start(ctx, found.valid_until + timedelta(days=1))


def permit_day(ctx: Ctx, renovation: Renovation) -> date | None:
    """The day the renovation's permit was issued (None: not issued)."""
    issued = renovation.permit_issued_at
    return issued.astimezone(ctx.tz).date() if issued is not None else None


def get(ctx: Ctx, pass_id: int, *, for_update: bool = False) -> WorkerPass:
    found = ctx.session.get(WorkerPass, pass_id, with_for_update=for_update)
    if found is None:
        raise NotFound("record.not_found", id=pass_id)
    return found


def renovation_of(ctx: Ctx, found: WorkerPass) -> Renovation:
    renovation = ctx.session.get(Renovation, found.renovation_id)
    if renovation is None:  # pragma: no cover - a foreign key keeps it
        raise NotFound("record.not_found", id=found.renovation_id)
    return renovation


def canonical_number(typed: str, estate: str = "") -> str | None:
    """`SG-20261123-007` (`HG-SG-…` in estate HG) from what was typed or scanned: any case,
    with or without dashes, SG always there; `estate` is the code put first when none was typed."""
    compact = re.sub(r"[^0-9A-Z]", "", typed.upper())
    match = _NUMBER.match(compact)
    if match is None:
        return None
    code = match.group(1) or estate
    start = f"{code}-" if code else ""
    return f"{start}{PREFIX}-{match.group(2)}-{match.group(3)}"


def is_worker_number(typed: str) -> bool:
    """Whether what was typed or scanned is a worker pass's number (not a goods pass's)."""
    return canonical_number(typed) is not None


def find(ctx: Ctx, number: str, *, for_update: bool = False) -> WorkerPass | None:
    """The pass with this number as typed or scanned in this estate, or None. `for_update`
    locks its row (PostgreSQL) so two gates' counts both stand."""
    here = estates.number_prefix(ctx).rstrip("-") if estates.chosen(ctx) else ""
    canonical = canonical_number(number, here)
    if canonical is None:
        return None
    statement = select(WorkerPass).where(WorkerPass.number == canonical)
    if for_update:
        statement = statement.with_for_update()
    return ctx.session.exec(statement).first()


def status_of(ctx: Ctx, found: WorkerPass, renovation: Renovation) -> WorkerPassStatus:
    """What the pass is worth now: revoked, its works stopped or over, or by its dates."""
    if found.state == WorkerPassState.revoked:
        return WorkerPassStatus.revoked
    if renovation.state == RenovationState.suspended:
        return WorkerPassStatus.suspended
    if renovation.state not in ISSUING_STATES:
        return WorkerPassStatus.closed
    day = today(ctx)
    if day < found.valid_from:
        return WorkerPassStatus.not_yet
    if day > found.valid_until:
        return WorkerPassStatus.expired
    return WorkerPassStatus.valid


def works_of(renovation: Renovation) -> str:
    """A renovation as a pass names it: its permit number, or its own before one is issued."""
    return renovation.permit_number or renovation.number


@dataclass(frozen=True)
class Row:
    """One pass as the list, the export and the board show it: with its works and status."""

    worker_pass: WorkerPass
    renovation: Renovation
    status: WorkerPassStatus

    @property
    def room(self) -> str:
        return self.renovation.room


def _renovation_filter(typed: str) -> Any:
    """Renovations whose number, permit number or room holds what was typed (any case)."""
    like = f"%{typed.strip().upper()}%"
    return or_(
        func.upper(col(Renovation.number)).like(like),
        func.upper(col(Renovation.permit_number)).like(like),
        func.upper(col(Renovation.room)).like(like),
    )


# a pass stays on the list this long after its last day or its revocation
LISTED_AFTER = timedelta(days=7)


def listing(ctx: Ctx, renovation: str = "", limit: int = 500) -> list[Row]:
    """Passes newest first: with `renovation` (its number, permit number or room, or part of
    one) every pass of the renovations it names; without, the passes still valid or waiting,
    and those ended or revoked within the last week."""
    statement = select(WorkerPass, Renovation).join(
        Renovation, col(Renovation.id) == WorkerPass.renovation_id
    )
    if renovation.strip():
        statement = statement.where(_renovation_filter(renovation))
    else:
        recent = today(ctx) - LISTED_AFTER
        statement = statement.where(
            col(WorkerPass.valid_until) >= recent,
            or_(
                col(WorkerPass.revoked_at).is_(None),
                col(WorkerPass.revoked_at) >= ctx.now - LISTED_AFTER,
            ),
        )
    statement = statement.order_by(col(WorkerPass.created_at).desc(), col(WorkerPass.id).desc())
    rows = ctx.session.exec(statement.limit(limit)).all()
    return [Row(p, r, status_of(ctx, p, r)) for p, r in rows]


def passes_of(ctx: Ctx, renovation_id: int) -> list[WorkerPass]:
    """Every pass of one renovation, oldest first."""
    statement = (
        select(WorkerPass)
        .where(WorkerPass.renovation_id == renovation_id)
        .order_by(col(WorkerPass.id))
    )
    return list(ctx.session.exec(statement))


def find_renovation(ctx: Ctx, typed: str) -> Renovation | None:
    """The renovation whose number or permit number was typed (any case), or None."""
    wanted = typed.strip().upper()
    if not wanted:
        return None
    statement = select(Renovation).where(
        or_(
            func.upper(col(Renovation.number)) == wanted,
            func.upper(col(Renovation.permit_number)) == wanted,
        )
    )
    return ctx.session.exec(statement.order_by(col(Renovation.id).desc())).first()


def expiring(ctx: Ctx) -> list[Row]:
    """Issued passes of works under way whose last day falls within the site's warning days
    (today included), soonest first: the contractor is asked whether to renew them."""
    first = today(ctx)
    last = first + timedelta(days=ctx.settings.renovation.worker_pass_warn_days)
    statement = (
        select(WorkerPass, Renovation)
        .join(Renovation, col(Renovation.id) == WorkerPass.renovation_id)
        .where(
            WorkerPass.state == WorkerPassState.issued,
            col(WorkerPass.valid_until) >= first,
            col(WorkerPass.valid_until) <= last,
            col(Renovation.state).in_(ISSUING_STATES),
        )
        .order_by(col(WorkerPass.valid_until), col(WorkerPass.id))
        .limit(500)
    )
    return [Row(p, r, status_of(ctx, p, r)) for p, r in ctx.session.exec(statement)]


# revoked passes stay on the handover this long: the incoming shift tells the gate
REVOKED_SHOWN = timedelta(hours=24)


def recently_revoked(ctx: Ctx) -> list[Row]:
    """Passes revoked within the last 24 hours, newest first (the gate must know)."""
    statement = (
        select(WorkerPass, Renovation)
        .join(Renovation, col(Renovation.id) == WorkerPass.renovation_id)
        .where(
            WorkerPass.state == WorkerPassState.revoked,
            col(WorkerPass.revoked_at) >= ctx.now - REVOKED_SHOWN,
        )
        .order_by(col(WorkerPass.revoked_at).desc())
        .limit(500)
    )
    return [Row(p, r, WorkerPassStatus.revoked) for p, r in ctx.session.exec(statement)]


def summary_of(found: WorkerPass, renovation: Renovation) -> str:
    """A pass in one line of the board: the worker (masked), the ID's last 4, the works."""
    return f"{mask_name(found.name)} ****{found.id_last4} {works_of(renovation)}"


def open_items(ctx: Ctx) -> list[OpenItem]:
    """Passes ending within the warning days, for the board and the handover."""
    return [
        OpenItem(
            register=REGISTER,
            record_id=row.worker_pass.id or 0,
            number=row.worker_pass.number,
            room=row.room,
            summary=summary_of(row.worker_pass, row.renovation),
            state=row.worker_pass.state,
            opened_at=row.worker_pass.created_at,
            due_at=ends_at(ctx, row.worker_pass),
            due_kind="worker_pass_ends",
        )
        for row in expiring(ctx)
    ]


def renovations_by_id(ctx: Ctx) -> dict[int, Renovation]:
    """Every renovation by id (a few hundred a year), for the export's extra columns."""
    return {r.id: r for r in ctx.session.exec(select(Renovation)) if r.id is not None}
