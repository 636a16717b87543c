"""Register 4: the key cabinet, key loans to staff, and owners' entrusted keys (委托钥匙)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String, UniqueConstraint
from sqlmodel import Field

from desk.models.base import Record, in_sql, partial_index, text, when
from desk.models.estate import InEstate, estate_column


class KeyKind(StrEnum):
    unit = "unit"
    facility = "facility"


class Key(InEstate, Record, table=True):
    """A key or key set in the cabinet, e.g. K-3-1202 or K-PUMP-B2 (a tag once per estate)."""

    __table_args__ = (UniqueConstraint("estate_id", "tag", name="uq_key_tag"),)

    id: int | None = Field(default=None, primary_key=True)
    tag: str = Field(max_length=40)
    kind: KeyKind = Field(sa_type=String(20), default=KeyKind.facility)
    opens: str = text(200)
    room: str = text(45, index=True)
    copies: int = 1
    hook: str = text(20)
    active: bool = True
    note: str = text(500)
    operator_id: int | None = Field(default=None, foreign_key="operator.id")
    created_at: datetime = when(nullable=False)
    estate_id: int | None = estate_column()


class LoanState(StrEnum):
    out = "out"
    partly_returned = "partly_returned"
    returned = "returned"
    lost = "lost"


OPEN_LOAN_STATES = (LoanState.out, LoanState.partly_returned)


class KeyLoan(InEstate, Record, table=True):
    """Keys lent to a member of staff for work (钥匙借用登记)."""

    __tablename__ = "key_loan"
    __table_args__ = (
        Index("ix_key_loan_state_due", "state", "due_at"),
        partial_index("ix_key_loan_open", "due_at", "id", where=in_sql("state", OPEN_LOAN_STATES)),
        Index("ix_key_loan_closed_at", "closed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=30, unique=True)
    key_id: int = Field(foreign_key="key.id", index=True)
    borrower: str = text(60)
    department: str = text(40)
    reason: str = text(500)
    room: str = text(45)
    count: int = 1
    out_at: datetime = when(nullable=False, index=True)
    due_at: datetime = when(nullable=False)
    returned_count: int = 0
    lost_count: int = 0
    state: LoanState = Field(sa_type=String(20), default=LoanState.out)
    closed_at: datetime | None = when()
    note: str = text(500)
    operator_id: int = Field(foreign_key="operator.id")
    created_at: datetime = when(nullable=False)
    estate_id: int | None = estate_column()


class KeyReturn(InEstate, Record, table=True):
    """One hand-back of (some of) a loan's keys: who brought them, who took them in."""

    __tablename__ = "key_return"

    id: int | None = Field(default=None, primary_key=True)
    loan_id: int = Field(foreign_key="key_loan.id", index=True)
    count: int = 0
    lost: int = 0
    returned_by: str = text(60)
    received_by: int = Field(foreign_key="operator.id")
    at: datetime = when(nullable=False)
    note: str = text(500)
    estate_id: int | None = estate_column()


class EntrustedState(StrEnum):
    deposited = "deposited"
    work_done = "work_done"
    collected = "collected"


class EntrustedKey(InEstate, Record, table=True):
    """An owner's key left at the desk for rectification work, on a two-part slip (WT-…)."""

    __tablename__ = "entrusted_key"

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=30, unique=True)
    owner_name: str = text(60)
    room: str = text(45, index=True)
    phone: str = text(30)
    description: str = text(200)
    count: int = 1
    reason: str = text(500)
    hook: str = text(20)
    repair_order_id: int | None = Field(default=None, foreign_key="repair_order.id")
    deposited_at: datetime = when(nullable=False, index=True)
    state: EntrustedState = Field(sa_type=String(20), default=EntrustedState.deposited)
    work_done_at: datetime | None = when()
    owner_notified_at: datetime | None = when()
    notify_note: str = text(500)
    collected_at: datetime | None = when()
    collected_by: str = text(60)
    operator_id: int = Field(foreign_key="operator.id")
    created_at: datetime = when(nullable=False)
    estate_id: int | None = estate_column()


class EntrustedKeyUse(InEstate, Record, table=True):
    """Each time staff take an entrusted key out for the work, and when it came back."""

    __tablename__ = "entrusted_key_use"

    id: int | None = Field(default=None, primary_key=True)
    entrusted_id: int = Field(foreign_key="entrusted_key.id", index=True)
    taken_by: str = text(60)
    purpose: str = text(200)
    out_at: datetime = when(nullable=False)
    back_at: datetime | None = when()
    operator_id: int = Field(foreign_key="operator.id")
    estate_id: int | None = estate_column()


class KeyCount(InEstate, Record, table=True):
    """A periodic count of the keys in custody; discrepancies are recorded as found."""

    __tablename__ = "key_count"

    id: int | None = Field(default=None, primary_key=True)
    counted_at: datetime = when(nullable=False, index=True)
    expected: int = 0
    found: int = 0
    discrepancies: str = text(4000)
    note: str = text(500)
    operator_id: int = Field(foreign_key="operator.id")
    estate_id: int | None = estate_column()
