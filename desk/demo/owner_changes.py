"""The demo owner record changes: three weeks of declarations, in every state one can reach.

Planned on the demo's timeline (desk.demo.timeline): the clerk on duty declares, 陈静 (the
supervisor) applies or turns down. An owner's ID seen in person is what a later phone request is
checked against; a caller with no ID on record, or a mistyped number, is refused, and the refusal
kept as the desk keeps it (in its own transaction at the desk: here, in the demo's).
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Any

from desk.demo.timeline import Room, Timeline
from desk.services import id_numbers, owner_changes
from desk.services.context import Ctx
from desk.services.errors import LastingRefusal
from desk.services.owner_changes import OwnerChangeCreate

# districts of Shanghai the demo's owners were born in (the ID number's first 6 digits)
DISTRICTS = ("310101", "310104", "310105", "310106", "310107", "310115")
# given names no demo resident has (desk.demo.GIVEN): never one already of the room
FAMILY = ("小宝", "晓雨", "子轩", "欣悦", "思彤")
NEW_OWNERS = ("沈嘉明", "韩雪", "邓志远")
REJECTIONS = ("声明上的签名与登记的不一致", "新电话号码写错，业主另行办理")
WITHDRAWALS = ("业主来电说暂不更改",)


def demo_id_number(rng: random.Random) -> str:
    """A made-up ID card number that passes its check (GB 11643)."""
    born = datetime(1950, 1, 1) + timedelta(days=rng.randrange(50 * 365))
    first17 = f"{rng.choice(DISTRICTS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + id_numbers.check_character(first17)


def _at(line: Timeline, days_ago: int, hour: int, minute: int) -> datetime:
    day = (line.now - timedelta(days=days_ago)).astimezone(line.settings.tz).date()
    return datetime.combine(day, time(hour, minute), tzinfo=line.settings.tz)


def _phone(rng: random.Random) -> str:
    return rng.choice(("139", "186", "158")) + f"{rng.randrange(10**8):08d}"


def _declared(line: Timeline, key: str, at: datetime, data: OwnerChangeCreate) -> datetime:
    return line.at(at, line.keep(key, lambda ctx: owner_changes.declare(ctx, data)))


def _refused(line: Timeline, at: datetime, data: OwnerChangeCreate) -> None:
    """A call turned away: the declaration refused, the refusal kept."""

    def call(ctx: Ctx) -> Any:
        try:
            owner_changes.declare(ctx, data)
        except LastingRefusal as refused:
            refused.lasting(ctx.session)

    line.at(at, call)


def plan_owner_changes(line: Timeline, rng: random.Random, directory: list[Room]) -> None:
    """About a dozen declarations over the three weeks, each state on the board and the lists."""
    rooms = rng.sample(directory, k=8)
    boss = line.by_supervisor

    def in_person(room: Room, number: str, **fields: Any) -> OwnerChangeCreate:
        code, owner, _ = room
        base: dict[str, Any] = {
            "room": code,
            "change": "amend",
            "resident": owner,
            "asked_by": owner,
            "identity": "in_person",
            "id_kind": "id_card",
            "id_number": number,
            "signed": True,
        }
        return OwnerChangeCreate.model_validate({**base, **fields})

    def apply(key: str) -> Any:
        return boss(lambda ctx: owner_changes.apply(ctx, line.ids[key]))

    # 1. an owner changes their number at the desk, ID seen (recorded); later calls to change it
    #    again, and is checked against it; a mistyped number on another call is refused
    first = rooms[0]
    number = demo_id_number(rng)
    new_phone = _phone(rng)
    at = _declared(
        line, "oc-1", _at(line, 18, 10, 5), in_person(first, number, new_phone=new_phone)
    )
    line.at(at + timedelta(hours=3), apply("oc-1"))
    call = in_person(first, number, identity="phone", signed=False, new_phone=_phone(rng))
    at = _declared(line, "oc-2", _at(line, 9, 14, 20), call)
    line.at(at + timedelta(hours=1), apply("oc-2"))
    mistyped = number[:-2] + number[-1] + number[-2]
    if not id_numbers.valid_id_card(mistyped):
        retyped = {"id_number": mistyped, "new_phone": _phone(rng)}
        _refused(line, _at(line, 6, 11, 40), call.model_copy(update=retyped))
    # 2. a caller whose ID the desk has never seen: refused, told to come in person
    second = rooms[1]
    stranger = in_person(
        second, demo_id_number(rng), identity="phone", signed=False, new_phone=_phone(rng)
    )
    _refused(line, _at(line, 12, 16, 10), stranger)
    # 3. a family member added, and one of the household leaving
    third = rooms[2]
    add = in_person(
        third,
        demo_id_number(rng)[-4:],
        change="add",
        resident="",
        new_name=third[1][0] + rng.choice(FAMILY),
        new_kind="family",
    )
    at = _declared(line, "oc-3", _at(line, 15, 9, 45), add)
    line.at(at + timedelta(days=1), apply("oc-3"))
    # 4. a sale: the room moves to its new owner
    fourth = rooms[3]
    sale = OwnerChangeCreate.model_validate(
        {
            "room": fourth[0],
            "change": "sale",
            "asked_by": NEW_OWNERS[0],
            "identity": "in_person",
            "id_kind": "id_card",
            "id_number": demo_id_number(rng),
            "new_name": NEW_OWNERS[0],
            "new_phone": _phone(rng),
            "evidence": f"沪(2026)不动产权第{rng.randrange(10**7):07d}号",
            "signed": True,
        }
    )
    at = _declared(line, "oc-4", _at(line, 7, 15, 30), sale)
    line.at(at + timedelta(hours=20), apply("oc-4"))
    # 5. turned down, and withdrawn
    fifth = rooms[4]
    wrong = in_person(fifth, demo_id_number(rng), new_phone=_phone(rng))
    at = _declared(line, "oc-5", _at(line, 5, 10, 15), wrong)
    reason = rng.choice(REJECTIONS)
    turn_down = boss(lambda ctx: owner_changes.reject(ctx, line.ids["oc-5"], reason))
    line.at(at + timedelta(hours=2), turn_down)
    sixth = rooms[5]
    again = in_person(sixth, demo_id_number(rng)[-4:], new_phone=_phone(rng))
    at = _declared(line, "oc-6", _at(line, 4, 11, 0), again)
    why = rng.choice(WITHDRAWALS)
    line.at(at + timedelta(hours=5), lambda c: owner_changes.withdraw(c, line.ids["oc-6"], why))
    # 6. waiting: one overdue (declared a week ago), one declared this morning
    seventh = rooms[6]
    late = in_person(seventh, demo_id_number(rng), new_name=seventh[1][0] + "若曦")
    _declared(line, "oc-7", _at(line, 7, 9, 50), late)
    eighth = rooms[7]
    fresh = in_person(eighth, demo_id_number(rng), new_phone=_phone(rng))
    _declared(line, "oc-8", line.now - timedelta(minutes=50), fresh)
