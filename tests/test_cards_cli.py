"""`desk export --register cards`: every card with its columns and its events, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from desk.cli import app
from desk.db import Database
from desk.services import cards
from tests.card_support import add_residents, issued, tenant_card
from tests.conftest import Desk

runner = CliRunner()


def cli(db: Database, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--lang", "en", "--db", db.url, "export", *args])
    return result.exit_code, result.output


def test_cards_export_as_json_and_csv(desk: Desk, tmp_path: Path) -> None:
    add_residents(desk)
    lost = issued(desk, tenant_card())
    with desk.write() as ctx:
        cards.report_lost(ctx, lost, "李明", "phone")
        cards.replace(ctx, lost, "SJ-0042", "赵租")
    target = tmp_path / "cards.json"
    code, output = cli(desk.db, "--register", "cards", "--output", str(target))
    assert code == 0, output
    assert f"written: {target} (2 records)" in output
    old, new = json.loads(target.read_text(encoding="utf-8"))["cards"]
    assert (old["number"], old["state"], old["replaced_by_id"]) == (
        "KA-20261123-001",
        "replaced",
        new["id"],
    )
    assert (new["replaces_id"], new["replacement_fee_fen"]) == (old["id"], 2000)
    assert (new["holder"], new["kind"], new["valid_until"]) == ("赵租", "resident", "2027-02-23")
    assert old["id_last4"] == "123X" and old["operator"] == "王芳"
    assert [e["action"] for e in old["events"]] == [
        "applied",
        "ready",
        "issued",
        "lost",
        "replaced",
    ]
    assert old["events"][-1]["data"]["receipt"] == "SJ-0042"
    sheet = tmp_path / "cards.csv"
    code, output = cli(desk.db, "-r", "cards", "--format", "csv", "-o", str(sheet))
    assert code == 0, output
    rows = list(csv.DictReader(io.StringIO(sheet.read_text(encoding="utf-8-sig"))))
    assert [row["number"] for row in rows] == ["KA-20261123-001", "KA-20261123-002"]
    assert json.loads(rows[1]["events"])[0]["action"] == "replacement_issued"
