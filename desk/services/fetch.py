"""Fetch a register's record by its id or by its number: the one lookup every register uses.

`get` refuses an unknown id with the register's NotFound (`record.not_found` unless the register
says otherwise); `by_number` answers None for a number nobody holds or the database cannot store.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlmodel import SQLModel, select

from desk.services import estates
from desk.services.context import Ctx
from desk.services.errors import NotFound
from desk.services.residents import storable

M = TypeVar("M", bound=SQLModel)


def get(ctx: Ctx, model: type[M], record_id: int, key: str = "record.not_found") -> M:
    """The `model` row with this id; NotFound(`key`, id=record_id) when there is none."""
    found = ctx.session.get(model, record_id)
    if found is None:
        raise NotFound(key, id=record_id)
    estates.take_up(ctx, found)  # the call-centre desk works on it in its own estate
    return found


def by_number(ctx: Ctx, model: type[M], number: str, column: str = "number") -> M | None:
    """The `model` row whose `column` is `number` as given, if any."""
    if not storable(number):
        return None
    attribute: Any = getattr(model, column)
    return ctx.session.exec(select(model).where(attribute == number)).first()
