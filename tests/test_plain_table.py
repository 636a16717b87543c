"""PlainTable sizes its columns as DataTable would, without measuring each cell through Rich."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from desk.screens.plain import PlainTable, _cell

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
        await pilot.pause()
        widths = [column.content_width for column in plain.ordered_columns]
        assert widths == [column.content_width for column in reference.ordered_columns]
        assert widths[3] == len("a much longer English summary than any other cell")
        assert plain.virtual_size == reference.virtual_size
        assert plain.row_count == len(ROWS) + 1
