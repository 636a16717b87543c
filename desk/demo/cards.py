"""The demo resident cards: owner cards and resident cards in every state a card can reach.

Planned on the demo's timeline (`desk.demo.timeline`), some months back for the resident cards
that have run out: the desk takes applications, makes cards ready, issues, renews, takes loss
reports and replaces, marks expired, takes cards back and cancels as the operator on duty; the
gate checks cards without a signed-in operator, as the guard does.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Any

from desk.demo.timeline import Room, Timeline
from desk.models import ResidentKind
from desk.services import cards, residents
from desk.services.cards import CardApply
from desk.services.context import Ctx

# (the card's end state, owner or resident card, how many days ago it was applied for)
PLAN: tuple[tuple[str, str, int], ...] = (
    ("applied", "owner", 0),  # to be picked up the day after tomorrow
    ("applied", "resident", 1),  # promised for this morning: not made yet
    ("ready", "owner", 1),
    ("ready", "resident", 3),
    ("issued", "owner", 20),
    ("issued", "owner", 18),
    ("issued", "owner", 15),
    ("issued", "owner", 9),
    ("issued", "owner", 4),
    ("issued", "resident", 10),
    ("issued", "resident", 80),  # runs out within two weeks
    ("issued", "resident", 86),
    ("issued", "resident", 95),  # ran out some days ago, not renewed yet
    ("renewed", "resident", 100),
    ("lost", "resident", 30),
    ("replaced", "owner", 40),
    ("expired", "resident", 120),
    ("returned", "resident", 50),
    ("cancelled_applied", "owner", 8),
    ("cancelled_issued", "resident", 60),
)
GUARDS = ("周建军", "马卫东", "吴海")
LOST_NOTES = ("在小区门口丢失", "钱包被盗，卡在钱包里", "")
CANCELS = ("业主不再需要", "租户提前退租，业主要求注销")
RECEIPTS = "SJ"


def _as_gate(ctx: Ctx) -> Ctx:
    """The guard is not an operator: gate events carry no operator, the guard's name in data."""
    return Ctx(ctx.session, None, ctx.settings, ctx.now)


def _holder(ctx: Ctx, rooms: list[Room], used: set[str], resident: bool) -> CardApply:
    """An application by the owner of the first room still free that has a holder of the
    kind wanted: the owner himself, or a tenant or family member on file."""
    for code, owner, _phone in rooms:
        if code in used:
            continue
        unit = residents.find_unit(ctx, code)
        if unit is None or unit.id is None:
            continue
        people = [r for r in residents.residents_of(ctx, unit.id) if r.active]
        owners = [r for r in people if r.kind == ResidentKind.owner]
        if not owners:
            continue
        applicant = next((r for r in owners if r.name == owner), owners[0])
        if resident:
            others = [r for r in people if r.name != applicant.name]
            if not others:
                continue
            holder = others[0]
            relation = "tenant" if holder.kind == ResidentKind.tenant else "family"
        else:
            holder, relation = applicant, "owner"
        used.add(code)
        return CardApply(
            room=code,
            holder=holder.name,
            holder_relation=relation,
            applicant=applicant.name,
            id_type="id_card",
            id_last4=f"{(unit.id * 7919) % 10000:04d}",
            photos_given=True,
            terms_explained=True,
            owner_signed=True,
        )
    raise LookupError("no room left for a demo card")


def plan_cards(line: Timeline, rng: random.Random, directory: list[Room]) -> None:
    """About twenty cards; rooms are taken in a shuffled order, each for one card."""
    rooms = list(directory)
    rng.shuffle(rooms)
    used: set[str] = set()
    for index, (state, kind, days) in enumerate(PLAN):
        _plan_one(line, rng, f"card-{index}", state, kind, days, rooms, used)


def _day(line: Timeline, days: int, hour: int, minute: int = 0) -> datetime:
    tz = line.settings.tz
    day = (line.now - timedelta(days=days)).astimezone(tz).date()
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


def _plan_one(
    line: Timeline,
    rng: random.Random,
    key: str,
    state: str,
    kind: str,
    days: int,
    rooms: list[Room],
    used: set[str],
) -> None:
    applied_at = _day(line, days, rng.randint(9, 11), rng.randint(0, 59))
    # an application taken today is picked up the day after tomorrow, yesterday's this morning
    pickup = {0: 2, 1: 1}.get(days, 0) if state == "applied" else 0

    def apply(ctx: Ctx) -> Any:
        data = _holder(ctx, rooms, used, resident=kind == "resident")
        local = ctx.now.astimezone(ctx.tz).date()
        data.pickup_on = local + timedelta(days=pickup)
        return cards.apply(ctx, data)

    line.at(applied_at, line.keep(key, apply))

    def card_id() -> int:
        return line.ids[key]

    if state in ("applied", "cancelled_applied"):
        if state == "cancelled_applied":
            reason = CANCELS[0]
            at = applied_at + timedelta(days=2)
            line.at(at, lambda c: cards.cancel(c, card_id(), reason))
        return
    ready_at = applied_at + timedelta(minutes=rng.randint(20, 90))
    line.at(ready_at, lambda c: cards.make_ready(c, card_id()))
    if state == "ready":
        return
    issued_at = ready_at + timedelta(hours=rng.randint(1, 5))
    line.at(issued_at, lambda c: cards.issue(c, card_id(), cards.get(c, card_id()).holder))
    guard = rng.choice(GUARDS)

    def gate(c: Ctx) -> Any:
        return cards.gate_check(_as_gate(c), cards.get(c, card_id()).number, guard)

    if state == "issued":
        line.at(issued_at + timedelta(days=1, hours=rng.randint(0, 8)), gate)
    elif state == "renewed":
        line.at(_day(line, 12, 10), lambda c: cards.renew(c, card_id()))
    elif state == "lost":
        note = rng.choice(LOST_NOTES)
        line.at(
            _day(line, 2, 19, 40),
            lambda c: cards.report_lost(
                c, card_id(), cards.get(c, card_id()).holder, "phone", note
            ),
        )
        line.at(_day(line, 1, 7, 55), gate)  # someone tried the lost card at the gate
    elif state == "replaced":
        line.at(
            _day(line, 6, 9, 15),
            lambda c: cards.report_lost(c, card_id(), cards.get(c, card_id()).holder, "visit"),
        )
        receipt = f"{RECEIPTS}-{rng.randrange(10**5):05d}"

        def replace(c: Ctx) -> Any:
            return cards.replace(c, card_id(), receipt, cards.get(c, card_id()).holder)

        line.at(_day(line, 5, 14, 30), replace)
    elif state == "expired":
        line.at(_day(line, 20, 9, 5), lambda c: cards.mark_expired(c, card_id()))
    elif state == "returned":
        line.at(
            _day(line, 7, 16, 10),
            lambda c: cards.take_back(c, card_id(), cards.get(c, card_id()).holder),
        )
    elif state == "cancelled_issued":
        reason = CANCELS[1]
        line.at(_day(line, 3, 11, 0), lambda c: cards.cancel(c, card_id(), reason))
