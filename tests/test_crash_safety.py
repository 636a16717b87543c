"""Crash safety, short form: a desk writing through every register's services, killed 20 times,
loses nothing it said it had saved and leaves nothing half-written.

The long form is `bench/crash_loop.py` (1000 kills). The checks it relies on are tested here too:
they do find a lost write, a changed value, a row left in an older state, a stale lookup
document, a pass without its items, a one-way link, a change without its audit event, and a
write killed during its COMMIT that is half there.
"""

from __future__ import annotations

import json
import random
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

from desk.config import load_settings  # noqa: E402
from desk.db import open_database  # noqa: E402

Lines = list[dict[str, Any]]


def figure(out: str, label: str) -> int:
    match = re.search(rf"^\s+{label}\s+(\d+)", out, re.MULTILINE)
    assert match, f"{label!r} not in:\n{out}"
    return int(match.group(1))


def test_killed_writers_lose_nothing_they_confirmed(tmp_path: Path) -> None:
    command = [sys.executable, str(BENCH / "crash_loop.py"), "--kills", "20", "--seed", "7"]
    ran = subprocess.run(
        [*command, "--db", str(tmp_path / "crash.db"), "--max-delay", "0.3"],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    out = ran.stdout
    assert "20 kills" in out
    confirmed = figure(out, "writes confirmed")
    assert confirmed > 0  # the writers did write between the kills
    per_register = dict(re.findall(r"^ {4}(\w+)\s+(\d+)$", out, re.MULTILINE))
    assert len(per_register) >= 4, out  # writes of many registers, not one
    assert sum(int(n) for n in per_register.values()) == confirmed
    inside = re.search(r"kills landed: (\d+) inside a transaction, (\d+) during a commit", out)
    assert inside and int(inside.group(1)) + int(inside.group(2)) > 0, out
    assert figure(out, "found whole") == confirmed
    assert figure(out, "lost") == 0
    assert re.search(r"killed during commit \d+ committed whole, \d+ not at all, 0 half", out)
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


# --- the writer covers every save, and the checks find what they look for --------------------

# every service function that saves, as (register, audit action)
EVERY_SAVE = (
    {("reception", action) for action in ("logged", "answered", "closed", "linked")}
    | {
        ("repairs", action)
        for action in (
            "registered",
            "dispatched",
            "on_site",
            "completed",
            "called_back",
            "reopened",
            "callback_missed",
            "cancelled",
            "referred_out",
        )
    }
    | {
        ("complaints", action)
        for action in (
            "registered",
            "judged",
            "assigned",
            "escalated",
            "replied",
            "resolved",
            "called_back",
            "closed",
            "reopened",
            "merged",
            "merged_from",
        )
    }
    | {("keys", "added"), ("keys", "retired"), ("key_counts", "counted")}
    | {("key_loans", action) for action in ("lent", "returned", "lost")}
    | {
        ("entrusted_keys", action)
        for action in (
            "deposited",
            "taken_out",
            "brought_back",
            "work_done",
            "owner_notified",
            "collected",
        )
    }
    | {("passes", action) for action in ("issued", "gate_checked", "voided", "stub_returned")}
    | {("nightlog", action) for action in ("logged", "closed", "transferred")}
    | {
        ("handover", action)
        for action in ("opened", "updated", "signed_off", "acknowledged", "refused")
    }
    | {("replies", action) for action in ("drafted", "revised", "approved", "retired")}
    | {
        ("residents", "created"),
        ("residents", "updated"),
        ("calendar", "holiday"),
        ("calendar", "workday"),
        ("calendar", "cleared"),
        ("keys", "updated"),
        ("operator", "signed_in"),
        ("operator", "created"),
    }
)


@pytest.fixture(scope="module")
def written_once(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Lines]:
    """A prepared database and the confirmation lines of a few rounds of every op."""
    path = tmp_path_factory.mktemp("written") / "desk.db"
    desk_writer.prepare(path)
    database = open_database(path, settings=load_settings())
    operator = desk_writer.clerk(database, desk_writer.CLERKS[0])
    writes = desk_writer.Writes(random.Random(5), "t")
    lines = []
    ops = [name for name, _ in desk_writer.MIXES["all"]]
    for op in ops * 3 + ["handover"] * 4:  # the last handover is acknowledged
        outcome = desk_writer.write_once(database, operator, writes, op)
        assert outcome.records, outcome.refused
        lines.append(json.loads(json.dumps({"op": op, "records": outcome.records})))
    database.dispose()  # the last connection: the WAL is checkpointed into the file
    return path, lines


@pytest.fixture
def written(written_once: tuple[Path, Lines], tmp_path: Path) -> tuple[Path, Lines]:
    """A copy of that database for one test to spoil, and a copy of its lines."""
    path, lines = written_once
    copy = tmp_path / "desk.db"
    shutil.copyfile(path, copy)
    return copy, json.loads(json.dumps(lines))


def test_the_writer_saves_through_every_service_function(written: tuple[Path, Lines]) -> None:
    _, lines = written
    saves = {(r["register"], r["action"]) for line in lines for r in line["records"]}
    assert EVERY_SAVE - saves == set()


def test_checks_pass_on_what_was_written(written: tuple[Path, Lines]) -> None:
    path, lines = written
    conn = desk_writer.connect(path)
    check = desk_writer.check_saved(conn, lines)
    assert check.confirmed > 100 and check.lost == 0, check.problems
    assert set(check.per_register) == set(desk_writer.TABLES)
    assert desk_writer.check_whole(conn) == []


def raw(path: Path) -> sqlite3.Connection:
    """The file as an insider edits it: foreign keys off, the audit trail's triggers dropped."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys=OFF")
    for name in ("audit_event_no_update", "audit_event_no_delete"):
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    return conn


def last_of(lines: Lines, register: str) -> dict[str, Any]:
    """The newest write of this register that was the last one to its row."""
    records = [r for line in lines for r in line["records"]]
    last = {(r["table"], *r["key"]): r["event"] for r in records}
    return next(
        r
        for r in reversed(records)
        if r["register"] == register and last[(r["table"], *r["key"])] == r["event"]
    )


def problems_after(path: Path, lines: Lines, *sql: str) -> str:
    with raw(path) as conn:
        for statement in sql:
            conn.execute(statement)
    conn = desk_writer.connect(path)
    found = desk_writer.check_saved(conn, lines).problems + desk_writer.check_whole(conn)
    return "\n".join(found)


def test_checks_find_a_lost_or_changed_record(written: tuple[Path, Lines]) -> None:
    path, lines = written
    lines.append(
        {"op": "reception", "records": [dict(lines[0]["records"][0], id=9999, key=["id", 9999])]}
    )
    with raw(path) as conn:
        conn.execute("UPDATE repair_order SET description = 'changed' WHERE id = 1")
    check = desk_writer.check_saved(desk_writer.connect(path), lines)
    assert check.lost >= 2
    assert any("description is 'changed'" in p for p in check.problems), check.problems
    assert any("id 9999 missing" in p for p in check.problems)


def test_checks_find_a_row_back_in_an_older_state(written: tuple[Path, Lines]) -> None:
    """The row is there, the event too, but the save's state did not stick."""
    path, lines = written
    last = last_of(lines, "passes")
    state = last["row"]["state"]
    older = "voided" if state == "issued" else "issued"
    problems = problems_after(
        path, lines, f"UPDATE release_pass SET state = '{older}' WHERE id = {last['id']}"
    )
    wrong = f"passes {last['number']} {last['action']}: state is '{older}', written '{state}'"
    assert wrong in problems


def test_checks_find_a_stale_lookup_document(written: tuple[Path, Lines]) -> None:
    path, lines = written
    last = last_of(lines, "complaints")
    state = last["row"]["state"]
    older = "closed" if state == "registered" else "registered"
    problems = problems_after(
        path,
        lines,
        f"UPDATE search_doc SET state = '{older}' WHERE register_name = 'complaints' "
        f"AND record_id = {last['id']}",
    )
    assert f"lookup document says '{older}', the row '{state}'" in problems
    assert "complaints record without its lookup document in its state" in problems


def test_checks_find_a_save_without_its_audit_event(written: tuple[Path, Lines]) -> None:
    path, lines = written
    out = next(r for line in lines for r in line["records"] if r["action"] == "taken_out")
    problems = problems_after(path, lines, f"DELETE FROM audit_event WHERE id = {out['event']}")
    assert f"no 'taken_out' audit event (id {out['event']})" in problems
    assert "uses differ from its 'taken_out'" in problems


def test_checks_find_half_written_records(written: tuple[Path, Lines]) -> None:
    path, lines = written
    problems = problems_after(
        path,
        lines,
        "DELETE FROM pass_item",
        "UPDATE reception_entry SET linked_id = NULL WHERE linked_id IS NOT NULL",
        "UPDATE counter SET value = value + 1 WHERE key LIKE 'WX-%'",
        "DELETE FROM search_doc WHERE register_name = 'key_loans'",
        "UPDATE night_log_entry SET transferred_id = 99999 WHERE state = 'transferred'",
        "UPDATE key_loan SET returned_count = returned_count + 1",
        "UPDATE repair_order SET state = 'cancelled'",
        "INSERT INTO calendar_day (day, kind, note, created_at) "
        "VALUES ('2031-12-31', 'holiday', '', '2026-11-23 09:30:00')",
    )
    assert "pass without items" in problems
    assert "repair order from a call whose reception entry is not linked" in problems
    assert "WX day counter" in problems
    assert "key_loans record without its lookup document" in problems
    assert "night entry transferred to a record that is not there" in problems
    assert "returned or lost count is not the sum" in problems
    assert "repairs record t.state = 'cancelled' without its 'cancelled' event" in problems
    assert "site calendar day whose last event is not its mark: 2031-12-31" in problems
    assert re.search(r"0 pass_item rows of .*, wanted 1", problems)


# --- a kill during COMMIT: all or nothing ------------------------------------------------------


def test_a_write_killed_in_its_commit_is_there_whole_or_not_at_all(tmp_path: Path) -> None:
    path = tmp_path / "desk.db"
    desk_writer.prepare(path)
    database = open_database(path, settings=load_settings())
    operator = desk_writer.clerk(database, desk_writer.CLERKS[0])
    writes = desk_writer.Writes(random.Random(2), "c")
    heard: list[list[dict[str, Any]]] = []

    def killed(records: list[dict[str, Any]]) -> None:
        heard.append(json.loads(json.dumps(records)))
        raise KeyboardInterrupt  # the process dies before COMMIT: rolled back

    with pytest.raises(KeyboardInterrupt):
        desk_writer.write_once(database, operator, writes, "issue_pass", killed)
    committed = desk_writer.write_once(database, operator, writes, "call_to_repair", heard.append)
    database.dispose()
    conn = desk_writer.connect(path)
    assert desk_writer.check_doubtful(conn, heard[0]) == (False, [])
    assert desk_writer.check_doubtful(conn, heard[1]) == (True, [])
    assert heard[1] == json.loads(json.dumps(committed.records))

    # half of it: the order's event is gone, the entry's are there
    order = heard[1][-1]
    with raw(path) as spoil:
        spoil.execute(f"DELETE FROM audit_event WHERE id = {order['event']}")
    was, problems = desk_writer.check_doubtful(conn, heard[1])
    assert was and any("half committed, its event missing" in p for p in problems)

    # none of its events, yet its new rows: a rolled-back write is not all gone
    with raw(path) as spoil:
        ids = ", ".join(str(record["event"]) for record in heard[1])
        spoil.execute(f"DELETE FROM audit_event WHERE id IN ({ids})")
    was, problems = desk_writer.check_doubtful(conn, heard[1])
    assert not was and any("not committed, yet its new row is there" in p for p in problems)
