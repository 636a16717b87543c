"""Register 10: resident cards (业主卡 / 住户卡, 001 「业主卡办理」).

The owner applies in person for a card for a resident of the room: an owner card (no expiry) for
an owner, a resident card (valid a few months from its issue, renewable) for a tenant or a family
member. The card is made ready at once or by an agreed pick-up day, issued, and may be reported
lost (then replaced by a new card, for a fee), handed back, cancelled, or run out of its date.
The gate terminal checks a card by its number.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, String
from sqlmodel import Field

from desk.models.base import Record, in_sql, partial_index, text, when
from desk.models.estate import InEstate, estate_column
from desk.models.passes import IdType


class CardKind(StrEnum):
    owner = "owner"  # 业主卡: long-term
    resident = "resident"  # 住户卡: valid `[cards] resident_months` from its issue


class HolderRelation(StrEnum):
    """Who the holder is to the room: the owner gets an owner card, the others a resident card."""

    owner = "owner"
    family = "family"
    tenant = "tenant"


class CardState(StrEnum):
    applied = "applied"
    ready = "ready"
    issued = "issued"
    lost = "lost"
    # a new card was issued for this lost one (`replaced_by_id`)
    replaced = "replaced"
    # a resident card past its date, marked so (until then its status is read off the date)
    expired = "expired"
    returned = "returned"
    cancelled = "cancelled"


class LostVia(StrEnum):
    phone = "phone"
    visit = "visit"


# the card is being made, or waits at the desk for the owner
WAITING_CARD_STATES = (CardState.applied, CardState.ready)
# a card that has not ended: a sale of the room cancels these
LIVE_CARD_STATES = (CardState.applied, CardState.ready, CardState.issued, CardState.lost)


class ResidentCard(InEstate, Record, table=True):
    __tablename__ = "resident_card"
    __table_args__ = (
        Index("ix_resident_card_room_state", "room", "state"),
        partial_index(
            "ix_resident_card_waiting", "pickup_on", where=in_sql("state", WAITING_CARD_STATES)
        ),
        partial_index(
            "ix_resident_card_resident_issued",
            "valid_until",
            where="state = 'issued' AND kind = 'resident'",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    # the number printed on the card: what the gate types (KA-20261123-001)
    number: str = Field(max_length=30, unique=True)
    room: str = text(45)
    kind: CardKind = Field(sa_type=String(20))
    # the holder, a resident of the room in the directory (the name kept as it was then)
    holder_resident_id: int = Field(foreign_key="resident.id", index=True)
    holder: str = text(60)
    holder_relation: HolderRelation = Field(sa_type=String(20))
    # the applicant: an owner of the room, in person, ID checked (its type and last 4 only)
    applicant_resident_id: int = Field(foreign_key="resident.id")
    applicant: str = text(60)
    id_type: IdType = Field(sa_type=String(20))
    id_last4: str = text(4)
    photos_given: bool = False
    terms_explained: bool = False
    owner_signed: bool = False
    # ready at once (today) or on the day agreed with the owner
    pickup_on: date
    state: CardState = Field(sa_type=String(20), default=CardState.applied)
    ready_at: datetime | None = when()
    issued_at: datetime | None = when()
    collected_by: str = text(60)
    valid_from: date | None = None
    # a resident card's last valid day (an owner card: none)
    valid_until: date | None = None
    renewals: int = 0
    renewed_at: datetime | None = when()
    lost_reported_at: datetime | None = when()
    lost_reported_by: str = text(60)
    lost_via: str = text(20)
    lost_note: str = text(500)
    # a replacement: the lost card it replaces, the fee (fen) and its receipt; the lost card
    # names the card that replaced it
    replaces_id: int | None = Field(default=None, foreign_key="resident_card.id")
    replaced_by_id: int | None = Field(default=None, foreign_key="resident_card.id")
    replacement_fee_fen: int = 0
    replacement_receipt: str = text(40)
    expired_at: datetime | None = when()
    returned_at: datetime | None = when()
    returned_by: str = text(60)
    cancelled_at: datetime | None = when()
    cancel_reason: str = text(500)
    gate_checks: int = 0
    last_gate_check_at: datetime | None = when()
    operator_id: int = Field(foreign_key="operator.id")
    created_at: datetime = when(nullable=False, index=True)
    estate_id: int | None = estate_column()
