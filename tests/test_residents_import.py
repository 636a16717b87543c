"""Residents CSV import: encodings read honestly, every line checked before the bulk write (in
short parts for a long file), --skip-bad, --replace, strict columns and phones, and the
operator the import acts as.

The CLI tests are attacks as much as uses: no --as, a wrong PIN, a Latin-1 file, a file without
its kind column, one bad phone among good lines, --replace with a subset — after each refusal
the residents register (residents, units, their lookup documents and audit events) is compared
row by row with what it was.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import col, select
from typer.testing import CliRunner

from desk.cli import app
from desk.config import DEFAULT_SITE_FILE, REPO_DATA
from desk.db import Database
from desk.models import AuditEvent, Operator, Resident, ResidentKind, Unit
from desk.services import lookup, residents_csv, residents_import, search_index
from desk.services.csv_reading import decode, plausible_chinese
from desk.services.errors import DeskError
from tests.conftest import Desk

runner = CliRunner()

GOOD = """building,room,name,phone,kind
3,1202,李明,13812345678,owner
3,1202,王丽,139-0000-1111,tenant
5,0301,赵强,,owner
,6-801,孙芳,021-5555 1234,
"""

CHINESE = """楼栋,房号,姓名,电话,类型
1,101,周杰,13511112222,业主
2,2403,吴倩,15833334444,租户
"""

# a directory as an office keeps it in a spreadsheet saved as GBK: names with less common
# characters (喆, 堃 are GBK but not GB2312), full-width punctuation, a note column
REAL_GBK = """楼栋,房号,姓名,电话,类型,备注
1,101,周杰,13511112222,业主,
1,102,王喆,13511113333,业主,（二次装修中）
2,2403,吴倩,15833334444,租户,合同至２０２７年
3,1202,李明,13812345678,业主,
3,1203,张堃,13900001111,租户,“周末在家”
5,0301,欧阳晓燕,0755-2345678,业主,钥匙托管于前台
"""

BUILDINGS = ["1", "2", "3", "5", "6", "8"]
CLERK_PIN = "1234"  # tests/conftest.py: 王芳, clerk
BOSS_PIN = "9999"  # 陈主管, supervisor


@pytest.fixture(autouse=True)
def _site_buildings(tmp_path: Path) -> None:
    """A site.toml beside the test database that lists the estate's buildings."""
    default = DEFAULT_SITE_FILE.read_text(encoding="utf-8")
    assert f"buildings = {BUILDINGS!r}".replace("'", '"') in default
    (tmp_path / "site.toml").write_text(default, encoding="utf-8")


def with_buildings(desk: Desk) -> Desk:
    desk.db.settings = desk.db.settings.model_copy(update={"buildings": BUILDINGS})
    return desk


def run_import(
    db: Database, file: Path, *extra: str, who: str | None = "王芳", pin: str = CLERK_PIN
) -> tuple[int, str]:
    acting = ["--as", who] if who is not None else []
    result = runner.invoke(
        app,
        ["--lang", "en", "--db", db.url, "import", "residents", str(file), *acting, *extra],
        env={"DESK_PIN": pin},
    )
    return result.exit_code, result.output


def directory(db: Database) -> set[tuple[str, str, str, str]]:
    with db.reading() as session:
        rows = session.exec(
            select(Unit.code, Resident.name, Resident.phone, Resident.kind)
            .join(Resident)
            .where(col(Resident.active))
        ).all()
        return {(code, name, phone, str(kind)) for code, name, phone, kind in rows}


def register(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored row of the residents register, read with plain SQL."""
    queries = {
        "resident": "SELECT * FROM resident ORDER BY id",
        "unit": "SELECT * FROM unit ORDER BY id",
        "search_doc": "SELECT * FROM search_doc WHERE register_name = 'residents' ORDER BY id",
        "audit": "SELECT * FROM audit_event WHERE register_name = 'residents' ORDER BY id",
    }
    with db.engine.connect() as conn:
        return {
            name: [tuple(row) for row in conn.exec_driver_sql(sql)] for name, sql in queries.items()
        }


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "residents.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def found(desk: Desk, query: str) -> list[tuple[str, str]]:
    """(room, state) of every resident the lookup finds for `query`."""
    with desk.read() as ctx:
        results = lookup.search(ctx, query, registers=["residents"])
    return sorted((hit.room, hit.state) for group in results.groups for hit in group.hits)


# --- reading the file ---------------------------------------------------------------------------


def test_real_gbk_chinese_is_read_as_gb18030() -> None:
    data = REAL_GBK.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert decode(data) == REAL_GBK
    assert decode(CHINESE.encode("gb2312")) == CHINESE
    prose = "物业服务中心前台登记：三栋一二零二室业主来电，反映卫生间漏水，已派维修工上门查看。"
    assert decode(prose.encode("gb18030")) == prose


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
@pytest.mark.parametrize(
    "names",
    [
        "Müller,Señora",  # decodes "successfully" as GB18030: M黮ler, Se駉ra
        "Gößling,Straße",  # öß lands in GB2312 (鲞), alone inside a Latin word
        "François,Ångström,Müller Straße",
        "Müller, Señora, Zoë",  # ë before a comma does not decode at all
    ],
)
def test_european_text_is_refused_with_the_line_and_its_bytes(encoding: str, names: str) -> None:
    text = f"building,room,name,phone,kind\n3,1202,{names},,owner\n"
    data = text.encode(encoding)
    with pytest.raises(DeskError) as refused:
        decode(data)
    error = refused.value
    assert error.key == "csv_import.not_utf8"
    assert error.params["line"] == 2
    start = data.index(b"\n") + 1 + error.params["column"] - 1
    assert data[start] >= 0x80  # the byte shown first is the first one that is not UTF-8
    assert error.params["bytes"].split()[0] == f"{data[start]:02X}"
    assert "--encoding" in error.message


def test_the_refusal_reads_in_english() -> None:
    data = "name,kind\nMüller,owner\n".encode("latin-1")
    with pytest.raises(DeskError) as refused:
        decode(data)
    assert refused.value.message == (
        "line 2 is not UTF-8 text (from byte 2: FC 6C 6C 65) and the file does not read as "
        "Chinese in GBK either: name its encoding with --encoding, e.g. --encoding gbk or "
        "--encoding cp1252"
    )


def test_a_utf8_bom_then_gbk_bytes_is_refused_counting_the_bom() -> None:
    data = "楼栋,房号,姓名,类型\n".encode("utf-8-sig") + "3,1202,李明,业主\n".encode("gbk")
    with pytest.raises(DeskError) as refused:
        decode(data)
    assert (refused.value.params["line"], refused.value.params["column"]) == (2, 8)
    first_line = "\ufeffname,kind\n".encode() + "Müller,owner\n".encode("latin-1")
    with pytest.raises(DeskError) as refused:
        decode(first_line.replace(b"\n", b",", 1))
    assert (refused.value.params["line"], refused.value.params["column"]) == (1, 15)


def test_plausible_chinese_is_not_fooled_by_mojibake() -> None:
    assert plausible_chinese("姓名,类型\n李明,业主\n王喆,租户\n")
    assert plausible_chinese("楼栋，房号：３栋１２０２室 ①号 ·")
    assert not plausible_chinese("M黮ler,Se駉ra")  # not GB2312 ideographs
    assert not plausible_chinese("G鲞ling")  # common, but alone inside a Latin word
    assert not plausible_chinese("ライオン,李明")  # kana: not a Chinese residents file
    assert not plausible_chinese("Иван,李明")  # Cyrillic
    assert not plausible_chinese("\ue000李明")  # a private-use character
    assert not plausible_chinese("3,1202,Li Ming,,owner")  # no ideograph at all


def test_utf8_with_and_without_bom() -> None:
    assert decode(CHINESE.encode("utf-8-sig")) == CHINESE
    assert decode(CHINESE.encode("utf-8")) == CHINESE


def test_a_named_encoding_is_used_and_checked() -> None:
    text = "name,kind\nMüller,owner\n"
    assert decode(text.encode("cp1252"), "cp1252") == text
    assert decode(CHINESE.encode("gbk"), "GBK") == CHINESE
    assert decode("\ufeffname,kind\n".encode(), "utf-8") == "name,kind\n"
    with pytest.raises(DeskError) as refused:
        decode(CHINESE.encode("utf-8"), "ascii")
    assert refused.value.key == "csv_import.not_in_encoding"
    assert refused.value.params["line"] == 1
    for name in ("klingon", "rot13", "base64", ""):
        with pytest.raises(DeskError) as unknown:
            decode(b"name,kind\n", name)
        assert unknown.value.key == "csv_import.unknown_encoding"


# --- checking every line ------------------------------------------------------------------------


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
        (
            "3,1202,李明,13812345678,landlord",
            "“landlord” is not owner/业主, tenant/租户 or family/家属",
        ),
        (
            "3,1202,李\x07明,13812345678,owner",
            "Name: contains an invisible control character ^G: delete it (it most likely came "
            "with a copy and paste, and can change the order the text reads in)",
        ),
        ("3,1202," + "长" * 61 + ",13812345678,owner", "Name: too long, at most 60 characters"),
        (
            "3,1202,李明,1381234567,owner",
            "Phone: “1381234567” is neither an 11-digit mobile (1[3-9]…) nor a landline with "
            "its area code (e.g. 021-55551234, 0755-2345678)",
        ),
        (
            "3,1202,李明,5555 1234,owner",
            "Phone: “5555 1234” is neither an 11-digit mobile (1[3-9]…) nor a landline with "
            "its area code (e.g. 021-55551234, 0755-2345678)",
        ),
    ],
)
def test_each_rule(desk: Desk, line: str, reason: str) -> None:
    with with_buildings(desk).read() as ctx:
        result = residents_csv.check(ctx, "building,room,name,phone,kind\n" + line + "\n")
    assert [(bad.line, bad.reason) for bad in result.bad] == [(2, reason)]
    assert result.good == []


def test_phones_are_stored_as_numbers(desk: Desk) -> None:
    text = (
        "building,room,name,phone,kind\n"
        "3,1202,李明,138 1234 5678,owner\n"
        "3,1202,王丽,+86 139-0000-1111,tenant\n"
        "3,1203,赵强,(0755) 2345 678,owner\n"
        "3,1204,孙芳,021-5555-1234 转 802,owner\n"
    )
    with desk.read() as ctx:
        result = residents_csv.check(ctx, text)
    assert result.bad == []
    assert [line.phone for line in result.good] == [
        "13812345678",
        "13900001111",
        "0755-2345678",
        "021-55551234-802",
    ]


def test_building_with_suffix_and_room_with_building(desk: Desk) -> None:
    text = "楼栋,房号,姓名,类型\n3栋,1202,李明,\n,5栋0301室,赵强,业主\n"
    with desk.read() as ctx:
        result = residents_csv.check(ctx, text)
    assert result.bad == []
    assert [(g.building, g.room, g.kind) for g in result.good] == [
        ("3", "1202", ResidentKind.owner),  # an empty kind cell is an owner
        ("5", "301", ResidentKind.owner),  # 0301 is stored as the lookup reads it: 5-301
    ]


@pytest.mark.parametrize("header", ["building,room,name,phone", "楼栋,房号,姓名,电话"])
def test_a_missing_kind_column_is_refused(desk: Desk, header: str) -> None:
    with desk.read() as ctx, pytest.raises(DeskError) as refused:
        residents_csv.check(ctx, header + "\n3,1202,李明,13812345678\n")
    assert refused.value.key == "csv_import.missing_column"
    assert refused.value.params["column"] == "kind"


# --- writing --------------------------------------------------------------------------------------


def test_import_writes_residents_units_events_and_lookup_documents(desk: Desk) -> None:
    with desk.write() as ctx:
        result = residents_import.import_text(ctx, GOOD)
    assert (result.imported, result.added, result.updated, result.unchanged) == (True, 4, 0, 0)
    assert directory(desk.db) == {
        ("3-1202", "李明", "13812345678", "owner"),
        ("3-1202", "王丽", "13900001111", "tenant"),
        ("5-301", "赵强", "", "owner"),
        ("6-801", "孙芳", "021-55551234", "owner"),
    }
    with desk.read() as ctx:
        residents = list(ctx.session.exec(select(Resident).order_by(col(Resident.id))))
        events = list(
            ctx.session.exec(select(AuditEvent).where(AuditEvent.register_name == "residents"))
        )
    assert desk.operator is not None
    assert {r.operator_id for r in residents} == {desk.operator.id}
    # one "created" event for every resident, naming the operator who imported
    assert sorted((e.record_id, e.action) for e in events) == [(r.id, "created") for r in residents]
    assert {e.operator_id for e in events} == {desk.operator.id}
    # the lookup finds them by name, phone (whole and last digits) and room
    assert found(desk, "李明") == [("3-1202", "owner")]
    assert found(desk, "13900001111") == [("3-1202", "tenant")]
    assert found(desk, "5678") == [("3-1202", "owner")]
    assert found(desk, "3-1202") == [("3-1202", "owner"), ("3-1202", "tenant")]
    assert found(desk, "6-801") == [("6-801", "owner")]
    assert found(desk, "孙") == [("6-801", "owner")]


def test_the_bulk_documents_are_those_the_index_makes_itself(desk: Desk) -> None:
    """What the import wrote to the lookup index equals a rebuild of the index from the rows."""
    with desk.write() as ctx:
        residents_import.import_text(ctx, GOOD)
    with desk.write() as ctx:
        residents_import.import_text(ctx, "room,name,kind\n3-1202,李明,owner\n", replace=True)

    def documents() -> list[tuple[Any, ...]]:
        with desk.db.engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT register_name, record_id, number, number_key, room, room_no, person, "
                "phone_rev, body, state, at, due_at, operator_id FROM search_doc "
                "WHERE register_name = 'residents' ORDER BY record_id"
            )
            return [tuple(row) for row in rows]

    imported = documents()
    assert len(imported) == 4
    with desk.db.engine.begin() as conn:
        search_index.reindex(conn)
    assert documents() == imported


def test_reimport_counts_updates_and_leaves_unchanged_alone(desk: Desk) -> None:
    with desk.write() as ctx:
        residents_import.import_text(ctx, GOOD)
    changed = GOOD.replace("139-0000-1111", "13900002222").replace(
        "孙芳,021-5555 1234,", "孙芳,021-5555 1234,tenant"
    )
    with desk.write() as ctx:
        result = residents_import.import_text(ctx, changed)
    assert (result.added, result.updated, result.unchanged) == (0, 2, 2)
    with desk.read() as ctx:
        actions = list(
            ctx.session.exec(
                select(AuditEvent.action)
                .where(AuditEvent.register_name == "residents")
                .order_by(col(AuditEvent.id))
            )
        )
    assert actions == ["created"] * 4 + ["updated"] * 2
    assert found(desk, "13900002222") == [("3-1202", "tenant")]
    assert found(desk, "13900001111") == []
    assert found(desk, "6-801") == [("6-801", "tenant")]


def test_replace_moves_out_who_is_no_longer_listed_in_the_rooms_of_the_file(desk: Desk) -> None:
    with desk.write() as ctx:
        residents_import.import_text(ctx, GOOD)
    # 3-1202 now lists only 李明; 5-0301 and 6-801 are not in the file and are left alone
    subset = "building,room,name,phone,kind\n3,1202,李明,13812345678,owner\n3,1203,钱七,,owner\n"
    with desk.write() as ctx:
        result = residents_import.import_text(ctx, subset, replace=True)
    assert (result.added, result.updated, result.unchanged) == (1, 0, 1)
    assert result.moved_out == {"3-1202": 1}
    assert directory(desk.db) == {
        ("3-1202", "李明", "13812345678", "owner"),
        ("3-1203", "钱七", "", "owner"),
        ("5-301", "赵强", "", "owner"),
        ("6-801", "孙芳", "021-55551234", "owner"),
    }
    with desk.read() as ctx:
        gone = ctx.session.exec(select(Resident).where(Resident.name == "王丽")).one()
        events = list(
            ctx.session.exec(
                select(AuditEvent).where(
                    AuditEvent.register_name == "residents", AuditEvent.record_id == gone.id
                )
            )
        )
    assert not gone.active  # kept on record, inactive
    assert [e.action for e in events] == ["created", "moved_out"]
    assert found(desk, "13900001111") == [("3-1202", "inactive")]
    # listed again: active again, an update
    with desk.write() as ctx:
        again = residents_import.import_text(ctx, GOOD)
    assert (again.added, again.updated, again.unchanged, again.moved_out) == (0, 1, 3, {})
    assert found(desk, "13900001111") == [("3-1202", "tenant")]


def test_without_replace_no_one_is_moved_out(desk: Desk) -> None:
    with desk.write() as ctx:
        residents_import.import_text(ctx, GOOD)
    with desk.write() as ctx:
        result = residents_import.import_text(ctx, "room,name,kind\n3-1202,李明,owner\n")
    assert result.moved_out == {}
    assert len(directory(desk.db)) == 4


def test_replace_needs_every_line_good(desk: Desk) -> None:
    with desk.write() as ctx:
        residents_import.import_text(ctx, GOOD)
    before = register(desk.db)
    subset = "room,name,phone,kind\n3-1202,李明,13812345678,owner\n3-1202,王丽,12345,tenant\n"
    with pytest.raises(DeskError) as refused, desk.write() as ctx:
        residents_import.import_text(ctx, subset, skip_bad=True, replace=True)
    assert refused.value.key == "csv_import.replace_needs_every_line"
    assert register(desk.db) == before


def test_import_needs_a_signed_in_operator(db: Database) -> None:
    with pytest.raises(DeskError) as refused, Desk(db, None).write() as ctx:
        residents_import.import_text(ctx, GOOD)
    assert refused.value.key == "app.not_signed_in"
    assert directory(db) == set()


# --- the command line ---------------------------------------------------------------------------


def test_good_utf8_file(db: Database, clerk: Operator, tmp_path: Path) -> None:
    code, output = run_import(db, write(tmp_path, GOOD))
    assert code == 0, output
    assert output.strip() == "imported: 4 new, 0 updated, 0 unchanged, 0 bad lines skipped"
    assert len(directory(db)) == 4
    with db.reading() as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.register_name == "residents"))
        assert {(e.action, e.operator_id) for e in events} == {("created", clerk.id)}


def test_gbk_file_with_chinese_headers(db: Database, clerk: Operator, tmp_path: Path) -> None:
    code, output = run_import(db, write(tmp_path, REAL_GBK, "gbk"))
    assert code == 0, output
    assert ("5-301", "欧阳晓燕", "0755-2345678", "owner") in directory(db)
    assert ("1-102", "王喆", "13511113333", "owner") in directory(db)


def test_the_demo_residents_file_still_imports(
    db: Database, clerk: Operator, tmp_path: Path
) -> None:
    demo = REPO_DATA / "demo_residents.csv"
    code, output = run_import(db, demo)
    assert code == 0, output
    lines = demo.read_text(encoding="utf-8").strip().splitlines()
    assert output.strip() == (
        f"imported: {len(lines) - 1} new, 0 updated, 0 unchanged, 0 bad lines skipped"
    )


def test_a_supervisor_may_import_too(db: Database, supervisor: Operator, tmp_path: Path) -> None:
    code, output = run_import(db, write(tmp_path, GOOD), who="陈主管", pin=BOSS_PIN)
    assert code == 0, output


def test_without_as_nothing_is_read_or_written(
    db: Database, clerk: Operator, tmp_path: Path
) -> None:
    before = register(db)
    code, output = run_import(db, write(tmp_path, GOOD), who=None)
    assert code == 2
    assert output.strip() == (
        "error: an import changes the registers and is done as an operator: add --as NAME "
        "(the PIN is read from DESK_PIN or asked); nothing was written"
    )
    assert register(db) == before


def test_a_wrong_pin_writes_nothing(db: Database, clerk: Operator, tmp_path: Path) -> None:
    with Desk(db, clerk).write() as ctx:
        residents_import.import_text(ctx, GOOD)
    before = register(db)
    changed = GOOD.replace("13812345678", "13800000000")
    code, output = run_import(db, write(tmp_path, changed), "--replace", pin="0000")
    assert code == 2
    assert output.startswith("error: ") and len(output.strip().splitlines()) == 1
    assert register(db) == before
    code, output = run_import(db, write(tmp_path, changed), who="nobody")
    assert code == 2
    assert register(db) == before


def test_a_latin1_file_is_refused_and_imports_with_its_encoding(
    db: Database, clerk: Operator, tmp_path: Path
) -> None:
    with Desk(db, clerk).write() as ctx:
        residents_import.import_text(ctx, GOOD)
    before = register(db)
    text = "building,room,name,phone,kind\n3,1202,Müller,,owner\n3,1203,Señora Ruiz,,tenant\n"
    file = write(tmp_path, text, "latin-1")
    code, output = run_import(db, file)
    assert code == 2
    assert output.strip().startswith("error: line 2 is not UTF-8 text (from byte 9: FC 6C 6C 65)")
    assert register(db) == before
    code, output = run_import(db, file, "--encoding", "no-such-codec")
    assert code == 2
    assert output.strip() == (
        "error: “no-such-codec” is not a text encoding "
        "(try e.g. utf-8, gbk, gb18030, big5, cp1252, latin-1)"
    )
    assert register(db) == before
    code, output = run_import(db, file, "--encoding", "latin-1")
    assert code == 0, output
    assert ("3-1202", "Müller", "", "owner") in directory(db)
    assert ("3-1203", "Señora Ruiz", "", "tenant") in directory(db)


def test_a_file_without_the_kind_column_is_refused(
    db: Database, clerk: Operator, tmp_path: Path
) -> None:
    with Desk(db, clerk).write() as ctx:
        residents_import.import_text(ctx, GOOD)
    before = register(db)
    text = "building,room,name,phone\n3,1202,李明,13800000000\n3,1203,钱七,\n"
    code, output = run_import(db, write(tmp_path, text), "--skip-bad")
    assert code == 2
    assert output.strip() == (
        "error: the column “kind” is missing "
        "(building, room, name, phone, kind — or 楼栋, 房号, 姓名, 电话, 类型)"
    )
    assert register(db) == before


def test_one_bad_phone_among_good_lines_imports_nothing_unless_skip_bad(
    db: Database, clerk: Operator, tmp_path: Path
) -> None:
    with Desk(db, clerk).write() as ctx:
        residents_import.import_text(ctx, GOOD)
    before = register(db)
    text = GOOD.replace("13812345678", "13800000000") + "3,1203,钱七,138-1234-567,owner\n"
    code, output = run_import(db, write(tmp_path, text))
    assert code == 1
    assert output.strip().splitlines() == [
        "line 6: Phone: “138-1234-567” is neither an 11-digit mobile (1[3-9]…) nor a landline "
        "with its area code (e.g. 021-55551234, 0755-2345678)",
        "1 bad lines: nothing was imported "
        "(correct them, or use --skip-bad to import the good lines)",
    ]
    assert register(db) == before
    code, output = run_import(db, write(tmp_path, text), "--skip-bad")
    assert code == 0, output
    assert output.strip().splitlines()[-1] == (
        "imported: 0 new, 1 updated, 3 unchanged, 1 bad lines skipped"
    )
    assert ("3-1202", "李明", "13800000000", "owner") in directory(db)


def test_replace_with_a_subset_says_who_moved_out_by_room(
    db: Database, clerk: Operator, tmp_path: Path
) -> None:
    with Desk(db, clerk).write() as ctx:
        residents_import.import_text(ctx, GOOD)
    subset = "building,room,name,phone,kind\n3,1202,李明,13812345678,owner\n5,0301,钱七,,tenant\n"
    before = register(db)
    code, output = run_import(db, write(tmp_path, subset))
    assert code == 0, output
    assert register(db)["resident"][:4] == before["resident"]  # nothing deactivated
    code, output = run_import(db, write(tmp_path, subset), "--replace")
    assert code == 0, output
    assert output.strip().splitlines() == [
        "imported: 0 new, 0 updated, 2 unchanged, 0 bad lines skipped",
        "moved out (no longer listed): 2",
        "  3-1202: 1",
        "  5-301: 1",
    ]
    assert directory(db) == {
        ("3-1202", "李明", "13812345678", "owner"),
        ("5-301", "钱七", "", "tenant"),
        ("6-801", "孙芳", "021-55551234", "owner"),
    }
    with db.reading() as session:
        moved = session.exec(
            select(AuditEvent.operator_id).where(AuditEvent.action == "moved_out")
        ).all()
    assert moved == [clerk.id, clerk.id]


def test_replace_with_a_bad_line_imports_nothing(
    db: Database, clerk: Operator, tmp_path: Path
) -> None:
    with Desk(db, clerk).write() as ctx:
        residents_import.import_text(ctx, GOOD)
    before = register(db)
    subset = "room,name,phone,kind\n3-1202,李明,13812345678,owner\n3-1202,王丽,12345,tenant\n"
    code, output = run_import(db, write(tmp_path, subset), "--replace", "--skip-bad")
    assert code == 1
    assert output.strip().splitlines()[-1] == (
        "1 bad lines: --replace needs every line good (a skipped line would make its resident "
        "look gone); nothing was imported"
    )
    assert register(db) == before


def test_missing_file_is_one_line(db: Database, clerk: Operator, tmp_path: Path) -> None:
    code, output = run_import(db, tmp_path / "nope.csv")
    assert code == 2
    assert output.strip() == f"error: No such file or directory: {tmp_path / 'nope.csv'}"


def test_empty_file(db: Database, clerk: Operator, tmp_path: Path) -> None:
    code, output = run_import(db, write(tmp_path, ""))
    assert code == 2
    assert output.strip() == "error: the file is empty"


def test_a_device_a_pipe_or_a_folder_is_no_import_file(
    db: Database, clerk: Operator, tmp_path: Path
) -> None:
    """`desk import residents /dev/zero` read until memory ran out; a pipe waited for ever.
    Refused before anything is read, and before the PIN is asked."""
    pipe = tmp_path / "pipe.csv"
    os.mkfifo(pipe)
    before = register(db)
    for target in (Path("/dev/zero"), pipe, tmp_path):
        code, output = run_import(db, target, pin="0000")
        assert code == 2, output
        assert "is not a plain file" in output
    assert register(db) == before


# --- a long file is written in parts ------------------------------------------------------------

MANY = "building,room,name,phone,kind\n" + "".join(
    f"3,{1200 + unit},{name}{unit},,owner\n" for unit in range(1, 8) for name in ("李", "王")
)


def test_parts_keep_each_room_whole_and_in_the_file_order() -> None:
    checked = residents_csv.ImportResult(
        good=[
            residents_csv.ResidentLine(n, "3", room, f"某{n}", "", ResidentKind.owner)
            for n, room in enumerate(["1201", "1201", "1202", "1201", "1203", "1203", "1203"])
        ]
    )
    split = residents_import.parts(checked, size=3)
    assert [[(line.room, line.line) for line in part.good] for part in split] == [
        [("1201", 0), ("1201", 1), ("1201", 3)],
        [("1202", 2)],
        [("1203", 4), ("1203", 5), ("1203", 6)],
    ]
    assert len(residents_import.parts(checked, size=2)) == 3  # a room longer than a part: alone


def test_a_long_file_is_written_in_short_transactions(
    db: Database, clerk: Operator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """14 lines in parts of 4 (two per room): four transactions, each with its own commit; the
    same file with a room's second resident left out and --replace moves out just those."""
    monkeypatch.setattr(residents_import, "PART_LINES", 4)
    monkeypatch.setattr(residents_import, "PAUSE_SECONDS", 0)
    real = residents_import.write
    written: list[list[str]] = []

    def spied(ctx: Any, result: Any, **options: Any) -> Any:
        written.append(sorted({line.code for line in result.good}))
        return real(ctx, result, **options)

    monkeypatch.setattr(residents_import, "write", spied)
    code, output = run_import(db, write(tmp_path, MANY))
    assert code == 0, output
    assert output.strip() == "imported: 14 new, 0 updated, 0 unchanged, 0 bad lines skipped"
    assert written == [
        ["3-1201", "3-1202"],
        ["3-1203", "3-1204"],
        ["3-1205", "3-1206"],
        ["3-1207"],
    ]
    assert len(directory(db)) == 14
    fewer = "".join(line + "\n" for line in MANY.splitlines() if not line.startswith("3,1203,王"))
    code, output = run_import(db, write(tmp_path, fewer), "--replace")
    assert code == 0, output
    assert output.strip().splitlines() == [
        "imported: 0 new, 0 updated, 13 unchanged, 0 bad lines skipped",
        "moved out (no longer listed): 1",
        "  3-1203: 1",
    ]


def test_an_import_cut_off_between_parts_says_so_and_the_same_run_finishes_it(
    db: Database, clerk: Operator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills (or the power goes) while the third part is written: the two parts
    before stay written, whole rooms, the clerk is told how far it got, and the same import
    run again finishes the file without writing anything twice."""
    monkeypatch.setattr(residents_import, "PART_LINES", 4)
    monkeypatch.setattr(residents_import, "PAUSE_SECONDS", 0)
    real = residents_import.write
    calls: list[int] = []

    def failing(ctx: Any, result: Any, **options: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:
            real(ctx, result, **options)  # written, then the transaction fails
            raise OperationalError("INSERT", {}, sqlite3.OperationalError("disk I/O error"))
        return real(ctx, result, **options)

    monkeypatch.setattr(residents_import, "write", failing)
    code, output = run_import(db, write(tmp_path, MANY))
    assert code == 2
    assert output.splitlines()[0] == (
        "8 of 14 lines were written before the failure (whole rooms): run the same import again "
        "to finish (the lines written come out unchanged)"
    )
    assert "Traceback" not in output
    rooms = {code for code, *_ in directory(db)}
    assert rooms == {"3-1201", "3-1202", "3-1203", "3-1204"}  # whole rooms, nothing of the 3rd
    monkeypatch.setattr(residents_import, "write", real)
    code, output = run_import(db, write(tmp_path, MANY))
    assert code == 0, output
    assert output.strip() == "imported: 6 new, 0 updated, 8 unchanged, 0 bad lines skipped"
    with db.reading() as session:
        created = session.exec(select(AuditEvent).where(AuditEvent.action == "created")).all()
    assert len([e for e in created if e.register_name == "residents"]) == 14  # none twice


def test_a_room_listed_on_more_lines_than_a_household_is_refused(desk: Desk) -> None:
    """A room column filled down in a spreadsheet: the lines past the 100th of one room are
    bad lines (so no room makes one long write), and the rest of the file is as it was."""
    text = "room,name,kind\n" + "".join(f"3-1202,住户{n},owner\n" for n in range(105))
    text += "3-1203,李明,owner\n"
    with desk.read() as ctx:
        checked = residents_csv.check(ctx, text)
    assert len(checked.good) == 101
    assert [bad.line for bad in checked.bad] == [102, 103, 104, 105, 106]
    assert checked.bad[0].reason == (
        "3-1202 already lists 100 residents; more is not one household (was the room column "
        "filled down?)"
    )
