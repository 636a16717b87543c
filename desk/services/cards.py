"""Register 10: resident cards (001 「业主卡办理」) — apply, ready, issue, renew, lost, replace,
expire, return, cancel; a sale cancels the room's cards; the gate checks a card by its number.

Only an owner of the room applies, in person: the ID checked (its type and last 4 kept, never
the whole number), the card's terms explained (an owner card is long-term, a resident card valid
`[cards] resident_months` from its issue) and the owner's signature. The holder is a resident of
the room on file; a tenant's card too is applied for by the owner. A lost card is replaced by a
new one for the site's fee (补办工本费) with its receipt; the new card names the one it replaces.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import select

from desk.i18n import listed, t
from desk.models import (
    LIVE_CARD_STATES,
    CardKind,
    CardState,
    HolderRelation,
    IdType,
    LostVia,
    Resident,
    ResidentCard,
    ResidentKind,
    Unit,
)
from desk.services import audit, limits, pass_checks
from desk.services.card_queries import (
    PREFIX,
    REGISTER,
    CardFilter,
    CardStatus,
    canonical_number,
    expiring,
    find,
    get,
    here,
    is_card_number,
    listing,
    live_of_holder,
    months_after,
    of_room,
    open_items,
    parse_number,
    status_of,
    today,
    waiting,
)
from desk.services.context import Ctx
from desk.services.errors import DeskError, NotFound
from desk.services.lifecycle import Lifecycle, Step
from desk.services.numbering import next_number
from desk.services.residents import clean_text, find_unit, normalise_room, residents_of
from desk.services.submission import Submission, gather
from desk.services.when import happened

__all__ = [
    "LIFECYCLE",
    "PREFIX",
    "REGISTER",
    "CardApply",
    "CardFilter",
    "CardStatus",
    "GateCheck",
    "allowed_actions",
    "apply",
    "cancel",
    "cancel_for_sale",
    "canonical_number",
    "expiring",
    "find",
    "gate_check",
    "gate_refusal",
    "get",
    "is_card_number",
    "issue",
    "listing",
    "make_ready",
    "mark_expired",
    "of_room",
    "open_items",
    "renew",
    "replace",
    "report_lost",
    "status_of",
    "take_back",
    "today",
    "waiting",
]

# how far ahead a pick-up day may be agreed
MAX_PICKUP_DAYS = 60
S = CardState


def _resident_card(card: Any) -> bool:
    return bool(card.kind == CardKind.resident)


# A card's steps. Renewing and marking expired are a resident card's only (an owner card has no
# expiry: the service refuses them, and no key is offered); nothing leads out of an ended state.
LIFECYCLE: Lifecycle[CardState] = Lifecycle(
    "card_error.cannot",
    {
        "ready": Step((S.applied,), to=S.ready, refusal="card_error.cannot_ready"),
        "issue": Step((S.ready,), to=S.issued, refusal="card_error.cannot_issue"),
        "renew": Step(
            (S.issued, S.expired), offer_if=_resident_card, refusal="card_error.cannot_renew"
        ),
        "lost": Step((S.issued,), to=S.lost, refusal="card_error.cannot_lose"),
        "replace": Step((S.lost,), to=S.replaced, refusal="card_error.cannot_replace"),
        "expire": Step(
            (S.issued,), to=S.expired, offer_if=_resident_card, refusal="card_error.cannot_expire"
        ),
        "take_back": Step((S.issued, S.expired), to=S.returned, refusal="card_error.cannot_return"),
        "cancel": Step(LIVE_CARD_STATES, to=S.cancelled, refusal="card_error.cannot_cancel"),
    },
    state_words="card_state",
)


class CardApply(Submission):
    room: str = ""
    # the holder: a resident of the room on file, by name
    holder: str = ""
    holder_relation: HolderRelation = HolderRelation.owner
    # the applicant: an owner of the room on file, in person
    applicant: str = ""
    id_type: IdType = IdType.id_card
    id_last4: str = ""
    photos_given: bool = False
    terms_explained: bool = False
    owner_signed: bool = False
    # None: ready at once (today)
    pickup_on: date | None = None


# --- applying -----------------------------------------------------------------------------


def _unit(ctx: Ctx, room: str) -> Unit:
    typed = clean_text(room, limits.max_length(ResidentCard, "room"), field="room", required=True)
    unit = find_unit(ctx, typed)
    if unit is None:
        raise DeskError("card_error.unknown_room", field="room", room=typed)
    return unit


def _on_file(ctx: Ctx, unit: Unit | None) -> list[Resident]:
    if unit is None or unit.id is None:
        return []
    return [r for r in residents_of(ctx, unit.id) if r.active]


def _applicant(ctx: Ctx, unit: Unit | None, name: str) -> Resident | None:
    """The owner applying: an owner of the room on file (a tenant applies for nothing)."""
    typed = clean_text(
        name, limits.max_length(ResidentCard, "applicant"), field="applicant", required=True
    )
    if unit is None:
        return None  # the room's own refusal says why
    owners = [r for r in _on_file(ctx, unit) if r.kind == ResidentKind.owner]
    found = next((r for r in owners if r.name == typed), None)
    if found is None:
        raise DeskError(
            "card_error.applicant_not_owner",
            field="applicant",
            name=typed,
            owners=listed(o.name for o in owners) or "—",
        )
    return found


def _holder(ctx: Ctx, unit: Unit | None, name: str, relation: HolderRelation) -> Resident | None:
    """The holder: a resident of the room on file, an owner for an owner card."""
    most = limits.max_length(ResidentCard, "holder")
    typed = clean_text(name, most, field="card_holder", required=True)
    if unit is None:
        return None
    people = _on_file(ctx, unit)
    found = next((r for r in people if r.name == typed), None)
    if found is None:
        raise DeskError(
            "card_error.holder_not_resident",
            field="card_holder",
            name=typed,
            residents=listed(r.name for r in people) or "—",
        )
    if relation == HolderRelation.owner and found.kind != ResidentKind.owner:
        raise DeskError("card_error.owner_card_for_owner", field="holder_relation", name=typed)
    if relation == HolderRelation.tenant and found.kind != ResidentKind.tenant:
        raise DeskError("card_error.not_a_tenant", field="holder_relation", name=typed)
    live = live_of_holder(ctx, found.id or 0)
    if live is not None:
        raise DeskError(
            "card_error.holder_has_card",
            field="card_holder",
            name=typed,
            number=live.number,
            state=_state_words(live.state),
        )
    return found


def _state_words(state: str) -> str:
    return t(f"card_state.{state}")


def _yes(answer: bool, key: str, field: str) -> bool:
    if answer is not True:
        raise DeskError(key, field=field)
    return True


def _pickup(ctx: Ctx, day: date | None) -> date:
    """The agreed pick-up day: today (ready at once) unless given; never past, not too far."""
    found = day or today(ctx)
    if found < today(ctx):
        raise DeskError("card_error.pickup_past", field="pickup_on")
    if (found - today(ctx)).days > MAX_PICKUP_DAYS:
        raise DeskError("card_error.pickup_far", field="pickup_on", days=MAX_PICKUP_DAYS)
    return found


def apply(ctx: Ctx, data: CardApply) -> ResidentCard:
    """An owner applies in person for a card for a resident of the room; every field is checked
    and every refusal given at once."""
    relation = HolderRelation(data.holder_relation)
    try:
        unit: Unit | None = _unit(ctx, data.room)
    except DeskError:
        unit = None
    readers: dict[str, Callable[[], Any]] = {
        "room": lambda: _unit(ctx, data.room),
        "applicant": lambda: _applicant(ctx, unit, data.applicant),
        "id_last4": lambda: pass_checks.last4(data.id_last4, IdType(data.id_type)),
        "card_holder": lambda: _holder(ctx, unit, data.holder, relation),
        "terms_explained": lambda: _yes(
            data.terms_explained, "card_error.terms_not_explained", "terms_explained"
        ),
        "owner_signed": lambda: _yes(data.owner_signed, "card_error.not_signed", "owner_signed"),
        "pickup_on": lambda: _pickup(ctx, data.pickup_on),
    }
    checked = gather(readers)
    found_unit: Unit = checked["room"]
    applicant: Resident = checked["applicant"]
    holder: Resident = checked["card_holder"]
    kind = CardKind.owner if relation == HolderRelation.owner else CardKind.resident
    card = ResidentCard(
        number=next_number(ctx, PREFIX),
        room=found_unit.code,
        kind=kind,
        holder_resident_id=holder.id or 0,
        holder=holder.name,
        holder_relation=relation,
        applicant_resident_id=applicant.id or 0,
        applicant=applicant.name,
        id_type=IdType(data.id_type),
        id_last4=checked["id_last4"],
        photos_given=bool(data.photos_given),
        terms_explained=True,
        owner_signed=True,
        pickup_on=checked["pickup_on"],
        operator_id=ctx.acting(),
        created_at=ctx.now,
    )
    ctx.session.add(card)
    ctx.session.flush()
    audit.record(
        ctx,
        REGISTER,
        card.id,
        "applied",
        {
            "room": card.room,
            "kind": kind,
            "holder": card.holder,
            "holder_relation": relation,
            "applicant": card.applicant,
            "id_type": card.id_type,
            "photos_given": card.photos_given,
            "pickup_on": card.pickup_on,
        },
    )
    return card


# --- the card's steps ---------------------------------------------------------------------


def _step(ctx: Ctx, card_id: int, action: str, *, lock: bool = False) -> ResidentCard:
    ctx.acting()
    LIFECYCLE.permit(ctx, action)
    card = _locked(ctx, card_id) if lock else get(ctx, card_id)
    LIFECYCLE.require(card, action)
    return card


def _locked(ctx: Ctx, card_id: int) -> ResidentCard:
    """The card, its row locked until the transaction ends (PostgreSQL; SQLite's writers are
    serialised already): two desks do not both replace or cancel one card. Changes not yet
    flushed are kept (the statement flushes them first)."""
    statement = select(ResidentCard).where(ResidentCard.id == card_id).with_for_update()
    card = ctx.session.exec(statement).first()
    if card is None:
        raise NotFound("record.not_found", id=card_id)
    return card


def _name(value: str, field: str, column: str) -> str:
    return clean_text(value, limits.max_length(ResidentCard, column), field=field, required=True)


def make_ready(ctx: Ctx, card_id: int, photos_given: bool = False) -> ResidentCard:
    """The card is made and waits at the desk; it needs the holder's photos (given now or with
    the application)."""
    card = _step(ctx, card_id, "ready")
    if not (card.photos_given or photos_given):
        raise DeskError("card_error.no_photos", field="photos_given", number=card.number)
    newly = not card.photos_given
    card.photos_given = True
    card.ready_at = ctx.now
    card.state = CardState.ready
    ctx.session.add(card)
    audit.record(ctx, REGISTER, card.id, "ready", {"photos_given_now": newly})
    return card


def issue(ctx: Ctx, card_id: int, collected_by: str) -> ResidentCard:
    """The card is handed over; a resident card is valid from today for the site's months."""
    card = _step(ctx, card_id, "issue")
    who = _name(collected_by, "collected_by", "collected_by")
    day = today(ctx)
    card.collected_by = who
    card.issued_at = ctx.now
    card.valid_from = day
    if card.kind == CardKind.resident:
        card.valid_until = months_after(day, ctx.settings.cards.resident_months)
    card.state = CardState.issued
    ctx.session.add(card)
    audit.record(
        ctx, REGISTER, card.id, "issued", {"collected_by": who, "valid_until": card.valid_until}
    )
    return card


def _no_expiry(card: ResidentCard) -> None:
    if card.kind == CardKind.owner or card.valid_until is None:
        raise DeskError("card_error.owner_no_expiry", number=card.number)


def renew(ctx: Ctx, card_id: int) -> ResidentCard:
    """A resident card runs another `resident_months` from the later of today and its old last
    day (an expired one is issued again); an owner card has no expiry to renew."""
    card = _step(ctx, card_id, "renew")
    _no_expiry(card)
    assert card.valid_until is not None
    before = card.valid_until
    card.valid_until = months_after(max(today(ctx), before), ctx.settings.cards.resident_months)
    card.renewals += 1
    card.renewed_at = ctx.now
    card.state = CardState.issued
    ctx.session.add(card)
    data = {"from": before, "to": card.valid_until, "renewals": card.renewals}
    audit.record(ctx, REGISTER, card.id, "renewed", data)
    return card


def report_lost(
    ctx: Ctx,
    card_id: int,
    reported_by: str,
    via: LostVia | str,
    note: str = "",
    reported_at: datetime | None = None,
) -> ResidentCard:
    """The card was reported lost, by phone or in person: who, how and when are kept. From now
    on the gate refuses it."""
    card = _step(ctx, card_id, "lost", lock=True)
    checked = gather(
        {
            "lost_reported_by": lambda: _name(reported_by, "lost_reported_by", "lost_reported_by"),
            "lost_via": lambda: _via(via),
            "lost_reported_at": lambda: happened(reported_at, ctx.now, "lost_reported_at"),
            "lost_note": lambda: clean_text(
                note, limits.max_length(ResidentCard, "lost_note"), field="lost_note"
            ),
        }
    )
    card.lost_reported_by = checked["lost_reported_by"]
    card.lost_via = checked["lost_via"]
    card.lost_reported_at = checked["lost_reported_at"]
    card.lost_note = checked["lost_note"]
    card.state = CardState.lost
    ctx.session.add(card)
    data = {
        "reported_by": card.lost_reported_by,
        "via": card.lost_via,
        "reported_at": card.lost_reported_at,
        "note": card.lost_note,
    }
    audit.record(ctx, REGISTER, card.id, "lost", data)
    return card


def _via(value: LostVia | str) -> str:
    try:
        return LostVia(value).value
    except ValueError as exc:
        raise DeskError("card_error.bad_via", field="lost_via") from exc


def fee_fen(ctx: Ctx) -> int:
    """The site's replacement fee, in fen."""
    return int(Decimal(ctx.settings.cards.replacement_fee) * 100)


def replace(ctx: Ctx, card_id: int, receipt: str, collected_by: str) -> ResidentCard:
    """A new card for a lost one, for the site's fee (its receipt kept): the same holder, room
    and kind, a resident card valid to the same day; the lost card names it. Returns the new
    card."""
    lost = _step(ctx, card_id, "replace", lock=True)
    checked = gather(
        {
            "replacement_receipt": lambda: _name(
                receipt, "replacement_receipt", "replacement_receipt"
            ),
            "collected_by": lambda: _name(collected_by, "collected_by", "collected_by"),
        }
    )
    if lost.valid_until is not None and today(ctx) > lost.valid_until:
        raise DeskError(
            "card_error.replace_expired", number=lost.number, until=lost.valid_until.isoformat()
        )
    holder = ctx.session.get(Resident, lost.holder_resident_id)
    if holder is None or not holder.active:
        raise DeskError("card_error.holder_gone", number=lost.number, name=lost.holder)
    fee = fee_fen(ctx)
    card = ResidentCard(
        number=next_number(ctx, PREFIX),
        room=lost.room,
        kind=lost.kind,
        holder_resident_id=lost.holder_resident_id,
        holder=lost.holder,
        holder_relation=lost.holder_relation,
        applicant_resident_id=lost.applicant_resident_id,
        applicant=lost.applicant,
        id_type=lost.id_type,
        id_last4=lost.id_last4,
        photos_given=True,
        terms_explained=lost.terms_explained,
        owner_signed=lost.owner_signed,
        pickup_on=today(ctx),
        state=CardState.issued,
        ready_at=ctx.now,
        issued_at=ctx.now,
        collected_by=checked["collected_by"],
        valid_from=today(ctx),
        valid_until=lost.valid_until,
        replaces_id=lost.id,
        replacement_fee_fen=fee,
        replacement_receipt=checked["replacement_receipt"],
        operator_id=ctx.acting(),
        created_at=ctx.now,
    )
    ctx.session.add(card)
    ctx.session.flush()
    lost.replaced_by_id = card.id
    lost.state = CardState.replaced
    ctx.session.add(lost)
    money = {"fee_fen": fee, "receipt": card.replacement_receipt}
    audit.record(ctx, REGISTER, lost.id, "replaced", {"by": card.number, **money})
    audit.record(
        ctx,
        REGISTER,
        card.id,
        "replacement_issued",
        {
            "replaces": lost.number,
            "room": card.room,
            "kind": card.kind,
            "holder": card.holder,
            "collected_by": card.collected_by,
            "valid_until": card.valid_until,
            **money,
        },
    )
    return card


def mark_expired(ctx: Ctx, card_id: int) -> ResidentCard:
    """A resident card past its last day is marked expired (renewing it issues it again)."""
    card = _step(ctx, card_id, "expire")
    _no_expiry(card)
    assert card.valid_until is not None
    if today(ctx) <= card.valid_until:
        raise DeskError(
            "card_error.not_yet_expired", number=card.number, until=card.valid_until.isoformat()
        )
    card.expired_at = ctx.now
    card.state = CardState.expired
    ctx.session.add(card)
    audit.record(ctx, REGISTER, card.id, "expired", {"valid_until": card.valid_until})
    return card


def take_back(ctx: Ctx, card_id: int, returned_by: str) -> ResidentCard:
    """The card was handed back to the desk (a resident moving out)."""
    card = _step(ctx, card_id, "take_back")
    who = _name(returned_by, "returned_by", "returned_by")
    card.returned_by = who
    card.returned_at = ctx.now
    card.state = CardState.returned
    ctx.session.add(card)
    audit.record(ctx, REGISTER, card.id, "returned", {"returned_by": who})
    return card


def _reason(reason: str) -> str:
    most = limits.max_length(ResidentCard, "cancel_reason")
    return clean_text(reason, most, field="reason", required=True)


def _cancel(ctx: Ctx, card: ResidentCard, reason: str, data: dict[str, Any]) -> None:
    card.cancel_reason = reason
    card.cancelled_at = ctx.now
    card.state = CardState.cancelled
    ctx.session.add(card)
    audit.record(ctx, REGISTER, card.id, "cancelled", data, reason=reason)


def cancel(ctx: Ctx, card_id: int, reason: str) -> ResidentCard:
    """The card is withdrawn (the owner's request, a resident gone): the gate refuses it."""
    card = _step(ctx, card_id, "cancel", lock=True)
    why = _reason(reason)
    _cancel(ctx, card, why, {"from": card.state})
    return card


def cancel_for_sale(ctx: Ctx, room: str, reason: str) -> list[ResidentCard]:
    """The room was sold: every card of it that has not ended (being made, waiting, issued, or
    lost and not replaced) is cancelled, with `reason`. Returns them (none: an empty list)."""
    why = _reason(reason)
    ctx.acting()
    unit = find_unit(ctx, room)
    code = unit.code if unit is not None else normalise_room(room)
    cancelled = []
    for found in of_room(ctx, code):
        if found.state not in LIVE_CARD_STATES:
            continue
        card = _locked(ctx, found.id or 0)
        if card.state not in LIVE_CARD_STATES:
            continue
        _cancel(ctx, card, why, {"from": card.state, "sale": True})
        cancelled.append(card)
    return cancelled


def allowed_actions(ctx: Ctx, card: ResidentCard | None) -> frozenset[str]:
    """The steps a screen offers for this card now: marking expired only once its last day has
    passed (the clock has its say there)."""
    offered = LIFECYCLE.offered(card)
    unexpired = card is not None and (card.valid_until is None or today(ctx) <= card.valid_until)
    if unexpired and "expire" in offered:
        offered -= {"expire"}
    return offered


# --- at the gate --------------------------------------------------------------------------


@dataclass(frozen=True)
class GateCheck:
    """A card number checked at the gate: the card (None: not on file here) and why it may not
    pass (None: it may)."""

    card: ResidentCard | None
    refusal: DeskError | None

    @property
    def valid(self) -> bool:
        return self.card is not None and self.refusal is None


def _show(ctx: Ctx, moment: datetime | None) -> str:
    return moment.astimezone(ctx.tz).strftime("%Y-%m-%d %H:%M") if moment else ""


def gate_refusal(ctx: Ctx, card: ResidentCard | None, typed: str) -> DeskError | None:
    """Why this card may not be let through now (each case in its own words), or None."""
    if card is None:
        parsed = parse_number(typed)
        if parsed is not None and parsed[0] and parsed[0] != here(ctx):
            return DeskError("card_error.gate_other_estate", number=typed.strip(), code=parsed[0])
        return DeskError("card_error.gate_unknown", number=typed.strip())
    number = card.number
    if card.state in (CardState.applied, CardState.ready):
        return DeskError("card_error.gate_not_issued", number=number)
    if card.state == CardState.lost:
        return DeskError(
            "card_error.gate_lost",
            number=number,
            at=_show(ctx, card.lost_reported_at),
            who=card.lost_reported_by,
        )
    if card.state == CardState.replaced:
        newer = ctx.session.get(ResidentCard, card.replaced_by_id) if card.replaced_by_id else None
        return DeskError(
            "card_error.gate_replaced", number=number, new=newer.number if newer else ""
        )
    if card.state == CardState.cancelled:
        return DeskError("card_error.gate_cancelled", number=number, reason=card.cancel_reason)
    if card.state == CardState.returned:
        return DeskError("card_error.gate_returned", number=number)
    if status_of(card, today(ctx)) == CardStatus.expired:
        until = card.valid_until.isoformat() if card.valid_until else ""
        return DeskError("card_error.gate_expired", number=number, until=until)
    return None


def gate_check(ctx: Ctx, typed: str, guard: str = "") -> GateCheck:
    """The gate typed or scanned a card number: the card on file is counted and the check
    audited, let through or not (a lost card shown at the gate leaves its trace); a number not
    on file here writes nothing."""
    card = find(ctx, typed, for_update=True)
    refused = gate_refusal(ctx, card, typed)
    if card is not None:
        card.gate_checks += 1
        card.last_gate_check_at = ctx.now
        ctx.session.add(card)
        data: dict[str, Any] = {"valid": refused is None, "guard": guard[:60]}
        if refused is not None:
            data["refused"] = refused.key.rsplit(".", 1)[-1]
        data["at_desk"] = ctx.operator is not None
        audit.record(ctx, REGISTER, card.id, "gate_checked", data)
    return GateCheck(card, refused)
