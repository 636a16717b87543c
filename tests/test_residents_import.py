"""Residents CSV import: encodings, headers, every line checked, all or nothing, --skip-bad."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import col, select
from typer.testing import CliRunner

from desk.cli import app
from desk.config import DEFAULT_SITE_FILE
from desk.db import Database
from desk.models import AuditEvent, Resident, ResidentKind, Unit
from desk.services import residents_import
from tests.conftest import Desk

runner = CliRunner()

GOOD = """building,room,name,phone,kind
3,1202,李明,13812345678,owner
3,1202,王丽,13900001111,tenant
5,0301,赵强,,owner
,6-801,孙芳,021-5555 1234,
"""

CHINESE = """楼栋,房号,姓名,电话,类型
1,101,周杰,13511112222,业主
2,2403,吴倩,15833334444,租户
"""


BUILDINGS = ["1", "2", "3", "5", "6", "8"]


@pytest.fixture(autouse=True)
def _site_buildings(tmp_path: Path) -> None:
    """A site.toml beside the test database that lists the estate's buildings."""
    default = DEFAULT_SITE_FILE.read_text(encoding="utf-8")
    assert f"buildings = {BUILDINGS!r}".replace("'", '"') in default
    (tmp_path / "site.toml").write_text(default, encoding="utf-8")


def with_buildings(desk: Desk) -> Desk:
    desk.db.settings = desk.db.settings.model_copy(update={"buildings": BUILDINGS})
    return desk


def run_import(db: Database, file: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(
        app, ["--lang", "en", "--db", db.url, "import", "residents", str(file), *extra]
    )
    return result.exit_code, result.output


def directory(db: Database) -> set[tuple[str, str, str, str]]:
    with db.reading() as session:
        rows = session.exec(
            select(Unit.code, Resident.name, Resident.phone, Resident.kind).join(Resident)
        )
        return {(code, name, phone, str(kind)) for code, name, phone, kind in rows}


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "residents.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_good_utf8_file(db: Database, tmp_path: Path) -> None:
    code, output = run_import(db, write(tmp_path, GOOD))
    assert code == 0, output
    assert output.strip() == "imported: 4 new, 0 updated, 0 unchanged, 0 bad lines skipped"
    assert directory(db) == {
        ("3-1202", "李明", "13812345678", "owner"),
        ("3-1202", "王丽", "13900001111", "tenant"),
        ("5-0301", "赵强", "", "owner"),
        ("6-801", "孙芳", "021-5555 1234", "owner"),
    }
    with db.reading() as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.register_name == "residents"))
        assert sorted(e.action for e in events) == ["created"] * 4


def test_gbk_file_with_chinese_headers(db: Database, tmp_path: Path) -> None:
    code, output = run_import(db, write(tmp_path, CHINESE, "gbk"))
    assert code == 0, output
    assert directory(db) == {
        ("1-101", "周杰", "13511112222", "owner"),
        ("2-2403", "吴倩", "15833334444", "tenant"),
    }


def test_utf8_with_bom(db: Database, tmp_path: Path) -> None:
    code, output = run_import(db, write(tmp_path, CHINESE, "utf-8-sig"))
    assert code == 0, output
    assert ("1-101", "周杰", "13511112222", "owner") in directory(db)


def test_a_bad_line_imports_nothing(db: Database, tmp_path: Path) -> None:
    text = GOOD + "3,1203,钱七,not-a-phone,owner\n9,101,郑八,13800000000,owner\n"
    code, output = run_import(db, write(tmp_path, text))
    assert code == 1
    assert output.strip().splitlines() == [
        "line 6: Phone: “not-a-phone” is not a phone number",
        "line 7: there is no building “9” at this site",
        "2 bad lines: nothing was imported "
        "(correct them, or use --skip-bad to import the good lines)",
    ]
    assert directory(db) == set()


def test_skip_bad_imports_the_good_lines(db: Database, tmp_path: Path) -> None:
    text = GOOD + "3,1203,,13800000000,owner\n3,1202,李明,13800000000,owner\n"
    code, output = run_import(db, write(tmp_path, text), "--skip-bad")
    assert code == 0, output
    lines = output.strip().splitlines()
    assert lines[:2] == [
        "line 6: Name: this is required",
        "line 7: same building, room and name as line 2",
    ]
    assert lines[2] == "imported: 4 new, 0 updated, 0 unchanged, 2 bad lines skipped"
    assert len(directory(db)) == 4


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("3,12/02,李明,13812345678,owner", "“12/02” is not a room"),
        (
            "3,5-1202,李明,13812345678,owner",
            "the room says building 5 but the building column says 3",
        ),
        (",1202,李明,13812345678,owner", "the building is missing"),
        ("4,1202,李明,13812345678,owner", "there is no building “4” at this site"),
        ("3,1202,李明,13812345678,landlord", "“landlord” is neither owner/业主 nor tenant/租户"),
        ("3,1202,李\x07明,13812345678,owner", "Name: contains invisible control characters"),
        ("3,1202," + "长" * 61 + ",13812345678,owner", "Name: too long, at most 60 characters"),
    ],
)
def test_each_rule(desk: Desk, line: str, reason: str) -> None:
    with with_buildings(desk).read() as ctx:
        result = residents_import.check(ctx, "building,room,name,phone,kind\n" + line + "\n")
    assert [(bad.line, bad.reason) for bad in result.bad] == [(2, reason)]
    assert result.good == []


def test_building_with_suffix_and_room_with_building(desk: Desk) -> None:
    text = "楼栋,房号,姓名\n3栋,1202,李明\n,5栋0301室,赵强\n"
    with desk.read() as ctx:
        result = residents_import.check(ctx, text)
    assert result.bad == []
    assert [(g.building, g.room, g.kind) for g in result.good] == [
        ("3", "1202", ResidentKind.owner),
        ("5", "0301", ResidentKind.owner),
    ]


def test_reimport_counts_updates_and_leaves_unchanged_alone(desk: Desk) -> None:
    with desk.write() as ctx:
        residents_import.import_text(ctx, GOOD)
    changed = GOOD.replace("13900001111", "13900002222")
    with desk.write() as ctx:
        result = residents_import.import_text(ctx, changed)
    assert (result.added, result.updated, result.unchanged) == (0, 1, 3)
    with desk.read() as ctx:
        actions = list(
            ctx.session.exec(
                select(AuditEvent.action)
                .where(AuditEvent.register_name == "residents")
                .order_by(col(AuditEvent.id))
            )
        )
    assert actions == ["created"] * 4 + ["updated"]


def test_missing_column_is_one_line(db: Database, tmp_path: Path) -> None:
    code, output = run_import(db, write(tmp_path, "building,room,phone\n3,1202,138\n"))
    assert code == 2
    assert output.strip() == (
        "error: the column “name” is missing "
        "(building, room, name, phone, kind — or 楼栋, 房号, 姓名, 电话, 类型)"
    )


def test_missing_file_is_one_line(db: Database, tmp_path: Path) -> None:
    code, output = run_import(db, tmp_path / "nope.csv")
    assert code == 2
    assert output.strip() == f"error: No such file or directory: {tmp_path / 'nope.csv'}"


def test_empty_file(db: Database, tmp_path: Path) -> None:
    code, output = run_import(db, write(tmp_path, ""))
    assert code == 2
    assert output.strip() == "error: the file is empty"
