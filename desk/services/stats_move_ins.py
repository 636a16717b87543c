"""The month's move-in figures (入伙): cases booked, completed, problems found per case inspected,
accepted first time (every problem accepted at its first re-inspection), 托管 begun, and 托管
readings over their limit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_
from sqlmodel import col, select

from desk.models import Finding, FindingOwner, FindingState, MoveIn, MoveInReading
from desk.services.context import Ctx
from desk.services.stats_figures import MoveInFigures, Rate
from desk.services.stats_period import Period


def _within(column: Any, period: Period) -> ColumnElement[bool]:
    return and_(column >= period.start, column < period.end)


def move_in_figures(ctx: Ctx, period: Period) -> MoveInFigures:
    booked = list(ctx.session.exec(select(MoveIn).where(_within(MoveIn.created_at, period))))
    completed = list(
        ctx.session.exec(select(MoveIn).where(_within(col(MoveIn.completed_at), period)))
    )
    inspected = list(
        ctx.session.exec(select(MoveIn).where(_within(col(MoveIn.inspected_at), period)))
    )
    ids = [c.id for c in (*inspected, *completed) if c.id is not None]
    problems: dict[int, list[Finding]] = {}
    if ids:
        statement = select(Finding).where(
            Finding.owner == FindingOwner.move_in,
            col(Finding.owner_id).in_(ids),
            Finding.state != FindingState.withdrawn,
        )
        for found in ctx.session.exec(statement):
            problems.setdefault(found.owner_id, []).append(found)
    raised = sum(len(problems.get(c.id or 0, [])) for c in inspected)
    first_time = sum(all(f.rounds == 1 for f in problems.get(c.id or 0, [])) for c in completed)
    custody = ctx.session.exec(
        select(MoveIn).where(_within(col(MoveIn.custody_from), period))
    ).all()
    over = ctx.session.exec(
        select(MoveInReading).where(
            _within(MoveInReading.read_at, period), col(MoveInReading.over_limit)
        )
    ).all()
    return MoveInFigures(
        booked=len(booked),
        inspected=len(inspected),
        completed=len(completed),
        problems=raised,
        per_case=round(raised / len(inspected), 2) if inspected else None,
        first_time=Rate(first_time, len(completed)),
        custody=len(custody),
        over_limit=len(over),
    )
