"""Register 9: renovation (装修办理, 001), its inspections, supervision visits and worker passes.

An application is checked at the desk, approved by the engineering department (3 working days),
given a permit; the works are supervised, inspected (rounds until passed), and the deposit is
refunded without interest three months after the first inspection that passed.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, String
from sqlmodel import Field

from desk.models.base import Record, in_sql, partial_index, text, when
from desk.models.estate import InEstate, estate_column


class RenovationState(StrEnum):
    applied = "applied"
    documents_complete = "documents_complete"
    with_engineering = "with_engineering"
    approved = "approved"
    refused = "refused"
    permit_issued = "permit_issued"
    in_works = "in_works"
    suspended = "suspended"
    # works finished, the inspection booked
    finished = "finished"
    # an inspection found things to put right: rectification, then another inspection
    rectifying = "rectifying"
    # an inspection passed: the deposit is due back three months after the first that passed
    passed = "passed"
    refunded = "refunded"
    archived = "archived"
    withdrawn = "withdrawn"


OPEN_RENOVATION_STATES = (
    RenovationState.applied,
    RenovationState.documents_complete,
    RenovationState.with_engineering,
    RenovationState.approved,
    RenovationState.permit_issued,
    RenovationState.in_works,
    RenovationState.suspended,
    RenovationState.finished,
    RenovationState.rectifying,
    RenovationState.passed,
)


class ApplicantKind(StrEnum):
    owner = "owner"
    # an agent holding the owner's power of attorney, confirmed with the owner by phone
    agent = "agent"


class Renovation(InEstate, Record, table=True):
    __tablename__ = "renovation"
    __table_args__ = (
        Index("ix_renovation_state_created", "state", "created_at"),
        partial_index(
            "ix_renovation_open", "created_at", where=in_sql("state", OPEN_RENOVATION_STATES)
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=30, unique=True)
    room: str = text(45, index=True)
    applicant: str = text(60)
    applicant_kind: ApplicantKind = Field(sa_type=String(20))
    applicant_phone: str = text(30)
    # an agent: the owner called back on the phone of record, who confirmed, when
    owner_phone_called: str = text(30)
    owner_confirmed_by: str = text(60)
    owner_confirmed_at: datetime | None = when()
    contractor: str = text(100)
    contractor_licence: str = text(60)
    contractor_person: str = text(60)
    contractor_phone: str = text(30)
    planned_start: date
    planned_end: date
    scope: str = text(1000)
    # works that need the engineering department's special approval and a signed undertaking
    touches_structure: bool = False
    touches_walls: bool = False
    touches_lines: bool = False
    touches_facade: bool = False
    undertaking_signed: bool = False
    # documents checked at the desk
    doc_floor_plan: bool = False
    doc_drawings: bool = False
    doc_licence: bool = False
    doc_qualification: bool = False
    # 《装修协议》《防火责任书》
    agreement_signed: bool = False
    fire_pledge_signed: bool = False
    # money, in fen, with the receipts given
    deposit_fen: int = 0
    deposit_receipt: str = text(40)
    debris_fee_fen: int = 0
    debris_fee_receipt: str = text(40)
    state: RenovationState = Field(sa_type=String(20), default=RenovationState.applied)
    documents_complete_at: datetime | None = when()
    sent_to_engineering_at: datetime | None = when()
    approval_due_at: datetime | None = when()
    decided_at: datetime | None = when()
    decided_by: str = text(60)
    refusal_reason: str = text(500)
    permit_number: str = text(30, index=True)
    permit_issued_at: datetime | None = when()
    works_started_at: datetime | None = when()
    suspended_at: datetime | None = when()
    suspend_reason: str = text(500)
    works_finished_at: datetime | None = when()
    inspection_booked_for: datetime | None = when()
    first_passed_at: datetime | None = when()
    refund_due_on: date | None = None
    refunded_at: datetime | None = when()
    refund_fen: int | None = None
    withheld_fen: int = 0
    withheld_reason: str = text(500)
    damage_note: str = text(500)
    archived_at: datetime | None = when()
    withdrawn_at: datetime | None = when()
    withdraw_reason: str = text(500)
    operator_id: int = Field(foreign_key="operator.id")
    created_at: datetime = when(nullable=False, index=True)
    estate_id: int | None = estate_column()


class InspectionResult(StrEnum):
    passed = "passed"
    rectify = "rectify"


class RenovationInspection(InEstate, Record, table=True):
    """One inspection round of a renovation's finished works."""

    __tablename__ = "renovation_inspection"

    id: int | None = Field(default=None, primary_key=True)
    renovation_id: int = Field(foreign_key="renovation.id", index=True)
    round: int = 1
    inspected_at: datetime = when(nullable=False)
    inspector: str = text(60)
    result: InspectionResult = Field(sa_type=String(20))
    findings: str = text(1000)
    operator_id: int = Field(foreign_key="operator.id")
    created_at: datetime = when(nullable=False)
    estate_id: int | None = estate_column()


class VisitDepartment(StrEnum):
    desk = "desk"
    security = "security"
    engineering = "engineering"
    cleaning = "cleaning"


class RenovationVisit(InEstate, Record, table=True):
    """A supervision visit to the works, by the desk, security, engineering or cleaning."""

    __tablename__ = "renovation_visit"

    id: int | None = Field(default=None, primary_key=True)
    renovation_id: int = Field(foreign_key="renovation.id", index=True)
    visited_at: datetime = when(nullable=False)
    department: VisitDepartment = Field(sa_type=String(20))
    visitor: str = text(60)
    # empty: all in order
    findings: str = text(1000)
    # works outside the permitted hours or scope: the permit suspended by this visit
    suspended: bool = False
    repair_id: int | None = Field(default=None, foreign_key="repair_order.id")
    complaint_id: int | None = Field(default=None, foreign_key="complaint.id")
    operator_id: int = Field(foreign_key="operator.id")
    created_at: datetime = when(nullable=False)
    estate_id: int | None = estate_column()


class WorkerPassState(StrEnum):
    issued = "issued"
    revoked = "revoked"


class WorkerPass(InEstate, Record, table=True):
    """A renovation worker's temporary pass (施工人员临时出入证); expired is read off its dates."""

    __tablename__ = "worker_pass"
    __table_args__ = (
        partial_index("ix_worker_pass_issued", "valid_until", where="state = 'issued'"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=30, unique=True)
    renovation_id: int = Field(foreign_key="renovation.id", index=True)
    name: str = text(60)
    # the ID number's last 4 characters only — never the whole number
    id_last4: str = text(4)
    photo_taken: bool = False
    valid_from: date
    valid_until: date
    fee_fen: int = 0
    fee_receipt: str = text(40)
    state: WorkerPassState = Field(sa_type=String(20), default=WorkerPassState.issued)
    revoked_at: datetime | None = when()
    revoke_reason: str = text(500)
    gate_checks: int = 0
    last_gate_check_at: datetime | None = when()
    operator_id: int = Field(foreign_key="operator.id")
    created_at: datetime = when(nullable=False, index=True)
    estate_id: int | None = estate_column()
