"""The counter's common paths, pressed as a clerk would, with their keystrokes counted.

A keystroke is a `press` beyond typed text: a function key, Tab, Enter, an arrow, a ctrl key.
Each path starts on the board and ends when the record is saved (or the copy printed). The
figures are docs/counter.md's; a path that grows longer fails here first.
"""

from __future__ import annotations

from textual.pilot import Pilot

from desk.db import Database
from desk.forms.dialogs import ConfirmDialog
from desk.models import Operator
from desk.screens.board import BoardScreen
from desk.screens.complaint_entry import ComplaintFormScreen
from desk.screens.key_dialogs import LendDialog, TakeBackDialog
from desk.screens.keys import KeysScreen
from desk.screens.pass_form import PassFormScreen
from desk.screens.repair_entry import RepairFormScreen
from desk.services import complaint, keys, pass_queries, reception, repair, residents
from tests.conftest import Desk
from tests.pilot_support import desk_app, printed, settle, until, until_screen

# the figures of docs/counter.md (the goals: repair via reception ≤ 10, key loan ≤ 6)
EXPECTED = {
    "repair_via_reception": 9,
    "repair_from_repairs": 6,
    "key_loan": 6,
    "key_return": 3,
    "pass": 10,
    "complaint": 6,
    "handover_print": 2,
}


class Counted:
    """Presses keys for a path and counts those that are not typed text."""

    def __init__(self, pilot: Pilot[None]) -> None:
        self.pilot, self.count = pilot, 0

    async def key(self, *keys: str) -> None:
        self.count += len(keys)
        for key in keys:
            await self.pilot.press(key)
            await settle(self.pilot)

    async def type(self, text: str) -> None:
        await self.pilot.press(*text)
        await settle(self.pilot)


async def _board(pilot: Pilot[None]) -> Counted:
    await pilot.press("f9")
    await until_screen(pilot, BoardScreen)
    return Counted(pilot)


async def test_keystrokes_of_the_counters_common_paths(db: Database, clerk: Operator) -> None:
    desk = Desk(db, clerk)
    with desk.write() as ctx:
        residents.add_resident(ctx, "3", "1202", "李明", "13812345678", "owner")
        keys.add_key(ctx, "K-PUMP-B2", "水泵房", copies=3, hook="A-01")
    counted: dict[str, int] = {}
    app = desk_app(db, clerk, "zh_CN")
    async with app.run_test(size=(120, 40)) as pilot:
        # a call reporting a repair, logged at reception and turned into an order
        path = await _board(pilot)
        await path.key("f2")  # the form starts at the room: time ("now") and channel kept
        await path.type("3-1202")  # the resident and phone come from the directory
        await path.key("tab", "tab", "tab", "2", "tab")  # category by its digit: 2 报修
        await path.type("卫生间漏水")
        await path.key("ctrl+s")
        await until_screen(pilot, ConfirmDialog)
        await path.key("enter")  # yes, make the repair order
        await until_screen(pilot, RepairFormScreen)
        await path.key("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, RepairFormScreen))
        counted["repair_via_reception"] = path.count

        # a repair straight into the repairs register
        path = await _board(pilot)
        await path.key("f3", "ctrl+n")
        await until_screen(pilot, RepairFormScreen)
        await path.type("3-1202")
        await path.key("tab", "tab", "tab")
        await path.type("厨房水龙头漏水")
        await path.key("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, RepairFormScreen))
        counted["repair_from_repairs"] = path.count

        # a key lent to a technician
        path = await _board(pilot)
        await path.key("f5", "ctrl+n")
        await until_screen(pilot, LendDialog)
        await path.type("K-PUMP-B2")
        await path.key("tab")
        await path.type("李建国")
        await path.key("tab", "tab")
        await path.type("巡检水泵")
        await path.key("ctrl+s")
        await until_screen(pilot, KeysScreen)
        counted["key_loan"] = path.count

        # ... and given back, all of it
        path = await _board(pilot)
        await path.key("f5", "ctrl+b")
        await until_screen(pilot, TakeBackDialog)
        await path.key("ctrl+s")
        await until_screen(pilot, KeysScreen)
        counted["key_return"] = path.count

        # a release pass for the owner of 3-1202
        path = await _board(pilot)
        await path.key("f6", "ctrl+n")
        await until_screen(pilot, PassFormScreen)
        await path.type("3-1202")  # the owner is offered as the applicant
        await path.key("tab", "tab", "tab", "tab")  # applicant, relationship, ID type: kept
        await path.type("1234")
        await path.key("tab", "tab", "tab")  # vehicle and day (today) kept: the first item
        await path.type("纸箱")
        await path.key("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, PassFormScreen))
        counted["pass"] = path.count

        # a complaint
        path = await _board(pilot)
        await path.key("f4", "ctrl+n")
        await until_screen(pilot, ComplaintFormScreen)
        await path.type("3-1202")
        await path.key("tab", "tab", "tab")
        await path.type("楼上装修噪音")
        await path.key("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, ComplaintFormScreen))
        counted["complaint"] = path.count

        # the handover summary printed
        path = await _board(pilot)
        await path.key("f7", "ctrl+w")
        await until(pilot, lambda: printed(db, "handovers/handover-*"))
        counted["handover_print"] = path.count

    with desk.read() as ctx:
        orders = repair.recent(ctx)
        assert len(orders) == 2 and all(o.resident_name == "李明" for o in orders)
        assert [e.linked_register for e in reception.recent(ctx)] == ["repairs"]
        [loan] = keys.recent_loans(ctx)
        assert keys.outstanding(loan) == 0
        [issued] = pass_queries.listing(ctx)
        assert issued.applicant == "李明"
        [case] = complaint.recent(ctx)
        assert case.complainant == "李明"
    assert counted == EXPECTED
