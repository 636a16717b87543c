"""Writing and reading the audit trail; each record's history is its audit events.

Every event is sealed into the audit chain as its transaction commits (desk.services.audit_chain);
phone numbers in an event's data are kept masked.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlmodel import col, select

from desk.models import AuditEvent
from desk.services import audit_chain, audit_rows
from desk.services.bulk import insert_many
from desk.services.context import Ctx
from desk.services.jsonable import plain
from desk.services.operator_names import operator_names


def _data_text(data: dict[str, Any]) -> str:
    """An event's data as stored: plain values (desk.services.jsonable), phone numbers masked."""
    return json.dumps(audit_rows.masked(plain(data)), ensure_ascii=False)


def record(
    ctx: Ctx,
    register: str,
    record_id: int | None,
    action: str,
    data: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one event; it is flushed with the change it describes, in the same transaction."""
    if record_id is None:
        raise ValueError("audit needs a saved record")
    event = AuditEvent(
        at=ctx.now,
        operator_id=ctx.operator_id,
        register_name=register,
        record_id=record_id,
        action=action,
        data=_data_text(data or {}),
        reason=reason,
    )
    ctx.session.add(event)
    audit_chain.track(ctx.session, event)
    return event


def record_many(ctx: Ctx, register: str, events: Iterable[tuple[int, str, dict[str, Any]]]) -> int:
    """Append many events at once (record id, action, data), as a bulk import writes them;
    sealed with the transaction like any other. Returns how many were written."""
    rows = [
        {
            "at": ctx.now,
            "operator_id": ctx.operator_id,
            "register_name": register,
            "record_id": record_id,
            "action": action,
            "data": _data_text(data),
            "reason": "",
        }
        for record_id, action, data in events
    ]
    if not rows:
        return 0
    table = AuditEvent.__table__  # type: ignore[attr-defined]
    for event_id in insert_many(ctx.session.connection(), table, rows):
        audit_chain.track(ctx.session, event_id)
    return len(rows)


def history(ctx: Ctx, register: str, record_id: int) -> list[AuditEvent]:
    """Every event of one record, oldest first."""
    statement = (
        select(AuditEvent)
        .where(AuditEvent.register_name == register, AuditEvent.record_id == record_id)
        .order_by(col(AuditEvent.id))
    )
    return list(ctx.session.exec(statement))


def event_data(event: AuditEvent) -> dict[str, Any]:
    loaded = json.loads(event.data or "{}")
    return loaded if isinstance(loaded, dict) else {}


def named_history(
    ctx: Ctx, register: str, record_id: int, *people: int | None
) -> tuple[list[AuditEvent], dict[int, str]]:
    """A record's events and the names of everyone in them (plus `people`, e.g. its owner)."""
    events = history(ctx, register, record_id)
    ids = {e.operator_id for e in events if e.operator_id is not None}
    ids |= {person for person in people if person}
    return events, operator_names(ctx, ids)
