"""`desk import fees FILE`: finance's balances loaded by a supervisor (a clerk refused), every
bad line named and nothing written, what changed reported."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from desk.cli import app
from desk.services import fees
from tests.conftest import Desk
from tests.fee_seed import FILE, add_rooms

runner = CliRunner()


def test_import_fees_as_a_supervisor(desk: Desk, boss: Desk, tmp_path: Path) -> None:
    add_rooms(desk)
    url = desk.db.url
    good = tmp_path / "fees.csv"
    good.write_text(FILE, encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(FILE + "9-999,management,2026-01,2026-02,100\n", encoding="utf-8")

    clerk = runner.invoke(
        app, ["--db", url, "import", "fees", str(good), "--as", "王芳"], env={"DESK_PIN": "1234"}
    )
    assert clerk.exit_code != 0
    refused = runner.invoke(
        app, ["--db", url, "import", "fees", str(bad), "--as", "陈主管"], env={"DESK_PIN": "9999"}
    )
    assert refused.exit_code == 1 and "9-999" in refused.output
    with desk.read() as ctx:
        assert fees.listing(ctx) == []
    done = runner.invoke(
        app, ["--db", url, "import", "fees", str(good), "--as", "陈主管"], env={"DESK_PIN": "9999"}
    )
    assert done.exit_code == 0, done.output
    assert "3 balances added" in done.output or "新增 3 笔" in done.output
    with desk.read() as ctx:
        assert [d.room for d in fees.listing(ctx)] == ["3-1202", "5-801"]


def test_fees_export_lookup_and_room_history(desk: Desk, boss: Desk) -> None:
    import csv
    import io
    import json

    from desk.services import export, lookup, room_history
    from desk.services.fees import PaymentIn
    from tests.fee_seed import balance_id, load

    add_rooms(desk)
    load(boss)
    water = balance_id(desk, "3-1202", "water")
    with desk.write() as ctx:
        fees.pay(
            ctx,
            PaymentIn(
                balance_id=water, amount_fen=8650, receipt="CW-7", payer="李明", confirmed=True
            ),
        )
    url = desk.db.url
    result = runner.invoke(app, ["--db", url, "export", "--register", "fees"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["fees"]
    assert [(r["room"], r["kind"], r["state"]) for r in rows] == [
        ("3-1202", "management", "open"),
        ("3-1202", "water", "paid"),
        ("5-801", "management", "open"),
    ]
    assert rows[1]["payments"][0]["receipt"] == "CW-7" and rows[1]["operator"] == "陈主管"
    assert [e["action"] for e in rows[1]["events"]] == ["imported", "payment"]
    result = runner.invoke(app, ["--db", url, "export", "-f", "csv", "-r", "fees"])
    assert result.exit_code == 0, result.output
    parsed = list(csv.DictReader(io.StringIO(result.output)))
    assert list(parsed[0]) == export.columns("fees") and parsed[0]["amount_fen"] == "120000"
    with desk.read() as ctx:
        found = lookup.search(ctx, "3-1202")
        assert "fees" in {group.register for group in found.groups}
        history = room_history.history(ctx, "3-1202")
        assert "fees" in {event.register for event in history.timeline}
