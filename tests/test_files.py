"""Files the desk writes are whole or absent: never a half-written export, report or slip."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from desk.files import write_whole


def test_text_and_bytes_are_written_as_given(tmp_path: Path) -> None:
    text = write_whole(tmp_path / "a.csv", "楼栋,房号\r\n3,1202\n", encoding="utf-8-sig")
    assert text.read_bytes() == "\ufeff楼栋,房号\r\n3,1202\n".encode()
    data = write_whole(tmp_path / "a.pdf", b"%PDF-1.4 \x00\xff")
    assert data.read_bytes() == b"%PDF-1.4 \x00\xff"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "a.pdf"]


def _disk_fills_up(monkeypatch: pytest.MonkeyPatch) -> None:
    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)


def test_a_failed_write_leaves_no_file_and_no_litter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _disk_fills_up(monkeypatch)
    with pytest.raises(OSError) as raised:
        write_whole(tmp_path / "export.json", '{"reception": []}')
    assert raised.value.errno == errno.ENOSPC
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_keeps_the_file_that_was_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = write_whole(tmp_path / "report-2026-10.html", "<p>October</p>")
    _disk_fills_up(monkeypatch)
    with pytest.raises(OSError):
        write_whole(target, "<p>November, half writ")
    assert target.read_text(encoding="utf-8") == "<p>October</p>"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_a_missing_folder_is_an_error_not_a_partial_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_whole(tmp_path / "gone" / "x.txt", "x")
    assert list(tmp_path.iterdir()) == []
