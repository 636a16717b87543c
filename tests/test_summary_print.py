"""The shift-change summary: 80 cells, CJK-aligned, HTML, a PDF that is not blank, lp, the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from desk.cli import app as cli
from desk.db import Database
from desk.i18n import set_language
from desk.models import HandoverPrint, Operator
from desk.printing.summary_html import summary_html
from desk.printing.summary_pdf import print_handover, send
from desk.printing.summary_text import summary_lines
from desk.printing.text import cell_len
from desk.services import handover
from desk.services.summary import Summary
from tests.conftest import NIGHT_END, TZ, Desk, have_cjk_font, pgm_dark_pixels
from tests.seed import night_handover, seed_registers

LANGS = ("zh_CN", "en")


def _acknowledged(db: Database, desk: Desk, clerk: Operator, night: Operator) -> int:
    seed_registers(desk)
    handover_id = night_handover(db, night, short_radio=True)
    with Desk(db, night, NIGHT_END).write() as ctx:
        handover.sign_off(ctx, handover_id, "3333")
    with Desk(db, clerk, NIGHT_END).write() as ctx:
        handover.acknowledge(ctx, handover_id, "王芳", "1234")
    return handover_id


def _summary(db: Database, handover_id: int) -> Summary:
    with db.reading() as session:
        from desk.services.context import Ctx

        ctx = Ctx(session, None, db.settings, NIGHT_END)
        return handover.summary(ctx, handover.get(ctx, handover_id))


@pytest.mark.parametrize("lang", LANGS)
def test_text_fits_80_cells_and_aligns_chinese(
    lang: str, db: Database, desk: Desk, clerk: Operator, night: Operator
) -> None:
    set_language(lang)
    lines = summary_lines(_summary(db, _acknowledged(db, desk, clerk, night)), TZ)
    assert all(cell_len(line) <= 80 for line in lines)
    for line in lines:
        assert not [ch for ch in line if unicodedata.east_asian_width(ch) == "A"], line
    items = [line for line in lines if line.startswith("  WX-") or line.startswith("  TS-")]
    assert items
    # the room column starts at the same cell whatever Chinese precedes it
    starts = {cell_len(line[: line.index("3-1202" if "WX" in line else "5-801")]) for line in items}
    assert len(starts) == 1
    text = "\n".join(lines)
    assert "李建国" in text and "张伟" in text and "王芳" in text


def test_html_holds_the_items(db: Database, desk: Desk, clerk: Operator, night: Operator) -> None:
    page = summary_html(_summary(db, _acknowledged(db, desk, clerk, night)), TZ)
    for expected in ("厨房水龙头漏水", "楼上装修噪音", "询问停水时间", "Two-way radio", "李建国"):
        assert expected in page


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm is not installed")
@pytest.mark.skipif(not have_cjk_font(), reason="no CJK font")
def test_pdf_is_archived_not_blank_and_sent_to_lp(
    db: Database,
    desk: Desk,
    clerk: Operator,
    night: Operator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    set_language("zh_CN")
    handover_id = _acknowledged(db, desk, clerk, night)
    folder = tmp_path / "printed" / "handovers"
    with desk.write() as ctx:
        printed = print_handover(ctx, handover_id, fmt="pdf", folder=folder, printer="Front_Desk")
    assert printed.paper == printed.path and printed.path.parent == folder
    subprocess.run(
        [
            "pdftoppm",
            "-gray",
            "-r",
            "50",
            "-f",
            "1",
            "-l",
            "1",
            str(printed.path),
            str(tmp_path / "p"),
        ],
        check=True,
        timeout=60,
    )
    (page,) = tmp_path.glob("p*.pgm")
    dark, total = pgm_dark_pixels(page.read_bytes())
    assert 1500 < dark < total // 4
    record = tmp_path / "lp-args"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "lp").write_text(
        f'#!/bin/sh\nfor a in "$@"; do echo "$a" >> {record}; done\necho "request id is FD-3"\n'
    )
    (bin_dir / "lp").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    assert "FD-3" in send(printed, "Front_Desk")
    assert record.read_text().splitlines() == ["-d", "Front_Desk", str(printed.path.resolve())]
    with desk.read() as ctx:
        rows = list(ctx.session.exec(__import__("sqlmodel").select(HandoverPrint)))
        assert [(r.format, r.printer) for r in rows] == [("pdf", "Front_Desk")]


def test_cli_print_last_and_list(
    db: Database, desk: Desk, clerk: Operator, night: Operator, tmp_path: Path
) -> None:
    _acknowledged(db, desk, clerk, night)
    path = db.path
    assert path is not None
    runner = CliRunner()
    shown = runner.invoke(cli, ["--db", str(path), "--lang", "en", "handover", "print", "--last"])
    assert shown.exit_code == 0, shown.output
    assert "Shift-change summary" in shown.output and "厨房水龙头漏水" in shown.output
    assert list((path.parent / "printed" / "handovers").glob("handover-*.txt"))
    out = tmp_path / "s.html"
    html = runner.invoke(
        cli,
        [
            "--db",
            str(path),
            "handover",
            "print",
            "--shift",
            "1",
            "--format",
            "html",
            "--output",
            str(out),
        ],
    )
    assert html.exit_code == 0 and "楼上装修噪音" in out.read_text()
    listed = runner.invoke(cli, ["--db", str(path), "--lang", "en", "handover", "list"])
    assert (
        listed.exit_code == 0 and "张伟 -> 王芳" in listed.output and "printed: 2" in listed.output
    )
    bad = runner.invoke(
        cli, ["--db", str(path), "--lang", "en", "handover", "print", "--shift", "9"]
    )
    assert bad.exit_code == 2 and len(bad.output.strip().splitlines()) == 1


@pytest.mark.tampers
def test_printed_summary_carries_the_chain_head_that_verify_checks_later(
    db: Database, desk: Desk, clerk: Operator, night: Operator
) -> None:
    """The anchor outside the file: the head on the paper still checks out while the chain
    holds it, and stops checking out once the chain was rebuilt behind the desk's back."""
    from sqlalchemy import text

    from desk.services import audit_chain

    _acknowledged(db, desk, clerk, night)
    path = db.path
    if path is None:
        pytest.skip("the CLI prints from a file here")
    runner = CliRunner()
    shown = runner.invoke(cli, ["--db", str(path), "--lang", "en", "handover", "print", "--last"])
    assert shown.exit_code == 0, shown.output
    line = next(x for x in shown.output.splitlines() if x.startswith("Audit chain: "))
    head = line.removeprefix("Audit chain: ").strip()
    verify = ["--db", str(path), "--lang", "en", "audit", "verify", "--head", head]
    assert runner.invoke(cli, verify).exit_code == 0
    with db.engine.begin() as conn:  # rebuilt by someone who knows how, one event fewer
        conn.exec_driver_sql("DROP TRIGGER audit_seal_no_delete")
        conn.exec_driver_sql("DROP TRIGGER audit_event_no_delete")
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.execute(text("DELETE FROM audit_seal"))
        conn.execute(text("DELETE FROM audit_event WHERE action = 'signed_in'"))
        audit_chain.seal_unsealed(conn)
    result = runner.invoke(cli, verify)
    assert result.exit_code == 1
    assert f"does not hold the link {head}" in result.output
