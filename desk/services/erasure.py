"""Erasing a resident's phone number from the registers, on the resident's request.

The number is found through the lookup index (its digits, whatever the spacing it was typed
with) in every register that keeps a phone: the residents directory, reception, repairs,
complaints, entrusted keys, release passes and the night log. Each row keeps the number masked
as the audit trail does (138****5678), so a record still reads sensibly; each gets a
`phone_erased` event naming the supervisor and the reason. The audit trail never held the
number in full (desk.services.audit_chain), so its chain stays whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import col

from desk.models import SearchDoc
from desk.services import audit, roles
from desk.services.audit_rows import mask_phone
from desk.services.context import Ctx
from desk.services.errors import DeskError
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
    if not erased:
        raise DeskError("erasure.not_found", field="phone", phone=mask_phone(phone))
    ctx.session.flush()
    return erased
