"""Reading owner record changes: by id or number, the list, the board's rows, what a sale leaves."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from desk.i18n import t
from desk.models import (
    OPEN_COMPLAINT_STATES,
    OPEN_LOAN_STATES,
    OPEN_RENOVATION_STATES,
    OPEN_REPAIR_STATES,
    Complaint,
    EntrustedKey,
    EntrustedState,
    Key,
    KeyLoan,
    OwnerChange,
    OwnerChangeState,
    PassState,
    ReleasePass,
    Renovation,
    RepairOrder,
    Resident,
    ResidentKind,
)
from desk.models.base import literal_is
from desk.services import estates
from desk.services.context import Ctx
from desk.services.errors import NotFound
from desk.services.open_item import OpenItem
from desk.services.residents import mask_name, mask_phone

REGISTER = "owner_changes"
PREFIX = "BG"
# an estate other than the default one puts its code first: HG-BG-20261123-007
_NUMBER = re.compile(r"^(?:([A-Z0-9]{2,8}?)BG|BG)?(\d{8})(\d{3,4})$")
# the list shows every declaration still to apply, and the others of this many days
RECENT_DAYS = 30
S = OwnerChangeState


def get(ctx: Ctx, change_id: int, *, for_update: bool = False) -> OwnerChange:
    """The declaration of that id (of the session's estates); `for_update` locks it until the
    transaction ends (PostgreSQL), so two desks cannot both apply it."""
    statement = select(OwnerChange).where(OwnerChange.id == change_id)
    if for_update:
        statement = statement.with_for_update()
    found = ctx.session.exec(statement).first()
    if found is None:
        raise NotFound("record.not_found", id=change_id)
    return found


def canonical_number(typed: str, estate: str = "") -> str | None:
    """`BG-20261123-001` (`HG-BG-…` in estate HG) from what was typed: any case, dashes optional."""
    compact = re.sub(r"[^0-9A-Z]", "", typed.upper())
    match = _NUMBER.match(compact)
    if match is None:
        return None
    code = match.group(1) or estate
    start = f"{code}-" if code else ""
    return f"{start}{PREFIX}-{match.group(2)}-{match.group(3)}"


def find(ctx: Ctx, number: str) -> OwnerChange | None:
    here = estates.number_prefix(ctx).rstrip("-") if estates.chosen(ctx) else ""
    canonical = canonical_number(number, here)
    if canonical is None:
        return None
    return ctx.session.exec(select(OwnerChange).where(OwnerChange.number == canonical)).first()


def listing(ctx: Ctx, limit: int = 500) -> list[OwnerChange]:
    """Every declaration still to apply (oldest first: the next to apply), then the others of
    the last RECENT_DAYS days, newest first."""
    waiting = list(
        ctx.session.exec(
            select(OwnerChange)
            .where(literal_is(col(OwnerChange.state), S.declared))
            .order_by(col(OwnerChange.created_at), col(OwnerChange.id))
            .limit(limit)
        )
    )
    since = ctx.now - timedelta(days=RECENT_DAYS)
    others = list(
        ctx.session.exec(
            select(OwnerChange)
            .where(col(OwnerChange.created_at) >= since, OwnerChange.state != S.declared)
            .order_by(col(OwnerChange.created_at).desc(), col(OwnerChange.id).desc())
            .limit(limit)
        )
    )
    return (waiting + others)[:limit]


def of_room(ctx: Ctx, unit_id: int) -> list[OwnerChange]:
    """A unit's declarations, newest first."""
    statement = (
        select(OwnerChange)
        .where(OwnerChange.unit_id == unit_id)
        .order_by(col(OwnerChange.created_at).desc(), col(OwnerChange.id).desc())
    )
    return list(ctx.session.exec(statement))


def summary(found: OwnerChange, *, masked: bool = True) -> str:
    """What the declaration changes, in one line a list or the board can show: phones masked,
    names too unless `masked` is False (a room's history); `李* 138****5678→139****1234`."""
    name = mask_name if masked else str.strip
    parts: list[str] = []
    who = name(found.name_from or found.name_to or "")
    if found.change == "sale":
        parts.append(t("owner_change_ui.sale_line", owner=name(found.name_to or "")))
    elif found.change in ("add", "remove"):
        parts.append(t(f"owner_change_ui.{found.change}_line", name=who))
    else:
        parts.append(who)
    if found.change == "amend" and found.name_to is not None:
        parts.append(f"{name(found.name_from)}→{name(found.name_to)}")
    if found.change == "amend" and found.phone_to is not None:
        parts.append(f"{mask_phone(found.phone_from)}→{mask_phone(found.phone_to)}")
    if found.change == "amend" and found.kind_to is not None:
        before = t(f"resident_kind.{found.kind_from}") if found.kind_from else ""
        parts.append(f"{before}→{t(f'resident_kind.{found.kind_to}')}")
    return " ".join(part for part in parts if part)


def open_items(ctx: Ctx) -> list[OpenItem]:
    """Declarations awaiting application, for the board and the handover."""
    statement = (
        select(OwnerChange)
        .where(literal_is(col(OwnerChange.state), S.declared))
        .order_by(col(OwnerChange.created_at))
        .limit(500)
    )
    return [
        OpenItem(
            register=REGISTER,
            record_id=found.id or 0,
            number=found.number,
            room=found.room,
            summary=summary(found),
            state=found.state,
            opened_at=found.created_at,
            due_at=found.apply_due_at,
            due_kind="apply",
        )
        for found in ctx.session.exec(statement)
    ]


def refused_by_phone_since(ctx: Ctx, unit_id: int, since: datetime) -> int:
    """Identity checks by phone that failed for a unit since `since`."""
    statement = select(func.count()).where(
        OwnerChange.unit_id == unit_id,
        OwnerChange.state == S.refused,
        OwnerChange.channel == "phone",
        col(OwnerChange.created_at) >= since,
    )
    return int(ctx.session.exec(statement).one())


# --- what a sale leaves for the clerk to settle -------------------------------------------


@dataclass(frozen=True)
class SettleLine:
    """One kind of open thing of the room: how many, and the first few by number."""

    register: str
    count: int
    numbers: tuple[str, ...]


SHOWN = 5


def _line(register: str, rows: list[Any], label: Any) -> SettleLine:
    return SettleLine(register, len(rows), tuple(str(label(row)) for row in rows[:SHOWN]))


def to_settle(ctx: Ctx, room: str) -> list[SettleLine]:
    """What is still open for a room, read-only, for the clerk to settle when it changes hands:
    entrusted keys still at the desk, open repairs and complaints, passes still valid, keys out
    on loan for it, renovations not yet over, and the residents other than its owners (the
    old owner's tenants and family). Only the kinds that have any."""
    session = ctx.session
    entrusted = list(
        session.exec(
            select(EntrustedKey).where(
                EntrustedKey.room == room, EntrustedKey.state != EntrustedState.collected
            )
        )
    )
    repairs = list(
        session.exec(
            select(RepairOrder).where(
                RepairOrder.room == room, col(RepairOrder.state).in_(OPEN_REPAIR_STATES)
            )
        )
    )
    complaints = list(
        session.exec(
            select(Complaint).where(
                Complaint.room == room, col(Complaint.state).in_(OPEN_COMPLAINT_STATES)
            )
        )
    )
    passes = list(
        session.exec(
            select(ReleasePass).where(
                ReleasePass.room == room,
                ReleasePass.state == PassState.issued,
                col(ReleasePass.valid_until) >= ctx.now,
            )
        )
    )
    loans = list(
        session.exec(
            select(KeyLoan)
            .join(Key, col(Key.id) == KeyLoan.key_id)
            .where(
                (KeyLoan.room == room) | (Key.room == room),
                col(KeyLoan.state).in_(OPEN_LOAN_STATES),
            )
        )
    )
    renovations = list(
        session.exec(
            select(Renovation).where(
                Renovation.room == room, col(Renovation.state).in_(OPEN_RENOVATION_STATES)
            )
        )
    )
    lines = [
        _line("entrusted_keys", entrusted, lambda row: row.number),
        _line("repairs", repairs, lambda row: row.number),
        _line("complaints", complaints, lambda row: row.number),
        _line("passes", passes, lambda row: row.number),
        _line("key_loans", loans, lambda row: row.number),
        _line("renovations", renovations, lambda row: row.number),
    ]
    return [line for line in lines if line.count]


def others_on_record(ctx: Ctx, unit_id: int) -> list[Resident]:
    """The room's active residents who are not its owners (tenants, family)."""
    statement = (
        select(Resident)
        .where(
            Resident.unit_id == unit_id,
            col(Resident.active),
            Resident.kind != ResidentKind.owner,
        )
        .order_by(col(Resident.id))
    )
    return list(ctx.session.exec(statement))
