"""`desk export --register incidents`: every incident with its nine steps, its stand-ins, its
follow-ups and its history, as JSON and as CSV."""

from __future__ import annotations

import csv
import io
import json

from typer.testing import CliRunner

from desk.cli import app
from desk.services import export, incident
from tests.conftest import Desk
from tests.incident_seed import done, open_lift

runner = CliRunner()


def test_incidents_export_as_json_and_csv(desk: Desk) -> None:
    first = open_lift(desk)
    done(desk, first, 1, called="张伟")
    with desk.write() as ctx:
        incident.not_needed(ctx, first, 5, "无人受伤")
        incident.start_stand_in(ctx, first, "保安赵六")
        follow = incident.open_repair(ctx, first)
    second = open_lift(desk, severity="major")
    url = desk.db.url

    result = runner.invoke(app, ["--db", url, "export", "--register", "incidents"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["incidents"]
    assert [row["id"] for row in rows] == [first, second]
    assert rows[0]["number"] == "TF-20261123-001" and rows[0]["state"] == "open"
    steps = rows[0]["steps"]
    assert [s["step"] for s in steps] == list(range(1, 10))
    assert (steps[0]["called"], steps[4]["state"], steps[4]["reason"]) == (
        "张伟",
        "not_needed",
        "无人受伤",
    )
    assert [s["who"] for s in rows[0]["stand_ins"]] == ["保安赵六"]
    assert [f["number"] for f in rows[0]["follow_ups"]] == [follow.number]
    assert [e["action"] for e in rows[1]["events"]] == ["opened"]
    assert rows[0]["operator"] == "王芳"

    result = runner.invoke(app, ["--db", url, "export", "-f", "csv", "-r", "incidents"])
    assert result.exit_code == 0, result.output
    parsed = list(csv.DictReader(io.StringIO(result.output)))
    assert list(parsed[0]) == export.columns("incidents")
    assert [r["severity"] for r in parsed] == ["serious", "major"]
    assert json.loads(parsed[0]["stand_ins"])[0]["who"] == "保安赵六"
