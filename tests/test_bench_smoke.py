"""The bench scripts still run: a 2,000-record database and one quick pass of every figure."""

from __future__ import annotations

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
