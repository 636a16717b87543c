"""Child process of bench/run.py: start, reach the first frame, print the wall-clock time, exit.

    python bench/startup.py floor            an empty Textual app importing the libraries the desk
                                             loads at start (textual and its widgets, sqlmodel and
                                             SQLite's dialect, typer)
    python bench/startup.py screen           the floor showing a screen of the board's shape with
                                             Textual's own widgets: a header, four lines, a table
                                             of 24 fixed rows and a footer (no database, no desk)
    python bench/startup.py board DB         the desk, signed in, on its board (counts shown)
    python bench/startup.py memory DB        the board, then every lookup and the shift summary;
                                             prints the peak RSS (resource.getrusage maxrss)

Prints one JSON line: {"frame": time.time() at the first frame, "maxrss_kb": ...}.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from typing import Any


def _report(frame: float) -> None:
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"frame": frame, "maxrss_kb": maxrss}), flush=True)


def floor() -> None:
    import sqlalchemy.dialects.sqlite  # noqa: F401
    import sqlmodel  # noqa: F401
    import typer  # noqa: F401
    from textual.app import App
    from textual.widgets import DataTable, Footer, Header, Static  # noqa: F401

    app: App[None] = App()

    async def first_frame(pilot: Any) -> None:
        await pilot.pause()
        frame = time.time()
        _report(frame)
        app.exit()

    app.run(headless=True, auto_pilot=first_frame)


SCREEN_ROW = ("报修", "BX-20261123-0042", "3-2-1202", "厨房水龙头漏水，楼下天花板有水渍", "已派单")


def screen() -> None:
    import sqlalchemy.dialects.sqlite  # noqa: F401
    import sqlmodel  # noqa: F401
    import typer  # noqa: F401
    from textual.app import App, ComposeResult
    from textual.screen import Screen
    from textual.widgets import DataTable, Footer, Header, Static

    class Board(Screen[None]):
        BINDINGS = [(f"f{n}", "app.bell", f"键{n}") for n in range(1, 11)]

        def compose(self) -> ComposeResult:
            yield Header()
            for line in ("早班 08:00-16:00", "今日 接待 12 报修 5", "", "待办 78 项"):
                yield Static(line)
            yield DataTable(cursor_type="row", zebra_stripes=True, id="open")
            yield Footer()

        def on_mount(self) -> None:
            table: DataTable[str] = self.query_one(DataTable)
            table.add_columns("登记簿", "编号", "房号", "摘要", "状态", "登记", "时限")
            for n in range(24):
                table.add_row(*SCREEN_ROW, f"11-23 09:{n:02}", f"派单 超时 {n} 分钟")

    class Shown(App[None]):
        def on_mount(self) -> None:
            self.push_screen(Board())  # as the desk switches to its board once mounted

    app = Shown()

    async def first_frame(pilot: Any) -> None:
        while not app.screen.query("#open"):
            await pilot.pause()
        await pilot.pause()
        _report(time.time())
        app.exit()

    app.run(headless=True, auto_pilot=first_frame)


def board(path: str, *, memory: bool = False) -> None:
    from desk.launch import pause_collector

    pause_collector()  # as the `desk` command does (desk.launch.main)
    from desk.app import make_app
    from desk.db import open_database
    from desk.models import Operator

    database = open_database(path)
    with database.reading() as session:
        operator = session.get(Operator, 1)
    app = make_app(database, operator=operator)

    async def first_frame(pilot: Any) -> None:
        while type(app.screen).__name__ != "BoardScreen" or not app.screen.query("#counts"):
            await pilot.pause()
        await pilot.pause()
        frame = time.time()
        if memory:
            from bench_queries import exercise  # type: ignore[import-not-found]

            exercise(database, operator)
        _report(frame)
        app.exit()

    app.run(headless=True, auto_pilot=first_frame)


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "floor":
        floor()
    elif mode == "screen":
        screen()
    else:
        board(sys.argv[2], memory=mode == "memory")
