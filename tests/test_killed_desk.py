"""The real desk, typed into as a clerk would (in tmux), killed with SIGKILL: what it said it had
saved is in the file, what was only typed is not, and the file opens clean.

The crash loop (test_crash_safety, bench/crash_loop.py) kills writers driving the services; this
kills the program itself, screens and all.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="needs tmux (make test installs it: scripts/system-deps)"
)

DESK = str(Path(sys.executable).with_name("desk"))


class Terminal:
    """One tmux server of our own (its own socket file): a window running the desk."""

    def __init__(self, socket: Path) -> None:
        self.socket = socket

    def tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-S", str(self.socket), *args], capture_output=True, text=True, check=True
        )
        return done.stdout

    def start(self, db: Path) -> None:
        command = f"exec {DESK} --db {db} --lang en"
        self.tmux("new-session", "-d", "-s", "desk", "-x", "120", "-y", "36", command)

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", "desk", key)
            time.sleep(0.15)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "desk", "-l", text)
        time.sleep(0.3)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "desk")

    def wait_for(self, *texts: str, timeout: float = 20) -> str:
        """The screen once one of `texts` is on it."""
        until = time.monotonic() + timeout
        while time.monotonic() < until:
            shown = self.screen()
            if any(text in shown for text in texts):
                return shown
            time.sleep(0.2)
        raise AssertionError(f"{texts!r} never appeared; the screen:\n{self.screen()}")

    def kill_desk(self) -> None:
        """SIGKILL to the desk; its window closes with it."""
        pid = int(self.tmux("display-message", "-p", "-t", "desk", "#{pane_pid}").strip())
        os.kill(pid, signal.SIGKILL)
        until = time.monotonic() + 10
        while time.monotonic() < until:
            alive = subprocess.run(
                ["tmux", "-S", str(self.socket), "has-session", "-t", "desk"], capture_output=True
            )
            if alive.returncode != 0:
                return
            time.sleep(0.1)
        raise AssertionError("the desk's window outlived SIGKILL")

    def to_request(self) -> None:
        """The reception log (F2), then Tab from the room (where the form starts) to "What was
        asked"."""
        self.keys("F2")
        self.wait_for("What was asked")
        self.keys(*["Tab"] * 4)

    def sign_in(self) -> None:
        # the form is drawn before its operator field is filled in: wait for one or the other
        shown = self.wait_for("choose an operator", "王芳")
        if "choose an operator" in shown:
            self.keys("Enter")
            self.wait_for("王芳")  # the list of operators is open
            self.keys("Down", "Down", "Down", "Enter")
        else:  # the last to sign in here is chosen already, the cursor at the PIN
            assert "王芳" in shown
        self.type("1111")
        self.keys("Enter")
        self.wait_for("Open:")  # the board


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    shown = Terminal(tmp_path / "tmux.sock")
    yield shown
    subprocess.run(["tmux", "-S", str(shown.socket), "kill-server"], capture_output=True)


def requests_in(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return [row[0] for row in conn.execute("SELECT request FROM reception_entry")]


def test_killed_after_saying_saved_the_entry_is_kept_and_a_typed_one_is_not(
    terminal: Terminal, tmp_path: Path, demo_file: Path
) -> None:
    db = tmp_path / "desk.db"
    shutil.copyfile(demo_file, db)  # the demo site, as `desk demo` builds it
    before = requests_in(db)

    terminal.start(db)
    terminal.sign_in()
    terminal.to_request()
    terminal.type("kitchen tap leaking 42")
    terminal.keys("C-s")
    terminal.wait_for("saved JD-")
    terminal.kill_desk()
    after = requests_in(db)
    assert after == [*before, "kitchen tap leaking 42"]

    # again, killed with a request typed and not saved: nothing of it reaches the file
    terminal.start(db)
    terminal.sign_in()
    terminal.to_request()
    terminal.type("only typed, never saved")
    terminal.wait_for("never saved")
    terminal.kill_desk()
    assert requests_in(db) == after

    # and the desk opens on it as before
    found = subprocess.run(
        [DESK, "--db", str(db), "lookup", "kitchen tap"], capture_output=True, text=True
    )
    assert found.returncode == 0 and "kitchen tap leaking 42" in found.stdout
