"""The demo's incidents: running and closed, one opened from a night-log entry flagged
emergency, follow-ups open and handed on; a running one leads the board."""

from __future__ import annotations

from desk.db import Database
from desk.models import StepState
from desk.services import board, incident, lookup
from desk.services.context import Ctx
from tests.conftest import NOW


def test_the_demo_holds_incidents_in_every_state(demo_database: Database) -> None:
    with demo_database.reading() as session:
        ctx = Ctx(session, None, demo_database.settings, NOW)
        found = incident.listing(ctx, everything=True)
        states = {f.state for f in found}
        assert states == {"open", "closed"}
        from_night = [f for f in found if f.night_log_id is not None]
        assert len(from_night) == 1 and from_night[0].state == "open"
        steps = {f.id: incident.steps_of(ctx, f.id or 0) for f in found}
        marks = {s.state for rows in steps.values() for s in rows}
        assert marks == {StepState.pending, StepState.done, StepState.not_needed}
        follow_ups = [u for f in found for u in incident.follow_ups_of(ctx, f.id or 0)]
        assert {u.register_name for u in follow_ups} == {"repairs", "complaints"}
        assert any(u.handed_on for u in follow_ups)
        sent = [f for each in found for f in incident.findings_of(ctx, each.id or 0)]
        assert [f.state for f in sent] == ["sent"]
        assert board.open_items(ctx)[0].register == "incidents"
        hits = lookup.search(ctx, found[-1].number)
        assert [g.register for g in hits.groups] == ["incidents"]
