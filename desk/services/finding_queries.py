"""Reading findings (整改): by id or number, an owner record's, the open ones, those awaiting
re-inspection, the overdue, and what each owes next (the board and the handover)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select

from desk.config import FindingDepartment
from desk.i18n import current_language
from desk.models import OPEN_FINDING_STATES, Finding, FindingCheck, FindingState
from desk.models.base import literal_in, literal_is
from desk.services import fetch
from desk.services.context import Ctx
from desk.services.open_item import OpenItem

REGISTER = "findings"
PREFIX = "ZG"

S = FindingState


def get(ctx: Ctx, finding_id: int) -> Finding:
    return fetch.get(ctx, Finding, finding_id)


def by_number(ctx: Ctx, number: str) -> Finding | None:
    return fetch.by_number(ctx, Finding, number.strip().upper())


def department(ctx: Ctx, key: str) -> FindingDepartment | None:
    return ctx.settings.findings.department(key)


def department_name(ctx: Ctx, key: str, lang: str = "") -> str:
    found = department(ctx, key)
    return found.label(lang or current_language()) if found is not None else key


def of_owner(ctx: Ctx, owner: str, owner_id: int) -> list[Finding]:
    """An owner record's findings (a patrol round's, an incident's…), oldest first."""
    statement = (
        select(Finding)
        .where(Finding.owner == owner, Finding.owner_id == owner_id)
        .order_by(col(Finding.created_at), col(Finding.id))
    )
    return list(ctx.session.exec(statement))


def of_owners(ctx: Ctx, owner: str, owner_ids: list[int]) -> dict[int, list[Finding]]:
    """The findings of many owner records at once, by owner id."""
    out: dict[int, list[Finding]] = {}
    if not owner_ids:
        return out
    statement = (
        select(Finding)
        .where(Finding.owner == owner, col(Finding.owner_id).in_(owner_ids))
        .order_by(col(Finding.created_at), col(Finding.id))
    )
    for found in ctx.session.exec(statement):
        out.setdefault(found.owner_id, []).append(found)
    return out


def checks_of(ctx: Ctx, finding_id: int) -> list[FindingCheck]:
    statement = (
        select(FindingCheck)
        .where(FindingCheck.finding_id == finding_id)
        .order_by(col(FindingCheck.round), col(FindingCheck.id))
    )
    return list(ctx.session.exec(statement))


def open_findings(ctx: Ctx, limit: int = 2000) -> list[Finding]:
    """Every finding not yet accepted (nor withdrawn), oldest first."""
    statement = (
        select(Finding)
        .where(literal_in(col(Finding.state), OPEN_FINDING_STATES))
        .order_by(col(Finding.created_at), col(Finding.id))
        .limit(limit)
    )
    return list(ctx.session.exec(statement))


def awaiting_recheck(ctx: Ctx, limit: int = 2000) -> list[Finding]:
    """The findings rectified and not yet re-inspected, the longest waiting first."""
    statement = (
        select(Finding)
        .where(literal_is(col(Finding.state), S.rectified))
        .order_by(col(Finding.rectified_at), col(Finding.id))
        .limit(limit)
    )
    return list(ctx.session.exec(statement))


def due_at(ctx: Ctx, found: Finding) -> datetime | None:
    """When the next step of a finding is due: sent (raised + send_within), rectified (its
    department's time), re-inspected (rectified + recheck_within); None once done."""
    if found.state == S.open:
        return ctx.due(found.raised_at, ctx.settings.findings.send_within)
    if found.state == S.sent:
        return found.rectify_due_at
    if found.state == S.rectified:
        return found.recheck_due_at
    return None


DUE_KINDS = {S.open: "send", S.sent: "rectify", S.rectified: "recheck"}


def overdue(ctx: Ctx) -> list[Finding]:
    """The open findings whose next step is past due."""
    return [f for f in open_findings(ctx) if (due := due_at(ctx, f)) is not None and due < ctx.now]


def summary(found: Finding) -> str:
    """Where (besides its room, which has its own column) and what was found."""
    return f"{found.place} {found.what}".strip()


def item(ctx: Ctx, found: Finding) -> OpenItem:
    return OpenItem(
        register=REGISTER,
        record_id=found.id or 0,
        number=found.number,
        room=found.room,
        summary=summary(found),
        state=found.state,
        opened_at=found.created_at,
        due_at=due_at(ctx, found),
        due_kind=DUE_KINDS.get(found.state, ""),
    )


def open_items(ctx: Ctx) -> list[OpenItem]:
    """Every finding still owed something, for the board and the handover."""
    return [item(ctx, found) for found in open_findings(ctx)]
