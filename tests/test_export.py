"""Export of registers with their events, as JSON and CSV, through the service and the CLI."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from desk.cli import app
from desk.db import Database
from desk.services import export, reception, repair, residents
from desk.services.errors import DeskError
from desk.services.reception import ReceptionCreate
from desk.services.repair import RepairCreate
from tests.conftest import NOW, Desk

runner = CliRunner()


@pytest.fixture
def filled(desk: Desk) -> Desk:
    """Two days of work: a resident, a call that became a repair, and a repair dispatched."""
    desk.now = NOW - timedelta(days=2)
    with desk.write() as ctx:
        residents.add_resident(ctx, "3", "1202", "李明", "13812345678", "owner")
        entry = reception.log(
            ctx, ReceptionCreate(person="李先生", room="3-1202", request="咨询停水")
        )
    desk.now = NOW
    with desk.write() as ctx:
        call = reception.log(
            ctx, ReceptionCreate(room="3-1202", category="repair", request="厨房水龙头漏水")
        )
        order = repair.register(
            ctx,
            RepairCreate(
                room="3-1202",
                resident_name="李明",
                phone="13812345678",
                description="厨房水龙头漏水",
                category="water",
                reception_id=call.id,
            ),
        )
        repair.dispatch(ctx, order.id or 0, "李建国")
    assert entry.id == 1
    return desk


def cli(db: Database, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--lang", "en", "--db", db.url, "export", *args])
    return result.exit_code, result.output


def test_service_exports_records_with_events(filled: Desk) -> None:
    with filled.read() as ctx:
        data = export.export(ctx, ["repairs", "residents", "complaints"])
    assert list(data) == ["repairs", "residents", "complaints"]
    assert data["complaints"] == []
    (order,) = data["repairs"]
    assert order["number"] == "WX-20261123-001"
    assert order["technician"] == "李建国"
    assert order["reported_at"] == "2026-11-23T09:30:00+08:00"
    assert order["operator"] == "王芳"
    assert [e["action"] for e in order["events"]] == ["registered", "dispatched"]
    assert order["events"][1]["data"] == {"technician": "李建国", "at": "2026-11-23T09:30:00+08:00"}
    assert order["events"][0]["operator"] == "王芳"
    (resident,) = data["residents"]
    assert (resident["unit"], resident["phone"]) == ("3-1202", "13812345678")
    assert resident["events"][0]["action"] == "created"


def test_reception_shows_its_link(filled: Desk) -> None:
    with filled.read() as ctx:
        entries = export.records(ctx, "reception")
    assert [e["category"] for e in entries] == ["enquiry", "repair"]
    assert entries[1]["linked_register"] == "repairs"
    assert [e["action"] for e in entries[1]["events"]] == ["logged", "linked"]


def test_unknown_register_is_refused(filled: Desk) -> None:
    with filled.read() as ctx, pytest.raises(DeskError) as err:
        export.export(ctx, ["repairs", "lifts"])
    assert "no register named “lifts”" in err.value.message


def test_json_of_every_register(filled: Desk) -> None:
    code, output = cli(filled.db)
    assert code == 0, output
    data = json.loads(output)
    assert list(data) == list(export.REGISTERS)
    assert len(data["reception"]) == 2
    assert len(data["repairs"]) == 1
    assert data["keys"] == []


def test_since_filters_by_creation(filled: Desk) -> None:
    code, output = cli(filled.db, "--since", "2026-11-22", "-r", "reception", "-r", "residents")
    assert code == 0, output
    data = json.loads(output)
    assert [e["request"] for e in data["reception"]] == ["厨房水龙头漏水"]
    assert data["residents"] == []
    code, output = cli(filled.db, "--since", "2026-11-21T08:00", "--register", "reception")
    assert len(json.loads(output)["reception"]) == 2


def test_csv_of_one_register_to_stdout(filled: Desk) -> None:
    code, output = cli(filled.db, "--format", "csv", "--register", "repairs")
    assert code == 0, output
    rows = list(csv.DictReader(io.StringIO(output)))
    assert len(rows) == 1
    assert rows[0]["number"] == "WX-20261123-001"
    assert rows[0]["paid"] == "false"
    assert rows[0]["appointment_at"] == ""
    events = json.loads(rows[0]["events"])
    assert [e["action"] for e in events] == ["registered", "dispatched"]


def test_csv_of_several_registers_needs_a_directory(filled: Desk, tmp_path: Path) -> None:
    code, output = cli(filled.db, "--format", "csv", "-r", "repairs", "-r", "residents")
    assert code == 2
    assert output.strip() == (
        "error: CSV to the screen takes exactly one register: "
        "give --register, or --output DIRECTORY"
    )
    target = tmp_path / "out"
    code, output = cli(filled.db, "-f", "csv", "-r", "repairs,residents", "-o", str(target))
    assert code == 0, output
    assert sorted(p.name for p in target.iterdir()) == ["repairs.csv", "residents.csv"]
    raw = (target / "residents.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0]["phone"] == "13812345678"


def test_csv_of_an_empty_register_is_only_its_header(filled: Desk, tmp_path: Path) -> None:
    code, output = cli(filled.db, "-f", "csv", "-r", "passes")
    assert code == 0
    [header] = output.splitlines()
    assert header.startswith("id,number,room,applicant")


def test_json_to_a_file(filled: Desk, tmp_path: Path) -> None:
    target = tmp_path / "all.json"
    code, output = cli(filled.db, "-r", "repairs", "--output", str(target))
    assert code == 0, output
    assert f"written: {target} (1 records)" in output
    assert json.loads(target.read_text(encoding="utf-8"))["repairs"][0]["room"] == "3-1202"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-r", "lifts"], "error: no register named “lifts” (choose from: reception, repairs, "),
        (["--since", "last week"], "error: cannot read the date “last week”"),
        (["--format", "xml"], "error: no such format “xml” (json or csv)"),
        (["-o", "/nonexistent/dir/out.json"], "error: No such file or directory: /nonexistent"),
    ],
)
def test_bad_arguments_are_one_line(filled: Desk, args: list[str], expected: str) -> None:
    code, output = cli(filled.db, *args)
    assert code == 2
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert lines[0].startswith(expected)
