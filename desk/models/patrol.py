"""Daily patrol (日常巡查, 001): a round of a route (a site setting: its checkpoints and how often),
who walked it and when, each checkpoint ok or a finding (desk.models.finding)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String
from sqlmodel import Field

from desk.models.base import Record, partial_index, text, when
from desk.models.estate import InEstate, estate_column


class PatrolState(StrEnum):
    # started: checkpoints being recorded
    under_way = "under_way"
    # every checkpoint recorded
    done = "done"


class PointResult(StrEnum):
    # not yet recorded
    pending = "pending"
    ok = "ok"
    finding = "finding"


class PatrolRound(InEstate, Record, table=True):
    __tablename__ = "patrol_round"
    __table_args__ = (
        Index("ix_patrol_round_route_started", "route", "started_at"),
        partial_index("ix_patrol_round_under_way", "started_at", where="state = 'under_way'"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=30, unique=True)
    # a key of the site's [patrol] routes
    route: str = text(30)
    patrolled_by: str = text(60)
    started_at: datetime = when(nullable=False, index=True)
    finished_at: datetime | None = when()
    state: PatrolState = Field(sa_type=String(20), default=PatrolState.under_way)
    note: str = text(500)
    # a round that is a renovation's supervision visit: the renovation walked
    renovation_id: int | None = Field(default=None, foreign_key="renovation.id", index=True)
    # a 托管 patrol: the move-in case whose flat was walked
    move_in_id: int | None = Field(default=None, foreign_key="move_in.id", index=True)
    operator_id: int = Field(foreign_key="operator.id")
    created_at: datetime = when(nullable=False)
    estate_id: int | None = estate_column()


class PatrolPoint(InEstate, Record, table=True):
    """One checkpoint of a round: ok, or a finding (the shared register's row)."""

    __tablename__ = "patrol_point"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="patrol_round.id", index=True)
    position: int = 0
    # a key of the route's checkpoints
    checkpoint: str = text(30)
    result: PointResult = Field(sa_type=String(20), default=PointResult.pending)
    note: str = text(500)
    finding_id: int | None = Field(default=None, foreign_key="finding.id")
    checked_at: datetime | None = when()
    estate_id: int | None = estate_column()
