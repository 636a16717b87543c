"""The printed worker pass: at most 80 cells a line in both languages, whatever the names, the
ID's last 4 only, and a PDF drawn with the CJK font."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest

from desk.config import load_settings
from desk.i18n import set_language
from desk.models import ApplicantKind, Renovation, RenovationState, WorkerPass
from desk.printing.text import cell_len
from desk.printing.worker_pass import worker_pass_lines, worker_pass_pdf
from tests.conftest import NOW, have_cjk_font


def _pair(name: str = "欧阳建国", contractor: str = "安居装饰") -> tuple[WorkerPass, Renovation]:
    works = Renovation(
        number="ZX-20261120-001",
        room="12-2801",
        applicant="李明",
        applicant_kind=ApplicantKind.owner,
        contractor=contractor,
        planned_start=date(2026, 11, 22),
        planned_end=date(2026, 12, 31),
        state=RenovationState.in_works,
        permit_number="HG-XK-20261121-001",
        operator_id=1,
        created_at=NOW,
    )
    found = WorkerPass(
        number="HG-SG-20261123-012",
        renovation_id=1,
        name=name,
        id_last4="002X",
        photo_taken=True,
        valid_from=date(2026, 11, 23),
        valid_until=date(2026, 12, 31),
        fee_fen=1000,
        fee_receipt="SJ-20261123-000123",
        operator_id=1,
        created_at=NOW,
    )
    return found, works


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@pytest.mark.parametrize(
    ("name", "contractor"),
    [("王建", "安居装饰"), ("欧" * 60, "鑫达建筑装饰工程有限公司" * 8)],
    ids=["short", "long"],
)
def test_every_line_fits_80_cells(lang: str, name: str, contractor: str) -> None:
    set_language(lang)
    found, works = _pair(name, contractor)
    lines = worker_pass_lines(found, works, load_settings(), clerk="王芳", printed_at=NOW)
    for line in lines:
        assert cell_len(line) <= 80, line
        assert not [ch for ch in line if unicodedata.east_asian_width(ch) == "A"], line
    page = "\n".join(lines)
    assert "HG-SG-20261123-012" in page and "****002X" in page and "12-2801" in page
    assert "2026-12-31" in page and "HG-XK-20261121-001" in page and "10.00" in page


@pytest.mark.skipif(not have_cjk_font(), reason="no CJK font (fonts-wqy-microhei / fonts-noto-cjk)")
def test_the_pdf_is_written(tmp_path: Path) -> None:
    set_language("zh_CN")
    found, works = _pair()
    path = worker_pass_pdf(found, works, load_settings(), tmp_path / "SG.pdf", clerk="王芳")
    assert path.read_bytes().startswith(b"%PDF") and path.stat().st_size > 2000
