"""Export of registers with their events, as JSON and CSV, through the service and the CLI."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum, StrEnum
from pathlib import Path
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from desk.cli import app
from desk.db import Database
from desk.demo import build_demo
from desk.services import export, reception, repair, residents
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.jsonable import dumps, plain
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


# --- one serialiser for every field type (desk.services.jsonable) --------------------------


class _Colour(Enum):
    red = 1


class _Kind(StrEnum):
    owner = "owner"


def test_plain_gives_every_field_type_its_json_form() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    moment = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
    row = {
        "at": moment,
        "naive": datetime(2026, 11, 23, 9, 30),
        "day": date(2026, 11, 23),
        "time": time(8, 30),
        "money": Decimal("12.50"),
        "kind": _Kind.owner,
        "colour": _Colour.red,
        "id": UUID("12345678-1234-5678-1234-567812345678"),
        "raw": b"\x00\xff",
        "nothing": None,
        "yes": True,
        "count": 3,
        "share": 0.5,
        "nan": float("nan"),
        "span": timedelta(minutes=90),
        "items": ({"day": date(2026, 1, 2)},),
        "tags": {"b", "a"},
        7: "a key that is a number",
    }
    assert plain(row, shanghai) == {
        "at": "2026-11-23T09:30:00+08:00",
        "naive": "2026-11-23T09:30:00",
        "day": "2026-11-23",
        "time": "08:30:00",
        "money": "12.50",
        "kind": "owner",
        "colour": 1,
        "id": "12345678-1234-5678-1234-567812345678",
        "raw": "AP8=",
        "nothing": None,
        "yes": True,
        "count": 3,
        "share": 0.5,
        "nan": "nan",
        "span": 5400.0,
        "items": [{"day": "2026-01-02"}],
        "tags": ["a", "b"],
        "7": "a key that is a number",
    }
    assert plain(moment) == "2026-11-23T01:30:00+00:00"  # no zone given: its own offset
    text = dumps(row, tz=shanghai)
    assert json.loads(text)["at"] == "2026-11-23T09:30:00+08:00"
    assert json.loads(text) == plain(row, shanghai)


def test_dumps_keeps_chinese_and_escapes_what_a_terminal_acts_on() -> None:
    text = dumps({"name": "李明\x9b2J\u202e"})
    assert "李明" in text
    assert "\x9b" not in text and "\u202e" not in text
    assert json.loads(text) == {"name": "李明\x9b2J\u202e"}


def test_a_value_with_no_json_form_is_refused_by_name() -> None:
    with pytest.raises(TypeError, match="no JSON form for a value of type object"):
        plain({"x": object()})


# --- every register, every format, on a database holding rows of each ----------------------


def test_every_register_exports_in_every_format(db: Database, tmp_path: Path) -> None:
    """The demo holds rows of every register (a release pass's `valid_on` date once crashed the
    JSON export): each register's export parses back and holds every one of its records."""
    build_demo(db, NOW, seed=2026)
    with db.reading() as session:
        ctx = Ctx(session, None, db.settings, NOW)
        expected = {name: export.records(ctx, name) for name in export.check_registers([])}
    assert list(expected) == list(export.REGISTERS)
    for name, rows in expected.items():
        assert rows, f"the demo holds no {name}"
    assert {r["record"] for r in expected["keys"]} == {"key", "loan", "entrusted", "count"}
    assert {r["record"] for r in expected["shifts"]} == {"handover", "nightlog"}

    code, output = cli(db)
    assert code == 0, output[-2000:]
    everything = json.loads(output)
    assert list(everything) == list(expected)
    for name, rows in expected.items():  # every record, every field, as the register alone has it
        assert everything[name] == json.loads(dumps(rows)), name
    assert date.fromisoformat(everything["passes"][0]["valid_on"])
    code, output = cli(db, "--register", "passes")  # one register alone: only it
    assert code == 0, output[-2000:]
    assert json.loads(output) == {"passes": everything["passes"]}

    target = tmp_path / "all"
    code, output = cli(db, "--format", "csv", "--output", str(target))
    assert code == 0, output
    assert sorted(path.name for path in target.iterdir()) == sorted(f"{n}.csv" for n in expected)
    for name, rows in expected.items():
        text = (target / f"{name}.csv").read_text(encoding="utf-8-sig")
        parsed = list(csv.DictReader(io.StringIO(text)))
        assert list(parsed[0]) == export.columns(name)
        assert [r["id"] for r in parsed] == [str(r["id"]) for r in rows]
        assert [json.loads(r["events"]) for r in parsed] == [
            json.loads(dumps(r["events"])) for r in rows
        ]
    code, output = cli(db, "--format", "csv", "--register", "keys")  # to stdout: the same rows
    assert code == 0, output[-2000:]
    assert output.lstrip("\ufeff") == (target / "keys.csv").read_text(encoding="utf-8-sig")


# --- --since ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        ("", "error: --since needs a date (e.g. 2026-11-01 or 2026-11-01T08:30); leave it out"),
        ("  ", "error: --since needs a date"),
        ("0001-01-01", "error: “0001-01-01” is not a date the desk could hold (it must fall"),
        ("9999-12-31T23:59", "error: “9999-12-31T23:59” is not a date the desk could hold"),
        ("1999-12-31", "error: “1999-12-31” is not a date the desk could hold"),
        ("2026-13-01", "error: cannot read the date “2026-13-01”"),
    ],
)
def test_since_that_could_mean_everything_or_nothing_is_refused(
    filled: Desk, since: str, expected: str
) -> None:
    code, output = cli(filled.db, "--since", since)
    assert code == 2
    assert "Traceback" not in output
    (line,) = output.strip().splitlines()
    assert line.startswith(expected)


@pytest.mark.parametrize(
    ("since", "count"), [("2026-11-01", 2), ("2026-11-01T08:00", 2), ("2026-11-23T08:00", 1)]
)
def test_since_takes_a_date_or_a_date_and_time(filled: Desk, since: str, count: int) -> None:
    code, output = cli(filled.db, "--since", since, "--register", "reception")
    assert code == 0, output
    assert len(json.loads(output)["reception"]) == count


@pytest.mark.parametrize("given", [",", " , ,"])
def test_a_register_option_that_names_none_is_refused_not_taken_as_all(
    db: Database, given: str
) -> None:
    code, output = cli(db, "-r", given)
    assert code == 2 and "no register named" in output
