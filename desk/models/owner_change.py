"""Register 11: owner record changes (业主资料更改, 001), each by a declaration (更改声明).

A change to a resident's record (name, phone, kind; a resident added or leaving the room; the
room sold to a new owner) is declared at the desk: who asked, how their identity was checked (in
person with their ID, or by phone with their ID number checked against the one on record), what
changes from what to what, the owner's signature. A supervisor or the records clerk applies it
to the residents directory; the declaration keeps the old and new values.

An identity check that fails is kept too, as a row in the state `refused`: the record of a
caller turned away (001: 核对身份证号无误后方可办理，并作好记录).

No full ID number is ever stored: the declaration and the resident keep its type and last 4
characters, and a keyed, slow hash of it (`id_proof`, desk.services.id_numbers) with which a
number typed later can be matched without being kept.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, String
from sqlmodel import Field

from desk.models.base import Record, partial_index, text, when
from desk.models.estate import InEstate, estate_column


class ChangeKind(StrEnum):
    amend = "amend"  # a resident's name, phone or kind (owner / tenant / family)
    add = "add"  # a resident added to the room (family member, tenant, co-owner)
    remove = "remove"  # a resident no longer of the room (made inactive, kept on record)
    sale = "sale"  # the room sold: its owners made inactive, the new owner on record


class IdentityCheck(StrEnum):
    """How the person asking was identified."""

    in_person = "in_person"  # at the desk, their ID shown
    phone = "phone"  # by phone: their full ID number checked against the one on record


class IdKind(StrEnum):
    id_card = "id_card"  # 居民身份证: 18 characters, a check digit (GB 11643)
    passport = "passport"
    hk_macau = "hk_macau"  # 港澳居民来往内地通行证
    taiwan = "taiwan"  # 台湾居民来往大陆通行证
    other = "other"


class OwnerChangeState(StrEnum):
    declared = "declared"
    applied = "applied"
    rejected = "rejected"
    withdrawn = "withdrawn"
    # the identity check failed: nothing was declared, the attempt is kept
    refused = "refused"


class Refusal(StrEnum):
    """Why an identity check failed."""

    check_digit = "check_digit"  # not an ID card number: mistyped, or made up
    no_match = "no_match"  # a valid number, but not the one on record
    no_record = "no_record"  # no ID number on record to check a caller against
    too_many = "too_many"  # too many failed checks for this room today: in person only


class OwnerChange(InEstate, Record, table=True):
    __tablename__ = "owner_change"
    __table_args__ = (
        partial_index("ix_owner_change_declared", "created_at", where="state = 'declared'"),
        Index("ix_owner_change_unit_created", "unit_id", "created_at"),
        CheckConstraint("length(id_last4) <= 4", name="owner_change_last4_only"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=30, unique=True)
    unit_id: int = Field(foreign_key="unit.id")
    room: str = text(45, index=True)
    change: ChangeKind = Field(sa_type=String(20))
    # the resident whose record changes (amend, remove); the one made by an add or a sale
    resident_id: int | None = Field(default=None, foreign_key="resident.id")
    # who asked: an owner of the room on record (`asker_id`), or a sale's new owner
    asked_by: str = text(60)
    asker_id: int | None = Field(default=None, foreign_key="resident.id")
    channel: IdentityCheck = Field(sa_type=String(20))
    id_kind: IdKind = Field(sa_type=String(20))
    id_last4: str = text(4)
    # the full number was typed and passed its check (and matched the record, by phone)
    id_number_checked: bool = False
    # the keyed hash of the number typed in person, for the record on application ("" if none)
    id_proof: str = text(64)
    # a sale: the document seen (不动产权证 / 买卖合同 and its number)
    evidence: str = text(200)
    # each field's value before and after ("" / None: not part of this change)
    name_from: str = text(60)
    name_to: str | None = Field(default=None, max_length=60)
    phone_from: str = text(30)
    phone_to: str | None = Field(default=None, max_length=30)
    kind_from: str = text(20)
    kind_to: str | None = Field(default=None, max_length=20)
    # a sale: the owners on record made inactive (names), as they were when it was applied
    old_owners: str = text(200)
    # the owner signed the declaration (in person), and when
    signed: bool = False
    signed_at: datetime | None = when()
    note: str = text(500)
    state: OwnerChangeState = Field(sa_type=String(20), default=OwnerChangeState.declared)
    refusal: str = text(20)
    apply_due_at: datetime | None = when()
    applied_at: datetime | None = when()
    applied_by: int | None = Field(default=None, foreign_key="operator.id")
    closed_at: datetime | None = when()
    closed_by: int | None = Field(default=None, foreign_key="operator.id")
    reason: str = text(500)
    operator_id: int = Field(foreign_key="operator.id")
    created_at: datetime = when(nullable=False, index=True)
    estate_id: int | None = estate_column()


class IdProofKey(Record, table=True):
    """The database's own key for the ID numbers' hashes (one row, made on first use): a hash
    made in one database means nothing in another, and none can be looked up in a table made
    in advance. Not a record of any estate, never exported, never in the audit trail."""

    __tablename__ = "id_proof_key"
    __table_args__ = (CheckConstraint("id = 1", name="id_proof_key_one_row"),)

    id: int = Field(primary_key=True)
    secret: str = Field(max_length=64)
    created_at: datetime = when(nullable=False)
