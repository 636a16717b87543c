"""The demo's renovation worker passes (施工人员临时出入证): valid, ending within the week, not
valid yet, expired, revoked one by one and all at once when works were suspended, and those of
works since finished; the gate checks a few as the guard does (no operator).

The four renovations the passes belong to are taken through the renovation service (application,
papers, engineering's approval, permit; works begun, suspended by a supervision visit, finished)
at the moments their passes need, beside the renovation demo's own (desk/demo/renovations.py).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from desk.demo.timeline import Room, Timeline
from desk.models import ApplicantKind, Renovation, RenovationState, VisitDepartment
from desk.services import renovation, renovation_workers
from desk.services.context import Ctx
from desk.services.renovation import Documents, RenovationCreate, VisitIn
from desk.services.renovation_workers import WorkerPassCreate

# the demo's works: (state at the end, permit days ago, planned end in days from now, contractor)
WORKS = (
    (RenovationState.in_works, 18, 40, "安居装饰工程有限公司"),
    (RenovationState.permit_issued, 2, 5, "美家装修队"),
    (RenovationState.suspended, 12, 30, "鑫达建筑装饰"),
    (RenovationState.finished, 20, -3, "优品家装"),
)
SCOPES = ("厨卫翻新、全屋墙面刷新", "阳台封窗、地板更换", "水电改造、吊顶", "全屋精装修")
WORKERS = (
    "张建军",
    "李大勇",
    "王海",
    "赵小龙",
    "刘德胜",
    "陈国平",
    "杨志刚",
    "周红兵",
    "吴卫",
    "孙建华",
    "马强",
    "胡德明",
    "郭长江",
    "何永福",
    "高远",
    "林水生",
)
REVOKED = ("施工队辞退，已收回出入证", "出入证遗失，补办新证")
SUSPENDED = "巡查发现违规拆改承重墙，停工整改"
GUARDS = ("周建军", "马卫东", "吴海")


def _renovation(
    line: Timeline, code: str, owner: str, phone: str, index: int, permit_at: datetime
) -> Callable[[Ctx], Renovation]:
    """A renovation applied for, approved and permitted at `permit_at`, through its service."""
    _, _, end_in, contractor = WORKS[index]
    tz = line.settings.tz
    planned_end = (line.now + timedelta(days=end_in)).astimezone(tz).date()
    data = RenovationCreate(
        room=code,
        applicant=owner,
        applicant_kind=ApplicantKind.owner,
        applicant_phone=phone,
        contractor=contractor,
        contractor_licence=f"9131000{index:04d}MA1K0001",
        contractor_person=contractor[:2] + "经理",
        contractor_phone=f"1390000{index:04d}",
        planned_start=permit_at.astimezone(tz).date() + timedelta(days=1),
        planned_end=planned_end,
        scope=SCOPES[index % len(SCOPES)],
        deposit_fen=300_000,
        deposit_receipt=f"SJ-W{index}1",
        debris_fee_fen=50_000,
        debris_fee_receipt=f"SJ-W{index}2",
    )
    papers = Documents(
        doc_floor_plan=True,
        doc_drawings=True,
        doc_licence=True,
        doc_qualification=True,
        agreement_signed=True,
        fire_pledge_signed=True,
    )

    def make(ctx: Ctx) -> Renovation:
        made = renovation.apply(ctx, data)
        assert made.id is not None
        renovation.complete(ctx, made.id, papers)
        renovation.to_engineering(ctx, made.id, renovation.papers_of(made))
        renovation.approve(ctx, made.id, "李建国")
        return renovation.issue_permit(ctx, made.id)

    return make


def _moved(line: Timeline, key: str, state: RenovationState) -> Callable[[Ctx], Any]:
    """The works begun, suspended by a supervision visit, or finished (the inspection booked)."""

    def move(ctx: Ctx) -> Any:
        renovation_id = line.ids[key]
        if state == RenovationState.in_works:
            return renovation.start_works(ctx, renovation_id)
        if state == RenovationState.suspended:
            stop = VisitIn(
                department=VisitDepartment.engineering,
                visitor="李建国",
                findings=SUSPENDED,
                suspend=True,
                suspend_for="scope",
            )
            return renovation.visit(ctx, renovation_id, stop)
        return renovation.finish(ctx, renovation_id, ctx.now + timedelta(days=3))

    return move


def _as_gate(ctx: Ctx) -> Ctx:
    """The guard is not an operator: gate events carry no operator."""
    return Ctx(ctx.session, None, ctx.settings, ctx.now)


def _at(line: Timeline, days_ago: int, hour: int, rng: random.Random) -> datetime:
    day = (line.now - timedelta(days=days_ago)).astimezone(line.settings.tz).date()
    return datetime.combine(day, time(hour, rng.randint(0, 59)), tzinfo=line.settings.tz)


def plan_worker_passes(line: Timeline, directory: list[Room]) -> None:
    """Four renovations (see above) and about fifteen worker passes."""
    first = directory[0] if directory else ("", "", "")
    rng = random.Random(f"worker-passes {first[0]} {first[1]}")  # the shared rng left alone
    today = line.now.astimezone(line.settings.tz).date()
    names = iter(rng.sample(WORKERS, len(WORKERS)))
    rooms = rng.sample(directory, len(WORKS))
    for index, (state, permit_ago, _, _) in enumerate(WORKS):
        code, owner, phone = rooms[index]
        key = f"works-{index}"  # the renovation demo's own are "renovation-…"
        permit_at = _at(line, permit_ago, 10, rng)
        make = _renovation(line, code, owner, phone, index, permit_at)
        permit_at = line.at(permit_at, line.keep(key, make))
        if state != RenovationState.permit_issued:
            line.at(
                permit_at + timedelta(days=1, hours=1), _moved(line, key, RenovationState.in_works)
            )
        passes = _plan(line, rng, key, index, today, permit_at, names)
        if state == RenovationState.suspended:
            stop = line.now - timedelta(hours=20)
            line.at(stop, _moved(line, key, state))

            def revoke_all(ctx: Ctx, key: str = key) -> Any:
                return renovation_workers.revoke_all(ctx, line.ids[key], SUSPENDED)

            line.at(stop + timedelta(minutes=20), revoke_all)
        elif state == RenovationState.finished:
            line.at(line.now - timedelta(days=2, hours=5), _moved(line, key, state))
        for pass_key, issued_at in passes[:2]:
            for days_ago in (3, 1):
                check_at = max(_at(line, days_ago, 7, rng), issued_at + timedelta(hours=1))

                def check(ctx: Ctx, pass_key: str = pass_key) -> Any:
                    number = renovation_workers.get(ctx, line.ids[pass_key]).number
                    return renovation_workers.gate_check(_as_gate(ctx), number, rng.choice(GUARDS))

                line.at(check_at, check)


def _plan(
    line: Timeline,
    rng: random.Random,
    key: str,
    index: int,
    today: date,
    permit_at: datetime,
    names: Any,
) -> list[tuple[str, datetime]]:
    """The passes of one renovation: their keys and when each was issued (the gate checks the
    first ones)."""
    planned: list[tuple[int, int | None, str]] = []  # (issued days ago, last day from today, end)
    if index == 0:  # in works: valid, ending within the week, expired, revoked, not yet valid
        planned = [(15, None, "valid"), (14, None, "valid"), (10, 3, "valid"), (12, -4, "expired")]
        planned += [(9, None, "revoked"), (0, None, "not_yet")]
    elif index == 1:  # permit just issued, works ending in five days: all end within the week
        planned = [(1, None, "valid"), (1, None, "valid"), (0, 2, "valid")]
    elif index == 2:  # suspended yesterday: every pass revoked at once
        planned = [(10, None, "valid"), (10, None, "valid"), (8, None, "valid")]
    else:  # finished: one pass had already run out
        planned = [(18, None, "valid"), (16, -6, "expired")]
    keys: list[tuple[str, datetime]] = []
    tz = line.settings.tz
    for n, (ago, last_in, end) in enumerate(planned):
        issued_at = max(_at(line, ago, 9 + n % 6, rng), permit_at + timedelta(minutes=30 + n))
        start = None
        if end == "not_yet":
            start = today + timedelta(days=2)
        until = today + timedelta(days=last_in) if last_in is not None else None
        if end == "expired" and until is not None:
            start = issued_at.astimezone(tz).date()
        fee = 1000 if n % 3 else 0
        data = WorkerPassCreate(
            renovation_id=None,
            name=next(names),
            id_number=f"{rng.randrange(10**3):03d}{rng.choice('0123456789X')}",
            photo_taken=n % 4 != 3,
            valid_from=start,
            valid_until=until,
            fee_fen=fee,
            fee_receipt=f"SJ{rng.randrange(10**6):06d}" if fee else "",
        )
        pass_key = f"{key}-pass-{n}"

        def issue(ctx: Ctx, data: WorkerPassCreate = data) -> Any:
            data.renovation_id = line.ids[key]
            return renovation_workers.issue(ctx, data)

        at = line.at(issued_at, line.keep(pass_key, issue))
        keys.append((pass_key, at))
        if end == "revoked":

            def revoke(ctx: Ctx, pass_key: str = pass_key) -> Any:
                reason = REVOKED[rng.randrange(len(REVOKED))]
                return renovation_workers.revoke(ctx, line.ids[pass_key], reason)

            line.at(at + timedelta(days=2, hours=2), revoke)
    return keys
