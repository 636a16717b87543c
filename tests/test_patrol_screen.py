"""The daily patrol at the keyboard, at 80×24: from the board (p) a round is started, its
checkpoints marked ok, one with a finding sent to cleaning, rectified, rejected on re-inspection,
rectified again and accepted — all by keys."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Checkbox, Input

from desk.db import Database
from desk.forms.dialogs import ConfirmDialog
from desk.models import FindingState, Operator, PatrolState, PointResult
from desk.screens.board import BoardScreen
from desk.screens.finding_dialogs import RaiseFindingDialog, RecheckDialog, RectifiedDialog
from desk.screens.patrol_detail import PatrolDetailScreen
from desk.screens.patrols import PatrolsScreen, StartRoundDialog
from desk.services import findings, patrol, repair
from desk.services.repair import RepairCompletion
from tests.conftest import NOW, Desk
from tests.finding_seed import raised, start_round, walked
from tests.pilot_support import (
    desk_app,
    field_error,
    row_keys,
    screen_lines,
    settle,
    until,
    until_screen,
)

SIZE = (80, 24)


async def test_a_round_with_a_finding_rejected_once_then_accepted(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    app = desk_app(db, clerk, "zh_CN")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("p")  # the board's key to the register
        listing = await until_screen(pilot, PatrolsScreen)
        assert any("排班内的巡查都已完成" in line for line in screen_lines(app))
        await pilot.press("ctrl+n")
        form = await until_screen(pilot, StartRoundDialog)
        await pilot.press("ctrl+s")  # nobody named: refused beside the field
        await until(pilot, lambda: field_error(form, "patrolled_by"))
        await pilot.press(*"周海", "ctrl+s")
        page = await until_screen(pilot, PatrolDetailScreen)
        with desk.read() as ctx:
            (found,) = patrol.listing(ctx)
            round_id = found.id
        assert round_id is not None
        # the first checkpoint ok; the second has a finding
        await pilot.press("ctrl+k")
        await until(pilot, lambda: page.points[0].result == PointResult.ok)
        await pilot.press("ctrl+f")
        raise_dialog = await until_screen(pilot, RaiseFindingDialog)
        await pilot.press(*"路灯不亮")
        await pilot.press("tab", *"2栋门口")
        assert raise_dialog.query_one("#raised_by", Input).value == "周海"
        await pilot.press("ctrl+s")
        await until_screen(pilot, PatrolDetailScreen)
        await until(pilot, lambda: page.points[1].result == PointResult.finding)
        # the rest ok, one by one (the cursor moves on to the next one left)
        for _ in range(len(page.points) - 2):
            await pilot.press("ctrl+k")
            await settle(pilot)
        await until(pilot, lambda: all(p.result != PointResult.pending for p in page.points))
        await pilot.press("ctrl+e")
        await until_screen(pilot, ConfirmDialog)
        await pilot.press("enter")
        await until(pilot, lambda: page.round is not None and page.round.state == PatrolState.done)
        # the finding: sent (a confirmation), rectified, rejected, rectified, accepted
        panel = page.panel()
        assert len(panel.rows) == 1
        finding_id = panel.rows[0].id
        assert finding_id is not None
        await pilot.press("tab")  # to the findings list
        await pilot.press("ctrl+d")
        await until_screen(pilot, ConfirmDialog)
        await pilot.press("enter")
        await until(pilot, lambda: panel.rows[0].state == FindingState.sent)
        assert panel.rows[0].department == "repairs"  # the facilities checkpoint's department
        assert panel.rows[0].repair_id is not None
        await pilot.press("ctrl+y")  # its repair order is not completed yet
        rectified = await until_screen(pilot, RectifiedDialog)
        await pilot.press(*"换灯泡", "ctrl+s")
        await until(pilot, lambda: "WX-" in field_error(rectified, "rectified_at"))
        await pilot.press("escape")
        await until_screen(pilot, PatrolDetailScreen)
        with desk.write() as ctx:
            order_id = panel.rows[0].repair_id
            assert order_id is not None
            repair.dispatch(ctx, order_id, "刘师傅")
            repair.complete(ctx, order_id, RepairCompletion(work_done="换灯泡"))
        for accepted in (False, True):
            await pilot.press("ctrl+y")
            await until_screen(pilot, RectifiedDialog)
            await pilot.press(*"换灯泡", "ctrl+s")
            await until(pilot, lambda: panel.rows[0].state == FindingState.rectified)
            await pilot.press("ctrl+u")
            check = await until_screen(pilot, RecheckDialog)
            if not accepted:
                # the name first, then back to untick "accepted", then what is still wrong
                await pilot.press(*"周海", "shift+tab", "space", "tab", "tab", *"仍不亮")
                assert not check.query_one("#accepted", Checkbox).value
                await pilot.press("ctrl+s")
                await until(pilot, lambda: panel.rows[0].state == FindingState.sent)
                # a rework: a new repair order, completed before the next round
                with desk.write() as ctx:
                    order_id = findings.get(ctx, finding_id).repair_id
                    assert order_id is not None
                    repair.dispatch(ctx, order_id, "刘师傅")
                    repair.complete(ctx, order_id, RepairCompletion(work_done="换线"))
                await pilot.press("ctrl+r")
                await settle(pilot)
            else:
                await pilot.press(*"周海", "ctrl+s")
                await until(pilot, lambda: panel.rows[0].state == FindingState.accepted)
        with desk.read() as ctx:
            rounds = findings.checks_of(ctx, finding_id)
        assert [c.accepted for c in rounds] == [False, True]
        assert listing is not None


async def test_the_boards_lines_open_the_round_and_the_patrol_list(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    """A finding's line on the board opens its round's page (its owner record); a missed
    round's line opens the patrol register."""
    walked(desk, at=NOW - timedelta(days=2))
    finding_id = raised(desk, start_round(desk))
    app = desk_app(db, clerk, "en")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        board = await until_screen(pilot, BoardScreen)
        await until(pilot, lambda: f"findings:{finding_id}" in row_keys(pilot, "#open"))
        board.open_row(f"findings:{finding_id}")
        page = await until_screen(pilot, PatrolDetailScreen)
        assert [f.id for f in page.panel().rows] == [finding_id]
        await pilot.press("escape")
        board = await until_screen(pilot, BoardScreen)
        missed = next(k for k in row_keys(pilot, "#open") if k.startswith("patrol_due:"))
        board.open_row(missed)
        await until_screen(pilot, PatrolsScreen)
