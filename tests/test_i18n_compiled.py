"""The compiled catalogue kept in __pycache__: used when current, never when a file changed."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import desk.i18n as i18n


@pytest.fixture
def catalogue_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    here = tmp_path / "i18n"
    here.mkdir()
    for path in i18n._HERE.glob("*.toml"):
        shutil.copy(path, here / path.name)
    monkeypatch.setattr(i18n, "_HERE", here)
    monkeypatch.setattr(i18n, "_COMPILED", here / "__pycache__" / "catalogue.test.marshal")
    i18n.catalogue.cache_clear()
    yield here
    i18n.catalogue.cache_clear()


def test_the_compiled_copy_holds_the_same_messages(catalogue_dir: Path) -> None:
    first = i18n.catalogue()
    assert i18n._COMPILED.exists()
    i18n.catalogue.cache_clear()
    assert i18n.catalogue() == first
    assert first["app.title"]["en"]


def test_an_edited_file_is_read_afresh(catalogue_dir: Path) -> None:
    assert i18n.catalogue()["app.title"]["en"] != "Counter"
    i18n.catalogue.cache_clear()
    app = catalogue_dir / "common.toml"
    text = app.read_text(encoding="utf-8")
    assert "[app]" in text
    app.write_text(
        text.replace("[app]", '[app]\ntitle_test = { zh_CN = "前台", en = "Counter" }', 1),
        encoding="utf-8",
    )
    assert i18n.catalogue()["app.title_test"]["en"] == "Counter"


def test_a_damaged_copy_is_ignored(catalogue_dir: Path) -> None:
    expected = i18n.catalogue()
    i18n.catalogue.cache_clear()
    i18n._COMPILED.write_bytes(b"\x00not marshal")
    assert i18n.catalogue() == expected


def test_an_unwritable_cache_directory_only_costs_time(catalogue_dir: Path) -> None:
    (catalogue_dir / "__pycache__").write_text("a file where the directory should be")
    assert i18n.catalogue()["app.title"]["zh_CN"]
