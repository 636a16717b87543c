"""What a goods release pass's fields must be: the applicant's ID (its last four only, never the
whole number), the goods lines, the room on file, the day it is valid, the owner's confirmation.
Used by desk.services.passes.issue, which checks them all at once."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from desk.models import IdType, PassItem, ReleasePass, Unit
from desk.services import limits
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.pass_queries import day_bounds, today
from desk.services.residents import clean_text, find_unit
from desk.services.submission import Submission

MAX_ITEMS = 200
MAX_QUANTITY = 9999
# how far ahead a pass may be dated
MAX_DAYS_AHEAD = 31
_LAST4 = re.compile(r"^[0-9A-Z]{4}$")
_ID_CARD_LAST4 = re.compile(r"^\d{3}[\dX]$")


class PassItemIn(Submission):
    description: str = ""
    quantity: int = 1
    remark: str = ""


def last4(value: str, id_type: IdType) -> str:
    compact = re.sub(r"\s", "", value).upper()
    if not compact:
        raise DeskError("field.required", field="id_last4")
    if len(compact) > 4:
        # a full ID number is never stored, not even briefly in an error message
        raise DeskError("pass_error.id_too_long", field="id_last4")
    if not _LAST4.match(compact):
        raise DeskError("pass_error.id_last4_exactly", field="id_last4")
    if id_type == IdType.id_card and not _ID_CARD_LAST4.match(compact):
        # a resident identity card ends in digits, its check character 0-9 or X
        raise DeskError("pass_error.id_card_last4", field="id_last4")
    return compact


def items(data: list[PassItemIn]) -> list[PassItemIn]:
    if not data:
        raise DeskError("pass_error.no_items", field="items")
    if len(data) > MAX_ITEMS:
        raise DeskError("pass_error.too_many_items", field="items", max=MAX_ITEMS)
    cleaned = []
    for line, item in enumerate(data, start=1):
        description = clean_text(
            item.description, limits.max_length(PassItem, "description"), field="items"
        )
        if not description:
            raise DeskError("pass_error.item_description", field="items", line=line)
        if not 1 <= item.quantity <= MAX_QUANTITY:
            raise DeskError("pass_error.item_quantity", field="items", line=line, max=MAX_QUANTITY)
        remark = clean_text(item.remark, limits.max_length(PassItem, "remark"), field="items")
        cleaned.append(PassItemIn(description=description, quantity=item.quantity, remark=remark))
    return cleaned


def valid_until(ctx: Ctx, valid_on: date) -> datetime:
    start = ctx.now if valid_on == today(ctx) else day_bounds(ctx, valid_on, valid_on)[0]
    return ctx.due(start, ctx.settings.passes.valid_for)


def unit(ctx: Ctx, room: str) -> Unit:
    typed = clean_text(room, limits.max_length(ReleasePass, "room"), field="room", required=True)
    unit = find_unit(ctx, typed)
    if unit is None:
        raise DeskError("pass_error.unknown_room", field="room", room=typed)
    return unit


def valid_on(ctx: Ctx, day: date | None) -> date:
    """The pass's day: today unless given, never past, at most MAX_DAYS_AHEAD ahead."""
    valid_on = day or today(ctx)
    if valid_on < today(ctx):
        raise DeskError("pass_error.valid_on_past", field="valid_on")
    if valid_on > today(ctx) + timedelta(days=MAX_DAYS_AHEAD):
        raise DeskError("pass_error.valid_on_far", field="valid_on", days=MAX_DAYS_AHEAD)
    return valid_on


def confirmed(answer: bool | None) -> bool:
    if answer is not True:
        raise DeskError("pass_error.owner_not_confirmed", field="owner_confirmed")
    return True
