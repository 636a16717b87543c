"""The demo move-ins (入伙) and 托管: a case in every state a move-in reaches — booked for today,
papers being done, inspected with a problem with the repairs department, a problem put right
and the re-inspection agreed, completed (first time, and after a rejected re-inspection),
托管 with its patrols (one reading over its limit, the owner not yet told; one patrol due),
托管 ended, and a booking cancelled.

Planned on the demo's timeline through the real services, from its own copy of the random
state: adding it changed nothing the other registers drew.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from desk.demo.timeline import Room, Timeline
from desk.models import FindingState
from desk.services import findings, move_in, repair
from desk.services.context import Ctx
from desk.services.findings import FindingIn, RecheckIn
from desk.services.move_in import CustodyIn, CustodyPatrolIn, MetersIn, MoveInIn, PapersIn
from desk.services.repair import RepairCompletion

DOCS = {"doc_id": True, "doc_notice": True, "doc_contract": True}
SIGNED = PapersIn(
    sign_resident_form=True,
    sign_covenant=True,
    sign_management=True,
    sign_bank_mandate=True,
    sign_fire_pledge=True,
    fee_fen=356400,
    keys_handed=3,
    handbook_handed=True,
    drawings_handed=True,
)
PROBLEMS = ("主卧窗框渗水", "卫生间地漏反味", "客厅墙面裂缝", "入户门锁不顺")
INSPECTORS = ("刘师傅", "陈师傅")
PATROLLER = "周海"
# (end state, days before now it was booked for)
PLAN: tuple[tuple[str, int], ...] = (
    ("booked", 0),
    ("booked_later", -2),
    ("in_progress", 0),
    ("problem_sent", 3),
    ("reinspection_agreed", 6),
    ("completed", 20),
    ("completed_rework", 30),
    ("custody_over", 40),
    ("custody_due", 50),
    ("custody_ended", 90),
    ("cancelled", 2),
)


def plan_move_ins(line: Timeline, rng: random.Random, directory: list[Room]) -> None:
    mine = random.Random()
    mine.setstate(rng.getstate())
    mine.random()  # not the renovations' first draws
    rooms = mine.sample(directory, len(PLAN))
    for index, ((state, ago), room) in enumerate(zip(PLAN, rooms, strict=True)):
        _plan_one(line, mine, f"move_in-{index}", index, state, ago, room)


def _office(line: Timeline, moment: datetime, hour: int) -> datetime:
    local = moment.astimezone(line.settings.tz).date()
    return datetime.combine(local, time(hour, 0), tzinfo=line.settings.tz)


def _plan_one(
    line: Timeline, rng: random.Random, key: str, index: int, state: str, ago: int, room: Room
) -> None:
    code, owner, phone = room
    booked_for = _office(line, line.now - timedelta(days=ago), rng.choice((9, 10, 14, 15)))
    booked_at = _office(line, line.now - timedelta(days=max(ago, 0) + 7), 11)
    if state == "booked":
        booked_for = line.now + timedelta(hours=2)
    agent = index % 4 == 3
    data = MoveInIn(
        room=code,
        owner_name=owner,
        phone=phone,
        applicant_kind="agent" if agent else "owner",
        agent_name=f"{rng.choice('赵钱孙周')}代办" if agent else "",
        booked_for=booked_for,
    )
    line.at(booked_at, line.keep(key, lambda c: move_in.book(c, data)))

    def cid() -> int:
        return line.ids[key]

    def step(moment: datetime, action: Callable[[Ctx, int], Any], boss: bool = False) -> datetime:
        run: Callable[[Ctx], Any] = lambda c: action(c, cid())  # noqa: E731
        return line.at(moment, line.by_supervisor(run) if boss else run)

    if state in ("booked", "booked_later"):
        return
    if state == "cancelled":
        step(booked_at + timedelta(days=1), lambda c, i: move_in.cancel(c, i, "业主改期"), True)
        return
    docs = {**DOCS, "doc_agent_id": True, "doc_attorney": True} if agent else DOCS
    at = step(booked_for, lambda c, i: move_in.check_documents(c, i, docs))
    if state == "in_progress":
        return
    papers = SIGNED.model_copy(update={"fee_receipt": f"SJ-{index:04d}", "items_signed_by": owner})
    inspector = rng.choice(INSPECTORS)
    base = (rng.randint(5, 60), rng.randint(100, 900), rng.randint(0, 20))
    meters = MetersIn(
        water=base[0], electricity=base[1], gas=base[2], read_by=inspector, confirmed_by=owner
    )
    at = step(at + timedelta(minutes=20), lambda c, i: move_in.papers(c, i, papers))
    at = step(at + timedelta(minutes=20), lambda c, i: move_in.meters(c, i, meters))
    at = step(at + timedelta(minutes=10), lambda c, i: move_in.inspect(c, i, inspector))
    problem = FindingIn(place=rng.choice(("主卧", "客厅", "卫生间")), what=rng.choice(PROBLEMS))
    with_problem = state != "completed"
    if with_problem:
        at = step(at + timedelta(minutes=15), lambda c, i: move_in.raise_problem(c, i, problem))
        at = step(at + timedelta(minutes=30), lambda c, i: findings.send(c, _problem(c, i)))
    if state == "problem_sent":
        return
    if with_problem:
        at = _put_right(step, at + timedelta(days=1))
        step(
            at + timedelta(minutes=30),
            lambda c, i: move_in.book_reinspection(c, i, c.now + timedelta(days=2)),
        )
        if state == "reinspection_agreed":
            return
        at += timedelta(days=2)
        if state == "completed_rework":
            rejected = RecheckIn(accepted=False, checked_by=owner, note="仍有渗水痕迹")
            at = step(at, lambda c, i: move_in.reinspect(c, i, _problem(c, i), rejected))
            at = _put_right(step, at + timedelta(days=1))
            at += timedelta(hours=2)
        accepted = RecheckIn(accepted=True, checked_by=owner)
        at = step(at, lambda c, i: move_in.reinspect(c, i, _problem(c, i), accepted))
    at = step(at + timedelta(minutes=10), move_in.complete)
    if not state.startswith("custody"):
        return
    start = CustodyIn(
        agreement=f"TG-{index:03d}",
        keys=2,
        water=base[0] + 1,
        electricity=base[1] + 5,
        gas=base[2],
        read_by=PATROLLER,
    )
    at = step(at + timedelta(days=1), lambda c, i: move_in.start_custody(c, i, start))
    if state == "custody_due":
        return  # no patrol since: one is due on the board
    for week in range(1, 4):
        used = 2 if state != "custody_over" or week < 3 else 7
        reading = CustodyPatrolIn(
            water=base[0] + 1 + used,
            electricity=base[1] + 5 + 3 * week,
            read_by=PATROLLER,
            route="custody_rain" if week == 2 else "custody",
        )
        when = at + timedelta(days=7 * week)
        if when >= line.now:
            break
        step(when, _patrol(reading))
    if state == "custody_ended":
        end = MetersIn(water=base[0] + 4, electricity=base[1] + 15, read_by=PATROLLER)
        step(at + timedelta(days=25), lambda c, i: move_in.end_custody(c, i, end))


def _patrol(reading: CustodyPatrolIn) -> Callable[[Ctx, int], Any]:
    return lambda ctx, case_id: move_in.custody_patrol(ctx, case_id, reading)


def _problem(ctx: Ctx, case_id: int) -> int:
    """The case's problem still open (the demo raises one)."""
    (found,) = [p for p in move_in.problems_of(ctx, case_id) if p.state != FindingState.accepted]
    assert found.id is not None
    return found.id


def _put_right(step: Callable[..., datetime], at: datetime) -> datetime:
    """Its repair order dispatched and completed, the problem said put right."""

    def done(ctx: Ctx, case_id: int) -> None:
        found = findings.get(ctx, _problem(ctx, case_id))
        if found.repair_id is not None:
            order = repair.get(ctx, found.repair_id)
            if order.state == "registered":
                repair.dispatch(ctx, found.repair_id, "刘师傅")
            repair.complete(ctx, found.repair_id, RepairCompletion(work_done="已返修"))
        findings.rectified(ctx, found.id or 0, "已返修")

    return step(at, done)
