"""The renovations tests start from, made through the services as the desk makes them.

李明 (owner of 3-1202) has his kitchen and bathroom redone by 安居装饰: `application()` is the
form as a clerk fills it in; `reach(desk, state)` takes a new application through the steps to
`state`, each step at the desk's clock moved on as a real record would be.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta

from desk.models import InspectionResult, Renovation, RenovationState, VisitDepartment
from desk.services import renovation, residents
from desk.services.context import Ctx
from desk.services.renovation import Documents, InspectionIn, Papers, RenovationCreate, VisitIn
from tests.conftest import NOW, Desk

S = RenovationState

KITCHEN_AND_BATHROOM: Mapping[str, object] = {
    "room": "3-1202",
    "applicant": "李明",
    "applicant_phone": "13812345678",
    "contractor": "安居装饰工程有限公司",
    "contractor_licence": "91310000MA1K000001",
    "contractor_person": "周工",
    "contractor_phone": "13700002222",
    "planned_start": date(2026, 11, 30),
    "planned_end": date(2027, 1, 29),
    "scope": "厨房、卫生间翻新，更换地砖和橱柜",
}
ALL_PAPERS = Documents(
    doc_floor_plan=True,
    doc_drawings=True,
    doc_licence=True,
    doc_qualification=True,
    agreement_signed=True,
    fire_pledge_signed=True,
)
PAID = Papers(
    deposit_fen=300000,
    deposit_receipt="SJ-0001",
    debris_fee_fen=30000,
    debris_fee_receipt="SJ-0002",
)


def add_owner(desk: Desk) -> None:
    with desk.write() as ctx:
        residents.add_resident(ctx, "3", "1202", "李明", "13812345678", "owner")
        residents.add_resident(ctx, "5", "0801", "孙丽", "13600002222", "owner")


def application(**changes: object) -> RenovationCreate:
    return RenovationCreate(**{**KITCHEN_AND_BATHROOM, **changes})


def apply(desk: Desk, **changes: object) -> int:
    with desk.write() as ctx:
        found = renovation.apply(ctx, application(**changes))
    assert found.id is not None
    return found.id


def stored(desk: Desk, renovation_id: int) -> Renovation:
    with desk.read() as ctx:
        return renovation.get(ctx, renovation_id)


def later(desk: Desk, **delta: float) -> datetime:
    """Move the desk's clock on, and return the new time."""
    desk.now = desk.now + timedelta(**delta)
    return desk.now


# each state, the step that leads there from the one before (None: the application itself)
ORDER = (
    S.applied,
    S.documents_complete,
    S.with_engineering,
    S.approved,
    S.permit_issued,
    S.in_works,
    S.finished,
    S.passed,
    S.refunded,
    S.archived,
)


def reach(desk: Desk, state: RenovationState, boss: Desk | None = None, **changes: object) -> int:
    """A new application taken to `state` (one of ORDER, or suspended, rectifying, refused,
    withdrawn), each step at the desk's clock moved on; the refund waits the months it must."""
    renovation_id = apply(desk, **changes)

    def papers(ctx: Ctx) -> Papers:
        """Paid, the undertaking as the application says."""
        signed = renovation.get(ctx, renovation_id).undertaking_signed
        return PAID.model_copy(update={"undertaking_signed": signed})

    steps: dict[RenovationState, Callable[[Ctx], object]] = {
        S.documents_complete: lambda c: renovation.complete(c, renovation_id, ALL_PAPERS),
        S.with_engineering: lambda c: renovation.to_engineering(c, renovation_id, papers(c)),
        S.approved: lambda c: renovation.approve(c, renovation_id, "李建国"),
        S.permit_issued: lambda c: renovation.issue_permit(c, renovation_id),
        S.in_works: lambda c: renovation.start_works(c, renovation_id),
        S.finished: lambda c: renovation.finish(c, renovation_id, c.now + timedelta(days=2)),
        S.passed: lambda c: renovation.inspect(c, renovation_id, InspectionIn(inspector="李建国")),
        S.refunded: lambda c: renovation.refund(c, renovation_id),
        S.archived: lambda c: renovation.archive(c, renovation_id),
    }
    target = state
    if state == S.refused:
        target = S.with_engineering
    elif state == S.suspended:
        target = S.in_works
    elif state == S.rectifying:
        target = S.finished
    elif state == S.withdrawn:
        target = S.applied
    for step in ORDER[1 : ORDER.index(target) + 1]:
        if step == S.in_works:
            start = stored(desk, renovation_id).planned_start
            desk.now = max(desk.now, datetime.combine(start, NOW.timetz()))
        elif step == S.passed:
            later(desk, days=2)
        elif step == S.refunded:
            due = stored(desk, renovation_id).refund_due_on
            assert due is not None
            desk.now = datetime.combine(due, NOW.timetz())
        else:
            later(desk, hours=1)
        with desk.write() as ctx:
            steps[step](ctx)
    later(desk, hours=1)
    with desk.write() as ctx:
        if state == S.refused:
            renovation.refuse(ctx, renovation_id, "李建国", "拆除承重墙，不予批准")
        elif state == S.suspended:
            renovation.visit(ctx, renovation_id, scope_breach())
        elif state == S.rectifying:
            renovation.inspect(
                ctx,
                renovation_id,
                InspectionIn(
                    inspector="李建国", result=InspectionResult.rectify, findings="地漏堵塞"
                ),
            )
        elif state == S.withdrawn:
            renovation.withdraw(ctx, renovation_id, "业主改变计划")
    return renovation_id


def scope_breach(**changes: object) -> VisitIn:
    """Security finds a wall being knocked through, not in the application: works suspended."""
    fields: dict[str, object] = {
        "department": VisitDepartment.security,
        "visitor": "周海",
        "findings": "擅自拆改非承重墙",
        "suspend": True,
        "suspend_for": "scope",
        **changes,
    }
    return VisitIn(**fields)
