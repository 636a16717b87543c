"""The findings and patrol rounds tests start from, made through the services as the desk makes
them: 周海 of security walks the daily estate round on Monday 23 November 2026 (NOW)."""

from __future__ import annotations

from datetime import datetime

from desk.models import Finding, FindingState, PatrolRound, RepairState
from desk.services import findings, patrol, repair, residents
from desk.services.findings import FindingIn, RecheckIn
from desk.services.patrol import RoundIn
from desk.services.repair import RepairCompletion
from tests.conftest import Desk


def add_room(desk: Desk) -> None:
    with desk.write() as ctx:
        residents.add_resident(ctx, "3", "1202", "李明", "13812345678", "owner")


def _then(desk: Desk, at: datetime | None) -> Desk:
    """The desk as it was at `at` (a round is written down as it is walked)."""
    return desk if at is None else Desk(desk.db, desk.operator, at)


def start_round(desk: Desk, route: str = "estate", at: datetime | None = None) -> int:
    with _then(desk, at).write() as ctx:
        found = patrol.start(ctx, RoundIn(route=route, patrolled_by="周海", started_at=at))
    assert found.id is not None
    return found.id


def walked(desk: Desk, route: str = "estate", at: datetime | None = None) -> int:
    """A round of `route` with every checkpoint ok, finished."""
    round_id = start_round(desk, route, at)
    with _then(desk, at).write() as ctx:
        for point in patrol.points_of(ctx, round_id):
            assert point.id is not None
            patrol.check_ok(ctx, round_id, point.id)
        patrol.finish(ctx, round_id, at)
    return round_id


def finding_in(**changes: object) -> FindingIn:
    base: dict[str, object] = {
        "place": "3栋大堂",
        "what": "大堂地砖破损两块",
        "photo": "IMG_0231",
        "department": "cleaning",
        "raised_by": "周海",
    }
    return FindingIn(**{**base, **changes})


def raised(desk: Desk, round_id: int, **changes: object) -> int:
    with desk.write() as ctx:
        found = findings.raise_finding(ctx, "patrol", round_id, finding_in(**changes))
    assert found.id is not None
    return found.id


def stored(desk: Desk, finding_id: int) -> Finding:
    with desk.read() as ctx:
        return findings.get(ctx, finding_id)


def stored_round(desk: Desk, round_id: int) -> PatrolRound:
    with desk.read() as ctx:
        return patrol.get(ctx, round_id)


def send(desk: Desk, finding_id: int) -> Finding:
    with desk.write() as ctx:
        return findings.send(ctx, finding_id)


def rectify(desk: Desk, finding_id: int, note: str = "已更换") -> Finding:
    with desk.write() as ctx:
        return findings.rectified(ctx, finding_id, note)


def recheck(desk: Desk, finding_id: int, accepted: bool, note: str = "") -> None:
    with desk.write() as ctx:
        findings.recheck(
            ctx, finding_id, RecheckIn(accepted=accepted, checked_by="周海", note=note)
        )


def complete_order(desk: Desk, order_id: int) -> None:
    """The repair order a finding became: dispatched and completed by maintenance."""
    with desk.write() as ctx:
        order = repair.get(ctx, order_id)
        if order.state == RepairState.registered:
            repair.dispatch(ctx, order_id, "刘师傅")
        repair.complete(ctx, order_id, RepairCompletion(work_done="更换地砖"))


def reach(desk: Desk, state: FindingState, **changes: object) -> int:
    """A finding of a new round taken to `state` (accepted on the first re-inspection)."""
    finding_id = raised(desk, start_round(desk), **changes)
    if state == FindingState.open:
        return finding_id
    send(desk, finding_id)
    if state == FindingState.sent:
        return finding_id
    order = stored(desk, finding_id).repair_id
    if order is not None:
        complete_order(desk, order)
    rectify(desk, finding_id)
    if state == FindingState.rectified:
        return finding_id
    recheck(desk, finding_id, True)
    return finding_id
