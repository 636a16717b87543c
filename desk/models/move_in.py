"""Move-in (入伙 / 入住, 000 篇四.1, 001 入伙办理) and 托管 (a flat left in the office's care).

A case per room: the papers checked, the agreements signed, the fees taken (receipt), the items
handed over and signed for, the meters read and confirmed by the owner, the inspection against
the house-quality checklist (each problem a finding of the shared flow, owner "move_in"), and,
when the owner leaves the flat in our care, 托管: its agreement, the readings at its start, and a
reading at every 托管 patrol (a round of the patrol register linked to the case).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String
from sqlmodel import Field

from desk.models.base import Record, in_sql, partial_index, text, when
from desk.models.estate import InEstate, estate_column


class MoveInState(StrEnum):
    # the appointment is booked
    booked = "booked"
    # the papers checked: agreements, fees, items and meters being done
    in_progress = "in_progress"
    # the flat inspected with the owner: its problems being put right and re-inspected
    inspected = "inspected"
    # every problem accepted, every paper signed, every item signed for
    completed = "completed"
    # the owner left the flat in our care (托管)
    custody = "custody"
    # 托管 ended: the owner took the flat back
    custody_ended = "custody_ended"
    cancelled = "cancelled"


OPEN_MOVE_IN_STATES = (
    MoveInState.booked,
    MoveInState.in_progress,
    MoveInState.inspected,
    MoveInState.custody,
)


class MoveInApplicant(StrEnum):
    owner = "owner"
    # someone with the owner's power of attorney
    agent = "agent"
    # a flat bought by a company
    company = "company"


class ReadingKind(StrEnum):
    # at the handover, confirmed by the owner
    handover = "handover"
    # at the start of 托管
    custody_start = "custody_start"
    # at a 托管 patrol
    patrol = "patrol"
    # at the end of 托管
    custody_end = "custody_end"


class MoveIn(InEstate, Record, table=True):
    __tablename__ = "move_in"
    __table_args__ = (
        Index("ix_move_in_state_booked", "state", "booked_for"),
        partial_index("ix_move_in_open", "booked_for", where=in_sql("state", OPEN_MOVE_IN_STATES)),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=30, unique=True)
    room: str = text(45, index=True)
    owner_name: str = text(60)
    phone: str = text(30)
    applicant_kind: MoveInApplicant = Field(sa_type=String(20))
    # the agent or the company's person who came
    agent_name: str = text(60)
    booked_for: datetime = when(nullable=False, index=True)
    # papers checked (000 四.1 ①; 001 入伙办理 ⑴)
    doc_id: bool = False
    doc_notice: bool = False
    doc_contract: bool = False
    doc_agent_id: bool = False
    doc_attorney: bool = False
    doc_company: bool = False
    # agreements signed (001 入伙办理 ⑶)
    sign_resident_form: bool = False
    sign_covenant: bool = False
    sign_management: bool = False
    sign_bank_mandate: bool = False
    sign_fire_pledge: bool = False
    # the fees taken (001 入伙办理 ⑵), in fen, and finance's receipt
    fee_fen: int = 0
    fee_receipt: str = text(40)
    # items handed over and signed for (《物品领用登记表》)
    keys_handed: int = 0
    handbook_handed: bool = False
    drawings_handed: bool = False
    items_signed_by: str = text(60)
    items_signed_at: datetime | None = when()
    # the meters read at the handover were confirmed by the owner
    meters_confirmed_by: str = text(60)
    state: MoveInState = Field(sa_type=String(20), default=MoveInState.booked)
    checked_at: datetime | None = when()
    inspected_at: datetime | None = when()
    inspected_by: str = text(60)
    # the re-inspection agreed with the owner (the next one)
    reinspect_at: datetime | None = when()
    completed_at: datetime | None = when()
    # 托管: the agreement, its keys in our custody, when it began and ended
    custody_agreement: str = text(40)
    custody_keys: int = 0
    custody_from: datetime | None = when()
    custody_to: datetime | None = when()
    cancelled_at: datetime | None = when()
    cancel_reason: str = text(500)
    note: str = text(500)
    operator_id: int = Field(foreign_key="operator.id")
    created_at: datetime = when(nullable=False, index=True)
    estate_id: int | None = estate_column()


class MoveInReading(InEstate, Record, table=True):
    """One reading of the flat's meters: at the handover, at 托管's start and end, at a patrol.
    A patrol's reading over the site's 托管 limit is flagged until the owner is told."""

    __tablename__ = "move_in_reading"

    id: int | None = Field(default=None, primary_key=True)
    move_in_id: int = Field(foreign_key="move_in.id", index=True)
    kind: ReadingKind = Field(sa_type=String(20))
    read_at: datetime = when(nullable=False)
    read_by: str = text(60)
    water: float = 0.0
    electricity: float = 0.0
    gas: float = 0.0
    # a patrol's reading: the round it was taken on
    patrol_round_id: int | None = Field(default=None, foreign_key="patrol_round.id")
    # used since 托管 began, over the site's limit
    over_limit: bool = False
    owner_told_by: str = text(60)
    owner_told_at: datetime | None = when()
    note: str = text(500)
    operator_id: int = Field(foreign_key="operator.id")
    created_at: datetime = when(nullable=False)
    estate_id: int | None = estate_column()
