"""The keys register at the keyboard: lend, take part back, deposit and collect an owner's key."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from desk.db import Database
from desk.i18n import t
from desk.models import EntrustedKey, EntrustedState, LoanState, Operator
from desk.screens.key_dialogs import (
    CollectDialog,
    CountDialog,
    DepositDialog,
    KeyEntryDialog,
    LendDialog,
    RetireKeyDialog,
    TakeBackDialog,
)
from desk.screens.keys import KeysScreen
from desk.services import audit, keys, keys_entrusted
from tests.conftest import Desk
from tests.pilot_support import (
    desk_app,
    field_error,
    messages,
    settle,
    table_cells,
    until,
    until_screen,
)

SIZE = (120, 40)


def _cabinet(desk: Desk) -> None:
    with desk.write() as ctx:
        keys.add_key(ctx, "K-PUMP-B2", "水泵房", copies=3, hook="A-01")


def _deposit_li_ming(ctx: Any) -> EntrustedKey:
    """李明's front-door key, left for the waterproofing rework."""
    return keys_entrusted.deposit(
        ctx,
        keys_entrusted.EntrustedCreate(
            owner_name="李明", room="3-1202", description="入户门钥匙", reason="防水返修"
        ),
    )


async def _open(pilot: Pilot[None]) -> KeysScreen:
    await pilot.app.push_screen(KeysScreen())
    screen = await until_screen(pilot, KeysScreen)
    return screen


def _loans(desk: Desk) -> list[tuple[str, int, int]]:
    with desk.read() as ctx:
        return [(loan.state, loan.count, keys.outstanding(loan)) for loan in keys.open_loans(ctx)]


async def _clear(pilot: Pilot[None]) -> None:
    focused = pilot.app.focused
    assert isinstance(focused, Input)
    focused.value = ""
    await settle(pilot)


@pytest.mark.parametrize(("lang", "partly"), [("zh_CN", "部分归还")])
async def test_lend_then_take_part_back(
    db: Database, clerk: Operator, desk: Desk, lang: str, partly: str
) -> None:
    _cabinet(desk)
    async with desk_app(db, clerk, lang).run_test(size=SIZE) as pilot:
        await _open(pilot)
        await pilot.press("ctrl+n")
        await until_screen(pilot, LendDialog)
        await pilot.press(*"k-pump-b2", "tab", *"李建国", "tab", "tab", *"巡检水泵", "tab")
        await pilot.press("tab", *"2", "ctrl+s")
        await until_screen(pilot, KeysScreen)
        assert _loans(desk) == [(LoanState.out, 2, 2)]
        cells = table_cells(pilot, "#loans-table")
        assert "K-PUMP-B2" in cells and "李建国" in cells and "2/2" in cells
        await pilot.press("ctrl+b")
        await until_screen(pilot, TakeBackDialog)
        labels = [str(label.render()) for label in pilot.app.screen.query(".field-label")]
        assert t("fields.note") in labels and t("repair_ui.dialog.callback_note") not in labels
        await _clear(pilot)
        await pilot.press("1", "tab", "tab", *"0", "ctrl+s")
        await until_screen(pilot, KeysScreen)
        assert _loans(desk) == [(LoanState.partly_returned, 2, 1)]
        assert partly in table_cells(pilot, "#loans-table")
        # the last key is reported lost: the loan closes as lost, against the borrower
        await pilot.press("ctrl+b")
        await until_screen(pilot, TakeBackDialog)
        await _clear(pilot)
        await pilot.press("0", "tab", "tab", "1", "ctrl+s")
        await until_screen(pilot, KeysScreen)
    assert _loans(desk) == []
    with desk.read() as ctx:
        (loan,) = keys.recent_loans(ctx)
    assert (loan.state, loan.lost_count, loan.borrower) == (LoanState.lost, 1, "李建国")


async def test_bad_input_keeps_the_text_and_saves_nothing(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    _cabinet(desk)
    async with desk_app(db, clerk, "en").run_test(size=SIZE) as pilot:
        await _open(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await pilot.press(*"K-PUMP-B2", "tab", *"赵师傅", "tab", "tab", *"抄表", "tab")
        await pilot.press("tab", *"9", "ctrl+s")
        dialog = await until_screen(pilot, LendDialog)
        assert "only 3 of K-PUMP-B2" in field_error(dialog, "key_count")
        assert pilot.app.focused is dialog.query_one("#key_count", Input)
        assert dialog.query_one("#reason", Input).value == "抄表"
        await _clear(pilot)
        await pilot.press(*"x", "ctrl+s")
        await until_screen(pilot, LendDialog)
        await pilot.press("escape")
        await until_screen(pilot, KeysScreen)
    assert _loans(desk) == []


async def test_the_lend_dialog_says_every_bad_field_at_once_and_keeps_the_text(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    _cabinet(desk)
    async with desk_app(db, clerk, "en").run_test(size=SIZE) as pilot:
        await _open(pilot)
        await pilot.press("ctrl+n")
        dialog = await until_screen(pilot, LendDialog)
        # no borrower, no reason, no key lent
        await pilot.press(*"K-PUMP-B2", "tab", "tab", "tab", "tab", *"3-1202", "tab", "0")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: field_error(dialog, "key_count").strip())
        assert pilot.app.screen is dialog
        assert field_error(dialog, "borrower").strip() == t("field.required")
        assert field_error(dialog, "reason").strip() == t("field.required")
        assert field_error(dialog, "key_count").strip() == t("key_error.count_positive")
        assert not dialog.query_one("#field-room").has_class("-invalid")
        typed = [dialog.query_one(f"#{name}", Input).value for name in ("key_ref", "room")]
        assert typed == ["K-PUMP-B2", "3-1202"]
        assert dialog.query_one("#key_count", Input).value == "0"
        assert pilot.app.focused is dialog.query_one("#borrower", Input)
    assert _loans(desk) == []


@pytest.mark.parametrize("lang", ["en"])
async def test_deposit_an_owners_key_and_collect_it_with_the_slip(
    db: Database, clerk: Operator, desk: Desk, lang: str
) -> None:
    async with desk_app(db, clerk, lang).run_test(size=SIZE) as pilot:
        await _open(pilot)
        await pilot.press("tab", "tab")
        await pilot.press("ctrl+n")
        await until_screen(pilot, DepositDialog)
        await pilot.press(*"3-1202", "tab", *"李明", "tab", *"13812345678", "tab")
        await pilot.press(*"入户门钥匙", "tab", "tab", *"卫生间防水返修", "ctrl+s")
        await until_screen(pilot, KeysScreen)
        with desk.read() as ctx:
            (record,) = keys.in_custody(ctx)
        assert record.number == "WT-20261123-001"
        assert "WT-20261123-001" in table_cells(pilot, "#entrusted-table")
        assert "李*" in table_cells(pilot, "#entrusted-table")
        await pilot.press("ctrl+g")
        dialog = await until_screen(pilot, CollectDialog)
        await pilot.press(*"WT-20261123-009", "ctrl+s")
        await until(pilot, lambda: pilot.app.screen is dialog)
        assert dialog.query_one("#slip_number", Input).value == "WT-20261123-009"
        await _clear(pilot)
        await pilot.press(*"wt-20261123-001", "ctrl+s")
        await until_screen(pilot, KeysScreen)
    with desk.read() as ctx:
        assert keys.in_custody(ctx) == []
        collected = keys_entrusted.get(ctx, record.id or 0)
    assert (collected.state, collected.collected_by) == (EntrustedState.collected, "李明")


async def test_the_deposit_dialog_says_every_bad_field_at_once_and_keeps_the_text(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    async with desk_app(db, clerk, "en").run_test(size=SIZE) as pilot:
        await _open(pilot)
        await pilot.press("tab", "tab")
        await pilot.press("ctrl+n")
        dialog = await until_screen(pilot, DepositDialog)
        # no owner, a phone that is none, no description, no key
        await pilot.press(*"3-1202", "tab", "tab", *"12", "tab", "tab", "0", "tab", *"返修")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: field_error(dialog, "key_owner").strip())
        assert pilot.app.screen is dialog
        assert field_error(dialog, "key_owner").strip() == t("field.required")
        assert field_error(dialog, "phone").strip() == t("field.bad_phone", value="12")
        assert field_error(dialog, "description").strip() == t("field.required")
        assert field_error(dialog, "key_count").strip() == t("key_error.count_positive")
        assert not dialog.query_one("#field-reason").has_class("-invalid")
        typed = [
            dialog.query_one(f"#{name}", Input).value
            for name in ("room", "phone", "key_count", "reason")
        ]
        assert typed == ["3-1202", "12", "0", "返修"]
        assert pilot.app.focused is dialog.query_one("#key_owner", Input)
    with desk.read() as ctx:
        assert keys.in_custody(ctx) == []


async def test_the_cabinet_entry_says_every_bad_field_at_once_and_keeps_the_text(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    _cabinet(desk)
    async with desk_app(db, clerk, "en").run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await pilot.press("tab")  # the cabinet
        await until(pilot, lambda: screen.tab == "cabinet")
        await pilot.press("ctrl+n")
        dialog = await until_screen(pilot, KeyEntryDialog)
        # a tag already in the cabinet, nothing it opens, more copies than kept
        await pilot.press(*"k-pump-b2", "tab", "tab", "tab", *"3-1202", "tab", *"100")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: field_error(dialog, "tag").strip())
        assert pilot.app.screen is dialog
        assert field_error(dialog, "tag").strip() == t("key_error.tag_taken", tag="K-PUMP-B2")
        assert field_error(dialog, "opens").strip() == t("field.required")
        assert field_error(dialog, "copies").strip() == t("key_error.bad_copies", max=99)
        typed = [dialog.query_one(f"#{name}", Input).value for name in ("tag", "room", "copies")]
        assert typed == ["k-pump-b2", "3-1202", "100"]
        assert pilot.app.focused is dialog.query_one("#tag", Input)
    with desk.read() as ctx:
        assert [key.tag for key in keys.cabinet(ctx)] == ["K-PUMP-B2"]


async def test_the_collect_dialog_says_slip_and_who_at_once_and_keeps_the_text(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    with desk.write() as ctx:
        _deposit_li_ming(ctx)
    async with desk_app(db, clerk, "en").run_test(size=SIZE) as pilot:
        await _open(pilot)
        await pilot.press("tab", "tab")
        await pilot.press("ctrl+g")
        dialog = await until_screen(pilot, CollectDialog)
        dialog.query_one("#collected_by", Input).value = ""  # the owner on file, taken away
        await pilot.press(*"WT-20261123-009", "ctrl+s")
        await until(pilot, lambda: field_error(dialog, "slip_number").strip())
        assert pilot.app.screen is dialog
        wrong = t("key_error.slip_mismatch", value="WT-20261123-009")
        assert field_error(dialog, "slip_number").strip() == wrong
        assert field_error(dialog, "collected_by").strip() == t("field.required")
        assert dialog.query_one("#slip_number", Input).value == "WT-20261123-009"
        assert pilot.app.focused is dialog.query_one("#slip_number", Input)
    with desk.read() as ctx:
        (held,) = keys.in_custody(ctx)
    assert held.state == EntrustedState.deposited


async def test_retire_a_key_a_clerk_is_told_why_a_supervisor_says_why(
    db: Database, clerk: Operator, supervisor: Operator, desk: Desk
) -> None:
    _cabinet(desk)
    async with desk_app(db, clerk, "en").run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await pilot.press("tab")  # the cabinet
        await until(pilot, lambda: screen.tab == "cabinet")
        assert screen.check_action("retire", ()) is True  # the key stays in the footer
        await pilot.press("ctrl+x")
        await until(pilot, lambda: pilot.app.screen is screen)  # no reason asked of a clerk
        said = messages(pilot.app)
        assert any(
            m.startswith("only a supervisor may retire a key from the cabinet, because")
            for m in said
        )
    with desk.read() as ctx:
        assert keys.find_key(ctx, "K-PUMP-B2").active

    async with desk_app(db, supervisor, "zh_CN").run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await pilot.press("tab")
        await settle(pilot)
        await pilot.press("ctrl+x")
        await until_screen(pilot, RetireKeyDialog)
        await pilot.press(*"水泵房换锁", "ctrl+s")
        await until(pilot, lambda: pilot.app.screen is screen)
        assert "K-PUMP-B2" not in table_cells(pilot, "#cabinet-table")
    with desk.read() as ctx:
        key = keys.find_key(ctx, "K-PUMP-B2")
        event = audit.history(ctx, keys.REGISTER, key.id or 0)[-1]
    assert not key.active
    assert (event.action, event.reason, event.operator_id) == (
        "retired",
        "水泵房换锁",
        supervisor.id,
    )


@pytest.mark.parametrize(
    ("lang", "written", "failed"),
    [("zh_CN", "签领单已写入", "打印失败")],
)
async def test_the_entrusted_slip_is_printed_beside_the_database_or_the_clerk_is_told_why(
    db: Database, clerk: Operator, desk: Desk, lang: str, written: str, failed: str
) -> None:
    with desk.write() as ctx:
        record = keys_entrusted.deposit(
            ctx,
            keys_entrusted.EntrustedCreate(
                owner_name="李明",
                room="3-1202",
                phone="13812345678",
                description="入户门钥匙",
                reason="卫生间防水返修",
            ),
        )
    assert db.path is not None
    printed = db.path.parent / "printed"
    app = desk_app(db, clerk, lang)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await pilot.press("tab", "tab", "ctrl+w")
        await app.workers.wait_for_complete()
        await until(pilot, lambda: any(written in m for m in messages(app)))
        text = (printed / f"{record.number}.txt").read_text(encoding="utf-8")
        assert record.number in text and "李明" in text
        assert (printed / f"{record.number}.pdf").read_bytes().startswith(b"%PDF")
        # where the folder cannot be made: one message, the desk carries on, no scraps left
        shutil.rmtree(printed)
        printed.write_text("a file where the folder should be", encoding="utf-8")
        await pilot.press("ctrl+w")
        await app.workers.wait_for_complete()
        await until(pilot, lambda: any(failed in m for m in messages(app)))
        assert isinstance(app.screen, KeysScreen)
    assert sorted(p.name for p in db.path.parent.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
async def test_a_key_already_out_is_said_before_the_take_out_dialog(
    db: Database, clerk: Operator, desk: Desk, lang: str
) -> None:
    with desk.write() as ctx:
        record = _deposit_li_ming(ctx)
        keys_entrusted.take_out(ctx, record.id or 0, "赵师傅", "闭水试验")
    app = desk_app(db, clerk, lang)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await pilot.press("tab", "tab", "ctrl+t")
        await until_screen(pilot, KeysScreen)  # no dialog to fill in vain
        said = t("key_error.entrusted_out", number=record.number, taken_by="赵师傅")
        assert said in messages(app)


async def test_the_count_wants_every_line_and_a_note_for_a_difference(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    _cabinet(desk)  # K-PUMP-B2: 3 on the hook
    async with desk_app(db, clerk, "zh_CN").run_test(size=SIZE) as pilot:
        await _open(pilot)
        await pilot.press("ctrl+u")
        dialog = await until_screen(pilot, CountDialog)
        assert dialog.query_one("#found_0", Input).value == "3"  # the expected count, filled in
        dialog.query_one("#found_0", Input).focus()
        await _clear(pilot)  # left empty: not counted, not "none found"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: pilot.app.screen is dialog)
        assert "请填写此项" in field_error(dialog, "found_0")
        await pilot.press("2", "ctrl+s")  # one short, and no note
        await until(pilot, lambda: pilot.app.screen is dialog)
        assert "请在备注写明" in field_error(dialog, "note")
        with desk.read() as ctx:
            assert keys_entrusted.last_count(ctx) is None  # nothing saved yet
        dialog.query_one("#note", Input).focus()
        await pilot.press(*"一把在工程部", "ctrl+s")
        await until(pilot, lambda: not isinstance(pilot.app.screen, CountDialog))
        status = str(pilot.app.screen.query_one("#keys-status", Static).render())
        assert "上次盘点有 1 项不符：一把在工程部" in status  # said until the next count
    with desk.read() as ctx:
        counted = keys_entrusted.last_count(ctx)
    assert counted is not None and (counted.expected, counted.found) == (3, 2)
    assert counted.note == "一把在工程部"


async def test_taking_an_owners_key_out_says_who_has_it(
    db: Database, clerk: Operator, desk: Desk
) -> None:
    with desk.write() as ctx:
        record = _deposit_li_ming(ctx)
    app = desk_app(db, clerk, "zh_CN")
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await pilot.press("tab", "tab", "ctrl+t")
        await until(pilot, lambda: not isinstance(app.screen, KeysScreen))  # the take-out dialog
        await pilot.press(*"赵师傅", "tab", *"闭水试验", "ctrl+s")
        await until_screen(pilot, KeysScreen)
        said = t("keys_ui.taken_out", number=record.number, taken_by="赵师傅")
        assert said in messages(app)
