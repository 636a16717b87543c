"""The night log and the handover at the keyboard, in both languages."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from textual.widgets import Input, Static

from desk.app import make_app
from desk.db import Database
from desk.i18n import t
from desk.models import HandoverState, NightLogState, Operator, RepairOrder
from desk.screens.handover import HandoverScreen
from desk.screens.handover_dialogs import IncomingDialog, PinDialog
from desk.screens.nightlog import NightEntryDialog, NightLogScreen
from desk.screens.repair_entry import RepairFormScreen
from desk.services import handover, nightlog
from tests.conftest import AT_NIGHT, NIGHT_END, NOW, Desk
from tests.pilot_support import field_error, messages, printed, settle, until, until_screen
from tests.seed import night_handover

SIZE = (120, 40)


@pytest.mark.parametrize("lang", ["en"])
async def test_night_entry_logged_then_transferred_to_a_repair(
    db: Database, clerk: Operator, night: Operator, lang: str
) -> None:
    app = make_app(db, lang=lang, clock=lambda: AT_NIGHT, operator=night)
    async with app.run_test(size=SIZE) as pilot:
        await app.switch_mode("nightlog")
        await until_screen(pilot, NightLogScreen)
        await pilot.press("ctrl+n")
        await until_screen(pilot, NightEntryDialog)
        await pilot.press(*"王先生", "tab", *"3-1202", "tab", *"13900001111", "tab")
        await pilot.press(*"厨房水管漏水", "ctrl+s")
        await until_screen(pilot, NightLogScreen)
    with Desk(db, clerk).read() as ctx:
        (entry,) = nightlog.left_for_morning(ctx)
        assert (entry.caller, entry.room, entry.what) == ("王先生", "3-1202", "厨房水管漏水")
        assert entry.operator_id == night.id
    morning = NIGHT_END + timedelta(minutes=30)
    app = make_app(db, lang=lang, clock=lambda: morning, operator=clerk)
    async with app.run_test(size=SIZE) as pilot:
        await app.switch_mode("nightlog")
        await settle(pilot)
        await pilot.press("ctrl+g")
        await until_screen(pilot, RepairFormScreen)
        assert app.screen.query_one("#room", Input).value == "3-1202"
        await pilot.press("ctrl+s")
        await until_screen(pilot, NightLogScreen)
    with Desk(db, clerk).read() as ctx:
        done = nightlog.get(ctx, entry.id or 0)
        assert done.state == NightLogState.transferred and done.transferred_to == "repairs"
        order = ctx.session.get(RepairOrder, done.transferred_id)
        assert order is not None and "厨房水管漏水" in order.description


@pytest.mark.parametrize("lang", ["zh_CN"])
async def test_handover_signed_off_acknowledged_and_printed_by_keyboard(
    db: Database, clerk: Operator, night: Operator, lang: str
) -> None:
    app = make_app(db, lang=lang, clock=lambda: NIGHT_END, operator=night)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await until_screen(pilot, HandoverScreen)
        for item in db.settings.handover.checklist:
            app.screen.query_one(f"#count-{item.key}", Input).value = str(item.expected)
        app.screen.query_one("#count-radio", Input).value = "1"
        app.screen.query_one("#holder-radio", Input).focus()
        await pilot.press(*"李建国")
        app.screen.query_one("#desk_cleaned").focus()
        await pilot.press("space")
        await pilot.press("ctrl+y")
        await until_screen(pilot, PinDialog)
        await pilot.press(*"0000", "ctrl+s")  # wrong PIN: refused by the service
        dialog = await until_screen(pilot, PinDialog)  # said beside the PIN, typed again
        assert field_error(dialog, "pin") == t("handover_ui.error.wrong_pin")
        dialog.query_one("#pin", Input).value = ""
        await pilot.press(*"3333", "ctrl+s")
        await until_screen(pilot, HandoverScreen)
        with Desk(db, night, NIGHT_END).read() as ctx:
            signed = handover.pending(ctx)
            assert signed is not None and signed.state == HandoverState.signed_off
        await pilot.press("ctrl+g")
        await until_screen(pilot, IncomingDialog)
        await pilot.press(*"王芳", "tab", *"1234", "ctrl+s")
        await until_screen(pilot, HandoverScreen)
        await pilot.press("ctrl+w")
        await until(pilot, lambda: printed(db, "handovers/handover-*.txt"))
    with Desk(db, clerk).read() as ctx:
        record = handover.last(ctx)
        assert record is not None and record.state == HandoverState.acknowledged
        summary = handover.summary(ctx, record)
        assert summary.incoming == "王芳" and summary.checklist[0].holder == "李建国"
    assert db.path is not None
    folder = Path(db.path).parent / "printed" / "handovers"
    assert list(folder.glob("handover-*.txt"))


async def test_every_bad_count_is_said_at_once_and_the_counts_stay(
    db: Database, night: Operator
) -> None:
    app = make_app(db, lang="en", clock=lambda: NIGHT_END, operator=night)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        screen = await until_screen(pilot, HandoverScreen)
        screen.query_one("#count-radio", Input).focus()
        await pilot.press(*"-1")
        screen.query_one("#count-torch", Input).focus()
        await pilot.press(*"999", "ctrl+s")
        await until(pilot, lambda: any("Torch" in m for m in messages(app)))
        (said,) = [m for m in messages(app) if "Torch" in m]
        lines = said.splitlines()
        assert len(lines) == 2
        assert "cannot be negative" in lines[0] and "at most" in lines[1]
        assert screen.query_one("#count-radio", Input).value == "-1"
        assert screen.query_one("#count-torch", Input).value == "999"
    with Desk(db, night, NIGHT_END).read() as ctx:
        record = handover.pending(ctx)
        assert record is not None
        assert all(c.counted is None for c in handover.checks(ctx, record))


async def test_pin_guesses_at_the_sign_off_dialog_are_slowed(db: Database, night: Operator) -> None:
    """Someone at a signed-in desk tries PINs at the sign-off: from the fifth try the dialog
    says to wait, even for the right PIN, and the handover stays open."""
    app = make_app(db, lang="en", clock=lambda: NIGHT_END, operator=night)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await until_screen(pilot, HandoverScreen)
        for item in db.settings.handover.checklist:
            app.screen.query_one(f"#count-{item.key}", Input).value = str(item.expected)
        app.screen.query_one("#desk_cleaned").focus()
        await pilot.press("space", "ctrl+y")
        dialog = await until_screen(pilot, PinDialog)
        for guess in ("0000", "1111", "2222", "4444", "3333"):
            dialog.query_one("#pin", Input).value = ""
            await pilot.press(*guess, "ctrl+s")
            await settle(pilot)
        assert app.screen is dialog
        assert field_error(dialog, "pin") == t("signin.pin_wait", seconds=2)
    with Desk(db, night, NIGHT_END).read() as ctx:
        waiting = handover.pending(ctx)
        assert waiting is not None and waiting.state == HandoverState.open


async def test_night_entry_closed_meanwhile_saves_no_repair(
    db: Database, clerk: Operator, night: Operator
) -> None:
    """The order and the entry's link are one transaction: when the link is refused (another
    desk closed the entry while the form was open), no order is saved and the form stays."""
    with Desk(db, night, AT_NIGHT).write() as ctx:
        entry = nightlog.log(
            ctx, nightlog.NightLogCreate(caller="王先生", room="3-1202", what="厨房水管漏水")
        )
    morning = NIGHT_END + timedelta(minutes=30)
    app = make_app(db, lang="en", clock=lambda: morning, operator=clerk)
    async with app.run_test(size=SIZE) as pilot:
        await app.switch_mode("nightlog")
        await settle(pilot)
        await pilot.press("ctrl+g")
        await until_screen(pilot, RepairFormScreen)
        with Desk(db, clerk, morning).write() as ctx:
            nightlog.close(ctx, entry.id or 0, "resident fixed it himself")
        await pilot.press("ctrl+s")
        await until_screen(pilot, RepairFormScreen)  # still open, with what was typed
        assert app.screen.query_one("#room", Input).value == "3-1202"
    with Desk(db, clerk).read() as ctx:
        assert ctx.session.exec(select(RepairOrder)).all() == []
        assert nightlog.get(ctx, entry.id or 0).state == NightLogState.closed


@pytest.mark.parametrize("lang", ["en"])
async def test_taking_over_a_shift_not_signed_off_is_said_before_the_dialog(
    db: Database, clerk: Operator, lang: str
) -> None:
    app = make_app(db, lang=lang, clock=lambda: NOW, operator=clerk)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f7")
        await until_screen(pilot, HandoverScreen)
        await pilot.press("ctrl+g")
        await until_screen(pilot, HandoverScreen)  # no name and PIN asked in vain
        said = messages(app)
        assert t("handover_ui.error.not_signed_off") in said


async def test_a_long_refusal_reason_keeps_the_status_to_one_line(
    db: Database, clerk: Operator, night: Operator
) -> None:
    handover_id = night_handover(db, night)
    with Desk(db, night, NIGHT_END).write() as ctx:
        handover.sign_off(ctx, handover_id, "3333")
    reason = "对讲机少一台且无人说明去向，" * 30
    with Desk(db, clerk, NIGHT_END).write() as ctx:
        handover.refuse(ctx, handover_id, "王芳", "1234", reason)
    app = make_app(db, lang="zh_CN", clock=lambda: NIGHT_END, operator=clerk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await until(pilot, lambda: str(app.screen.query_one("#handover-status", Static).render()))
        status = str(app.screen.query_one("#handover-status", Static).render())
    assert "对讲机少一台" in status and status.endswith("…)")
    assert len(status) < 160  # the reason in brief; the whole of it is on the record
