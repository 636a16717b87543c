"""Reading renovations: by id or number, lists, what is still owed (board and handover), and the
dates every step is counted from (approval due, permit end, refund due)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlmodel import col, select

from desk.config import Settings
from desk.models import (
    OPEN_RENOVATION_STATES,
    Renovation,
    RenovationInspection,
    RenovationState,
    RenovationVisit,
)
from desk.services import estates, fetch
from desk.services.context import Ctx
from desk.services.open_item import OpenItem

REGISTER = "renovations"
# the permit's number, found by the lookup as the register's second number
PERMIT_REGISTER = "renovation_permits"
PREFIX = "ZX"
PERMIT_PREFIX = "XK"
# a permit whose works end within this many days is on the board; so is a refund due as soon
PERMIT_ENDING_DAYS = 7
REFUND_SHOWN_DAYS = 7
# an estate other than the default one puts its code first: HG-ZX-20261123-007
_NUMBER = re.compile(r"^(?:([A-Z0-9]{2,8}?)(ZX|XK)|(ZX|XK))(\d{8})(\d{3,4})$")

S = RenovationState
# the steps a permit counts as given for: the works may go on (or are suspended for a while)
PERMIT_STATES = (S.permit_issued, S.in_works, S.suspended)
# the states a renovation may still be withdrawn from, at the applicant's wish (no works yet)
EARLY_STATES = (S.applied, S.documents_complete, S.with_engineering, S.approved, S.permit_issued)


def get(ctx: Ctx, renovation_id: int) -> Renovation:
    return fetch.get(ctx, Renovation, renovation_id)


def canonical_number(typed: str, estate: str = "") -> str | None:
    """`ZX-20261123-007` or `XK-…` (`HG-ZX-…` in estate HG) from what was typed: any case, with
    or without dashes; `estate` is the code put first when none was typed."""
    compact = re.sub(r"[^0-9A-Z]", "", typed.upper())
    match = _NUMBER.match(compact)
    if match is None:
        return None
    code = match.group(1) or estate
    prefix = match.group(2) or match.group(3)
    start = f"{code}-" if code else ""
    return f"{start}{prefix}-{match.group(4)}-{match.group(5)}"


def find(ctx: Ctx, number: str) -> Renovation | None:
    """The renovation with this application (ZX) or permit (XK) number as typed, or None."""
    here = estates.number_prefix(ctx).rstrip("-") if estates.chosen(ctx) else ""
    canonical = canonical_number(number, here)
    if canonical is None:
        return None
    column = "permit_number" if f"{PERMIT_PREFIX}-" in canonical else "number"
    return fetch.by_number(ctx, Renovation, canonical, column)


def inspections_of(ctx: Ctx, renovation_id: int) -> list[RenovationInspection]:
    statement = (
        select(RenovationInspection)
        .where(RenovationInspection.renovation_id == renovation_id)
        .order_by(col(RenovationInspection.round), col(RenovationInspection.id))
    )
    return list(ctx.session.exec(statement))


def visits_of(ctx: Ctx, renovation_id: int) -> list[RenovationVisit]:
    statement = (
        select(RenovationVisit)
        .where(RenovationVisit.renovation_id == renovation_id)
        .order_by(col(RenovationVisit.visited_at), col(RenovationVisit.id))
    )
    return list(ctx.session.exec(statement))


def listing(ctx: Ctx, *, everything: bool = False, limit: int = 500) -> list[Renovation]:
    """The renovations still open (every one when `everything`), newest first."""
    statement = select(Renovation)
    if not everything:
        statement = statement.where(col(Renovation.state).in_(OPEN_RENOVATION_STATES))
    statement = statement.order_by(col(Renovation.created_at).desc(), col(Renovation.id).desc())
    return list(ctx.session.exec(statement.limit(limit)))


# --- the site's rules, read from its settings ----------------------------------------------


def special_works(settings: Settings, found: Any) -> list[str]:
    """The works of this application that need the special approval and the undertaking."""
    rules = settings.renovation.special_approval
    return [work for work in rules if getattr(found, f"touches_{work}", False)]


# the papers checked at the desk before the application is complete (001 装修办理 ⑵ ⑶)
DOCUMENTS = (
    "doc_floor_plan",
    "doc_drawings",
    "doc_licence",
    "doc_qualification",
    "agreement_signed",
    "fire_pledge_signed",
)


def missing_documents(found: Any) -> list[str]:
    """The checklist's papers not yet ticked (field names, in the form's order)."""
    return [name for name in DOCUMENTS if not getattr(found, name)]


def local_day(ctx: Ctx, moment: datetime) -> date:
    return moment.astimezone(ctx.tz).date()


def today(ctx: Ctx) -> date:
    return local_day(ctx, ctx.now)


def day_end(ctx: Ctx, day: date) -> datetime:
    """The last second of `day` in the site's time zone."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=ctx.tz)


def refund_due_on(first_passed: date, months: int) -> date:
    """The day the deposit is due back: `months` after the first inspection that passed (the
    month's last day when that month is shorter: 30 Nov + 3 months is 28 or 29 Feb)."""
    return first_passed + relativedelta(months=months)


def refund_deadline(ctx: Ctx, found: Renovation) -> datetime | None:
    """The latest a refund is still paid on time: the site's `refund_within` after its day."""
    if found.refund_due_on is None:
        return None
    return ctx.due(day_end(ctx, found.refund_due_on), ctx.settings.renovation.refund_within)


def permit_end(ctx: Ctx, found: Renovation) -> datetime:
    """When the permitted works end: the end of their planned last day."""
    return day_end(ctx, found.planned_end)


def within_hours(settings: Settings, moment: datetime) -> bool:
    """Whether `moment` falls in the site's permitted working hours (its local time)."""
    local = moment.astimezone(settings.tz).time()
    return any(start <= local < end for start, end in settings.renovation.windows())


# --- what is owed (the board, the handover) ------------------------------------------------


def _item(found: Renovation, due_at: datetime | None, kind: str) -> OpenItem:
    return OpenItem(
        register=REGISTER,
        record_id=found.id or 0,
        number=found.number,
        room=found.room,
        summary=f"{found.contractor} {found.scope}".strip(),
        state=found.state,
        opened_at=found.created_at,
        due_at=due_at,
        due_kind=kind,
    )


def owed(ctx: Ctx, found: Renovation) -> OpenItem | None:
    """What the desk owes on this renovation now, if anything the board shows: the approval
    (due or overdue), a permit whose works end within a week, an inspection booked, a refund
    due within a week or overdue."""
    if found.state == S.with_engineering:
        return _item(found, found.approval_due_at, "approval")
    if found.state in PERMIT_STATES:
        ends = permit_end(ctx, found)
        if ends - ctx.now <= timedelta(days=PERMIT_ENDING_DAYS):
            return _item(found, ends, "permit_end")
        return None
    if found.state == S.finished:
        return _item(found, found.inspection_booked_for, "inspection")
    due_on = found.refund_due_on if found.state == S.passed else None
    if due_on is not None and due_on - today(ctx) <= timedelta(days=REFUND_SHOWN_DAYS):
        return _item(found, refund_deadline(ctx, found), "refund")
    return None


def open_items(ctx: Ctx) -> list[OpenItem]:
    """Every renovation the desk owes something on now, for the board and the handover."""
    statement = (
        select(Renovation)
        .where(
            col(Renovation.state).in_((S.with_engineering, *PERMIT_STATES, S.finished, S.passed))
        )
        .order_by(col(Renovation.created_at))
        .limit(2000)
    )
    items = [owed(ctx, found) for found in ctx.session.exec(statement)]
    return [item for item in items if item is not None]
