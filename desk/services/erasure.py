"""Erasing a resident's phone number from the registers, on the resident's request.

The number is found through the lookup index (its digits, whatever the spacing it was typed
with) in every register that keeps a phone: the residents directory, reception, repairs,
complaints, entrusted keys, release passes, the night log and owner record changes (the number
a change replaced, too). Each row keeps the number masked as the audit trail does
(138****5678), so a record still reads sensibly; each gets a
`phone_erased` event naming the supervisor and the reason. The audit trail never held the
number in full (desk.services.audit_chain), so its chain stays whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import col

from desk.models import OwnerChange, SearchDoc
from desk.services import audit, roles
from desk.services.audit_rows import mask_phone
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.owner_change_queries import REGISTER
from desk.services.residents import clean_text
from desk.services.search_index import reversed_digits
from desk.services.search_sources import BY_REGISTER

# Fewer digits than this could be anyone's number.
MIN_DIGITS = 7


@dataclass(frozen=True)
class Erased:
    """One record whose phone number was erased."""

    register: str
    record_id: int
    number: str  # the record's own number (WX-…), or "" when it has none


def erase_phone(ctx: Ctx, phone: str, reason: str) -> list[Erased]:
    """Mask `phone` wherever the registers keep it; a supervisor's act, with a reason.

    Raises:
        Forbidden: the operator is not a supervisor.
        DeskError: no reason, a number too short to be one person's, or no record holds it.
    """
    roles.RESIDENT_ERASE.require(ctx)
    reason = clean_text(reason, 500, field="reason")
    if not reason:
        raise DeskError("field.required", field="reason")
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) < MIN_DIGITS:
        raise DeskError("erasure.too_short", field="phone", digits=MIN_DIGITS)
    found = ctx.session.execute(
        select(col(SearchDoc.register_name), col(SearchDoc.record_id))
        .where(col(SearchDoc.phone_rev) == reversed_digits(digits))
        .order_by(col(SearchDoc.register_name), col(SearchDoc.record_id))
    ).all()
    erased: list[Erased] = []
    for register, record_id in found:
        source = BY_REGISTER.get(str(register))
        if source is None or not source.phone:
            continue
        row = ctx.session.get(source.model, int(record_id))
        if row is None:
            continue
        held = str(getattr(row, source.phone) or "")
        if "".join(ch for ch in held if ch.isdigit()) != digits:
            continue
        setattr(row, source.phone, mask_phone(held))
        ctx.session.add(row)
        audit.record(
            ctx, str(register), int(record_id), "phone_erased", {"phone": held}, reason=reason
        )
        number = str(getattr(row, source.number, "") or "") if source.number else ""
        erased.append(Erased(str(register), int(record_id), number))
    erased += _old_numbers(ctx, digits, reason, {(e.register, e.record_id) for e in erased})
    if not erased:
        raise DeskError("erasure.not_found", field="phone", phone=mask_phone(phone))
    ctx.session.flush()
    return erased


def _old_numbers(ctx: Ctx, digits: str, reason: str, done: set[tuple[str, int]]) -> list[Erased]:
    """An owner record change keeps the number it replaced (`phone_from`) beside the new one:
    the lookup index knows only the new one, so the old ones are looked for here."""
    found = ctx.session.scalars(
        select(OwnerChange).where(col(OwnerChange.phone_from).like(f"%{digits[-4:]}"))
    )
    erased: list[Erased] = []
    for row in found:
        held = row.phone_from
        if row.id is None or "".join(ch for ch in held if ch.isdigit()) != digits:
            continue
        row.phone_from = mask_phone(held)
        ctx.session.add(row)
        audit.record(ctx, REGISTER, row.id, "phone_erased", {"phone_from": held}, reason=reason)
        if (REGISTER, row.id) not in done:
            erased.append(Erased(REGISTER, row.id, row.number))
    return erased
