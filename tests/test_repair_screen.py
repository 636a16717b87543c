"""Repair work orders at the keyboard: register, the whole lifecycle, refusals, both languages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from desk.db import Database
from desk.i18n import t
from desk.models import Operator, RepairOrder, RepairState
from desk.screens.due import Urgency, urgency_style
from desk.screens.repair_detail import RepairDetailScreen
from desk.screens.repair_dialogs import CompleteDialog
from desk.screens.repair_entry import RepairFormScreen
from desk.screens.repairs import RepairsScreen
from desk.services import audit, reception, repair, repair_billing, roles
from desk.services.errors import Forbidden
from desk.services.reception import ReceptionCreate
from desk.services.repair import RepairCompletion, RepairCreate
from tests.conftest import NOW, Desk
from tests.pilot_support import (
    MovableClock,
    desk_app,
    messages,
    open_row,
    printed,
    row_keys,
    settle,
    table_cells,
    until,
    until_screen,
)

SIZE = (120, 40)


def _seed(desk: Desk, category: str = "water", paid: bool = False) -> int:
    data = RepairCreate(
        room="5-0301",
        resident_name="张伟",
        phone="13900001111",
        description="卫生间漏水",
        category=category,
        paid=paid,
    )
    with desk.write() as ctx:
        order = repair.register(ctx, data)
        assert order.id is not None
        return order.id


def _order(desk: Desk, order_id: int | None) -> RepairOrder:
    assert order_id is not None
    with desk.read() as ctx:
        return repair.get(ctx, order_id)


def _detail_text(pilot: Pilot[None]) -> str:
    """The order's fields as the clerk reads them."""
    screen = pilot.app.screen
    assert isinstance(screen, RepairDetailScreen)
    return "\n".join(f"{label} {value}" for label, value in screen.shown_fields)


async def _register_by_keys(pilot: Pilot[None], description: str, category_up: int = 0) -> None:
    """Open the form from the repairs register and fill it in like a clerk."""
    await pilot.press("f3")
    await settle(pilot)
    await pilot.press("ctrl+n")
    await settle(pilot)
    await pilot.press(*"3-1202", "tab")  # the form starts at the room
    await pilot.press(*"李明", "tab")
    await pilot.press(*"13812345678", "tab")
    await pilot.press(*description)
    if category_up:
        await pilot.press("tab", "tab", "enter")  # location, then category: open the list
        await settle(pilot)
        await pilot.press(*["up"] * category_up, "enter")
    await pilot.press("ctrl+s")
    await until(pilot, lambda: not isinstance(pilot.app.screen, RepairFormScreen))


async def _open_detail(pilot: Pilot[None], order_id: int) -> None:
    await pilot.press("f3")
    await until_screen(pilot, RepairsScreen)
    await open_row(pilot, "#orders", str(order_id), RepairDetailScreen)


async def test_register_dispatch_arrive_complete_callback_closes(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    app = desk_app(db, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await _register_by_keys(pilot, "Kitchen tap leaking")
        with desk.read() as ctx:
            (order,) = repair.open_orders(ctx)
        assert order.description == "Kitchen tap leaking"
        assert (order.room, order.resident_name, order.phone) == ("3-1202", "李明", "13812345678")
        assert order.reported_at == NOW and order.operator_id == clerk.id
        assert isinstance(app.screen, RepairsScreen)
        assert row_keys(pilot, "#orders") == [str(order.id)]
        assert "registered" in table_cells(pilot, "#orders")
        assert "李*" in table_cells(pilot, "#orders")  # masked on the list

        await pilot.press("enter")
        await until_screen(pilot, RepairDetailScreen)
        await pilot.press("ctrl+d")
        await settle(pilot)
        await pilot.press(*"李建国", "ctrl+s")
        await until(pilot, lambda: _order(desk, order.id).state == RepairState.dispatched)
        assert _order(desk, order.id).technician == "李建国"

        await pilot.press("ctrl+a")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: _order(desk, order.id).state == RepairState.on_site)

        await pilot.press("ctrl+e")
        await settle(pilot)
        await pilot.press("tab", *"Replaced the cartridge", "ctrl+s")
        await until(pilot, lambda: _order(desk, order.id).state == RepairState.completed)
        done = _order(desk, order.id)
        assert done.state == RepairState.completed
        assert done.callback_due_at == NOW + timedelta(days=2)

        await pilot.press("ctrl+b")
        await settle(pilot)
        await pilot.press("tab", "enter")  # satisfaction: open the list
        await settle(pilot)
        await pilot.press("down", "enter")  # satisfied
        await pilot.press("ctrl+s")
        await until(pilot, lambda: _order(desk, order.id).state == RepairState.closed)
        assert isinstance(app.screen, RepairDetailScreen)
        history = table_cells(pilot, "#history")
        for label in ("registered", "dispatched", "on site", "completed", "called back, satisfied"):
            assert label in history
        assert "李建国" in history

        await pilot.press("f9")
        await until(pilot, lambda: f"repairs:{order.id}" not in row_keys(pilot, "#open"))


async def test_not_satisfied_reopens_with_the_reason(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    order_id = _seed(desk)
    with desk.write() as ctx:
        repair.dispatch(ctx, order_id, "赵师傅")
        repair.complete(ctx, order_id, RepairCompletion(work_done="换密封圈"))
    app = desk_app(db, clerk, lang="zh_CN")
    async with app.run_test(size=SIZE) as pilot:
        await _open_detail(pilot, order_id)
        await pilot.press("ctrl+b")
        await settle(pilot)
        await pilot.press("tab", "enter")
        await settle(pilot)
        await pilot.press("down", "down", "enter")  # not satisfied
        await pilot.press("ctrl+s")  # no reason yet: refused
        await until(pilot, lambda: _order(desk, order_id).state == RepairState.completed)
        note = app.screen.query_one("#field-note .field-error", Static)
        assert "不满意" in str(note.render())
        await pilot.press(*"还在漏水", "ctrl+s")
        await until(pilot, lambda: _order(desk, order_id).reopen_count == 1)
        order = _order(desk, order_id)
        assert order.state == RepairState.registered and order.reopen_count == 1
        history = table_cells(pilot, "#history")
        assert "回访不满意，返修" in history and "还在漏水" in history
        assert "待派工" in str(app.screen.query_one("#detail-title", Static).render())
    with desk.read() as ctx:
        reopened = audit.history(ctx, "repairs", order_id)[-1]
    assert (reopened.action, reopened.reason) == ("reopened", "还在漏水")


async def test_leak_needs_the_leak_test_time(db: Database, clerk: Operator, desk: Desk) -> None:
    app = desk_app(db, clerk, lang="zh_CN")
    async with app.run_test(size=SIZE) as pilot:
        await _register_by_keys(pilot, "厨房漏水", category_up=4)  # other → leak
        with desk.read() as ctx:
            (order,) = repair.open_orders(ctx)
        assert order.category == "leak" and order.description == "厨房漏水"
        assert "渗漏水" in table_cells(pilot, "#orders")
        assert order.id is not None
        with desk.write() as ctx:
            repair.dispatch(ctx, order.id, "周海")

        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+e")
        await until_screen(pilot, CompleteDialog)
        await pilot.press("tab", *"修好了", "ctrl+s")
        await until_screen(pilot, CompleteDialog)  # refused: the dialog stays
        error = app.screen.query_one("#field-leak_test_at .field-error", Static)
        assert "闭水试验" in str(error.render())
        assert app.screen.query_one("#work_done", Input).value == "修好了"
        assert _order(desk, order.id).state == RepairState.dispatched

        app.screen.query_one("#leak_test_at", Input).focus()
        await pilot.press(*"9:00", "ctrl+s")
        await until(pilot, lambda: _order(desk, order.id).state == RepairState.completed)
        done = _order(desk, order.id)
        assert done.state == RepairState.completed and done.work_done == "修好了"
        assert done.callback_due_at == NOW.replace(hour=9, minute=0) + timedelta(days=3)


async def test_a_clerk_is_told_why_only_a_supervisor_cancels(
    db: Database, clerk: Operator, supervisor: Operator, desk: Desk
) -> None:
    first = _seed(desk)
    app = desk_app(db, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await _open_detail(pilot, first)
        assert app.screen.check_action("cancel_order", ()) is True  # the key stays in the footer
        await pilot.press("ctrl+x")
        await until_screen(pilot, RepairDetailScreen)  # no reason asked of a clerk
        assert any(
            m.startswith("only a supervisor may cancel a repair order, because")
            for m in messages(app)
        )
    assert _order(desk, first).state == RepairState.registered

    app = desk_app(db, supervisor)
    async with app.run_test(size=SIZE) as pilot:
        await _open_detail(pilot, first)
        await pilot.press("ctrl+x")
        await settle(pilot)
        await pilot.press(*"Resident fixed it", "ctrl+s")
        await until(pilot, lambda: _order(desk, first).state == RepairState.cancelled)
        cancelled = _order(desk, first)
        assert cancelled.state == RepairState.cancelled
        assert cancelled.close_reason == "Resident fixed it"
        history = table_cells(pilot, "#history")
        assert "Resident fixed it" in history and "陈主管" in history
        # nothing more can be done to a cancelled order: its keys are gone
        assert app.screen.check_action("dispatch", ()) is False


async def test_refer_out_is_the_clerks_and_keeps_its_reason(
    db: Database, clerk: Operator, supervisor: Operator, desk: Desk
) -> None:
    first, second = _seed(desk), _seed(desk, category="public")
    with Desk(db, supervisor).write() as ctx:
        repair.cancel(ctx, first, "Resident fixed it")
    app = desk_app(db, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await _open_detail(pilot, second)
        await pilot.press("ctrl+t")
        await settle(pilot)
        await pilot.press(*"Water company", "tab", *"Mains outside the estate", "ctrl+s")
        await until(pilot, lambda: _order(desk, second).state == RepairState.referred_out)
        referred = _order(desk, second)
        assert referred.state == RepairState.referred_out
        assert (referred.referred_to, referred.close_reason) == (
            "Water company",
            "Mains outside the estate",
        )
        await pilot.press("escape")
        await until_screen(pilot, RepairsScreen)
        assert row_keys(pilot, "#orders") == []
        await pilot.press("ctrl+f")  # show the recently closed too
        await until(pilot, lambda: set(row_keys(pilot, "#orders")) == {str(first), str(second)})
        assert "referred out" in table_cells(pilot, "#orders")


async def test_escape_saves_nothing_and_errors_keep_the_typing(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    app = desk_app(db, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await pilot.press(*"3-1202", "ctrl+s")  # no description
        await until(pilot, lambda: app.screen.query_one("#room", Input).value == "3-1202")
        assert app.focused is app.screen.query_one("#description", Input)
        await pilot.press("escape")
        await until_screen(pilot, RepairsScreen)
    with desk.read() as ctx:
        assert repair.open_orders(ctx) == []


async def test_undispatched_after_31_minutes_is_overdue(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    clock = MovableClock(NOW)
    app = desk_app(db, clerk, lang="zh_CN", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _register_by_keys(pilot, "客厅灯不亮")
        with desk.read() as ctx:
            (order,) = repair.open_orders(ctx)
        await pilot.press("f9")
        await until(
            pilot,
            lambda: app.screen.query_one("#open", DataTable).get_cell(f"repairs:{order.id}", "due"),
        )
        table = app.screen.query_one("#open", DataTable)
        due = table.get_cell(f"repairs:{order.id}", "due")
        assert "超时" not in due.plain

        clock.now = NOW + timedelta(minutes=31)
        await pilot.press("ctrl+r")
        await until(pilot, lambda: "已超时" in table.get_cell(f"repairs:{order.id}", "due").plain)
        due = table.get_cell(f"repairs:{order.id}", "due")
        late = urgency_style(Urgency.overdue)  # the theme's $error, bold
        assert "已超时" in due.plain and due.style == late

        await pilot.press("f3")
        await until(
            pilot,
            lambda: (
                "超时"
                in app.screen.query_one("#orders", DataTable).get_cell(str(order.id), "due").plain
            ),
        )
        listed = app.screen.query_one("#orders", DataTable).get_cell(str(order.id), "due")
        assert "超时" in listed.plain and listed.style == late
        assert "待派工" in table_cells(pilot, "#orders")


async def test_paid_order_shows_charges_in_yuan(db: Database, clerk: Operator, desk: Desk) -> None:
    order_id = _seed(desk, paid=True)
    with desk.write() as ctx:
        repair.dispatch(ctx, order_id, "孙文斌")
        repair_billing.agree_price(ctx, order_id, 3500, "王")  # before the work (003)
    app = desk_app(db, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await _open_detail(pilot, order_id)
        await pilot.press("ctrl+e")
        await settle(pilot)
        await pilot.press("tab", *"New valve", "tab", *"50", "tab", *"35.5", "ctrl+s")
        await until(pilot, lambda: _order(desk, order_id).labour_fen == 5000)
        order = _order(desk, order_id)
        assert (order.labour_fen, order.material_fen) == (5000, 3550)
        assert "¥85.50" in _detail_text(pilot)


async def test_print_slip_writes_text_and_pdf_beside_the_database(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    pytest.importorskip("desk.printing.slip")
    order_id = _seed(desk)
    app = desk_app(db, clerk, lang="zh_CN")
    async with app.run_test(size=SIZE) as pilot:
        await _open_detail(pilot, order_id)
        await pilot.press("ctrl+w")
        await app.workers.wait_for_complete()
        await until(pilot, lambda: printed(db, "*.txt"))
    assert db.path is not None
    number = _order(desk, order_id).number
    text = (db.path.parent / "printed" / f"{number}.txt").read_text(encoding="utf-8")
    assert number in text


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
async def test_the_refusal_to_a_clerk_reads_in_the_desks_language(
    db: Database, clerk: Operator, desk: Desk, lang: str
) -> None:
    first = _seed(desk)
    app = desk_app(db, clerk, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await _open_detail(pilot, first)
        await pilot.press("ctrl+x")
        await until(pilot, lambda: messages(app))
        with desk.read() as ctx, pytest.raises(Forbidden) as refused:
            roles.REPAIR_CANCEL.require(ctx)  # the service's own words, in `lang`
        assert refused.value.message in messages(app)
        assert roles.REPAIR_CANCEL.because in refused.value.message
    assert _order(desk, first).state == RepairState.registered


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
async def test_an_order_from_the_reception_log_names_its_entry_by_number(
    db: Database, clerk: Operator, desk: Desk, lang: str
) -> None:
    with desk.write() as ctx:
        entry = reception.log(ctx, ReceptionCreate(request="卫生间漏水", room="5-0301"))
        order = repair.register(
            ctx,
            RepairCreate(
                room="5-0301", description="卫生间漏水", category="water", reception_id=entry.id
            ),
        )
    assert order.id is not None
    app = desk_app(db, clerk, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await _open_detail(pilot, order.id)
        shown = _detail_text(pilot)
    assert t("records.from_reception", number=entry.number) in shown
    assert f"#{entry.id}" not in shown
