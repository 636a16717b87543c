"""The gate terminal, typed like a guard: scan, mark; refusals are loud and save nothing."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Input, Static
from typer.testing import CliRunner

from desk.cli import app as cli_app
from desk.db import Database
from desk.models import PassState
from desk.screens.gate import AskDialog, GateApp, GateScreen
from desk.services import audit, passes, residents
from desk.services.passes import PassCreate, PassItemIn
from tests.conftest import NOW, Desk
from tests.pilot_support import settle, until, until_screen

SIZE = (120, 40)
runner = CliRunner()


def _clock(moment: datetime) -> object:
    return lambda: moment


@pytest.fixture
def number(desk: Desk) -> str:
    with desk.write() as ctx:
        residents.add_resident(ctx, "3", "1202", "李明", "13812345678", "owner")
        items = [PassItemIn(description="双人沙发"), PassItemIn(description="冰箱", quantity=2)]
        data = PassCreate(room="3-1202", applicant="李明", id_last4="1234", items=items)
        return passes.issue(ctx, data).number


def _shown(widget: Static) -> str:
    console = Console(width=120, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


def _banner(app: GateApp) -> Static:
    return app.screen.query_one("#gate-banner", Static)


def _state(desk: Desk, number: str) -> PassState:
    with desk.read() as ctx:
        found = passes.find(ctx, number)
    assert found is not None
    return PassState(found.state)


@pytest.mark.parametrize(("lang", "word"), [("en", "recorded")])
async def test_guard_types_a_number_and_marks_all_out(
    db: Database, desk: Desk, number: str, lang: str, word: str
) -> None:
    app = GateApp(db, lang=lang, clock=lambda: NOW + timedelta(hours=1))
    async with app.run_test(size=SIZE) as pilot:
        await until_screen(pilot, AskDialog)  # the guard's name, asked once
        await pilot.press(*"周建军", "enter")
        await until_screen(pilot, GateScreen)
        assert "周建军" in str(app.screen.query_one("#gate-top", Static).render())
        await pilot.press("f2")  # nothing loaded: nothing to mark
        await pilot.press(*number.lower().replace("-", ""), "enter")
        await until(pilot, lambda: _banner(app).has_class("-ok"))
        view = _shown(app.screen.query_one("#gate-pass", Static))
        assert "3-1202" in view and "冰箱" in view
        assert _banner(app).has_class("-ok")
        await pilot.press("f2")
        await until(
            pilot, lambda: word in str(_banner(app).render()) and _banner(app).has_class("-done")
        )
        assert app.screen.query_one("#gate-number", Input).value == ""
        # the same pass again: used, refused loudly
        await pilot.press(*number, "enter")
        await until(pilot, lambda: _banner(app).has_class("-refused"))
    with desk.read() as ctx:
        found = passes.find(ctx, number)
        assert found is not None and found.id is not None
        event = audit.history(ctx, passes.REGISTER, found.id)[-1]
    assert found is not None and found.state == PassState.used and found.guard_name == "周建军"
    assert event.operator_id is None and event.action == "gate_checked"
    assert audit.event_data(event)["guard"] == "周建军"


async def test_an_expired_pass_shows_the_refusal_banner_and_nothing_is_saved(
    db: Database, desk: Desk, number: str
) -> None:
    app = GateApp(db, lang="en", clock=lambda: NOW + timedelta(days=1), guard="老周")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*number, "enter")
        await until(pilot, lambda: _banner(app).has_class("-refused"))
        banner = _banner(app)
        assert banner.has_class("-refused") and "EXPIRED" in str(banner.render())
        await pilot.press("f2", "f3", "f4")
        await until_screen(pilot, GateScreen)
    assert _state(desk, number) == PassState.issued


async def test_partly_asks_what_stayed_and_unknown_is_refused(
    db: Database, desk: Desk, number: str
) -> None:
    app = GateApp(db, lang="zh_CN", clock=lambda: NOW, guard="老周")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"FX-20261123-999", "enter")
        await until(pilot, lambda: "没有这张放行条" in str(_banner(app).render()))
        # the box is empty again: the next scan is read on its own, not after the last one
        assert app.screen.query_one("#gate-number", Input).value == ""
        await pilot.press(*number, "enter", "f3")
        await until_screen(pilot, AskDialog)
        await pilot.press("enter")  # empty: asked again, and told so
        await until_screen(pilot, AskDialog)
        assert "请写明原因" in str(app.screen.query_one("#ask-hint", Static).render())
        await pilot.press(*"冰箱未带出", "enter")
        await until(pilot, lambda: _state(desk, number) == PassState.partly_used)
    with desk.read() as ctx:
        found = passes.find(ctx, number)
    assert found is not None and found.state == PassState.partly_used
    assert found.gate_note == "冰箱未带出"


async def test_the_desk_voids_while_the_gate_has_the_pass_on_screen(
    db: Database, desk: Desk, number: str, supervisor: object
) -> None:
    app = GateApp(db, lang="en", clock=lambda: NOW, guard="老周")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*number, "enter")
        await until(pilot, lambda: _banner(app).has_class("-ok"))
        boss = Desk(db, supervisor)  # type: ignore[arg-type]
        with boss.write() as ctx:
            found = passes.find(ctx, number)
            assert found is not None and found.id is not None
            passes.void(ctx, found.id, "业主取消")
        await pilot.press("f2")
        await until(pilot, lambda: "VOIDED" in str(_banner(app).render()))
    assert _state(desk, number) == PassState.voided


def test_gate_help() -> None:
    result = runner.invoke(cli_app, ["gate", "--help"])
    assert result.exit_code == 0
    assert "gate terminal" in result.output and "--guard" in result.output


def test_gate_with_a_bad_db_is_one_line_and_status_2(tmp_path: Path) -> None:
    bad = str(tmp_path / "missing" / "desk.db")
    for args in (["--lang", "en", "--db", bad, "gate"], ["gate", "--db", bad, "--lang", "en"]):
        result = runner.invoke(cli_app, args)
        assert result.exit_code == 2
        assert result.output.strip().count("\n") == 0
        assert "directory does not exist" in result.output
