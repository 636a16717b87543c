"""`desk export --register renovations`: every renovation with its inspection rounds, its
supervision visits and its history, as JSON and as CSV."""

from __future__ import annotations

import csv
import io
import json

from typer.testing import CliRunner

from desk.cli import app
from desk.models import RenovationState
from desk.services import export, renovation
from desk.services.renovation import VisitIn
from tests.conftest import Desk
from tests.renovation_seed import add_owner, reach, stored

runner = CliRunner()


def test_renovations_export_as_json_and_csv(desk: Desk) -> None:
    add_owner(desk)
    first = reach(desk, RenovationState.rectifying)
    with desk.write() as ctx:
        renovation.visit(ctx, first, VisitIn(visitor="周海", findings="楼道堆放垃圾"))
    second = reach(desk, RenovationState.applied, room="5-0801", applicant="孙丽")
    url = desk.db.url

    result = runner.invoke(app, ["--db", url, "export", "--register", "renovations"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["renovations"]
    assert [row["id"] for row in rows] == [first, second]
    assert rows[0]["number"] == stored(desk, first).number
    assert rows[0]["state"] == "rectifying" and rows[0]["refund_due_on"] is None
    assert [r["findings"] for r in rows[0]["inspections"]] == ["地漏堵塞"]
    assert [v["findings"] for v in rows[0]["visits"]] == ["楼道堆放垃圾"]
    assert [e["action"] for e in rows[1]["events"]] == ["applied"]
    assert rows[0]["operator"] == "王芳"

    result = runner.invoke(app, ["--db", url, "export", "-f", "csv", "-r", "renovations"])
    assert result.exit_code == 0, result.output
    parsed = list(csv.DictReader(io.StringIO(result.output)))
    assert list(parsed[0]) == export.columns("renovations")
    assert [r["room"] for r in parsed] == ["3-1202", stored(desk, second).room]
    assert parsed[0]["deposit_fen"] == "300000" and parsed[1]["permit_number"] == ""
    assert json.loads(parsed[0]["visits"])[0]["visitor"] == "周海"
