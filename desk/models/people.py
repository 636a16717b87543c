"""Operators who sign in at the desk, and the units and residents directory."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String, true
from sqlmodel import Field, UniqueConstraint

from desk.models.base import Record, text, when
from desk.models.estate import InEstate, estate_column


class Role(StrEnum):
    clerk = "clerk"
    night = "night"
    supervisor = "supervisor"
    # the records clerk (资料管理员): a clerk who also applies owner record changes (001
    # 业主资料更改 ⑸ 资料管理人员根据《业主资料更改声明》进行业主资料更改)
    records = "records"


class Operator(Record, table=True):
    """Someone who signs in at the desk. `failed_attempts` and `locked_until` belonged to the
    per-operator lockout that anyone could trigger against the supervisor; they are no longer
    used (the delay is counted per terminal, `SignInTerminal`) and stay only as columns."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40, unique=True)
    role: Role = Field(sa_type=String(20))
    pin_hash: str = Field(max_length=200)
    active: bool = True
    failed_attempts: int = 0
    locked_until: datetime | None = when()
    created_at: datetime = when(nullable=False)
    # allowed on every estate (a company's supervisor, the call centre), or only on those of
    # its `operator_estate` rows
    all_estates: bool = Field(default=True, sa_column_kwargs={"server_default": true()})


class SignInTerminal(Record, table=True):
    """Failed sign-ins at one terminal (host name + tty device, or "no-tty"): after a few, the
    next attempt from that terminal waits, longer each time; a success there starts it over.
    Kept in the database because each `desk ... --as NAME` is a new process."""

    __tablename__ = "signin_terminal"

    terminal: str = Field(primary_key=True, max_length=200)
    failures: int = 0
    last_failure_at: datetime | None = when()
    wait_until: datetime | None = when()


class ResidentKind(StrEnum):
    owner = "owner"
    tenant = "tenant"
    family = "family"  # a member of the owner's household


class Unit(InEstate, Record, table=True):
    __table_args__ = (
        UniqueConstraint("estate_id", "building", "room", name="uq_unit_room"),
        UniqueConstraint("estate_id", "code", name="uq_unit_code"),
    )

    id: int | None = Field(default=None, primary_key=True)
    building: str = Field()
    room: str = Field(max_length=20, index=True)
    code: str = Field(max_length=45)
    created_at: datetime = when(nullable=False)
    estate_id: int | None = estate_column()


class Resident(InEstate, Record, table=True):
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    name: str = text(60, index=True)
    phone: str = text(30, index=True)
    kind: ResidentKind = Field(sa_type=String(20))
    active: bool = True
    operator_id: int | None = Field(default=None, foreign_key="operator.id")
    created_at: datetime = when(nullable=False)
    estate_id: int | None = estate_column()
    # the ID seen in person with an owner record change (migration 0016): its type, its last 4
    # characters and a keyed hash of the whole number (desk.services.id_numbers), so that a
    # caller's number can be checked against it; the number itself is never kept
    id_kind: str = Field(default="", max_length=20, sa_column_kwargs={"server_default": ""})
    id_last4: str = Field(default="", max_length=4, sa_column_kwargs={"server_default": ""})
    id_proof: str = Field(default="", max_length=64, sa_column_kwargs={"server_default": ""})
