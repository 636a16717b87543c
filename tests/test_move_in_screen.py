"""A move-in at the keyboard, at 80×24: from the board's `m` to the case, one problem raised at
the inspection, sent, rectified, the re-inspection agreed, accepted with the owner, completed."""

from __future__ import annotations

from desk.db import Database
from desk.forms.dialogs import ConfirmDialog
from desk.models import FindingState, MoveInState, Operator
from desk.screens.finding_dialogs import RaiseFindingDialog, RecheckDialog, RectifiedDialog
from desk.screens.move_in_detail import MoveInDetailScreen
from desk.screens.move_in_dialogs import ReinspectionDialog
from desk.screens.move_ins import MoveInsScreen
from tests.conftest import Desk
from tests.finding_seed import complete_order
from tests.move_in_seed import add_room, book, stored, to_inspected
from tests.pilot_support import desk_app, settle, table_cells, until, until_screen

SIZE = (80, 24)


async def test_a_move_in_with_one_problem_re_inspected_and_accepted(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    add_room(desk)
    case_id = book(desk)
    to_inspected(desk, case_id)
    number = stored(desk, case_id).number
    app = desk_app(db, clerk, "zh_CN")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("m")  # the board's key to the register
        await until_screen(pilot, MoveInsScreen)
        assert number in table_cells(pilot, "#move-ins")
        await pilot.press("enter")
        page = await until_screen(pilot, MoveInDetailScreen)
        await pilot.press("ctrl+g")
        await until_screen(pilot, RaiseFindingDialog)
        await pilot.press(*"窗框渗水", "ctrl+s")
        await until_screen(pilot, MoveInDetailScreen)
        panel = page.panel()
        await until(pilot, lambda: len(panel.rows) == 1)
        await pilot.press("ctrl+k")  # refused: the problem is open
        await settle(pilot)
        assert stored(desk, case_id).state == MoveInState.inspected
        await pilot.press("ctrl+d")
        await until_screen(pilot, ConfirmDialog)
        await pilot.press("enter")
        await until(pilot, lambda: panel.rows[0].state == FindingState.sent)
        if panel.rows[0].repair_id is not None:
            complete_order(desk, panel.rows[0].repair_id)
        await pilot.press("ctrl+y")
        await until_screen(pilot, RectifiedDialog)
        await pilot.press(*"更换密封条", "ctrl+s")
        await until(pilot, lambda: panel.rows[0].state == FindingState.rectified)
        await pilot.press("ctrl+b")
        await until_screen(pilot, ReinspectionDialog)
        await pilot.press(*"+2h", "ctrl+s")
        await until_screen(pilot, MoveInDetailScreen)
        await until(pilot, lambda: page.case is not None and page.case.reinspect_at is not None)
        await pilot.press("ctrl+u")
        await until_screen(pilot, RecheckDialog)
        await pilot.press(*"王芳", "ctrl+s")
        await until(pilot, lambda: panel.rows[0].state == FindingState.accepted)
        await pilot.press("ctrl+k")
        await until(pilot, lambda: stored(desk, case_id).state == MoveInState.completed)
