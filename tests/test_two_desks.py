"""Two desks and a reader on one SQLite file for a few seconds: no lock error, nothing lost.

The long form is `bench/two_desks.py` (60 s). Here also: the failure the desk avoids is real —
a write that starts as a read (a deferred transaction) while another desk writes is refused with
"database is locked" at once, whatever the busy timeout; `Database.writing()` waits instead.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from desk.config import load_settings
from desk.db import open_database

BENCH = Path(__file__).resolve().parent.parent / "bench"


def test_two_writers_and_a_reader_on_one_file(tmp_path: Path) -> None:
    command = [sys.executable, str(BENCH / "two_desks.py"), "--seconds", "4", "--seed", "3"]
    ran = subprocess.run(
        [*command, "--db", str(tmp_path / "two.db")],
        capture_output=True,
        text=True,
        timeout=180,
    )
    out = ran.stdout
    assert ran.returncode == 0, out + ran.stderr
    assert '"database is locked" 0' in out
    rows = {
        m.group(1): [int(n) for n in m.group(2, 3, 4, 5)]
        for m in re.finditer(r"^\s+(clerk|gate)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", out, re.M)
    }
    assert set(rows) == {"clerk", "gate"}, out
    for role, (writes, _refused, locked, errors) in rows.items():
        assert writes > 5, f"{role} hardly wrote:\n{out}"
        assert locked == 0 and errors == 0, out
    reader = re.search(r"reader\s+(\d+) lookups, (\d+) board refreshes.*?(\d+) locked", out)
    assert reader, out
    assert int(reader.group(1)) > 5 and int(reader.group(2)) > 0 and int(reader.group(3)) == 0
    found = re.search(r"reported, found\s+(\d+) of (\d+); lost (\d+)", out)
    assert found, out
    assert found.group(1) == found.group(2) and int(found.group(2)) > 10
    assert found.group(3) == "0"
    assert "half-written / integrity problems 0" in out
    assert "result               ok" in out


def test_a_read_turned_write_is_refused_but_a_desk_write_waits(tmp_path: Path) -> None:
    path = tmp_path / "desk.db"
    first = open_database(path, settings=load_settings())
    second = open_database(path, settings=load_settings())
    try:
        with first.writing() as session:
            session.execute(text("CREATE TABLE probe (x INTEGER)"))
        # the second desk reads in a deferred transaction; the first then writes and commits
        with second.reading() as reading:
            reading.execute(text("SELECT count(*) FROM probe")).scalar()
            with first.writing() as session:
                session.execute(text("INSERT INTO probe VALUES (1)"))
            began = time.monotonic()
            with pytest.raises(OperationalError, match="locked"):
                reading.execute(text("INSERT INTO probe VALUES (2)"))
            assert time.monotonic() - began < 1  # refused at once: waiting cannot help

        # a desk write (BEGIN IMMEDIATE) waits for the other desk's transaction to end
        holding = threading.Event()

        def hold() -> None:
            with first.writing() as session:
                session.execute(text("INSERT INTO probe VALUES (3)"))
                holding.set()
                time.sleep(0.5)

        holder = threading.Thread(target=hold)
        holder.start()
        holding.wait(5)
        began = time.monotonic()
        with second.writing() as session:
            session.execute(text("INSERT INTO probe VALUES (4)"))
        waited = time.monotonic() - began
        holder.join()
        assert waited > 0.3
        with second.reading() as session:
            assert session.execute(text("SELECT count(*) FROM probe")).scalar() == 3
    finally:
        first.dispose()
        second.dispose()
