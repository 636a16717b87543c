"""Record numbers such as WX-20261123-007: a per-prefix, per-day counter inside the transaction."""

from __future__ import annotations

from sqlalchemy import text

from desk.services.context import Ctx

_NEXT = text(
    "INSERT INTO counter (key, value) VALUES (:key, 1) "
    "ON CONFLICT (key) DO UPDATE SET value = counter.value + 1 RETURNING value"
)


def next_number(ctx: Ctx, prefix: str) -> str:
    day = ctx.local_day()
    value = ctx.session.execute(_NEXT, {"key": f"{prefix}-{day}"}).scalar_one()
    return f"{prefix}-{day}-{value:03d}"
