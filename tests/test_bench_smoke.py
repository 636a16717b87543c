"""The bench scripts still run: a 2,000-record database and one quick pass of every figure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"


def test_generate_and_run_print_their_tables(tmp_path: Path) -> None:
    out = tmp_path / "desk-2000.db"
    generated = subprocess.run(
        [sys.executable, str(BENCH / "generate.py"), "--records", "2000", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert generated.returncode == 0, generated.stderr
    assert "records/s" in generated.stdout
    ran = subprocess.run(
        [
            sys.executable,
            str(BENCH / "run.py"),
            "--sizes",
            "2000",
            "--quick",
            "--data",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr
    for heading in (
        "(1) cold start",
        "(2) quick lookup",
        "(3) save",
        "(4) board refresh",
        "(5) peak memory",
    ):
        assert heading in ran.stdout


def test_a_company_of_two_estates_and_its_desks(tmp_path: Path) -> None:
    """generate.py --estates makes estates E01.. with numbers of their own, and many_desks.py
    runs a desk in each plus the call-centre desk without an error."""
    out = tmp_path / "company.db"
    generate = [sys.executable, str(BENCH / "generate.py"), "--records", "300", "--estates", "2"]
    desks = [sys.executable, str(BENCH / "many_desks.py"), "--db", str(out), "--seconds", "1.5"]
    generated = subprocess.run(
        [*generate, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert generated.returncode == 0, generated.stderr
    assert "in 2 estate(s)" in generated.stdout and "estate 2" in generated.stdout
    ran = subprocess.run(
        [*desks, "--pause", "0.1", "--json", str(tmp_path / "desks.json")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    figures = json.loads((tmp_path / "desks.json").read_text())
    assert figures["desks"] == 3 and figures["errors"] == 0
    assert figures["save"]["n"] > 0 and figures["lookup"]["n"] > 0
    assert "call centre: repair in an estate" in figures["save by kind"]
