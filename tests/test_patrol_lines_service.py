"""The patrol's and the findings' lines in the shared tables: the lookup (a round by its number,
by a finding's number and words), a room's history (its findings), `desk export --register
patrols` (checkpoints and findings inside) and `findings` (every register's), the monthly
figures (by department, hours to rectify, accepted first time)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest
from typer.testing import CliRunner

from desk.cli import app
from desk.models import FindingState, RenovationState, VisitDepartment
from desk.services import audit, export, findings, lookup, patrol, renovation, room_history, stats
from desk.services.errors import DeskError
from desk.services.renovation import VisitIn
from desk.services.stats_period import days
from tests import renovation_seed
from tests.conftest import NOW, TZ, Desk
from tests.finding_seed import (
    add_room,
    complete_order,
    raised,
    reach,
    recheck,
    rectify,
    send,
    start_round,
    stored,
    stored_round,
)

runner = CliRunner()


def test_lookup_finds_a_round_by_its_number_and_by_its_findings_and_the_room_lists_them(
    desk: Desk,
) -> None:
    add_room(desk)
    round_id = start_round(desk)
    finding_id = raised(desk, round_id, room="3-1202", place="", what="阳台窗户渗水")
    number, finding = stored_round(desk, round_id).number, stored(desk, finding_id).number
    with desk.read() as ctx:
        by_number = lookup.search(ctx, number.replace("-", "").lower())
        by_words = lookup.search(ctx, "窗户渗水")
        by_finding = lookup.search(ctx, finding)
        history = room_history.history(ctx, "3-1202")
    assert [(g.register, [h.record_id for h in g.hits]) for g in by_number.groups] == [
        ("patrols", [round_id])
    ]
    assert ("patrols", round_id) in {
        (g.register, h.record_id) for g in by_words.groups for h in g.hits
    }
    assert ("patrols", round_id) in {
        (g.register, h.record_id) for g in by_finding.groups for h in g.hits
    }
    lines = [(e.register, e.number, e.summary, e.state) for e in history.timeline]
    assert ("findings", finding, "阳台窗户渗水", "open") in lines


def test_export_patrols_with_checkpoints_and_findings_and_findings_of_every_register(
    desk: Desk,
) -> None:
    accepted = reach(desk, FindingState.accepted)
    opened = reach(desk, FindingState.open, department="security")
    url = desk.db.url
    result = runner.invoke(app, ["--db", url, "export", "--register", "patrols"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["patrols"]
    assert len(rows) == 2 and rows[0]["route"] == "estate"
    assert len(rows[0]["points"]) == 10 and rows[0]["points"][0]["result"] == "pending"
    (first,) = rows[0]["findings"]
    assert first["number"] == stored(desk, accepted).number and first["state"] == "accepted"
    assert [c["accepted"] for c in first["checks"]] == [True]
    assert [e["action"] for e in rows[0]["events"]] == ["started"]
    result = runner.invoke(app, ["--db", url, "export", "-f", "csv", "-r", "findings"])
    assert result.exit_code == 0, result.output
    parsed = list(csv.DictReader(io.StringIO(result.output)))
    assert list(parsed[0]) == export.columns("findings")
    assert [r["number"] for r in parsed] == [stored(desk, i).number for i in (accepted, opened)]
    assert [r["owner"] for r in parsed] == ["patrol", "patrol"]
    assert [e["action"] for e in json.loads(parsed[0]["events"])] == [
        "raised",
        "sent",
        "rectified",
        "accepted",
    ]
    assert json.loads(parsed[0]["checks"])[0]["checked_by"] == "周海"


def test_the_month_counts_findings_by_department_hours_to_rectify_and_first_acceptance(
    desk: Desk,
) -> None:
    """November: cleaning's two findings (one accepted first time after 20 hours, one
    rejected once, then accepted), security's one still open; rounds started and finished."""
    round_id = start_round(desk)
    first, second = raised(desk, round_id), raised(desk, round_id)
    waiting = raised(desk, round_id, department="security")
    for finding_id in (first, second):
        send(desk, finding_id)
    desk.now = NOW + timedelta(hours=20)
    rectify(desk, first)
    rectify(desk, second)
    recheck(desk, first, True)
    recheck(desk, second, False, "仍有污渍")
    rectify(desk, second)
    recheck(desk, second, True)
    november = days(date(2026, 11, 1), date(2026, 11, 30), TZ)
    with desk.read() as ctx:
        figures = stats.monthly(ctx, november).findings
    assert (figures.rounds, figures.rounds_done, figures.raised) == (1, 0, 3)
    cleaning, security = figures.by_department
    assert (cleaning.department, cleaning.raised, cleaning.accepted, cleaning.open) == (
        "cleaning",
        2,
        2,
        0,
    )
    assert cleaning.average_hours == 20.0 and cleaning.first_time.value == 0.5
    assert (security.department, security.open, security.average_hours) == ("security", 1, None)
    assert stored(desk, waiting).state == FindingState.open


def test_a_renovation_visit_is_a_round_and_its_findings_are_shared_findings(desk: Desk) -> None:
    """A supervision visit is a round of the renovation route, linked to the renovation: with
    nothing found its checkpoint is ok; a breach of scope (the permit suspended, by renovation's
    own rule) is a finding of the renovation's room for security; a leak with a repair order
    is a finding of the repairs department, sent at once with that very order, rectified only
    once the order is completed."""
    renovation_seed.add_owner(desk)
    works = renovation_seed.reach(desk, RenovationState.in_works)
    quiet = VisitIn(visitor="李建国", department=VisitDepartment.engineering)
    leak = VisitIn(
        visitor="李建国", findings="楼下渗水", follow_up="repair", repair_category="water"
    )
    with desk.write() as ctx:
        renovation.visit(ctx, works, quiet)
        visit = renovation.visit(ctx, works, leak)
        renovation.visit(ctx, works, renovation_seed.scope_breach())
    assert renovation_seed.stored(desk, works).state == RenovationState.suspended
    with desk.read() as ctx:
        rounds = [r for r in patrol.listing(ctx) if r.renovation_id == works]
        assert [(r.route, r.state) for r in rounds] == [("renovation", "done")] * 3
        quiet_round, leak_round, breach_round = sorted(rounds, key=lambda r: r.id or 0)
        assert [p.result for p in patrol.points_of(ctx, quiet_round.id or 0)] == ["ok"]
        (sent,) = findings.of_owner(ctx, "patrol", leak_round.id or 0)
        (breach,) = findings.of_owner(ctx, "patrol", breach_round.id or 0)
        history = [e.action for e in audit.history(ctx, renovation.REGISTER, works)]
    assert (sent.state, sent.department, sent.repair_id, sent.room) == (
        FindingState.sent,
        "repairs",
        visit.repair_id,
        "3-1202",
    )
    assert (breach.state, breach.department, breach.what) == (
        "open",
        "security",
        "擅自拆改非承重墙",
    )
    assert history.count("visited") == 3
    with pytest.raises(DeskError) as refused, desk.write() as ctx:
        findings.rectified(ctx, sent.id or 0)
    assert refused.value.key == "finding_error.order_not_done"
    assert sent.id is not None
    complete_order(desk, visit.repair_id or 0)
    rectify(desk, sent.id)
    assert stored(desk, sent.id).state == FindingState.rectified
