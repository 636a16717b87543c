"""Register 12: the emergency incident log (突发事故, 001): an incident run to the end through the
nine steps of 001, each timed; the security stand-in holding the desk while the night duty is at
the scene (000 值班制度 六); and the repair orders and complaints opened from it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String, UniqueConstraint
from sqlmodel import Field

from desk.models.base import Record, partial_index, text, when
from desk.models.estate import InEstate, estate_column


class IncidentState(StrEnum):
    open = "open"
    closed = "closed"


class PlaceKind(StrEnum):
    # a room (房号 on file), a common area (the lobby, the car park), or equipment (a lift, a pump)
    room = "room"
    common = "common"
    equipment = "equipment"


# The nine steps of 001 「突发事故」, in order; each an IncidentStep row of every incident.
STEP_KEYS = (
    "judge",  # ⑴ 判断原因
    "duty_staff",  # ⑵ 通知相关部门值班员到达事故现场
    "heads",  # ⑶ 通知相关部门主管
    "dispatch",  # ⑷ 调动相关部门人员或技术员
    "government",  # ⑸ 事态严重请求政府部门支援 (fire, police, utility: a reference number)
    "managers",  # ⑹ 监控中心通知相关部门经理
    "rescue",  # ⑺ 组织人员抢险维修; 保护设备设施, 关闭开关
    "investigate",  # ⑻ 调查发生原因、记录
    "report_gm",  # ⑼ 向物业总经理汇报
)


class StepState(StrEnum):
    pending = "pending"
    done = "done"
    not_needed = "not_needed"


class Incident(InEstate, Record, table=True):
    __tablename__ = "incident"
    __table_args__ = (
        Index("ix_incident_state_created", "state", "created_at"),
        partial_index("ix_incident_open", "created_at", where="state = 'open'"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=30, unique=True)
    happened_at: datetime = when(nullable=False, index=True)
    place_kind: PlaceKind = Field(sa_type=String(20))
    # the room of a room; "" for a common area or equipment
    room: str = text(45, index=True)
    # the common area or the equipment named ("3栋电梯", "地下车库"); a room's spot inside it
    place: str = text(200)
    what: str = text(2000)
    reported_by: str = text(60)
    reporter_phone: str = text(30)
    # the first judgement of the cause, when the incident was opened
    first_judgement: str = text(500)
    kind: str = Field(max_length=20)
    severity: str = Field(max_length=20)
    # the cause investigated and recorded (step ⑻); needed before the incident is closed
    cause: str = text(1000)
    cause_recorded_at: datetime | None = when()
    state: IncidentState = Field(sa_type=String(20), default=IncidentState.open)
    # the night-log entry (flagged emergency) the incident was opened from
    night_log_id: int | None = Field(default=None, foreign_key="night_log_entry.id", unique=True)
    closed_at: datetime | None = when()
    closed_by: int | None = Field(default=None, foreign_key="operator.id")
    close_note: str = text(500)
    operator_id: int = Field(foreign_key="operator.id")
    created_at: datetime = when(nullable=False, index=True)
    estate_id: int | None = estate_column()


class IncidentStep(InEstate, Record, table=True):
    """One of the nine steps of an incident: who was called and when, who arrived and when; done,
    or not needed with the reason."""

    __tablename__ = "incident_step"
    __table_args__ = (UniqueConstraint("incident_id", "step", name="uq_incident_step"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    # 1..9, the place of the step in 001's order; its key is STEP_KEYS[step - 1]
    step: int
    key: str = Field(max_length=20)
    due_at: datetime = when(nullable=False)
    state: StepState = Field(sa_type=String(20), default=StepState.pending)
    called: str = text(200)
    called_at: datetime | None = when()
    arrived: str = text(200)
    arrived_at: datetime | None = when()
    # the government's reference (fire, police, utility) of step ⑸
    reference: str = text(60)
    note: str = text(500)
    # not needed: why
    reason: str = text(500)
    recorded_at: datetime | None = when()
    recorded_by: int | None = Field(default=None, foreign_key="operator.id")
    estate_id: int | None = estate_column()


class IncidentStandIn(InEstate, Record, table=True):
    """Security holding the desk while the night duty is at the scene (000 值班制度 六)."""

    __tablename__ = "incident_stand_in"

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    who: str = text(60)
    from_at: datetime = when(nullable=False)
    # None: security still holds the desk
    until_at: datetime | None = when()
    operator_id: int = Field(foreign_key="operator.id")
    created_at: datetime = when(nullable=False)
    estate_id: int | None = estate_column()


class IncidentFollowUp(InEstate, Record, table=True):
    """A repair order or a complaint opened from an incident; closed in its own register, or
    handed on (to the morning clerk, a department) with a note."""

    __tablename__ = "incident_follow_up"
    __table_args__ = (UniqueConstraint("register_name", "record_id", name="uq_incident_follow_up"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    # "repairs" or "complaints"
    register_name: str = Field(max_length=20)
    record_id: int
    number: str = Field(max_length=30)
    handed_on: bool = False
    handed_on_note: str = text(500)
    handed_on_at: datetime | None = when()
    operator_id: int = Field(foreign_key="operator.id")
    created_at: datetime = when(nullable=False)
    estate_id: int | None = estate_column()
