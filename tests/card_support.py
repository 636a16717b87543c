"""The resident cards tests start from, made through the services as the desk makes them (in the
style of tests/seed.py): room 3-1202 with its owner 李明, his wife 王丽 (an owner on file too)
and their tenant 赵租; room 5-0801 with its owner 孙丽."""

from __future__ import annotations

from datetime import datetime

from desk.models import ResidentCard
from desk.services import cards, residents
from desk.services.cards import CardApply
from tests.conftest import Desk


def add_residents(desk: Desk) -> None:
    with desk.write() as ctx:
        residents.add_resident(ctx, "3", "1202", "李明", "13812345678", "owner")
        residents.add_resident(ctx, "3", "1202", "王丽", "13812340000", "owner")
        residents.add_resident(ctx, "3", "1202", "赵租", "13700001111", "tenant")
        residents.add_resident(ctx, "5", "0801", "孙丽", "13600002222", "owner")


def application(**changes: object) -> CardApply:
    """李明 applies in person for his own owner card, to be ready at once."""
    fields: dict[str, object] = {
        "room": "3-1202",
        "holder": "李明",
        "holder_relation": "owner",
        "applicant": "李明",
        "id_type": "id_card",
        "id_last4": "123X",
        "photos_given": True,
        "terms_explained": True,
        "owner_signed": True,
        **changes,
    }
    return CardApply.model_validate(fields)


def tenant_card(**changes: object) -> CardApply:
    """李明 applies for his tenant 赵租's resident card."""
    return application(holder="赵租", holder_relation="tenant", **changes)


def apply(desk: Desk, data: CardApply | None = None) -> int:
    with desk.write() as ctx:
        card = cards.apply(ctx, data or application())
    assert card.id is not None
    return card.id


def issued(desk: Desk, data: CardApply | None = None, collected_by: str = "李明") -> int:
    """A card applied for, made ready and handed over, all at `desk`'s clock."""
    card_id = apply(desk, data)
    with desk.write() as ctx:
        cards.make_ready(ctx, card_id)
        cards.issue(ctx, card_id, collected_by)
    return card_id


def stored(desk: Desk, card_id: int) -> ResidentCard:
    with desk.read() as ctx:
        return cards.get(ctx, card_id)


def at(desk: Desk, moment: datetime) -> Desk:
    """The same desk, its operator, at another moment."""
    return Desk(desk.db, desk.operator, moment)
