"""Work-order slips: 80 columns with Chinese aligned, a PDF that shows ink, and lp printing."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from datetime import datetime
from pathlib import Path

import pytest

from desk.config import Settings, load_settings
from desk.i18n import set_language, t
from desk.models import Channel, RepairLocation, RepairOrder, RepairState
from desk.printing import PrintError, print_file, slip_lines, slip_pdf, slip_text
from desk.printing.fonts import FONT_ENV, FontNotFound, find_cjk_font
from desk.printing.text import cell_len, clip, label_value, pad, two_columns, wrap
from tests.conftest import NOW, TZ, have_cjk_font, pgm_dark_pixels

LANGS = ("zh_CN", "en")


@pytest.fixture
def settings() -> Settings:
    return load_settings()


def _order(**changes: object) -> RepairOrder:
    values: dict[str, object] = {
        "id": 7,
        "number": "WX-20261123-007",
        "reported_at": NOW,
        "channel": Channel.phone,
        "resident_name": "欧阳明月",
        "room": "3-1502",
        "phone": "13812345678",
        "description": "卫生间洗手盆下水管漏水，地面有积水，楼下住户天花板已开始渗水，"
        "请尽快上门查看。The tap in the kitchen drips as well.",
        "location": RepairLocation.unit,
        "category": "leak",
        "paid": True,
        "technician": "李建国",
        "dispatched_at": datetime(2026, 11, 23, 9, 45, tzinfo=TZ),
        "state": RepairState.dispatched,
        "operator_id": 1,
        "created_at": NOW,
    }
    values.update(changes)
    return RepairOrder(**values)


def _field_starts(line: str) -> list[int]:
    """Display columns where each field (text after two or more spaces) begins."""
    starts = []
    for match in re.finditer(r"(?:^|(?<=  ))\S", line):
        starts.append(cell_len(line[: match.start()]))
    return starts


@pytest.mark.parametrize("lang", LANGS)
def test_slip_lines_fit_80_cells_and_avoid_ambiguous_widths(lang: str, settings: Settings) -> None:
    set_language(lang)
    text = slip_text(_order(), settings, TZ, operator="王芳", printed_at=NOW)
    assert text.endswith("\n")
    for line in text.splitlines():
        assert cell_len(line) <= 80, line
        assert not [ch for ch in line if unicodedata.east_asian_width(ch) == "A"], line


@pytest.mark.parametrize("lang", LANGS)
def test_slip_header_columns_align_whatever_the_values(lang: str, settings: Settings) -> None:
    set_language(lang)
    lines = slip_lines(_order(), settings, TZ)
    header = lines[2 : lines.index("-" * 80)]
    rows = [_field_starts(line) for line in header]
    full = [starts for starts in rows if len(starts) == 4]
    assert len(full) >= 6
    assert all(starts == full[0] for starts in full), header
    assert full[0][2] == 40
    # the technician's part lines up too
    part = lines[lines.index("-" * 80, lines.index("-" * 80) + 1) + 1 :]
    pairs = [_field_starts(line) for line in part if line.count("__") >= 2 and "  " in line]
    pairs = [starts for starts in pairs if len(starts) == 4]
    assert pairs and all(starts == pairs[0] for starts in pairs)


def test_slip_says_what_the_technician_needs(settings: Settings) -> None:
    set_language("zh_CN")
    text = slip_text(_order(), settings, TZ, operator="王芳", printed_at=NOW)
    for expected in (
        "维修工作单",
        "WX-20261123-007",
        "2026-11-23 09:30",
        "3-1502",
        "欧阳明月",
        "13812345678",
        "渗漏水",
        "有偿服务",
        "李建国",
        "2026-11-23 09:45",
        "户内",
        "住户签字",
        "自备材料验收",
        "一式三联",
        "前台（转财务）",
        "王芳",
    ):
        assert expected in text, expected
    assert "请尽快上门查看" in "".join(line.strip() for line in text.splitlines())


def test_completed_order_shows_its_charges(settings: Settings) -> None:
    set_language("en")
    order = _order(
        state=RepairState.completed,
        on_site_at=datetime(2026, 11, 23, 10, 5, tzinfo=TZ),
        completed_at=datetime(2026, 11, 23, 11, 0, tzinfo=TZ),
        work_done="Replaced the trap and the seal.",
        labour_fen=5000,
        material_fen=1250,
        paid=True,
    )
    text = slip_text(order, settings, TZ)
    assert "50.00" in text and "12.50" in text
    assert "Replaced the trap and the seal." in text
    assert "2026-11-23 10:05" in text
    assert "Three copies" in text


def test_free_order_under_warranty(settings: Settings) -> None:
    set_language("en")
    text = slip_text(_order(paid=False, warranty=True, appointment_at=None), settings, TZ)
    assert t("slip.free") in text and t("slip.in_warranty") in text
    assert t("slip.no_appointment") in text


def test_wrap_pad_and_clip_count_cells() -> None:
    assert pad("张三", 6) == "张三  " and cell_len(pad("张三", 6)) == 6
    assert clip("张三丰", 5) == "张三"
    assert pad("abc", 5, align="right") == "  abc"
    lines = wrap("漏水" * 30 + " and some English words that wrap", 21)
    assert all(cell_len(line) <= 21 for line in lines)
    assert "".join(lines).replace(" ", "") == ("漏水" * 30 + "andsomeEnglishwordsthatwrap")
    assert wrap("", 10) == [""]
    assert wrap("a\nb", 10) == ["a", "b"]
    assert all(cell_len(line) <= 8 for line in wrap("x" * 30, 8))
    hanging = label_value("报修内容", "很长的描述" * 10, label_width=8, width=40)
    assert all(line.startswith(" " * 10) for line in hanging[1:])
    assert (
        cell_len(two_columns(("房号", "很长" * 30), ("电话", "1"), label_width=4, width=40)) <= 40
    )


needs_pdf_tools = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed"
)


@needs_pdf_tools
@pytest.mark.skipif(not have_cjk_font(), reason="no CJK font (fonts-wqy-microhei / fonts-noto-cjk)")
@pytest.mark.parametrize("lang", LANGS)
def test_slip_pdf_is_not_blank(lang: str, settings: Settings, tmp_path: Path) -> None:
    set_language(lang)
    path = slip_pdf(_order(), settings, TZ, tmp_path / "slips" / "WX-20261123-007.pdf")
    assert path.read_bytes().startswith(b"%PDF")
    subprocess.run(
        ["pdftoppm", "-gray", "-r", "50", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    (page,) = tmp_path.glob("page*.pgm")
    dark, total = pgm_dark_pixels(page.read_bytes())
    # a page of text and rules: clearly inked, clearly not a black box
    assert 1500 < dark < total // 4


def test_font_override_that_does_not_exist_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FONT_ENV, "/nowhere/font.ttc#2")
    with pytest.raises(FontNotFound, match="no such font file"):
        find_cjk_font()


def test_missing_font_is_a_print_error(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, tmp_path: Path
) -> None:
    monkeypatch.setenv(FONT_ENV, "/nowhere/font.ttc")
    with pytest.raises(PrintError, match="no Chinese font"):
        slip_pdf(_order(), settings, TZ, tmp_path / "slip.pdf")


def _stand_in_lp(folder: Path, script: str) -> Path:
    folder.mkdir()
    lp = folder / "lp"
    lp.write_text("#!/bin/sh\n" + script)
    lp.chmod(0o755)
    return folder


def test_print_file_queues_the_pdf_with_lp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    record = tmp_path / "lp-args"
    bin_dir = _stand_in_lp(
        tmp_path / "bin",
        f'for arg in "$@"; do echo "$arg" >> {record}; done\n'
        'echo "request id is Front_Desk-12 (1 file(s))"\n',
    )
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    slip = tmp_path / "slip.pdf"
    slip.write_bytes(b"%PDF-1.4\n")
    answer = print_file(slip, "Front_Desk")
    assert record.read_text().splitlines() == ["-d", "Front_Desk", str(slip.resolve())]
    assert "Front_Desk-12" in answer


def test_print_file_without_a_queue_uses_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = tmp_path / "lp-args"
    bin_dir = _stand_in_lp(tmp_path / "bin", f'echo "$@" > {record}\n')
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    slip = tmp_path / "slip.pdf"
    slip.write_bytes(b"%PDF-1.4\n")
    print_file(slip, "")
    assert record.read_text().split() == [str(slip.resolve())]


def test_print_file_reports_lp_refusing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = _stand_in_lp(
        tmp_path / "bin", 'echo "lp: The printer or class does not exist." >&2\nexit 1\n'
    )
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    set_language("en")
    with pytest.raises(PrintError) as raised:
        print_file(tmp_path / "slip.pdf", "Nowhere")
    message = str(raised.value)
    assert "Nowhere" in message and "does not exist" in message and "slip.pdf" in message


def test_print_file_without_lp_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    set_language("zh_CN")
    with pytest.raises(PrintError, match="lp") as raised:
        print_file(tmp_path / "slip.pdf", "Front_Desk")
    assert "cups-client" in str(raised.value)
