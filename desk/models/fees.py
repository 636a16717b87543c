"""Register 16: the fee desk (交纳物业管理费 / 催缴, 000 篇四.2(4)).

The desk does not keep the accounts: finance does. What each room owes per fee kind is imported
from finance's file (`FeeBalance`; a re-import supersedes the open balances it changes and keeps
them); the counter takes payments against them (`FeePayment`, the receipt number unique in the
estate); the reminder ladder (`FeeStep`: phone/SMS reminder → letter by express mail → home
visit → legal) and home collections (`FeeAppointment`) are recorded; rooms in 托管 are marked
(`FeeCustody`) and charged the site's share of the management fee.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, String, UniqueConstraint
from sqlmodel import Field

from desk.models.base import Record, partial_index, text, when
from desk.models.estate import InEstate, estate_column


class BalanceState(StrEnum):
    open = "open"
    # paid off at the desk
    paid = "paid"
    # replaced by a later import of finance's file (kept as history)
    superseded = "superseded"


class FeeBalance(InEstate, Record, table=True):
    """What one room owes for one fee kind over some months, as finance's file says."""

    __tablename__ = "fee_balance"
    __table_args__ = (
        Index("ix_fee_balance_room_state", "room", "state"),
        partial_index("ix_fee_balance_open", "room", where="state = 'open'"),
    )

    id: int | None = Field(default=None, primary_key=True)
    room: str = text(45, index=True)
    # a key of the site's [fees] kinds (management, or a 代收代办 item)
    kind: str = text(40)
    # the months owed, first and last, as YYYY-MM
    from_month: str = text(7)
    to_month: str = text(7)
    months: int = 1
    # the amount in finance's file, and what the room is charged (托管: the site's share of it)
    file_fen: int = 0
    amount_fen: int = 0
    custody: bool = False
    paid_fen: int = 0
    state: BalanceState = Field(sa_type=String(20), default=BalanceState.open)
    # the import that brought it, and the one that replaced it
    import_number: str = text(30, index=True)
    superseded_at: datetime | None = when()
    superseded_by: str = text(30)
    paid_at: datetime | None = when()
    operator_id: int = Field(foreign_key="operator.id")
    created_at: datetime = when(nullable=False, index=True)
    estate_id: int | None = estate_column()


class FeePayment(InEstate, Record, table=True):
    """A payment taken at the counter (or on a home collection) against a balance."""

    __tablename__ = "fee_payment"
    __table_args__ = (UniqueConstraint("estate_id", "receipt", name="uq_fee_payment_receipt"),)

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=30, unique=True)
    balance_id: int = Field(foreign_key="fee_balance.id", index=True)
    room: str = text(45, index=True)
    amount_fen: int = 0
    # finance's receipt, or the number of the slip the desk printed
    receipt: str = text(40)
    payer: str = text(60)
    # the read-back confirmed by the payer
    confirmed: bool = False
    appointment_id: int | None = Field(default=None, foreign_key="fee_appointment.id")
    operator_id: int = Field(foreign_key="operator.id")
    created_at: datetime = when(nullable=False, index=True)
    estate_id: int | None = estate_column()


class FeeStepKind(StrEnum):
    reminder = "reminder"
    letter = "letter"
    visit = "visit"
    legal = "legal"


class FeeChannel(StrEnum):
    phone = "phone"
    sms = "sms"
    express = "express"
    in_person = "in_person"
    legal = "legal"


class FeeStep(InEstate, Record, table=True):
    """One step of the reminder ladder for a room's debt; settled when the room owes nothing."""

    __tablename__ = "fee_step"
    __table_args__ = (
        partial_index("ix_fee_step_unsettled", "room", "at", where="settled_at IS NULL"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=30, unique=True)
    room: str = text(45, index=True)
    kind: FeeStepKind = Field(sa_type=String(20))
    channel: FeeChannel = Field(sa_type=String(20))
    at: datetime = when(nullable=False)
    # who called, wrote, visited or handed over; whom they spoke to; what was said
    by: str = text(60)
    spoke_to: str = text(60)
    said: str = text(1000)
    # a letter: the express mail's tracking number
    tracking: str = text(40)
    owing_fen: int = 0
    # an SMS through the site's gateway command: what it answered ("" when not sent by it)
    sms_result: str = text(200)
    settled_at: datetime | None = when()
    operator_id: int = Field(foreign_key="operator.id")
    created_at: datetime = when(nullable=False, index=True)
    estate_id: int | None = estate_column()


class AppointmentState(StrEnum):
    booked = "booked"
    done = "done"
    missed = "missed"


class FeeAppointment(InEstate, Record, table=True):
    """A home collection (上门收费) booked with the owner."""

    __tablename__ = "fee_appointment"
    __table_args__ = (partial_index("ix_fee_appointment_booked", "at", where="state = 'booked'"),)

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=30, unique=True)
    room: str = text(45, index=True)
    owner: str = text(60)
    address: str = text(200)
    collector: str = text(60)
    at: datetime = when(nullable=False)
    amount_fen: int = 0
    receipts_prepared: bool = False
    state: AppointmentState = Field(sa_type=String(20), default=AppointmentState.booked)
    outcome_at: datetime | None = when()
    note: str = text(500)
    operator_id: int = Field(foreign_key="operator.id")
    created_at: datetime = when(nullable=False, index=True)
    estate_id: int | None = estate_column()


class FeeCustody(InEstate, Record, table=True):
    """A room in 托管 (the owner leaves the flat in our care) from a day, until a day or open;
    the clerk marks it (the move-in register may set it later)."""

    __tablename__ = "fee_custody"

    id: int | None = Field(default=None, primary_key=True)
    room: str = text(45, index=True)
    starts_on: date
    ends_on: date | None = None
    note: str = text(500)
    operator_id: int = Field(foreign_key="operator.id")
    created_at: datetime = when(nullable=False)
    estate_id: int | None = estate_column()
