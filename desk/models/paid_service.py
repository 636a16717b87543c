"""Register 17: paid convenience and entrusted services (便民服务 / 委托服务 / 有偿服务, 000 五; 004
增值服务回访 and 家政保洁).

A booking agrees the details with the resident (the service, the quantity, the time, the price,
the result expected: 000 五.3), goes to the department head (五.4), is done at the agreed time,
accepted by the resident or redone (round after round), paid with a receipt, called back (004)
and closed. Each time the work is done is a `ServiceRound`.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String
from sqlmodel import Field

from desk.models.base import Record, in_sql, partial_index, text, when
from desk.models.estate import InEstate, estate_column


class ServiceState(StrEnum):
    # the details agreed with the resident (a new agreement keeps it here)
    agreed = "agreed"
    # sent to the department head, who sends someone at the agreed time
    sent = "sent"
    # the work done, the resident's acceptance awaited
    done = "done"
    # not accepted: back with the department, to be redone
    redo = "redo"
    accepted = "accepted"
    paid = "paid"
    # the callback (增值服务回访) reached the resident
    called_back = "called_back"
    closed = "closed"
    cancelled = "cancelled"


OPEN_SERVICE_STATES = (
    ServiceState.agreed,
    ServiceState.sent,
    ServiceState.done,
    ServiceState.redo,
    ServiceState.accepted,
    ServiceState.paid,
    ServiceState.called_back,
)


class ServiceBooking(InEstate, Record, table=True):
    __tablename__ = "service_booking"
    __table_args__ = (
        Index("ix_service_booking_state_created", "state", "created_at"),
        partial_index(
            "ix_service_booking_open", "due_at", where=in_sql("state", OPEN_SERVICE_STATES)
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=30, unique=True)
    room: str = text(45, index=True)
    resident: str = text(60)
    phone: str = text(30)
    # the service of the site's list ([services] in site.toml), its name and unit as agreed
    service: str = text(30)
    service_name: str = text(60)
    unit: str = text(20)
    department: str = text(30)
    # how much (an area in m², a number of pieces, hours...) as a decimal with up to 2 places
    quantity: str = text(20)
    # the agreed price in fen (the list's price per unit times the quantity, unless agreed else)
    price_fen: int = 0
    agreed_for: datetime = when(nullable=False)
    expected_result: str = text(500)
    note: str = text(500)
    # each new agreement (price, time, quantity changed with the resident's consent) counts one
    agreement: int = 1
    agreed_at: datetime = when(nullable=False)
    agreed_with: str = text(60)
    state: ServiceState = Field(sa_type=String(20), default=ServiceState.agreed)
    sent_at: datetime | None = when()
    head: str = text(60)
    send_due_at: datetime | None = when()
    # when the current round is due: the agreed time, or the time agreed for a redo
    due_at: datetime = when(nullable=False)
    rounds: int = 0
    done_at: datetime | None = when()
    # the first round was done later than the agreed time plus the site's grace
    late: bool = False
    accepted_at: datetime | None = when()
    accepted_by: str = text(60)
    paid_at: datetime | None = when()
    paid_fen: int | None = None
    receipt: str = text(40)
    callback_due_at: datetime | None = when()
    callback_at: datetime | None = when()
    callback_note: str = text(500)
    satisfied: bool | None = None
    closed_at: datetime | None = when()
    cancelled_at: datetime | None = when()
    cancel_reason: str = text(500)
    operator_id: int = Field(foreign_key="operator.id")
    created_at: datetime = when(nullable=False, index=True)
    estate_id: int | None = estate_column()


class RoundResult(StrEnum):
    accepted = "accepted"
    redo = "redo"


class ServiceRound(InEstate, Record, table=True):
    """One time the work was done: by whom, when (against the agreed time), and what the
    resident said (accepted, or redo and why)."""

    __tablename__ = "service_round"

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="service_booking.id", index=True)
    round: int = 1
    due_at: datetime = when(nullable=False)
    done_at: datetime = when(nullable=False)
    worker: str = text(60)
    late: bool = False
    result: RoundResult | None = Field(default=None, sa_type=String(20))
    result_at: datetime | None = when()
    result_note: str = text(500)
    operator_id: int = Field(foreign_key="operator.id")
    created_at: datetime = when(nullable=False)
    estate_id: int | None = estate_column()
