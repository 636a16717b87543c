"""What a repair order's fields must be: times in order, a known category, a room for a unit,
the leak test a category counts its callback from, and when the callback falls due. Used by
desk.services.repair and by the night repairs the morning makes orders (night_repair)."""

from __future__ import annotations

from datetime import datetime

from desk.config import RepairCategory
from desk.models import RepairLocation, RepairOrder, RepairState
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.limits import clean_column
from desk.services.residents import normalise_room
from desk.services.when import happened, plausible


def moment(ctx: Ctx, when: datetime | None, field: str) -> datetime:
    """A time the clerk gave (now when none), not in the future."""
    return happened(when, ctx.now, field)


def category(ctx: Ctx, key: str) -> RepairCategory:
    found = ctx.settings.repair_category(key)
    if found is None:
        raise DeskError("repair.unknown_category", field="category", value=key)
    return found


def room(location: str, text: str) -> str:
    """The room of a repair in a unit (required there), as the desk writes rooms."""
    if location == RepairLocation.unit and not text.strip():
        raise DeskError("repair.room_required", field="room")
    return normalise_room(clean_column(text, RepairOrder, "room"))


def not_before(when: datetime, earlier: datetime | None, refusal: str, field: str) -> datetime:
    """`when`, refused (`refusal`, at `field`) when before `earlier`, a step already taken."""
    if earlier is not None and when < earlier:
        raise DeskError(refusal, field=field)
    return when


def completed_at(ctx: Ctx, order: RepairOrder, when: datetime | None) -> datetime:
    """When the work was done: not after now, nor before the technician came or was sent."""
    completed = moment(ctx, when, "completed_at")
    if order.state == RepairState.on_site:
        not_before(completed, order.on_site_at, "repair.before_on_site", "completed_at")
    return not_before(completed, order.dispatched_at, "repair.before_dispatched", "completed_at")


def leak_test(when: datetime | None, *, required: bool) -> datetime | None:
    """When the leak test was done; a category whose callback counts from it needs it."""
    if when is None:
        if required:
            raise DeskError("repair.leak_test_required", field="leak_test_at")
        return None
    return plausible(when, "leak_test_at")


def callback_due(
    ctx: Ctx, category_key: str, completed: datetime, leak_test_at: datetime | None
) -> datetime:
    """When the callback falls due: the category's time after completion, or after the leak
    test for a category counted from it (required then)."""
    found = ctx.settings.repair_category(category_key)
    start = completed
    if found is not None and found.callback_from == "leak_test":
        if leak_test_at is None:
            raise DeskError("repair.leak_test_required", field="leak_test_at")
        start = leak_test_at
    return ctx.due(start, found.callback if found else "2d")
