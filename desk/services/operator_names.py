"""Operators' names by id, for showing who did what (the audit history, handover, lists).

Below desk.services.audit and every register; desk.services.operators re-exports it.
"""

from __future__ import annotations

from sqlmodel import col, select

from desk.models import Operator
from desk.services.context import Ctx


def operator_names(ctx: Ctx, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = ctx.session.exec(select(Operator.id, Operator.name).where(col(Operator.id).in_(ids)))
    return {row[0]: row[1] for row in rows if row[0] is not None}
