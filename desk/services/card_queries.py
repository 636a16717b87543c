"""Reading resident cards: by number (as the gate types it), their status on a day, the list and
its filters, and what the board and the handover owe (cards waiting for the owner, resident
cards running out)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import or_
from sqlmodel import col, select

from desk.models import (
    LIVE_CARD_STATES,
    WAITING_CARD_STATES,
    CardKind,
    CardState,
    ResidentCard,
)
from desk.models.base import literal_in, literal_is
from desk.services import estates
from desk.services.context import Ctx
from desk.services.errors import NotFound
from desk.services.open_item import OpenItem
from desk.services.residents import mask_name, normalise_room

REGISTER = "cards"
PREFIX = "KA"
# an estate other than the default one puts its code first: HG-KA-20261123-007; unlike a
# pass's, a card's number is never read from its digits alone (the gate takes those for a pass)
_NUMBER = re.compile(r"^(?:([A-Z0-9]{2,8}?)KA|KA)(\d{8})(\d{3,4})$")
# cards that ended: nothing more can be done with them
ENDED_CARD_STATES = (CardState.replaced, CardState.expired, CardState.returned, CardState.cancelled)
LIST_LIMIT = 500


class CardStatus(StrEnum):
    """A card's status on a day: its stored state, with a resident card's date read."""

    applied = "applied"
    ready = "ready"
    valid = "valid"
    expired = "expired"
    lost = "lost"
    replaced = "replaced"
    returned = "returned"
    cancelled = "cancelled"


class CardFilter(StrEnum):
    """The list's filters by state, in the order the key cycles them."""

    live = "live"  # not ended: applied, ready, issued, lost
    waiting = "waiting"  # being made or waiting to be picked up
    expiring = "expiring"  # resident cards running out within the site's window (or past)
    lost = "lost"
    ended = "ended"
    all = "all"


def status_of(card: ResidentCard, today: date) -> CardStatus:
    """The card's status on `today`: an issued resident card past its last day is expired."""
    if card.state == CardState.issued:
        past = card.valid_until is not None and today > card.valid_until
        return CardStatus.expired if past else CardStatus.valid
    return CardStatus(str(card.state))


def today(ctx: Ctx) -> date:
    return ctx.now.astimezone(ctx.tz).date()


def months_after(day: date, months: int) -> date:
    """`day` plus whole months, the month's last day when it is shorter (30 Nov + 3 = 28/29 Feb)."""
    found: date = day + relativedelta(months=months)
    return found


def get(ctx: Ctx, card_id: int) -> ResidentCard:
    found = ctx.session.get(ResidentCard, card_id)
    if found is None:
        raise NotFound("record.not_found", id=card_id)
    return found


def parse_number(typed: str) -> tuple[str, str] | None:
    """(estate code or "", the number without it) of a card number as typed or scanned: any case,
    with or without dashes; None when it is no card number."""
    compact = re.sub(r"[^0-9A-Z]", "", typed.upper())
    match = _NUMBER.match(compact)
    if match is None:
        return None
    return match.group(1) or "", f"{PREFIX}-{match.group(2)}-{match.group(3)}"


def is_card_number(typed: str) -> bool:
    return parse_number(typed) is not None


def canonical_number(typed: str, estate: str = "") -> str | None:
    """`KA-20261123-007` (`HG-KA-…` in estate HG) from what was typed; `estate` is the code put
    first when none was typed."""
    parsed = parse_number(typed)
    if parsed is None:
        return None
    code = parsed[0] or estate
    return f"{code}-{parsed[1]}" if code else parsed[1]


def here(ctx: Ctx) -> str:
    """The code this session's numbers carry ("" in the default estate or at the call centre)."""
    return estates.number_prefix(ctx).rstrip("-") if estates.chosen(ctx) else ""


def find(ctx: Ctx, number: str, *, for_update: bool = False) -> ResidentCard | None:
    """The card with this number as typed, or None; `for_update` locks its row (PostgreSQL)."""
    canonical = canonical_number(number, here(ctx))
    if canonical is None:
        return None
    statement = select(ResidentCard).where(ResidentCard.number == canonical)
    if for_update:
        statement = statement.with_for_update()
    return ctx.session.exec(statement).first()


def of_room(ctx: Ctx, room: str) -> list[ResidentCard]:
    """Every card of a room, newest first."""
    statement = (
        select(ResidentCard)
        .where(ResidentCard.room == normalise_room(room))
        .order_by(col(ResidentCard.created_at).desc(), col(ResidentCard.id).desc())
    )
    return list(ctx.session.exec(statement))


def live_of_holder(ctx: Ctx, resident_id: int) -> ResidentCard | None:
    """The holder's card that has not ended, if any (one at a time)."""
    statement = select(ResidentCard).where(
        ResidentCard.holder_resident_id == resident_id,
        col(ResidentCard.state).in_(LIVE_CARD_STATES),
    )
    return ctx.session.exec(statement).first()


def expiring_by(ctx: Ctx) -> date:
    """The last day a resident card may run to and be listed as running out."""
    return today(ctx) + timedelta(days=ctx.settings.cards.expiring_within_days)


def _expiring_condition(ctx: Ctx) -> Any:
    # the partial index's condition, word for word (ix_resident_card_resident_issued)
    return (
        literal_is(col(ResidentCard.state), CardState.issued)
        & literal_is(col(ResidentCard.kind), CardKind.resident)
        & (col(ResidentCard.valid_until) <= expiring_by(ctx))
    )


def _shown_since(ctx: Ctx) -> date:
    return today(ctx) - timedelta(days=ctx.settings.cards.expiring_within_days)


def waiting(ctx: Ctx, limit: int = LIST_LIMIT) -> list[ResidentCard]:
    """Cards being made or waiting at the desk for the owner, by their pick-up day."""
    statement = (
        select(ResidentCard)
        .where(literal_in(col(ResidentCard.state), WAITING_CARD_STATES))
        .order_by(col(ResidentCard.pickup_on), col(ResidentCard.id))
        .limit(limit)
    )
    return list(ctx.session.exec(statement))


def expiring(ctx: Ctx, limit: int = LIST_LIMIT) -> list[ResidentCard]:
    """Issued resident cards whose last day is within the site's window (`[cards]
    expiring_within_days`), and those past it by no more than the same window."""
    statement = (
        select(ResidentCard)
        .where(_expiring_condition(ctx), col(ResidentCard.valid_until) >= _shown_since(ctx))
        .order_by(col(ResidentCard.valid_until), col(ResidentCard.id))
        .limit(limit)
    )
    return list(ctx.session.exec(statement))


def listing(
    ctx: Ctx,
    shown: CardFilter | str = CardFilter.live,
    kind: CardKind | str | None = None,
    text: str = "",
    limit: int = LIST_LIMIT,
) -> list[ResidentCard]:
    """The cards of a filter (and a kind, and a room or name typed), newest first."""
    shown = CardFilter(shown)
    statement = select(ResidentCard)
    if shown == CardFilter.live:
        statement = statement.where(col(ResidentCard.state).in_(LIVE_CARD_STATES))
    elif shown == CardFilter.waiting:
        statement = statement.where(literal_in(col(ResidentCard.state), WAITING_CARD_STATES))
    elif shown == CardFilter.expiring:
        statement = statement.where(_expiring_condition(ctx))
    elif shown == CardFilter.lost:
        statement = statement.where(col(ResidentCard.state) == CardState.lost)
    elif shown == CardFilter.ended:
        statement = statement.where(col(ResidentCard.state).in_(ENDED_CARD_STATES))
    if kind:
        statement = statement.where(col(ResidentCard.kind) == CardKind(kind))
    typed = text.strip()
    number = canonical_number(typed, here(ctx)) if typed else None
    if number is not None:  # a card number, typed or scanned in any form
        statement = statement.where(col(ResidentCard.number) == number)
    elif typed:
        room = normalise_room(typed)
        statement = statement.where(
            or_(
                col(ResidentCard.room) == room,
                col(ResidentCard.room).startswith(room),
                col(ResidentCard.holder).contains(typed),
                col(ResidentCard.applicant).contains(typed),
                col(ResidentCard.number).contains(typed.upper()),
            )
        )
    if shown == CardFilter.expiring:
        statement = statement.order_by(col(ResidentCard.valid_until), col(ResidentCard.id))
    else:
        statement = statement.order_by(
            col(ResidentCard.created_at).desc(), col(ResidentCard.id).desc()
        )
    return list(ctx.session.exec(statement.limit(limit)))


def pickup_due(ctx: Ctx, card: ResidentCard) -> datetime:
    """When a card being made must be ready: the office's opening on the agreed pick-up day."""
    opens = ctx.settings.complaints.office_opens
    return datetime.combine(card.pickup_on, opens, tzinfo=ctx.tz)


def expiry_at(ctx: Ctx, card: ResidentCard) -> datetime | None:
    """The moment a resident card stops being valid: the end of its last day."""
    if card.valid_until is None:
        return None
    return datetime.combine(card.valid_until + timedelta(days=1), time(0, 0), tzinfo=ctx.tz)


def open_items(ctx: Ctx) -> list[OpenItem]:
    """For the board and the handover: cards being made (due by the pick-up day), cards ready
    for the owner to pick up, and resident cards running out within the site's window."""
    items: list[OpenItem] = []
    for card in waiting(ctx):
        ready = card.state == CardState.ready
        items.append(
            OpenItem(
                register=REGISTER,
                record_id=card.id or 0,
                number=card.number,
                room=card.room,
                summary=mask_name(card.holder),
                state=str(card.state),
                opened_at=card.ready_at if ready and card.ready_at else card.created_at,
                due_at=None if ready else pickup_due(ctx, card),
                due_kind="card_pickup" if ready else "card_make",
            )
        )
    for card in expiring(ctx):
        items.append(
            OpenItem(
                register=REGISTER,
                record_id=card.id or 0,
                number=card.number,
                room=card.room,
                summary=mask_name(card.holder),
                state=str(card.state),
                opened_at=card.issued_at or card.created_at,
                due_at=expiry_at(ctx, card),
                due_kind="card_expiry",
            )
        )
    return items
