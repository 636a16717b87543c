"""Findings (整改): something found by a patrol, an incident, a renovation's supervision or a
move-in inspection, sent to the department that puts it right, and accepted on re-inspection.

One register serves them all: a finding names its owner register ("patrol", "incident",
"renovation", "move_in") and the owner's record id. Sent to the repairs department it becomes a
repair order (linked by `repair_id`); sent to any other it is that department's task itself.
It is rectified, re-inspected (a `FindingCheck` per round), and accepted, or rejected and sent
back, round after round. Nothing closes it but its acceptance (or, raised in error, a
supervisor's withdrawal).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String
from sqlmodel import Field

from desk.models.base import Record, in_sql, partial_index, text, when
from desk.models.estate import InEstate, estate_column


class FindingState(StrEnum):
    # raised, not yet sent to its department
    open = "open"
    # with the department (a repair order, or the department's own task): rectify by the due
    sent = "sent"
    # the department says it is put right: re-inspection due
    rectified = "rectified"
    # accepted on re-inspection: the only way a finding is done
    accepted = "accepted"
    # raised in error, withdrawn by a supervisor with the reason
    withdrawn = "withdrawn"


OPEN_FINDING_STATES = (FindingState.open, FindingState.sent, FindingState.rectified)


class FindingOwner(StrEnum):
    patrol = "patrol"
    incident = "incident"
    renovation = "renovation"
    move_in = "move_in"


class Finding(InEstate, Record, table=True):
    __tablename__ = "finding"
    __table_args__ = (
        Index("ix_finding_owner", "owner", "owner_id"),
        partial_index("ix_finding_open", "created_at", where=in_sql("state", OPEN_FINDING_STATES)),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=30, unique=True)
    owner: FindingOwner = Field(sa_type=String(20))
    owner_id: int
    room: str = text(45, index=True)
    place: str = text(100)
    what: str = text(500)
    # where the photo is kept (a file name, the camera's number): the desk stores no image
    photo: str = text(200)
    # a key of the site's [findings] departments
    department: str = text(30)
    # a finding for the repairs department: the repair order's category
    repair_category: str = text(30)
    state: FindingState = Field(sa_type=String(20), default=FindingState.open)
    raised_by: str = text(60)
    raised_at: datetime = when(nullable=False)
    sent_at: datetime | None = when()
    rectify_due_at: datetime | None = when()
    # the repair order it became (the latest: a rejected rectification opens another)
    repair_id: int | None = Field(default=None, foreign_key="repair_order.id", index=True)
    rectified_at: datetime | None = when()
    rectified_note: str = text(500)
    # the first time it was said to be put right (time to rectify: from `sent_at`)
    first_rectified_at: datetime | None = when()
    recheck_due_at: datetime | None = when()
    # re-inspections done so far
    rounds: int = 0
    accepted_at: datetime | None = when()
    accepted_by: str = text(60)
    withdrawn_at: datetime | None = when()
    withdraw_reason: str = text(500)
    operator_id: int = Field(foreign_key="operator.id")
    created_at: datetime = when(nullable=False, index=True)
    estate_id: int | None = estate_column()


class FindingCheck(InEstate, Record, table=True):
    """One re-inspection of a rectified finding: accepted, or rejected (back to its department)."""

    __tablename__ = "finding_check"

    id: int | None = Field(default=None, primary_key=True)
    finding_id: int = Field(foreign_key="finding.id", index=True)
    round: int = 1
    checked_by: str = text(60)
    checked_at: datetime = when(nullable=False)
    accepted: bool = False
    note: str = text(500)
    # the repair order this round inspected (a repair finding)
    repair_id: int | None = Field(default=None, foreign_key="repair_order.id")
    operator_id: int = Field(foreign_key="operator.id")
    created_at: datetime = when(nullable=False)
    estate_id: int | None = estate_column()
