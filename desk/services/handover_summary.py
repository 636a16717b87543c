"""A handover's summary: the checklist as counted, who held the shift, and the registers' open
items, built while the handover is open, frozen at sign-off and restamped (who, when) when it is
acknowledged or refused; later changes to the registers never change what was handed over.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlmodel import col, select

from desk.models import AuditEvent, Handover, HandoverState, Operator
from desk.services import estates, operators
from desk.services.context import Ctx

if TYPE_CHECKING:
    # The summary is built at handover, not for the board's notice: loaded when first built.
    from desk.services.summary import Check, Summary


def holders(ctx: Ctx, since: datetime) -> list[str]:
    """Who holds the shift: everyone who signed in at the desk since it began (and who acts)."""
    statement = (
        select(Operator.name, AuditEvent.data)
        .join(AuditEvent, col(AuditEvent.record_id) == col(Operator.id))
        .where(
            AuditEvent.register_name == "operator",
            AuditEvent.action == "signed_in",
            col(AuditEvent.at) >= since - timedelta(minutes=30),
        )
        .order_by(col(AuditEvent.at))
    )
    # at this estate's desk: a sign-in at another estate's desk holds no shift of this one
    here = (name for name, data in ctx.session.exec(statement) if estates.signed_in_here(ctx, data))
    names = list(dict.fromkeys(here))
    if ctx.operator is not None and ctx.operator.name not in names:
        names.append(ctx.operator.name)
    return names


def checks(ctx: Ctx, handover: Handover) -> list[Check]:
    """The checklist of a handover: the site's items with what was counted so far."""
    from desk.services.summary import Check

    stored = {c["key"]: c for c in json.loads(handover.checklist or "[]")}
    out: list[Check] = []
    for item in ctx.settings.handover.checklist:
        found = stored.pop(item.key, {})
        out.append(
            Check(
                item.key,
                item.zh_CN,
                item.en,
                item.expected,
                found.get("counted"),
                found.get("holder", ""),
            )
        )
    # items counted under an older site.toml stay on the record
    out += [Check(**c) for c in stored.values()]
    return out


def summary(ctx: Ctx, handover: Handover) -> Summary:
    """The handover's summary: the frozen one once signed off, else built now."""
    from desk.services.summary import Summary

    if handover.summary and handover.state != HandoverState.open:
        return Summary.from_json(handover.summary)
    return build(ctx, handover)


def build(ctx: Ctx, handover: Handover) -> Summary:
    """The summary of `handover` from the registers as they are now."""
    from desk.services.summary import Summary, counts, open_sections, rescheduled

    shift = next((s for s in ctx.settings.shifts if s.key == handover.shift_key), None)
    names = operators.operator_names(
        ctx, {i for i in (handover.outgoing_id, handover.incoming_id) if i is not None}
    )
    end = min(ctx.now, handover.shift_end)
    return Summary(
        site=ctx.settings.site.name,
        site_en=ctx.settings.site.name_en,
        shift_key=handover.shift_key,
        shift_zh=shift.zh_CN if shift else handover.shift_key,
        shift_en=shift.en if shift else handover.shift_key,
        shift_start=handover.shift_start,
        shift_end=handover.shift_end,
        built_at=ctx.now,
        handover_id=handover.id,
        state=handover.state,
        outgoing=names.get(handover.outgoing_id, ""),
        incoming=names.get(handover.incoming_id or 0, ""),
        holders=holders(ctx, handover.shift_start),
        opened_at=handover.opened_at,
        signed_off_at=handover.signed_off_at,
        acknowledged_at=handover.acknowledged_at,
        refused_at=handover.refused_at,
        refusal_reason=handover.refusal_reason,
        counts=counts(ctx, handover.shift_start, max(end, handover.shift_start)),
        sections=open_sections(ctx, handover.shift_start),
        checklist=checks(ctx, handover),
        desk_cleaned=handover.desk_cleaned,
        log_read=handover.log_read,
        notes=handover.notes,
        watch=handover.watch,
        rescheduled=rescheduled(ctx, handover.shift_start, max(end, handover.shift_start)),
    )


def restamp(handover: Handover, **changes: object) -> None:
    """Write who and when into the frozen summary; its registers and counts stay as signed."""
    from desk.services.summary import Summary

    frozen = Summary.from_json(handover.summary)
    for key, value in changes.items():
        setattr(frozen, key, value)
    handover.summary = frozen.to_json()
