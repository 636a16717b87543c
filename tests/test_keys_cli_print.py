"""`desk keys import`, `desk export --register keys`, and the printed entrusted-key slip."""

from __future__ import annotations

import json
from pathlib import Path

from rich.cells import cell_len
from typer.testing import CliRunner

from desk.cli import app
from desk.db import Database
from desk.i18n import set_language
from desk.models import Operator
from desk.printing import entrusted_slip_lines, entrusted_slip_text
from desk.services import keys
from desk.services.keys import EntrustedCreate
from tests.conftest import Desk

runner = CliRunner()
GOOD = "编号,用途,数量,挂钩位置\nK-PUMP-B2,水泵房,2,A-01\nK-ROOF-3,天台,1,A-04\n"


def _cli(db: Database, *args: str, pin: str = "9999") -> tuple[int, str]:
    result = runner.invoke(app, ["--lang", "en", "--db", db.url, *args], env={"DESK_PIN": pin})
    return result.exit_code, result.output


AS_BOSS = ("--as", "陈主管")  # tests/conftest.py: the supervisor, PIN 9999


def _cabinet_rows(db: Database) -> list[tuple[object, ...]]:
    with db.engine.connect() as conn:
        keys_rows = conn.exec_driver_sql('SELECT * FROM "key" ORDER BY id').all()
        events = conn.exec_driver_sql(
            "SELECT * FROM audit_event WHERE register_name = 'keys' ORDER BY id"
        ).all()
    return [tuple(row) for row in [*keys_rows, *events]]


def test_keys_import_then_export(db: Database, supervisor: Operator, tmp_path: Path) -> None:
    good = tmp_path / "cabinet.csv"
    good.write_bytes(GOOD.encode("gbk"))
    code, output = _cli(db, "keys", "import", str(good), *AS_BOSS)
    assert code == 0, output
    assert "2 new" in output
    code, output = _cli(db, "export", "--register", "keys")
    assert code == 0, output
    rows = json.loads(output)["keys"]
    assert [row["tag"] for row in rows] == ["K-PUMP-B2", "K-ROOF-3"]
    assert rows[0]["events"][0]["action"] == "added"
    assert rows[0]["events"][0]["operator"] == "陈主管"


def test_keys_import_bad_lines_exit_1_and_missing_file_exits_2(
    db: Database, supervisor: Operator, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD + "K-X,,1,\n", encoding="utf-8")
    code, output = _cli(db, "keys", "import", str(bad), *AS_BOSS)
    assert code == 1
    assert "line 4: Opens: this is required" in output
    assert "nothing was imported" in output
    assert _cabinet_rows(db) == []
    code, output = _cli(db, "keys", "import", str(bad), "--skip-bad", *AS_BOSS)
    assert code == 0 and "1 bad lines skipped" in output
    code, output = _cli(db, "keys", "import", str(tmp_path / "none.csv"), *AS_BOSS)
    assert code == 2 and len(output.strip().splitlines()) == 1


def test_keys_import_is_refused_without_as_to_a_clerk_and_with_a_wrong_pin(
    db: Database, clerk: Operator, supervisor: Operator, tmp_path: Path
) -> None:
    good = tmp_path / "cabinet.csv"
    good.write_text(GOOD, encoding="utf-8")
    code, output = _cli(db, "keys", "import", str(good))
    assert code == 2 and "--as NAME" in output
    code, output = _cli(db, "keys", "import", str(good), "--as", "王芳", pin="1234")
    assert code == 2
    assert output.strip() == (
        "error: only a supervisor may load the key cabinet from a file, because it adds and "
        "changes keys and brings back retired ones, and every count and handover checks keys "
        "against the cabinet"
    )
    code, output = _cli(db, "keys", "import", str(good), *AS_BOSS, pin="0000")
    assert code == 2 and len(output.strip().splitlines()) == 1
    assert _cabinet_rows(db) == []


def test_keys_import_refuses_a_latin1_file_and_reads_a_named_encoding(
    db: Database, supervisor: Operator, tmp_path: Path
) -> None:
    latin = tmp_path / "cabinet.csv"
    latin.write_bytes("tag,opens\nK-1,Kühlraum\n".encode("latin-1"))
    code, output = _cli(db, "keys", "import", str(latin), *AS_BOSS)
    assert code == 2
    assert output.startswith("error: line 2 is not UTF-8 text (from byte 6: FC 68 6C 72)")
    assert _cabinet_rows(db) == []
    code, output = _cli(db, "keys", "import", str(latin), "--encoding", "latin-1", *AS_BOSS)
    assert code == 0, output
    with Desk(db, supervisor).read() as ctx:
        assert keys.find_key(ctx, "K-1").opens == "Kühlraum"


def test_the_slip_has_two_parts_with_the_number_within_80_columns(desk: Desk) -> None:
    data = EntrustedCreate(
        owner_name="李明",
        room="3-1202",
        phone="13812345678",
        description="入户门钥匙、阳台门钥匙",
        count=2,
        reason="卫生间防水返修，业主上班不在家，维修人员需多次入户施工",
    )
    with desk.write() as ctx:
        record = keys.deposit(ctx, data)
    for lang in ("zh_CN", "en"):
        set_language(lang)
        lines = entrusted_slip_lines(record, desk.db.settings, operator="王芳")
        assert all(cell_len(line) <= 80 for line in lines)
        text = entrusted_slip_text(record, desk.db.settings, operator="王芳")
        assert text.count("WT-20261123-001") == 2
        assert text.count("李明") == 2 and "王芳" in text
    assert "沿此线剪开" not in text and "cut here" in text
    set_language("zh_CN")
    text = entrusted_slip_text(record, desk.db.settings)
    assert "业主联" in text and "存根联" in text and "沿此线剪开" in text
    assert "2 把" in text
