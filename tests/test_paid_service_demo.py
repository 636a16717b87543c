"""The demo's paid services: a booking in every state, on the board (late work, a callback
overdue), on the callback queue, in the lookup and the month's figures."""

from __future__ import annotations

from desk.db import Database
from desk.services import board, callbacks, lookup, paid_service, stats
from desk.services.context import Ctx
from desk.services.stats_period import days
from tests.conftest import NOW, TZ


def test_the_demo_holds_paid_services_in_every_state(demo_database: Database) -> None:
    with demo_database.reading() as session:
        ctx = Ctx(session, None, demo_database.settings, NOW)
        found = paid_service.listing(ctx)
        assert {f.state for f in found} == {
            "agreed",
            "sent",
            "done",
            "redo",
            "accepted",
            "paid",
            "called_back",
            "closed",
            "cancelled",
        }
        assert any(f.late for f in found) and any(f.rounds == 2 for f in found)
        items = [i for i in board.open_items(ctx) if i.register == "services"]
        overdue = {i.due_kind for i in items if i.overdue(NOW)}
        assert {"service_send", "service_work", "callback"} <= overdue
        queue = [i for i in callbacks.queue(ctx) if i.register == "services"]
        assert len(queue) == 2
        hits = lookup.search(ctx, found[0].number)
        assert [g.register for g in hits.groups] == ["services"]
        month = stats.monthly(ctx, days(NOW.date().replace(day=1), NOW.date(), TZ)).services
        assert month.bookings > 0 and month.revenue_fen > 0
