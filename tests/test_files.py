"""Files the desk writes are whole or absent: never a half-written export, report or slip."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from desk.cli import app as cli
from desk.config import load_settings
from desk.db import Database, open_database
from desk.files import append_private, private_folder, write_whole
from desk.models import Operator
from desk.printing.summary_pdf import print_handover
from desk.services import handover as handover_service
from desk.services.context import Ctx
from tests.conftest import NOW, Desk, file_mode
from tests.seed import seed_registers


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


# --- every file private, whatever the umask and the backend ---------------------------------


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The usual umask (022) of a shell, so file modes prove the code's own care."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_a_written_file_is_0600_under_a_loose_umask(tmp_path: Path, loose_umask: None) -> None:
    assert file_mode(write_whole(tmp_path / "export.json", "{}")) == 0o600
    shared = tmp_path / "report.html"
    shared.write_text("<p>old</p>")
    os.chmod(shared, 0o644)  # a file someone left readable by all is replaced by a private one
    assert file_mode(write_whole(shared, "<p>new</p>")) == 0o600
    assert shared.read_text() == "<p>new</p>"


def test_a_stale_partial_of_our_pid_does_not_stop_a_write(tmp_path: Path) -> None:
    stale = tmp_path / f".x.txt.{os.getpid()}.partial"
    stale.write_text("left by a killed process")
    os.chmod(stale, 0o644)
    written = write_whole(tmp_path / "x.txt", "whole")
    assert written.read_text() == "whole" and file_mode(written) == 0o600 and not stale.exists()


def test_a_log_is_created_0600_and_appended_to(tmp_path: Path, loose_umask: None) -> None:
    log = tmp_path / "desk-errors.log"
    append_private(log, "first\n")
    append_private(log, "second\n")
    assert log.read_text() == "first\nsecond\n" and file_mode(log) == 0o600


def test_the_desks_folders_are_0700(tmp_path: Path, loose_umask: None) -> None:
    folder = private_folder(tmp_path / "printed")
    assert file_mode(folder) == 0o700


def test_opening_a_database_leaves_the_process_umask_alone(
    tmp_path: Path, loose_umask: None
) -> None:
    open_database(tmp_path / "desk.db", settings=load_settings()).dispose()
    assert os.umask(0o022) == 0o022


def test_exports_reports_and_summaries_are_0600_on_every_backend(
    db: Database, desk: Desk, clerk: Operator, tmp_path: Path, loose_umask: None
) -> None:
    """Runs on SQLite, and on PostgreSQL with DESK_TEST_POSTGRES (where they were 0644)."""
    seed_registers(desk)
    runner = CliRunner()
    out = tmp_path / "out"
    out.mkdir()
    made = [out / "all.json", out / "csv", out / "report.html"]
    for args in (
        ["export", "-o", str(made[0])],
        ["export", "-f", "csv", "-r", "reception,repairs", "-o", str(made[1])],
        ["report", "monthly", "-m", "2026-11", "-f", "html", "-o", str(made[2])],
    ):
        result = runner.invoke(cli, ["--lang", "en", "--db", db.url, *args])
        assert result.exit_code == 0, result.output
    files = [made[0], *sorted(made[1].iterdir()), made[2]]
    assert len(files) == 4
    for path in files:
        assert file_mode(path) == 0o600, f"{path.name} is {oct(file_mode(path))}"
    assert file_mode(made[1]) == 0o700
    with db.writing() as session:
        ctx = Ctx(session, clerk, db.settings, NOW)
        chosen = handover_service.open_handover(ctx)
        assert chosen.id is not None
        printed = print_handover(
            ctx, chosen.id, fmt="text", folder=tmp_path / "printed", output=out / "s.txt"
        )
    assert file_mode(printed.path) == 0o600 and file_mode(out / "s.txt") == 0o600
    assert file_mode(tmp_path / "printed") == 0o700


def test_a_device_a_pipe_or_a_link_is_never_replaced(tmp_path: Path) -> None:
    """`desk export -o /dev/null` as root would have replaced the system's /dev/null."""
    from desk.files import NotARegularFile, write_whole

    target = tmp_path / "real.txt"
    target.write_text("kept")
    link = tmp_path / "link"
    link.symlink_to(target)
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    for path in (link, pipe, tmp_path):
        with pytest.raises(NotARegularFile):
            write_whole(path, "export")
    assert link.is_symlink() and target.read_text() == "kept"
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)


def test_every_folder_the_desk_makes_is_private(tmp_path: Path) -> None:
    from desk.files import private_folder

    old = os.umask(0o022)
    try:
        private_folder(tmp_path / "printed" / "handovers" / "2026")
    finally:
        os.umask(old)
    for folder in ("printed", "printed/handovers", "printed/handovers/2026"):
        assert stat.S_IMODE((tmp_path / folder).stat().st_mode) == 0o700, folder


def test_a_desk_file_copied_in_readable_to_all_is_made_private_with_its_side_files(
    tmp_path: Path,
) -> None:
    from desk.db import open_database

    path = tmp_path / "desk.db"
    open_database(path, settings=load_settings()).dispose()
    os.chmod(path, 0o644)  # as IT copied it in
    database = open_database(path, settings=load_settings())
    try:
        with database.writing() as session:
            session.execute(text("UPDATE alembic_version SET version_num = version_num"))
        for name in ("desk.db", "desk.db-wal", "desk.db-shm"):
            found = tmp_path / name
            if found.exists():
                assert stat.S_IMODE(found.stat().st_mode) == 0o600, name
    finally:
        database.dispose()
