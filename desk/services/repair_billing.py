"""A paid repair's money (003 「客户同意后才能开始维修」「第三联交前台转财务」): the price
quoted and the resident's consent before work starts, one row per completion (a reopened order
completed again adds, never overwrites), billed -> paid with a receipt, and corrections of the
paid flag and the charges by a supervisor or the clerk who wrote them, with a reason, audited.

The steps are repair's: `STEPS` is part of desk.services.repair.LIFECYCLE (the screens ask it
which keys to offer); this module does not import repair, which calls it at "on site" and at
completion.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select

from desk.models import Operator, RepairCompletion, RepairOrder, RepairState, Role
from desk.services import audit, fetch
from desk.services.context import Ctx
from desk.services.errors import DeskError, Forbidden
from desk.services.lifecycle import Lifecycle, Step
from desk.services.limits import clean_column
from desk.services.when import happened

REGISTER = "repairs"  # repair's register (desk.services.repair.REGISTER)
# The most a charge may be, in fen (1,000,000 yuan: what the money field reads, too).
MAX_CHARGE_FEN = 100_000_000

S = RepairState
_BEFORE_WORK = (S.registered, S.dispatched)
_DONE = (S.completed, S.closed)
_LIVE = (S.registered, S.dispatched, S.on_site, S.completed, S.closed)


def charges(order: RepairOrder) -> int:
    return order.labour_fen + order.material_fen


def billable(order: RepairOrder) -> bool:
    """A paid order with charges, not billed yet."""
    return order.paid and charges(order) > 0 and order.billed_at is None


def payable(order: RepairOrder) -> bool:
    return order.billed_at is not None and order.paid_at is None


# repair's lifecycle steps about money (merged into desk.services.repair.LIFECYCLE)
STEPS: dict[str, Step[RepairState]] = {
    # the price quoted and the resident's consent, before "on site"; a paid order only
    "agree_price": Step(_BEFORE_WORK, offer_if=lambda order: order.paid),
    # billed (third copy to finance): after completion, also after closing
    "bill": Step(_DONE, offer_if=billable),
    # paid with a receipt: once billed, whenever the money comes (even on a reopened order)
    "pay": Step(_LIVE, offer_if=payable),
    # the paid flag and the charges put right: a supervisor or the clerk who wrote them
    "correct_charges": Step(_LIVE),
}
_STEPS = Lifecycle("repair.bad_state", STEPS)


@dataclass(frozen=True)
class ChargeCorrection:
    paid: bool
    labour_fen: int
    material_fen: int
    reason: str = ""


def _order(ctx: Ctx, order_id: int) -> RepairOrder:
    return fetch.get(ctx, RepairOrder, order_id)


def checked_money(fen: int | None, field: str, *, required: bool = False) -> int:
    """An amount in fen: not negative, not beyond the money field (required: not empty)."""
    if fen is None:
        if required:
            raise DeskError("field.required", field=field)
        return 0
    if fen < 0:
        raise DeskError("field.negative_money", field=field)
    if fen > MAX_CHARGE_FEN:
        raise DeskError("repair.charge_too_large", field=field, max=MAX_CHARGE_FEN // 100)
    return fen


# --- before work: the price and the consent ----------------------------------------------


def checked_charges(paid: bool, labour_fen: int, material_fen: int) -> tuple[int, int]:
    """A completion's charges: none negative or beyond the money field, none on a free order."""
    labour, material = (
        checked_money(labour_fen, "labour_fen"),
        checked_money(material_fen, "material_fen"),
    )
    if not paid and (labour or material):
        raise DeskError("repair.charges_on_free", field="labour_fen")
    return labour, material


def require_consent(order: RepairOrder) -> None:
    """Refuse the work ("on site", completion) on a paid order whose price the resident has
    not agreed to."""
    if order.paid and order.consent_at is None:
        raise DeskError("repair.consent_required", number=order.number)


def agree_price(
    ctx: Ctx, order_id: int, quoted_fen: int | None, consent_by: str, at: datetime | None = None
) -> RepairOrder:
    """The price told to the resident and who agreed to it, when (a new quote replaces it)."""
    order = _order(ctx, order_id)
    _STEPS.require(order, "agree_price")
    if not order.paid:
        raise DeskError("repair.quote_on_free", number=order.number)
    quoted = checked_money(quoted_fen, "quoted_fen", required=True)
    who = clean_column(consent_by, RepairOrder, "consent_by", required=True)
    moment = happened(at, ctx.now, "consent_at")
    if moment < order.reported_at:
        raise DeskError("repair.before_reported", field="consent_at")
    order.quoted_fen, order.consent_by, order.consent_at = quoted, who, moment
    ctx.session.add(order)
    audit.record(
        ctx, REGISTER, order.id, "price_agreed", {"quoted_fen": quoted, "by": who, "at": moment}
    )
    return order


# --- completion: one row per round -------------------------------------------------------


def record_completion(ctx: Ctx, order: RepairOrder, labour_fen: int, material_fen: int) -> None:
    """Add this round's completion (the order already holds its work and time) and its charges
    to the order's; an order already billed takes no further charges (its bill stands)."""
    if order.billed_at is not None and (labour_fen or material_fen):
        raise DeskError("repair.billed_no_more", field="labour_fen", number=order.number)
    assert order.id is not None and order.completed_at is not None
    rounds = ctx.session.exec(
        select(func.count()).where(col(RepairCompletion.order_id) == order.id)
    ).one()
    ctx.session.add(
        RepairCompletion(
            order_id=order.id,
            round=int(rounds) + 1,
            completed_at=order.completed_at,
            technician=order.technician,
            work_done=order.work_done,
            labour_fen=labour_fen,
            material_fen=material_fen,
            resident_materials=order.resident_materials,
            operator_id=ctx.acting(),
            created_at=ctx.now,
        )
    )
    order.labour_fen += labour_fen
    order.material_fen += material_fen


def completions(ctx: Ctx, order_id: int) -> list[RepairCompletion]:
    """Every completion of an order, the first first."""
    statement = (
        select(RepairCompletion)
        .where(col(RepairCompletion.order_id) == order_id)
        .order_by(col(RepairCompletion.round), col(RepairCompletion.id))
    )
    return list(ctx.session.exec(statement))


# --- billed, then paid ---------------------------------------------------------------------


def bill(ctx: Ctx, order_id: int, at: datetime | None = None) -> RepairOrder:
    """The charges handed over for billing (the slip's third copy to finance)."""
    order = _order(ctx, order_id)
    _STEPS.require(order, "bill")
    if not order.paid:
        raise DeskError("repair.bill_free", number=order.number)
    if order.billed_at is not None:
        raise DeskError("repair.already_billed", number=order.number)
    if charges(order) <= 0:
        raise DeskError("repair.bill_nothing", number=order.number)
    moment = happened(at, ctx.now, "billed_at")
    if order.completed_at is not None and moment < order.completed_at:
        raise DeskError("repair.before_completed", field="billed_at")
    order.billed_at = moment
    ctx.session.add(order)
    audit.record(ctx, REGISTER, order.id, "billed", {"at": moment, "amount_fen": charges(order)})
    return order


def pay(ctx: Ctx, order_id: int, receipt_number: str, at: datetime | None = None) -> RepairOrder:
    """The bill paid: the receipt's number is required."""
    order = _order(ctx, order_id)
    _STEPS.require(order, "pay")
    if order.billed_at is None:
        raise DeskError("repair.not_billed", number=order.number)
    if order.paid_at is not None:
        raise DeskError("repair.already_paid", number=order.number, receipt=order.receipt_number)
    receipt = clean_column(receipt_number, RepairOrder, "receipt_number", required=True)
    moment = happened(at, ctx.now, "paid_at")
    if moment < order.billed_at:
        raise DeskError("repair.before_billed", field="paid_at")
    order.paid_at, order.receipt_number = moment, receipt
    ctx.session.add(order)
    audit.record(
        ctx,
        REGISTER,
        order.id,
        "paid",
        {"at": moment, "receipt_number": receipt, "amount_fen": charges(order)},
    )
    return order


# --- corrections -----------------------------------------------------------------------------


def writers(ctx: Ctx, order: RepairOrder) -> set[int]:
    """Who wrote the order's money: the clerks of its completions that charged something, else
    who registered it (a later round that charged nothing makes no one a writer of the first's)."""
    statement = select(RepairCompletion.operator_id).where(
        col(RepairCompletion.order_id) == order.id,
        col(RepairCompletion.labour_fen) + col(RepairCompletion.material_fen) > 0,
    )
    found = set(ctx.session.exec(statement))
    return found or {order.operator_id}


def require_corrector(ctx: Ctx, order: RepairOrder) -> None:
    """Refuse (Forbidden) anyone but a supervisor or the clerk who wrote the order's money; the
    role and the active flag as they are in the database now."""
    operator = ctx.operator
    current = None if operator is None else ctx.session.get(Operator, operator.id)
    if (
        current is not None
        and current.active
        and (current.role == Role.supervisor or current.id in writers(ctx, order))
    ):
        return
    raise Forbidden("repair.correct_forbidden", number=order.number)


def correct(ctx: Ctx, order_id: int, change: ChargeCorrection) -> RepairOrder:
    """Put the paid flag and the charges right, saying why; the old values stay in the audit."""
    order = _order(ctx, order_id)
    _STEPS.require(order, "correct_charges")
    require_corrector(ctx, order)
    reason = clean_column(change.reason, RepairOrder, "close_reason", field="reason", required=True)
    if order.paid_at is not None:
        raise DeskError("repair.correct_after_paid", number=order.number)
    if order.billed_at is not None:  # the copy sent to finance stands: finance puts it right
        raise DeskError("repair.correct_after_billed", number=order.number)
    labour = checked_money(change.labour_fen, "labour_fen")
    material = checked_money(change.material_fen, "material_fen")
    if change.paid and order.warranty:
        raise DeskError("repair.paid_under_warranty", field="paid")
    if not change.paid and (labour or material):
        raise DeskError("repair.charges_on_free", field="labour_fen")
    if change.paid and not order.paid and order.consent_at is None:
        # made paid after the fact: the resident never agreed to a price (003)
        raise DeskError("repair.correct_paid_unagreed", field="paid", number=order.number)
    old = {"paid": order.paid, "labour_fen": order.labour_fen, "material_fen": order.material_fen}
    new = {"paid": change.paid, "labour_fen": labour, "material_fen": material}
    if old == new:
        raise DeskError("repair.correct_nothing", field="labour_fen")
    order.paid, order.labour_fen, order.material_fen = change.paid, labour, material
    ctx.session.add(order)
    audit.record(ctx, REGISTER, order.id, "charges_corrected", {"old": old, "new": new}, reason)
    return order


# --- what is owed ----------------------------------------------------------------------------


def unpaid(ctx: Ctx, limit: int = 200) -> list[RepairOrder]:
    """Orders billed and not paid, the longest owed first."""
    statement = (
        select(RepairOrder)
        .where(col(RepairOrder.billed_at).is_not(None), col(RepairOrder.paid_at).is_(None))
        .order_by(col(RepairOrder.billed_at), col(RepairOrder.id))
        .limit(limit)
    )
    return list(ctx.session.exec(statement))
