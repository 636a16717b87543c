"""The incidents tests start from, made through the services as the desk makes them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from desk.models import Incident, PlaceKind
from desk.services import incident, nightlog
from desk.services.incident import IncidentCreate, StepIn
from desk.services.nightlog import NightLogCreate
from tests.conftest import Desk

# The lift of building 3 stops between floors with a resident inside, at 09:10.
LIFT_STUCK: dict[str, Any] = {
    "place_kind": PlaceKind.equipment,
    "place": "3栋2号电梯",
    "what": "电梯停在8楼与9楼之间，有一人被困",
    "reported_by": "李明",
    "reporter_phone": "13812345678",
    "first_judgement": "停电后电梯未平层",
    "kind": "lift",
    "severity": "serious",
}


def open_lift(desk: Desk, **changes: Any) -> int:
    with desk.write() as ctx:
        data = IncidentCreate(happened_at=desk.now - timedelta(minutes=20), **LIFT_STUCK)
        found = incident.open_incident(ctx, data.model_copy(update=changes))
    assert found.id is not None
    return found.id


def done(desk: Desk, incident_id: int, step: int, **fields: Any) -> None:
    base: dict[str, Any] = {
        "called": "王工（工程值班）",
        "called_at": desk.now - timedelta(minutes=10),
    }
    with desk.write() as ctx:
        incident.record_step(ctx, incident_id, step, StepIn(**(base | fields)))


def emergency_entry(desk: Desk, *, emergency: bool = True) -> int:
    with desk.write() as ctx:
        entry = nightlog.log(
            ctx,
            NightLogCreate(
                logged_at=desk.now - timedelta(minutes=5),
                caller="陈女士",
                room="3-1202",
                phone="13900002222",
                what="厨房天花板漏水，水流不止",
                emergency=emergency,
            ),
        )
    assert entry.id is not None
    return entry.id


def stored(desk: Desk, incident_id: int) -> Incident:
    with desk.read() as ctx:
        return incident.get(ctx, incident_id)
