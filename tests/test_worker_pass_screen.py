"""Worker passes at the keyboard: from the board's `w`, issue one (every error at once, the ID
typed whole), print it; and the gate terminal checking worker passes as a guard scans them."""

from __future__ import annotations

import io
from datetime import timedelta

from rich.console import Console
from textual.widgets import Input, Static

from desk.db import Database
from desk.models import Operator, RenovationState
from desk.printing.text import cell_len
from desk.screens.board import BoardScreen
from desk.screens.gate import GateApp
from desk.screens.worker_passes import WorkerPassesScreen, WorkerPassFormScreen
from desk.services import renovation_workers
from tests.conftest import NOW, Desk
from tests.pilot_support import (
    desk_app,
    field_error,
    printed,
    screen_lines,
    settle,
    table_cells,
    until,
    until_screen,
)
from tests.worker_seed import (
    FULL_ID,
    issue_pass,
    renovation_row,
    set_renovation_state,
    stored_text_of,
    worker,
)


def _found(desk: Desk, number: str) -> renovation_workers.WorkerPass:
    with desk.read() as ctx:
        found = renovation_workers.find(ctx, number)
    assert found is not None
    return found


async def test_a_clerk_issues_a_pass_from_the_board_by_keys(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    renovation_row(desk)
    app = desk_app(db, clerk, "zh_CN")
    async with app.run_test(size=(80, 24)) as pilot:
        await until_screen(pilot, BoardScreen)
        await pilot.press("w")
        await until_screen(pilot, WorkerPassesScreen)
        await pilot.press("ctrl+f", *"xk-20261121-001", "enter")
        await pilot.press("ctrl+n")
        form = await until_screen(pilot, WorkerPassFormScreen)
        # the renovation filtered on is filled in: the name comes first; nothing else typed
        assert app.screen.query_one("#renovation", Input).value == "xk-20261121-001"
        await pilot.press("tab", *"1101051949", "tab", "tab", *"12-32", "tab", *"12-30")
        await pilot.press("tab", "tab", "ctrl+s")
        # every error at once, beside its field, what was typed kept, the first one focused
        await until(pilot, lambda: field_error(form, "valid_from") != "")
        assert field_error(form, "name") and field_error(form, "fee_receipt")
        assert "18" in field_error(form, "id_number")
        assert not field_error(form, "valid_until")
        assert app.screen.query_one("#id_number", Input).value == "1101051949"
        assert app.screen.focused is app.screen.query_one("#name", Input)
        await pilot.press(*"王建", "tab", *FULL_ID, "tab", "space", "tab", "backspace")
        await pilot.press("tab", "tab", "tab", *"SJ-0001", "ctrl+s")
        await until_screen(pilot, WorkerPassesScreen)
        assert "SG-20261123-001" in table_cells(pilot, "#worker-passes")
        assert "****002X" in table_cells(pilot, "#worker-passes")
        assert all(cell_len(line) <= 80 for line in screen_lines(app))
        await pilot.press("ctrl+w")
        await until(pilot, lambda: len(printed(db, "SG-*.pdf")) == 1)
    found = _found(desk, "SG-20261123-001")
    assert (found.name, found.id_last4, found.photo_taken, found.fee_fen) == (
        "王建",
        "002X",
        True,
        1000,
    )
    assert found.valid_until.isoformat() == "2026-12-30" and found.fee_receipt == "SJ-0001"
    (text,) = printed(db, "SG-20261123-001.txt")
    lines = text.read_text(encoding="utf-8").splitlines()
    assert all(cell_len(line) <= 80 for line in lines)
    page = "\n".join(lines)
    assert "施工人员临时出入证" in page and "****002X" in page and "XK-20261121-001" in page
    assert FULL_ID not in stored_text_of(db) and FULL_ID[:10] not in page


def _banner(app: GateApp) -> Static:
    return app.screen.query_one("#gate-banner", Static)


def _shown(widget: Static) -> str:
    console = Console(width=120, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


async def test_the_gate_checks_worker_passes_as_they_are_scanned(db: Database, desk: Desk) -> None:
    works = renovation_row(desk)
    valid = issue_pass(desk)
    gone = issue_pass(desk, worker(name="李四", id_number="5678"))
    with desk.write() as ctx:
        renovation_workers.revoke(ctx, _found(desk, gone).id or 0, "施工队辞退")
    app = GateApp(db, lang="zh_CN", clock=lambda: NOW + timedelta(hours=1), guard="老周")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press(*valid.lower().replace("-", ""), "enter")
        await until(pilot, lambda: _banner(app).has_class("-ok"))
        view = _shown(app.screen.query_one("#gate-pass", Static))
        assert "王建" in view and "****002X" in view and "3-1202" in view
        assert "XK-20261121-001" in view and "2026-12-31" in view
        assert app.screen.query_one("#gate-number", Input).value == ""
        await pilot.press(*gone, "enter")
        await until(pilot, lambda: _banner(app).has_class("-refused"))
        assert "已作废" in str(_banner(app).render()) and "施工队辞退" in str(_banner(app).render())
        set_renovation_state(desk, works, RenovationState.suspended)
        await pilot.press(*valid, "enter")
        await until(pilot, lambda: "停工" in str(_banner(app).render()))
        assert _banner(app).has_class("-refused")
        await pilot.press(*FULL_ID, "enter")
        await until(pilot, lambda: "身份证号码" in str(_banner(app).render()))
        assert FULL_ID not in str(_banner(app).render()) and _banner(app).has_class("-refused")
        await pilot.press(*"SG-20261123-099", "enter")
        await until(pilot, lambda: "SG-20261123-099" in str(_banner(app).render()))
    assert _found(desk, valid).gate_checks == 2 and _found(desk, gone).gate_checks == 1
