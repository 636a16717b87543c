"""Paid services at the command line: `desk export --register services` (JSON and CSV, with each
booking's rounds and history) and the published service list (`desk services print`, text and
PDF, lines of at most 80 cells in both languages)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from desk.cli import app
from desk.config import load_settings, with_overrides
from desk.i18n import set_language
from desk.models import ServiceState
from desk.printing.service_list import service_list_lines
from desk.printing.text import cell_len
from desk.services import export
from tests.conftest import Desk
from tests.test_paid_service_service import add_owner, reach, stored

runner = CliRunner()


def test_services_export_as_json_and_csv(desk: Desk) -> None:
    add_owner(desk)
    first = reach(desk, ServiceState.paid)
    second = reach(desk, ServiceState.agreed)
    url = desk.db.url
    result = runner.invoke(app, ["--db", url, "export", "--register", "services"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["services"]
    assert [row["id"] for row in rows] == [first, second]
    assert rows[0]["number"] == stored(desk, first).number and rows[0]["receipt"] == "SJ-0101"
    assert [r["worker"] for r in rows[0]["visits"]] == ["刘阿姨"]
    assert [e["action"] for e in rows[1]["events"]] == ["booked"]
    result = runner.invoke(app, ["--db", url, "export", "-f", "csv", "-r", "services"])
    assert result.exit_code == 0, result.output
    parsed = list(csv.DictReader(io.StringIO(result.output)))
    assert list(parsed[0]) == export.columns("services")
    assert [r["price_fen"] for r in parsed] == ["10000", "10000"]


def test_the_service_list_in_both_languages_and_as_pdf(desk: Desk, tmp_path: Path) -> None:
    settings = desk.db.settings
    for lang in ("zh_CN", "en"):
        set_language(lang)
        lines = service_list_lines(settings)
        assert all(cell_len(line) <= 80 for line in lines), lang
        assert len([line for line in lines if "/" in line]) == len(settings.services.items)
    set_language("zh_CN")
    assert any(
        line.startswith("地毯清洗") and "8.00 元/平方米" in line
        for line in lines[:0] or service_list_lines(settings)
    )
    pdf = tmp_path / "list.pdf"
    result = runner.invoke(app, ["--lang", "zh", "services", "print", "--pdf", str(pdf)])
    assert result.exit_code == 0, result.output
    assert "换锁芯" in result.output and "120.00 元/次" in result.output
    assert pdf.read_bytes().startswith(b"%PDF")


def test_the_sites_service_list_is_checked_when_read() -> None:
    settings = load_settings()
    assert [i.key for i in settings.services.items][:2] == ["move_in_clean", "carpet_wash"]
    assert settings.services.late_after == "30m"
    item = (
        '[[services.items]]\nkey = "x"\nzh_CN = "x"\nen = "x"\nunit_zh_CN = "次"\n'
        'unit_en = "visit"\nprice_fen = 100\ndepartment = "{dept}"\n'
    )
    with pytest.raises(ValueError, match="not in departments"):
        with_overrides(settings, "[services]\n" + item.format(dept="nobody"))
    with pytest.raises(ValueError, match="two services with one key"):
        with_overrides(settings, "[services]\n" + item.format(dept="cleaning") * 2)
    with pytest.raises(ValueError, match="duration"):
        with_overrides(settings, '[services]\nlate_after = "soon"\n')
    one = with_overrides(settings, "[services]\n" + item.format(dept="cleaning"))
    assert [i.key for i in one.services.items] == ["x"]
