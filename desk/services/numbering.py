"""Record numbers such as WX-20261123-007 (HG-WX-20261123-007 in estate HG): a per-estate,
per-prefix, per-day counter inside the transaction."""

from __future__ import annotations

from sqlalchemy import text

from desk.services import estates
from desk.services.context import Ctx

_NEXT = text(
    "INSERT INTO counter (key, value) VALUES (:key, 1) "
    "ON CONFLICT (key) DO UPDATE SET value = counter.value + 1 RETURNING value"
)


def next_number(ctx: Ctx, prefix: str) -> str:
    """The next number of `prefix` today in the session's estate: counted per estate, and
    unique in the company (an estate other than the default one puts its code first)."""
    day = ctx.local_day()
    start = f"{estates.number_prefix(ctx)}{prefix}-{day}"
    value = ctx.session.execute(_NEXT, {"key": start}).scalar_one()
    return f"{start}-{value:03d}"
