"""What the Pilot tests share: one way to build the desk, read what it shows, and wait.

A test that waits says what for: `await until(pilot, lambda: isinstance(app.screen, X))` lets
the app work (one pause at least, as a bare `pilot.pause()` did) until the condition holds, and
fails with the condition's own words when it never does. The one pause with nothing to wait
for is `settle(pilot)`, between two inputs; a test has no bare `pilot.pause()`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from rich.text import Text
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Static

from desk.app import DeskApp, make_app
from desk.clock import Clock
from desk.compat import shown_notifications, terminal_lines
from desk.db import Database
from desk.models import Operator
from tests.conftest import NOW

# How many pauses `until` allows before it gives up: each lets every pending message be
# handled, so a screen that opens, a table that fills or a dialog that closes takes a few.
PAUSES = 40

S = TypeVar("S", bound="Screen[Any]")


class MovableClock:
    """A clock the test can move: the app asks it for the time on every call."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def desk_app(
    db: Database, operator: Operator | None, lang: str = "en", clock: Clock | None = None
) -> DeskApp:
    """The desk as a clerk sees it: signed in as `operator`, its clock at NOW unless given."""
    return make_app(db, lang=lang, clock=clock or MovableClock(NOW), operator=operator)


def table_cells(pilot: Pilot[Any], selector: str) -> list[str]:
    """Every cell of the current screen's table `selector`, row after row, as plain text."""
    table = pilot.app.screen.query_one(selector, DataTable)
    out: list[str] = []
    for row in range(table.row_count):
        out += [c.plain if isinstance(c, Text) else str(c) for c in table.get_row_at(row)]
    return out


def screen_lines(app: App[Any]) -> list[str]:
    """Each line of the terminal for the current screen, as the clerk sees it."""
    return terminal_lines(app)


def field_error(form: Widget, name: str) -> str:
    """What `form` says under its field `name` (nothing when the field is fine), as text."""
    return str(form.query_one(f"#field-{name} .field-error", Static).render())


def row_keys(pilot: Pilot[Any], selector: str) -> list[str]:
    """The keys of the current screen's table `selector`, in the order its rows are kept."""
    table = pilot.app.screen.query_one(selector, DataTable)
    return [str(key.value) for key in table.rows]


def messages(app: App[Any]) -> list[str]:
    """What the app has told the clerk in notifications so far, oldest first, as text."""
    return [str(notification.message) for notification in shown_notifications(app)]


async def open_row(pilot: Pilot[Any], selector: str, row_key: str, kind: type[S]) -> S:
    """Put the cursor of the current screen's table `selector` on the row `row_key`, press
    Enter as the clerk would, and wait for the page of `kind` it opens."""
    table = pilot.app.screen.query_one(selector, DataTable)
    table.move_cursor(row=table.get_row_index(row_key))
    await pilot.press("enter")
    return await until_screen(pilot, kind)


def printed(db: Database, pattern: str) -> list[Path]:
    """What the desk has printed beside the database `db`: the files below its printed/
    folder that match `pattern` ("*.txt", "handovers/handover-*.txt")."""
    if db.path is None:
        return []
    return sorted((db.path.parent / "printed").glob(pattern))


def _described(condition: Callable[[], object]) -> str:
    """The condition's own words: its lambda's source line from `lambda` on."""
    try:
        line = inspect.getsource(condition).strip()
    except (OSError, TypeError):
        return repr(condition)
    return line[line.find("lambda") :] if "lambda" in line else line


async def until(
    pilot: Pilot[Any], condition: Callable[[], object], what: str = "", pauses: int = PAUSES
) -> None:
    """Pause once, then again until `condition()` is true; fail saying what never came.

    A condition that cannot be checked yet (the widget it reads is not there) is not true
    yet; on the last try its error is the test's.
    """
    for left in reversed(range(pauses)):
        await pilot.pause()
        try:
            if condition():
                return
        except Exception:
            if not left:
                raise
    raise AssertionError(f"still false after {pauses} pauses: {what or _described(condition)}")


async def settle(pilot: Pilot[Any]) -> None:
    """One pause, with nothing to check after it: between two inputs of a clerk's.

    The inputs are key presses, a scroll, or a value set as typing would set it; the pause
    lets the first be handled (a dialog opening, a list dropping down, the focus moving)
    before the next arrives, and the test sees its effect only through what the next inputs
    do. A test that looks at a result after a pause waits for it with `until` instead.
    """
    await pilot.pause()


async def press_for_screen(pilot: Pilot[Any], key: str) -> Screen[Any]:
    """Press `key` and wait until the app shows another screen than it did; return that one."""
    before = pilot.app.screen
    await pilot.press(key)
    await until(pilot, lambda: pilot.app.screen is not before, f"another screen after {key}")
    return pilot.app.screen


async def until_screen(pilot: Pilot[Any], kind: type[S], pauses: int = PAUSES) -> S:
    """Wait until the app shows a screen of `kind`, and return it."""
    for _ in range(pauses):
        await pilot.pause()
        screen = pilot.app.screen
        if isinstance(screen, kind):
            return screen
    shown = type(pilot.app.screen).__name__
    raise AssertionError(f"no {kind.__name__} after {pauses} pauses: the app shows a {shown}")
