"""Reading release passes: lookup by number, lists, reconciliation of a period, open items."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, func
from sqlmodel import col, select

from desk.models import PassItem, PassState, ReleasePass, Resident, ResidentKind
from desk.models.base import literal_is, literal_is_not
from desk.services import estates
from desk.services.context import Ctx
from desk.services.errors import DeskError, NotFound
from desk.services.open_item import OpenItem
from desk.services.residents import find_unit, residents_of

REGISTER = "passes"
PREFIX = "FX"
# an unchecked pass stays on the board this long after it expired; then it is a missing stub
SHOWN_AFTER_EXPIRY = timedelta(hours=12)
# an estate other than the default one puts its code first: HG-FX-20261123-007
_NUMBER = re.compile(r"^(?:([A-Z0-9]{2,8}?)FX|FX)?(\d{8})(\d{3,4})$")

# states a pass reaches once the gate has checked it
CHECKED_STATES = (PassState.used, PassState.partly_used, PassState.refused)


class PassStatus(StrEnum):
    """A pass's status in the reconciliation view (the stored state plus the clock)."""

    not_yet = "not_yet"  # issued for a later day: the gate refuses it until then
    valid = "valid"  # issued, still valid, not yet at the gate
    used = "used"
    partly = "partly"
    refused = "refused"
    expired = "expired"  # never checked at the gate and past its validity
    voided = "voided"


class StubStatus(StrEnum):
    returned = "returned"
    missing = "missing"
    not_due = "not_due"  # the pass is still valid, or was voided at the desk


_BY_STATE = {
    PassState.used: PassStatus.used,
    PassState.partly_used: PassStatus.partly,
    PassState.refused: PassStatus.refused,
    PassState.voided: PassStatus.voided,
}


def status_of(found: ReleasePass, now: datetime, tz: tzinfo | None = None) -> PassStatus:
    """The pass's status now; given the site's time zone, one issued for a later day is
    "not yet valid" (the gate refuses it until that day) rather than "valid"."""
    status = status_for(found.state, expired=now > found.valid_until)
    if status == PassStatus.valid and tz is not None and now.astimezone(tz).date() < found.valid_on:
        return PassStatus.not_yet
    return status


def status_for(state: str, *, expired: bool) -> PassStatus:
    """A pass's status on the list from its stored state and whether its day has passed."""
    if state in _BY_STATE:
        return _BY_STATE[PassState(state)]
    return PassStatus.expired if expired else PassStatus.valid


def stub_of(found: ReleasePass, now: datetime) -> StubStatus:
    if found.stub_returned_at is not None:
        return StubStatus.returned
    if status_of(found, now) in (PassStatus.valid, PassStatus.voided):
        return StubStatus.not_due
    return StubStatus.missing


@dataclass(frozen=True)
class ReconRow:
    """One pass in the reconciliation of a period."""

    release_pass: ReleasePass
    status: PassStatus
    stub: StubStatus
    items: int
    # the stub came back, but the gate never recorded a check
    no_gate_check: bool

    @classmethod
    def of(cls, found: ReleasePass, now: datetime, items: int) -> ReconRow:
        status = status_of(found, now)
        unchecked = found.stub_returned_at is not None and found.gate_checked_at is None
        return cls(
            found,
            status,
            stub_of(found, now),
            items,
            no_gate_check=unchecked and status != PassStatus.voided,
        )


def get(ctx: Ctx, pass_id: int) -> ReleasePass:
    found = ctx.session.get(ReleasePass, pass_id)
    if found is None:
        raise NotFound("record.not_found", id=pass_id)
    return found


def canonical_number(typed: str, estate: str = "") -> str | None:
    """`FX-20261123-007` (`HG-FX-…` in estate HG) from what was typed or scanned: any case,
    with or without dashes; `estate` is the code put first when none was typed."""
    compact = re.sub(r"[^0-9A-Z]", "", typed.upper())
    match = _NUMBER.match(compact)
    if match is None:
        return None
    code = match.group(1) or estate
    start = f"{code}-" if code else ""
    return f"{start}{PREFIX}-{match.group(2)}-{match.group(3)}"


def find(ctx: Ctx, number: str, *, for_update: bool = False) -> ReleasePass | None:
    """The pass with this number as typed or scanned, or None.

    `for_update` locks the row until the transaction ends (PostgreSQL; SQLite's writers are
    already serialised by BEGIN IMMEDIATE), so two gates cannot both use one pass.
    """
    here = estates.number_prefix(ctx).rstrip("-") if estates.chosen(ctx) else ""
    canonical = canonical_number(number, here)
    if canonical is None:
        return None
    statement = select(ReleasePass).where(ReleasePass.number == canonical)
    if for_update:
        statement = statement.with_for_update()
    return ctx.session.exec(statement).first()


def items_of(ctx: Ctx, pass_id: int) -> list[PassItem]:
    statement = select(PassItem).where(PassItem.pass_id == pass_id).order_by(col(PassItem.line_no))
    return list(ctx.session.exec(statement))


def item_counts(ctx: Ctx, pass_ids: list[int]) -> dict[int, int]:
    """How many item lines each pass has."""
    if not pass_ids:
        return {}
    statement = (
        select(PassItem.pass_id, func.count())
        .where(col(PassItem.pass_id).in_(pass_ids))
        .group_by(col(PassItem.pass_id))
    )
    return {row[0]: row[1] for row in ctx.session.exec(statement)}


def owners_of(ctx: Ctx, room: str) -> list[Resident]:
    """The owners on file of a room (empty when the room or its owners are not on file)."""
    unit = find_unit(ctx, room)
    if unit is None or unit.id is None:
        return []
    return [r for r in residents_of(ctx, unit.id) if r.kind == ResidentKind.owner]


def day_bounds(ctx: Ctx, start: date, end: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(start, time(0, 0), tzinfo=ctx.tz),
        datetime.combine(end + timedelta(days=1), time(0, 0), tzinfo=ctx.tz),
    )


def today(ctx: Ctx) -> date:
    return ctx.now.astimezone(ctx.tz).date()


def listing(ctx: Ctx, limit: int = 500) -> list[ReleasePass]:
    """Passes issued today and every pass still valid and unchecked, newest first.

    Two index range reads merged here: one statement with `today OR still valid` made SQLite
    walk every pass ever issued, newest first, looking for the still-valid ones.
    """
    since, _ = day_bounds(ctx, today(ctx), today(ctx))
    today_s = (
        select(ReleasePass)
        .where(col(ReleasePass.created_at) >= since)
        .order_by(col(ReleasePass.created_at).desc(), col(ReleasePass.id).desc())
        .limit(limit)
    )
    still_valid = (
        select(ReleasePass)
        .where(ReleasePass.state == PassState.issued, col(ReleasePass.valid_until) >= ctx.now)
        .order_by(col(ReleasePass.created_at).desc(), col(ReleasePass.id).desc())
        .limit(limit)
    )
    found = {p.id: p for p in ctx.session.exec(today_s)}
    found.update((p.id, p) for p in ctx.session.exec(still_valid))
    newest = sorted(found.values(), key=lambda p: (p.created_at, p.id or 0), reverse=True)
    return newest[:limit]


def _in_period(ctx: Ctx, start: date | None, end: date | None) -> Any:
    condition: Any = col(ReleasePass.id).is_not(None)
    if start is not None:
        condition &= col(ReleasePass.created_at) >= day_bounds(ctx, start, start)[0]
    if end is not None:
        condition &= col(ReleasePass.created_at) < day_bounds(ctx, end, end)[1]
    return condition


def reconciliation(ctx: Ctx, start: date, end: date, limit: int = 5000) -> list[ReconRow]:
    """Every pass issued from `start` to `end` (local days, inclusive) with its status and stub."""
    if end < start:
        raise DeskError("pass_error.period_reversed", field="period")
    statement = (
        select(ReleasePass)
        .where(_in_period(ctx, start, end))
        .order_by(col(ReleasePass.created_at), col(ReleasePass.id))
        .limit(limit)
    )
    rows = list(ctx.session.exec(statement))
    counts = item_counts(ctx, [p.id for p in rows if p.id is not None])
    return [ReconRow.of(p, ctx.now, counts.get(p.id or 0, 0)) for p in rows]


def missing_stubs(
    ctx: Ctx, start: date | None = None, end: date | None = None, limit: int = 500
) -> list[ReleasePass]:
    """Passes used at the gate (or expired unused) whose stub has not come back to the desk."""
    expired = and_(
        col(ReleasePass.state) == PassState.issued, col(ReleasePass.valid_until) < ctx.now
    )
    statement = (
        select(ReleasePass)
        .where(
            _in_period(ctx, start, end),
            col(ReleasePass.stub_returned_at).is_(None),
            col(ReleasePass.state).in_(CHECKED_STATES) | expired,
        )
        .order_by(col(ReleasePass.created_at), col(ReleasePass.id))
        .limit(limit)
    )
    return list(ctx.session.exec(statement))


def used_without_gate_check(
    ctx: Ctx, start: date | None = None, end: date | None = None, limit: int = 500
) -> list[ReleasePass]:
    """Passes used although the gate never recorded a check: the stub came back while the pass
    was still valid. One whose stub came back only after it expired, never checked at the gate,
    expired unused (the reconciliation's "expired", its stub back): it is not listed as used."""
    statement = (
        select(ReleasePass)
        .where(
            _in_period(ctx, start, end),
            col(ReleasePass.stub_returned_at).is_not(None),
            col(ReleasePass.stub_returned_at) <= col(ReleasePass.valid_until),
            col(ReleasePass.gate_checked_at).is_(None),
            literal_is_not(col(ReleasePass.state), PassState.voided),
        )
        .order_by(col(ReleasePass.created_at), col(ReleasePass.id))
        .limit(limit)
    )
    return list(ctx.session.exec(statement))


def open_items(ctx: Ctx) -> list[OpenItem]:
    """Passes issued and not yet checked at the gate, for the board and the handover."""
    statement = (
        select(ReleasePass)
        .where(
            literal_is(col(ReleasePass.state), PassState.issued),
            col(ReleasePass.stub_returned_at).is_(None),
            col(ReleasePass.valid_until) >= ctx.now - SHOWN_AFTER_EXPIRY,
        )
        .order_by(col(ReleasePass.valid_until))
        .limit(500)
    )
    found = list(ctx.session.exec(statement))
    summaries = _summaries(ctx, [p.id for p in found if p.id is not None])
    return [
        OpenItem(
            register=REGISTER,
            record_id=p.id or 0,
            number=p.number,
            room=p.room,
            summary=summaries.get(p.id or 0, p.applicant),
            state=p.state,
            opened_at=p.created_at,
            due_at=p.valid_until,
            due_kind="gate",
        )
        for p in found
    ]


def _summaries(ctx: Ctx, pass_ids: list[int]) -> dict[int, str]:
    """The items of each pass in one line: `沙发 x1, 冰箱 x1`."""
    if not pass_ids:
        return {}
    lines: dict[int, list[str]] = {}
    statement = (
        select(PassItem)
        .where(col(PassItem.pass_id).in_(pass_ids))
        .order_by(col(PassItem.pass_id), col(PassItem.line_no))
    )
    for item in ctx.session.exec(statement):
        lines.setdefault(item.pass_id, []).append(f"{item.description} x{item.quantity}")
    return {key: ", ".join(value) for key, value in lines.items()}


def export_items(ctx: Ctx, since: datetime | None = None) -> dict[int, list[dict[str, Any]]]:
    """The item lines of every pass (created at or after `since`), keyed by pass id."""
    statement = select(PassItem).join(ReleasePass, col(ReleasePass.id) == PassItem.pass_id)
    if since is not None:
        statement = statement.where(col(ReleasePass.created_at) >= since)
    grouped: dict[int, list[dict[str, Any]]] = {}
    for item in ctx.session.exec(statement.order_by(col(PassItem.pass_id), col(PassItem.line_no))):
        grouped.setdefault(item.pass_id, []).append(
            {"line": item.line_no, "description": item.description, "quantity": item.quantity}
            | {"remark": item.remark}
        )
    return grouped
