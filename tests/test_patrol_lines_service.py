"""The patrol's and the findings' lines in the shared tables: the lookup (a round by its number,
by a finding's number and words), a room's history (its findings), `desk export --register
patrols` (checkpoints and findings inside) and `findings` (every register's), the monthly
figures (by department, hours to rectify, accepted first time)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

from typer.testing import CliRunner

from desk.cli import app
from desk.models import FindingState
from desk.services import export, lookup, room_history, stats
from desk.services.stats_period import days
from tests.conftest import NOW, TZ, Desk
from tests.finding_seed import (
    add_room,
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
