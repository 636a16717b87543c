"""Crash safety, short form: a writing desk killed 15 times loses nothing it said it had saved.

The long form is `bench/crash_loop.py` (1000 kills). The checks it relies on are tested here too:
they do find a lost record, a changed value, a pass without its items and a one-way link.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import desk_writer  # noqa: E402


def figure(out: str, label: str) -> int:
    match = re.search(rf"^\s+{label}\s+(\d+)", out, re.MULTILINE)
    assert match, f"{label!r} not in:\n{out}"
    return int(match.group(1))


def test_killed_writers_lose_nothing_they_confirmed(tmp_path: Path) -> None:
    command = [sys.executable, str(BENCH / "crash_loop.py"), "--kills", "15", "--seed", "7"]
    ran = subprocess.run(
        [*command, "--db", str(tmp_path / "crash.db"), "--max-delay", "0.3"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    out = ran.stdout
    assert "15 kills" in out
    confirmed = figure(out, "writes confirmed")
    assert confirmed > 0  # the writers did write between the kills
    inside = re.search(r"kills landed: (\d+) inside a transaction", out)
    assert inside and int(inside.group(1)) > 0  # and some kills cut a transaction short
    assert figure(out, "found whole") == confirmed
    assert figure(out, "lost") == 0
    assert figure(out, "integrity failures") == 0
    assert figure(out, "half-written checks failed") == 0
    assert figure(out, "writer failures") == 0
    assert "result               ok" in out


def test_the_loop_refuses_an_existing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import crash_loop

    db = tmp_path / "desk.db"
    db.write_bytes(b"a desk's own records")
    with pytest.raises(SystemExit) as exited:
        crash_loop.main(["--kills", "1", "--db", str(db)])
    assert exited.value.code == 2
    assert "exists" in capsys.readouterr().err
    assert db.read_bytes() == b"a desk's own records"


# --- the checks find what they look for -----------------------------------------------------


@pytest.fixture(scope="module")
def written_once(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """A prepared database and the confirmation lines of one write of every kind."""
    import random

    from desk.config import load_settings
    from desk.db import open_database

    path = tmp_path_factory.mktemp("written") / "desk.db"
    desk_writer.prepare(path)
    database = open_database(path, settings=load_settings())
    operator = desk_writer.clerk(database, desk_writer.CLERKS[0])
    writes = desk_writer.Writes(random.Random(1), "t")
    lines = []
    order = ("reception", "call_to_repair", "dispatch", "lend", "take_back", "issue_pass", "gate")
    for op in order:
        outcome = desk_writer.write_once(database, operator, writes, op)
        assert outcome.records, outcome.refused
        lines.append(json.loads(json.dumps({"op": op, "records": outcome.records})))
    database.dispose()  # the last connection: the WAL is checkpointed into the file
    return path, lines


@pytest.fixture
def written(
    written_once: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> tuple[Path, list[dict[str, Any]]]:
    """A copy of that database for one test to spoil, and a copy of its lines."""
    path, lines = written_once
    copy = tmp_path / "desk.db"
    shutil.copyfile(path, copy)
    return copy, json.loads(json.dumps(lines))


def test_checks_pass_on_what_was_written(written: tuple[Path, list[dict[str, Any]]]) -> None:
    path, lines = written
    conn = desk_writer.connect(path)
    check = desk_writer.check_saved(conn, lines)
    assert check.confirmed == 8 and check.found == 8 and check.lost == 0, check.problems
    assert desk_writer.check_whole(conn) == []
    assert desk_writer.counts(conn) == {"reception": 2, "repairs": 1, "key_loans": 1, "passes": 1}


def raw(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys=OFF")
    return conn


def test_checks_find_a_lost_or_changed_record(written: tuple[Path, list[dict[str, Any]]]) -> None:
    path, lines = written
    with raw(path) as conn:
        conn.execute("UPDATE repair_order SET description = 'changed' WHERE id = 1")
    lines.append({"op": "reception", "records": [dict(lines[0]["records"][0], id=999)]})
    check = desk_writer.check_saved(desk_writer.connect(path), lines)
    assert check.lost == 2
    assert any("description is 'changed'" in p for p in check.problems)
    assert any("id 999 missing" in p for p in check.problems)


def test_checks_find_half_written_records(written: tuple[Path, list[dict[str, Any]]]) -> None:
    path, _ = written
    with raw(path) as conn:
        conn.execute("DELETE FROM pass_item")
        conn.execute("UPDATE reception_entry SET linked_id = NULL WHERE linked_id IS NOT NULL")
        conn.execute("UPDATE counter SET value = value + 1 WHERE key LIKE 'WX-%'")
        conn.execute("DELETE FROM search_doc WHERE register_name = 'key_loans'")
    problems = "\n".join(desk_writer.check_whole(desk_writer.connect(path)))
    assert "pass without items" in problems
    assert "reception entry is not linked" in problems
    assert "WX day counter" in problems
    assert "key_loans record without its lookup document" in problems
