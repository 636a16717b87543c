"""desk.launch: the collector is paused while the desk loads and always runs again after."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desk import launch
from desk.app import make_app
from desk.db import Database
from desk.models import Operator
from desk.screens.board import BoardScreen
from desk.screens.signin import SignInScreen
from tests.conftest import NOW
from tests.pilot_support import until_screen


@pytest.fixture
def paused() -> Iterator[None]:
    frozen = gc.get_freeze_count()
    launch.pause_collector()
    yield
    gc.enable()  # whatever the test did, the process goes on collecting
    if gc.get_freeze_count() > frozen:
        gc.unfreeze()


def test_resume_does_nothing_where_the_collector_was_never_paused() -> None:
    frozen = gc.get_freeze_count()
    launch.resume_collector()
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen


@pytest.mark.usefixtures("paused")
def test_resume_freezes_what_was_loaded_and_collects_again() -> None:
    assert not gc.isenabled()
    launch.resume_collector()
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0


@pytest.mark.usefixtures("paused")
async def test_the_board_resumes_the_collector_once_drawn(db: Database, clerk: Operator) -> None:
    app = make_app(db, lang="en", clock=lambda: NOW, operator=clerk)
    async with app.run_test(size=(100, 30)) as pilot:
        await until_screen(pilot, BoardScreen)
        assert isinstance(app.screen, BoardScreen)
        assert gc.isenabled()


@pytest.mark.usefixtures("paused")
async def test_sign_in_resumes_the_collector_once_drawn(db: Database, clerk: Operator) -> None:
    app = make_app(db, lang="en", clock=lambda: NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        await until_screen(pilot, SignInScreen)
        assert isinstance(app.screen, SignInScreen)
        assert gc.isenabled()


def test_a_command_runs_with_the_collector_on(tmp_path: Path) -> None:
    """The `desk` entry point pauses the collector to load, and a command resumes it."""
    script = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('collector', gc.isenabled()))\n"
        "from desk.launch import main\n"
        f"sys.argv = ['desk', '--lang', 'en', '--db', {str(tmp_path / 'x.db')!r}, 'init']\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "collector True" in done.stdout
