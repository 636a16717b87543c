"""The month's figures per estate and for the company, side by side (the call centre's and the
company supervisors' view): each estate's as its own desk counts them, with its own settings,
and the company's over every estate the reader may see."""

from __future__ import annotations

from dataclasses import dataclass

from desk import estates as binding
from desk.config import Settings, with_overrides
from desk.i18n import current_language
from desk.services import estates, stats
from desk.services.context import Ctx
from desk.services.stats_period import Period


@dataclass(frozen=True)
class EstateReport:
    code: str  # "" for the company's line
    name: str
    report: stats.Report


def monthly_by_estate(ctx: Ctx, period: Period, site: Settings) -> list[EstateReport]:
    """Every estate the session reads, in the order they were added, then the company."""
    readable = binding.estates_of(ctx.session)
    lines: list[EstateReport] = []
    company = stats.monthly(ctx, period)
    for estate in estates.listed(ctx):
        if estate.id is None or (readable is not None and estate.id not in readable):
            continue
        work = Ctx(ctx.session, ctx.operator, with_overrides(site, estate.settings), ctx.now)
        with binding.within(ctx.session, estate.id):
            name = estates.name_of(estate, site, current_language())
            lines.append(EstateReport(estate.code, name, stats.monthly(work, period)))
    lines.append(EstateReport("", "", company))
    return lines
