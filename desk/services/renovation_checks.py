"""What a renovation's fields must be: the room on file, the contractor, the works' dates, the
owner's confirmation of an agent, money and receipts, names and reasons. Used by
desk.services.renovation, which checks every field of a step at once."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from desk.models import Renovation, RenovationInspection, RenovationVisit, Unit
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.limits import clean_column
from desk.services.renovation_queries import today
from desk.services.residents import find_unit
from desk.services.when import happened, plausible

# the longest works a permit is given for, and how far ahead an application may be made
MAX_WORKS_DAYS = 366
MAX_DAYS_AHEAD = 366
# a deposit or fee above this (yuan) is a typing mistake
MAX_YUAN = 1_000_000


def unit(ctx: Ctx, room: str) -> Unit:
    typed = clean_column(room, Renovation, "room", required=True)
    found = find_unit(ctx, typed)
    if found is None:
        raise DeskError("renovation_error.unknown_room", field="room", room=typed)
    return found


def text(value: str, column: str, *, required: bool = False, field: str | None = None) -> str:
    return clean_column(value, Renovation, column, field=field, required=required)


def inspection_text(value: str, column: str, *, required: bool = False) -> str:
    return clean_column(value, RenovationInspection, column, required=required)


def visit_text(value: str, column: str, *, required: bool = False) -> str:
    return clean_column(value, RenovationVisit, column, required=required)


def start(ctx: Ctx, day: date | None) -> date:
    """The works' first day: given, not past, not more than a year ahead."""
    if day is None:
        raise DeskError("field.required", field="planned_start")
    if day < today(ctx):
        raise DeskError("renovation_error.start_past", field="planned_start")
    if day > today(ctx) + timedelta(days=MAX_DAYS_AHEAD):
        raise DeskError("renovation_error.start_far", field="planned_start", days=MAX_DAYS_AHEAD)
    return day


def end(first: date | None, day: date | None) -> date:
    """The works' last day: given, not before the first, at most MAX_WORKS_DAYS after it."""
    if day is None:
        raise DeskError("field.required", field="planned_end")
    if first is not None and day < first:
        raise DeskError("renovation_error.end_before_start", field="planned_end")
    if first is not None and (day - first).days > MAX_WORKS_DAYS:
        raise DeskError("renovation_error.too_long", field="planned_end", days=MAX_WORKS_DAYS)
    return day


def fen(amount: int, field: str) -> int:
    if amount < 0:
        raise DeskError("field.negative_money", field=field)
    if amount > MAX_YUAN * 100:
        raise DeskError("field.bad_money", field=field, value=f"{amount / 100:.2f}")
    return amount


def receipt(amount: int, number: str, field: str, *, needed: bool) -> str:
    """A receipt number: needed (when `needed`) for any amount paid."""
    cleaned = clean_column(number, Renovation, field)
    if needed and amount > 0 and not cleaned:
        raise DeskError("renovation_error.receipt_needed", field=field)
    return cleaned


def moment(
    ctx: Ctx, when: datetime | None, field: str, *, after: datetime | None = None
) -> datetime:
    """When something happened (now unless given): not in the future, not before `after`."""
    found = happened(when, ctx.now, field)
    if after is not None and found < after:
        raise DeskError("renovation_error.before_last_step", field=field)
    return found


def booked(ctx: Ctx, when: datetime | None, field: str, *, after: datetime) -> datetime:
    """A time booked (an inspection): needed; it may be ahead, never before `after`."""
    if when is None:
        raise DeskError("field.required", field=field)
    found = plausible(when, field)
    if found < after:
        raise DeskError("renovation_error.booked_before", field=field)
    return found
