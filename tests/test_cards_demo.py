"""The demo's resident cards: every state, on the board and the handover, found by the lookup
and in their room's history, counted in the month's figures."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from desk.db import Database
from desk.models import AuditEvent, CardKind, CardState, ResidentCard
from desk.services import audit, board, cards, lookup, room_history, stats, summary
from desk.services.context import Ctx
from tests.conftest import NOW, TZ


def test_the_demo_has_cards_in_every_state(demo_database: Database) -> None:
    with demo_database.reading() as session:
        ctx = Ctx(session, None, demo_database.settings, NOW)
        found = list(session.exec(select(ResidentCard)))
        statuses = {cards.status_of(c, cards.today(ctx)) for c in found}
        items = [i for i in board.open_items(ctx) if i.register == "cards"]
        sections = summary.open_sections(ctx)
        lost = next(c for c in found if c.state == CardState.lost)
        tried = [
            audit.event_data(e)
            for e in audit.history(ctx, cards.REGISTER, lost.id or 0)
            if e.action == "gate_checked"
        ]
    assert {c.state for c in found} == set(CardState)
    assert set(statuses) == set(cards.CardStatus)
    assert {c.kind for c in found} == set(CardKind)
    assert any(c.replaces_id for c in found) and any(c.renewals for c in found)
    assert {i.due_kind for i in items} == {"card_make", "card_pickup", "card_expiry"}
    assert sections["cards_waiting"] and len(sections["cards_expiring"]) >= 3
    assert tried and tried[0]["valid"] is False and tried[0]["refused"] == "gate_lost"


def test_the_demo_cards_are_found_by_number_and_name_and_in_their_room(
    demo_database: Database,
) -> None:
    with demo_database.reading() as session:
        ctx = Ctx(session, None, demo_database.settings, NOW)
        card = session.exec(select(ResidentCard).where(ResidentCard.state == "lost")).one()
        by_number = lookup.search(ctx, card.number.lower())
        by_name = lookup.search(ctx, card.holder)
        history = room_history.history(ctx, card.room)
    assert [(g.register, [h.number for h in g.hits]) for g in by_number.groups] == [
        ("cards", [card.number])
    ]
    assert any(g.register == "cards" for g in by_name.groups)
    assert card.number in {e.number for e in history.timeline if e.register == "cards"}


def test_the_months_figures_count_cards_issued_lost_and_replaced(demo_database: Database) -> None:
    start = datetime(2026, 11, 1, tzinfo=TZ)
    end = datetime(2026, 12, 1, tzinfo=TZ)
    with demo_database.reading() as session:
        ctx = Ctx(session, None, demo_database.settings, NOW)
        figures = stats.monthly(ctx, start, end).cards
        issued = session.exec(select(ResidentCard)).all()
        refused = session.exec(select(AuditEvent).where(AuditEvent.register_name == "cards")).all()
    first = [c for c in issued if c.replaces_id is None and c.issued_at is not None]
    in_month = [c for c in first if start <= c.issued_at < end]  # type: ignore[operator]
    assert figures.issued == len(in_month) > 0
    assert figures.lost == 2 and figures.replaced == 1
    assert figures.gate_refused == sum(
        1 for e in refused if e.action == "gate_checked" and '"valid": false' in e.data
    )
