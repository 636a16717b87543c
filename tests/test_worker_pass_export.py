"""`desk export --register worker_passes`: each pass with its renovation and its events, as JSON
and CSV, the ID as its last 4 only."""

from __future__ import annotations

import csv
import io
import json

from typer.testing import CliRunner

from desk.cli import app
from desk.db import Database
from desk.services import export, renovation_workers
from tests.conftest import NOW, Desk
from tests.worker_seed import FULL_ID, issue_pass, renovation_row, worker

runner = CliRunner()


def cli(db: Database, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--lang", "en", "--db", db.url, "export", *args])
    return result.exit_code, result.output


def test_worker_passes_export_as_json_and_csv(db: Database, desk: Desk) -> None:
    renovation_row(desk)
    first = issue_pass(desk)
    second = issue_pass(desk, worker(name="李四", id_number="5678", fee_fen=0, fee_receipt=""))
    with desk.write() as ctx:
        found = renovation_workers.find(ctx, second)
        assert found is not None and found.id is not None
        renovation_workers.revoke(ctx, found.id, "离场")
    with Desk(db, None, NOW).write() as ctx:
        renovation_workers.gate_check(ctx, first, "老周")
    code, output = cli(db, "--register", "worker_passes")
    assert code == 0, output
    rows = json.loads(output)["worker_passes"]
    assert [r["number"] for r in rows] == [first, second]
    assert [r["id_last4"] for r in rows] == ["002X", "5678"]
    assert rows[0]["room"] == "3-1202" and rows[0]["permit_number"] == "XK-20261121-001"
    assert rows[0]["valid_until"] == "2026-12-31" and rows[0]["gate_checks"] == 1
    assert [e["action"] for e in rows[0]["events"]] == ["issued", "gate_checked"]
    assert rows[1]["state"] == "revoked" and rows[1]["events"][-1]["reason"] == "离场"
    assert FULL_ID not in output
    code, output = cli(db, "--format", "csv", "--register", "worker_passes")
    assert code == 0, output
    parsed = list(csv.DictReader(io.StringIO(output)))
    assert list(parsed[0]) == export.columns("worker_passes")
    assert [(r["number"], r["renovation"], r["photo_taken"]) for r in parsed] == [
        (first, "ZX-20261120-001", "true"),
        (second, "ZX-20261120-001", "true"),
    ]
    assert "worker_passes" in export.REGISTERS
