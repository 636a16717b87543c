"""`desk lookup` and the F8 lookup screen, in both languages."""

from __future__ import annotations

import json

import pytest
from rich.cells import cell_len
from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import DataTable
from typer.testing import CliRunner

from desk.app import make_app
from desk.cli import app
from desk.db import Database
from desk.models import AuditEvent, Operator
from desk.screens.lookup import LookupScreen
from desk.screens.repair_detail import RepairDetailScreen
from desk.screens.room_history import RoomHistoryScreen
from tests.conftest import NOW, Desk
from tests.lookup_fixtures import Seeded, seed
from tests.pilot_support import settle, until, until_screen

runner = CliRunner()


@pytest.fixture
def seeded(desk: Desk) -> Seeded:
    return seed(desk)


def test_cli_lookup_text_is_grouped_and_aligned(db: Database, seeded: Seeded) -> None:
    result = runner.invoke(app, ["--lang", "zh_CN", "--db", db.url, "lookup", "1202"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "报修（2）" in lines
    rows = [line for line in lines if "WX-20261123" in line]
    assert "WX-20261123-002" in rows[0] and "WX-20261123-001" in rows[1]  # newest first
    # the summary column starts at the same cell on every row, Chinese or not
    starts = {
        cell_len(line[: line.index(word)])
        for line, word in zip(rows, ["门禁", "厨房"], strict=True)
    }
    assert len(starts) == 1, result.output


def test_cli_lookup_json(db: Database, seeded: Seeded) -> None:
    result = runner.invoke(app, ["--lang", "en", "--db", db.url, "lookup", "漏水", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [group["register"] for group in data] == ["repairs", "complaints"]
    hit = data[0]["hits"][0]
    assert hit["number"] == "WX-20261123-001"
    assert hit["person"] == "王**"
    assert hit["state"] == "registered"
    assert hit["at"].startswith("2026-11-23T07:30")


def test_cli_lookup_refusals_are_one_line(db: Database, seeded: Seeded) -> None:
    result = runner.invoke(app, ["--lang", "en", "--db", db.url, "lookup", "  "])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    result = runner.invoke(app, ["--lang", "en", "--db", db.url, "lookup", "x", "--limit", "0"])
    assert result.exit_code == 2 and "limit" in result.output
    result = runner.invoke(app, ["--lang", "en", "--db", db.url, "lookup", "电梯"])
    assert result.exit_code == 0 and "nothing found" in result.output


async def _search(pilot: Pilot[None], query: str) -> None:
    """F8's screen, the query typed key by key, and the search it starts run to the end."""
    await pilot.app.push_screen(LookupScreen())
    await settle(pilot)
    await pilot.press(*query)
    await pilot.pause(0.4)
    await pilot.app.workers.wait_for_complete()
    await until(pilot, lambda: pilot.app.screen.query_one("#hits", DataTable).row_count)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
async def test_type_a_query_and_enter_opens_the_repair(
    db: Database, clerk: Operator, seeded: Seeded, lang: str
) -> None:
    desk_app = make_app(db, lang=lang, clock=lambda: NOW, operator=clerk)
    async with desk_app.run_test(size=(120, 40)) as pilot:
        await _search(pilot, "漏水")
        table = desk_app.screen.query_one("#hits", DataTable)
        assert table.row_count == 2
        await pilot.press("enter")
        await until_screen(pilot, RepairDetailScreen)
        assert isinstance(desk_app.screen, RepairDetailScreen)
        assert desk_app.screen.order_id == seeded.leak


async def test_room_history_from_the_selected_row(
    db: Database, clerk: Operator, seeded: Seeded
) -> None:
    desk_app = make_app(db, lang="zh_CN", clock=lambda: NOW, operator=clerk)
    async with desk_app.run_test(size=(120, 40)) as pilot:
        await _search(pilot, "3-1202")
        await pilot.press("ctrl+l")
        await until(
            pilot,
            lambda: (
                isinstance(desk_app.screen, RoomHistoryScreen)
                and desk_app.screen.query_one("#events", DataTable).row_count == 3
            ),
        )
        screen = desk_app.screen
        assert isinstance(screen, RoomHistoryScreen)
        assert screen.query_one("#events", DataTable).row_count == 3
        assert screen.found is not None and screen.found.residents[0].phone == "138****5678"
        await pilot.press("ctrl+y")
        await until(
            pilot,
            lambda: screen.found is not None and screen.found.residents[0].phone == "13812345678",
        )
        assert screen.found.residents[0].phone == "13812345678"
        with Desk(db, clerk).read() as ctx:  # the view of the full phones is on the trail
            revealed = ctx.session.exec(
                select(AuditEvent).where(
                    AuditEvent.register_name == "residents", AuditEvent.action == "revealed"
                )
            ).all()
        assert len(revealed) == len(screen.found.residents) and revealed[0].operator_id == clerk.id
        await pilot.press("escape")
        await until_screen(pilot, LookupScreen)
        assert isinstance(desk_app.screen, LookupScreen)


async def test_at_80_columns_lookup_and_room_history_keep_the_due_column(
    db: Database, clerk: Operator, seeded: Seeded
) -> None:
    from textual.widgets.data_table import ColumnKey

    def shown(table: DataTable[object], key: str) -> bool:
        widths = {column.key: column.get_render_width(table) for column in table.ordered_columns}
        right = sum(widths.values())
        return widths[ColumnKey(key)] > 0 and right <= table.size.width

    desk_app = make_app(db, lang="en", clock=lambda: NOW, operator=clerk)
    async with desk_app.run_test(size=(80, 24)) as pilot:
        await _search(pilot, "3-1202")
        assert shown(desk_app.screen.query_one("#hits", DataTable), "due")
        await pilot.press("ctrl+l")
        await until_screen(pilot, RoomHistoryScreen)
        assert shown(desk_app.screen.query_one("#events", DataTable), "due")
