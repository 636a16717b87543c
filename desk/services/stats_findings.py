"""The month's patrols and findings (整改) for the monthly report: rounds walked, findings by
department, the time they took to be put right, and how many were accepted on the first
re-inspection.

Definitions: a round belongs to the period by when it started, a finding by when it was raised
(every owner register: patrols, incidents, renovations…); a finding withdrawn as raised in error
is not counted. Time to rectify: from its sending to its first "rectified" (hours, averaged over
those rectified); accepted first time: accepted with one re-inspection only. Open: not accepted
as of the report's time.
"""

from __future__ import annotations

from sqlmodel import col, select

from desk.models import Finding, FindingState, PatrolRound, PatrolState
from desk.services.context import Ctx
from desk.services.stats_figures import FindingFigures, FindingsByDepartment
from desk.services.stats_period import Period


def findings_figures(ctx: Ctx, period: Period) -> FindingFigures:
    rounds = ctx.session.exec(
        select(PatrolRound.state).where(
            col(PatrolRound.started_at) >= period.start, col(PatrolRound.started_at) < period.end
        )
    ).all()
    statement = select(Finding).where(
        col(Finding.raised_at) >= period.start,
        col(Finding.raised_at) < period.end,
        col(Finding.state) != FindingState.withdrawn,
    )
    departments: dict[str, dict[str, float]] = {}
    for found in ctx.session.exec(statement):
        row = departments.setdefault(
            found.department,
            {"raised": 0, "accepted": 0, "first": 0, "open": 0, "rectified": 0, "hours": 0.0},
        )
        row["raised"] += 1
        if found.state == FindingState.accepted:
            row["accepted"] += 1
            row["first"] += found.rounds == 1
        else:
            row["open"] += 1
        if found.first_rectified_at is not None and found.sent_at is not None:
            row["rectified"] += 1
            row["hours"] += (found.first_rectified_at - found.sent_at).total_seconds() / 3600
    order = [d.key for d in ctx.settings.findings.departments]
    keys = sorted(departments, key=lambda k: (order.index(k) if k in order else len(order), k))
    return FindingFigures(
        rounds=len(rounds),
        rounds_done=sum(state == PatrolState.done for state in rounds),
        by_department=tuple(
            FindingsByDepartment(
                department=key,
                raised=int(departments[key]["raised"]),
                accepted=int(departments[key]["accepted"]),
                accepted_first=int(departments[key]["first"]),
                open=int(departments[key]["open"]),
                rectified=int(departments[key]["rectified"]),
                rectify_hours=round(departments[key]["hours"], 1),
            )
            for key in keys
        ),
    )
