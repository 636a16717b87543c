"""Register 2: repair work orders (报修 / 维修工作单)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String
from sqlmodel import Field

from desk.models.base import Record, in_sql, partial_index, text, when
from desk.models.estate import InEstate, estate_column
from desk.models.reception import Channel


class RepairLocation(StrEnum):
    unit = "unit"
    public = "public"


class RepairState(StrEnum):
    registered = "registered"
    dispatched = "dispatched"
    on_site = "on_site"
    completed = "completed"
    closed = "closed"
    cancelled = "cancelled"
    referred_out = "referred_out"


OPEN_REPAIR_STATES = (
    RepairState.registered,
    RepairState.dispatched,
    RepairState.on_site,
    RepairState.completed,
)


class RepairOrder(InEstate, Record, table=True):
    __tablename__ = "repair_order"
    __table_args__ = (
        Index("ix_repair_state_reported", "state", "reported_at"),
        partial_index("ix_repair_open", "reported_at", where=in_sql("state", OPEN_REPAIR_STATES)),
        partial_index(
            "ix_repair_awaiting_callback", "callback_due_at", "id", where="state = 'completed'"
        ),
        Index("ix_repair_order_closed_at", "closed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=30, unique=True)
    reported_at: datetime = when(nullable=False, index=True)
    channel: Channel = Field(sa_type=String(20))
    resident_name: str = text(60)
    room: str = text(45, index=True)
    phone: str = text(30)
    description: str = text(2000)
    location: RepairLocation = Field(sa_type=String(20))
    category: str = Field(max_length=30)
    paid: bool = False
    warranty: bool = False
    appointment_at: datetime | None = when()
    # on site by: the appointment plus the site's grace, or dispatch plus the category's limit
    on_site_due_at: datetime | None = when()
    # a visit moved with the resident's consent (003): who agreed, when, how often
    rescheduled_at: datetime | None = when()
    reschedule_agreed_by: str = text(60)
    reschedule_count: int = 0
    # a paid order: the price quoted and the resident's consent, before work starts (003)
    quoted_fen: int | None = None
    consent_by: str = text(60)
    consent_at: datetime | None = when()
    # the charges billed (third copy to finance) and paid
    billed_at: datetime | None = when()
    paid_at: datetime | None = when()
    receipt_number: str = text(40)
    state: RepairState = Field(sa_type=String(20), default=RepairState.registered)
    dispatch_due_at: datetime | None = when()
    dispatched_at: datetime | None = when()
    technician: str = text(60)
    on_site_at: datetime | None = when()
    completed_at: datetime | None = when()
    work_done: str = text(2000)
    labour_fen: int = 0
    material_fen: int = 0
    resident_materials: str = text(500)
    resident_signed: bool = False
    leak_test_at: datetime | None = when()
    callback_due_at: datetime | None = when(index=True)
    callback_at: datetime | None = when()
    callback_note: str = text(1000)
    satisfied: bool | None = None
    reopen_count: int = 0
    closed_at: datetime | None = when()
    close_reason: str = text(500)
    referred_to: str = text(200)
    reception_id: int | None = Field(default=None, foreign_key="reception_entry.id")
    operator_id: int = Field(foreign_key="operator.id")
    created_at: datetime = when(nullable=False)
    estate_id: int | None = estate_column()


class RepairCompletion(InEstate, Record, table=True):
    """One completion of an order: a reopened order completed again adds a row, so the first
    completion's work and charges stay in its history."""

    __tablename__ = "repair_completion"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="repair_order.id", index=True)
    round: int = 1
    completed_at: datetime = when(nullable=False)
    technician: str = text(60)
    work_done: str = text(2000)
    labour_fen: int = 0
    material_fen: int = 0
    resident_materials: str = text(500)
    operator_id: int = Field(foreign_key="operator.id")
    created_at: datetime = when(nullable=False)
    estate_id: int | None = estate_column()
