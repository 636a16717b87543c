"""PlainTable sizes its columns as DataTable would, without measuring each cell through Rich."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from desk.screens.plain import Fit, PlainTable, _cell, cut
from tests.pilot_support import screen_lines, until

ROWS = [
    ("维修", "R-20261123-0001", "3-1202", "卫生间天花板渗水，疑楼上防水层损坏", "open"),
    ("reception", "", "12-2501", "a much longer English summary than any other cell", "done"),
    ("钥匙", "K-1", "", "名字里有\x1b[31m转义", Text("逾期 3 天", style="bold red")),
    ("", "N-7", "8-101", "tab\there, line\nbreak", ""),
]


class Tables(App[None]):
    def compose(self) -> ComposeResult:
        yield PlainTable(id="plain")
        yield DataTable(id="reference")


async def test_column_widths_match_datatable_measuring_each_cell() -> None:
    app = Tables()
    async with app.run_test(size=(160, 30)) as pilot:
        plain = app.query_one("#plain", PlainTable)
        reference: DataTable[Text] = app.query_one("#reference", DataTable)
        for table in (plain, reference):
            table.add_columns("register", "number", "room", "summary", "state")
        for number, row in enumerate(ROWS):
            plain.add_row(*row, key=str(number))
            # what PlainTable stores, given to DataTable's own measuring
            DataTable.add_row(reference, *(_cell(value) for value in row), key=str(number))
        labelled = ("投诉", "C-9", "1-101", "有标签的行", "open")
        plain.add_row(*labelled, key="labelled", label="★")
        DataTable.add_row(reference, *(_cell(v) for v in labelled), key="labelled", label="★")
        await until(pilot, lambda: plain.virtual_size == reference.virtual_size)
        widths = [column.content_width for column in plain.ordered_columns]
        assert widths == [column.content_width for column in reference.ordered_columns]
        assert widths[3] == len("a much longer English summary than any other cell")
        assert plain.virtual_size == reference.virtual_size
        assert plain.row_count == len(ROWS) + 1


def test_cut_ends_with_an_ellipsis_and_never_halves_a_chinese_character() -> None:
    assert cut(Text("物业费发票开错"), 7).plain == "物业费…"
    assert cut(Text("物业费发票开错"), 6).plain == "物业…"
    assert cut(Text("abcdefghijkl"), 6).plain == "abcde…"
    short = Text("不用剪")
    assert cut(short, 6) is short
    red = cut(Text("逾期很久很久", style="bold red"), 5)
    assert (red.plain, red.style) == ("逾期…", "bold red")


class Fitted(App[None]):
    FIT = Fit("summary", least=10, most=30, drop=("opened", "register"))

    def compose(self) -> ComposeResult:
        yield PlainTable(id="fitted", fit=self.FIT)

    def on_mount(self) -> None:
        table = self.query_one(PlainTable)
        for key in ("register", "number", "summary", "opened", "due"):
            table.add_column(key, key=key)
        for number, row in enumerate(ROWS[:2]):
            register, code, _room, summary, _state = row
            table.add_row(
                register, code, summary, "11-18 17:27", "待回访 已超时 42小时5分", key=str(number)
            )


def shown(app: App[None]) -> list[str]:
    return [line.rstrip() for line in screen_lines(app)]


async def test_the_summary_gives_way_then_columns_are_left_out_until_the_due_fits() -> None:
    app = Fitted()
    async with app.run_test(size=(120, 10)) as pilot:
        await until(pilot, lambda: shown(app)[1].endswith("待回访 已超时 42小时5分"))
        table = app.query_one(PlainTable)
        widths = {str(c.key.value): c.get_render_width(table) for c in table.ordered_columns}
        assert widths["summary"] == 30 + 2  # as wide as `most`, no wider
        assert shown(app)[1].endswith("待回访 已超时 42小时5分")
        assert "…" in shown(app)[2]  # the long English summary is cut
        for width, gone in ((90, set()), (76, {"opened"}), (62, {"opened", "register"})):
            await pilot.resize_terminal(width, 10)
            await until(pilot, lambda: table.virtual_size.width <= app.size.width - 2)
            widths = {str(c.key.value): c.get_render_width(table) for c in table.ordered_columns}
            assert {key for key, cells in widths.items() if not cells} == gone, width
            assert 10 + 2 <= widths["summary"] <= 30 + 2
            assert table.virtual_size.width <= width - 2  # room kept for a scrollbar
            for line in shown(app)[1:3]:
                assert line.endswith("待回访 已超时 42小时5分"), (width, line)
        # the data is kept whole: the table only draws it shorter
        assert table.get_row_at(1)[2].plain == ROWS[1][3]
        await pilot.resize_terminal(120, 10)
        await until(
            pilot, lambda: all(column.get_render_width(table) for column in table.ordered_columns)
        )
        assert all(column.get_render_width(table) for column in table.ordered_columns)
