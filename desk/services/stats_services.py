"""The month's paid convenience services (便民服务 / 有偿服务) for the monthly report.

Definitions: a booking belongs to the period by when it was made; a first round of work by when
it was done (on time: no later than the agreed time plus the site's `services.late_after`); an
acceptance by when the resident accepted (first time: after one round of work); revenue is the
amount paid in the period; the callbacks are those of the bookings paid in the period, done when
the call reached the resident (whenever it was made).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_
from sqlmodel import col, select

from desk.models import ServiceBooking, ServiceRound, ServiceState
from desk.services.context import Ctx
from desk.services.stats_figures import Rate, ServiceFigures
from desk.services.stats_period import Period


def services_figures(ctx: Ctx, period: Period) -> ServiceFigures:
    b = ServiceBooking

    def within(column: Any) -> ColumnElement[bool]:
        return and_(col(column) >= period.start, col(column) < period.end)

    made = list(ctx.session.exec(select(b.state).where(within(b.created_at))))
    firsts = list(
        ctx.session.exec(
            select(ServiceRound.late).where(ServiceRound.round == 1, within(ServiceRound.done_at))
        )
    )
    accepted = list(ctx.session.exec(select(b.rounds).where(within(b.accepted_at))))
    paid = list(ctx.session.exec(select(b).where(within(b.paid_at))))
    reached = [p for p in paid if p.callback_at is not None]
    return ServiceFigures(
        bookings=len(made),
        cancelled=sum(state == ServiceState.cancelled for state in made),
        on_time=Rate(sum(not late for late in firsts), len(firsts)),
        accepted_first=Rate(sum(rounds == 1 for rounds in accepted), len(accepted)),
        paid=len(paid),
        revenue_fen=sum(p.paid_fen or 0 for p in paid),
        called_back=Rate(len(reached), len(paid)),
        satisfied=sum(bool(p.satisfied) for p in reached),
    )
