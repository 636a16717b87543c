"""Register 5: goods release passes (物品放行条), their items, gate checks and stubs."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, String
from sqlmodel import Field

from desk.models.base import Record, partial_index, text, when
from desk.models.estate import InEstate, estate_column


class Relationship(StrEnum):
    owner = "owner"
    tenant = "tenant"
    agent = "agent"


class IdType(StrEnum):
    id_card = "id_card"
    owner_card = "owner_card"
    passport = "passport"
    other = "other"


class PassState(StrEnum):
    issued = "issued"
    used = "used"
    partly_used = "partly_used"
    refused = "refused"
    voided = "voided"


class GateResult(StrEnum):
    all_out = "all_out"
    partly = "partly"
    refused = "refused"


class ReleasePass(InEstate, Record, table=True):
    __tablename__ = "release_pass"
    __table_args__ = (
        Index("ix_release_pass_state_valid", "state", "valid_until"),
        partial_index(
            "ix_pass_open",
            "valid_until",
            where="state = 'issued' AND stub_returned_at IS NULL",
        ),
        partial_index("ix_pass_stub_out", "created_at", "id", where="stub_returned_at IS NULL"),
        partial_index(
            "ix_pass_no_gate_check",
            "created_at",
            "id",
            where="stub_returned_at IS NOT NULL AND gate_checked_at IS NULL AND state != 'voided'",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=30, unique=True)
    room: str = text(45, index=True)
    applicant: str = text(60)
    relationship: Relationship = Field(sa_type=String(20))
    # ID checked: its type and the last 4 characters only — never the full number
    id_type: IdType = Field(sa_type=String(20))
    id_last4: str = text(4)
    owner_phone_called: str = text(30)
    owner_confirmed_at: datetime | None = when()
    owner_confirmed_by: str = text(60)
    owner_confirmed: bool | None = None
    vehicle_plate: str = text(20)
    valid_on: date
    valid_until: datetime = when(nullable=False)
    state: PassState = Field(sa_type=String(20), default=PassState.issued)
    gate_result: str = text(20)
    gate_checked_at: datetime | None = when()
    guard_name: str = text(60)
    gate_note: str = text(500)
    voided_at: datetime | None = when()
    void_reason: str = text(500)
    stub_returned_at: datetime | None = when(index=True)
    stub_received_by: int | None = Field(default=None, foreign_key="operator.id")
    operator_id: int = Field(foreign_key="operator.id")
    created_at: datetime = when(nullable=False, index=True)
    estate_id: int | None = estate_column()


class PassItem(InEstate, Record, table=True):
    __tablename__ = "pass_item"

    id: int | None = Field(default=None, primary_key=True)
    pass_id: int = Field(foreign_key="release_pass.id", index=True)
    line_no: int
    description: str = text(200)
    quantity: int = 1
    remark: str = text(200)
    estate_id: int | None = estate_column()
