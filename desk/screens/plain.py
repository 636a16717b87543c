"""Stored text on screen: printable (desk.safe_text) and never read as markup.

Textual reads a `str` given to a Static, a DataTable cell, an Option or a notification as
markup, so a name like "[bold red]王" would change the style and "[link=…" would stop the screen
with a MarkupError. Stored text therefore reaches widgets as `rich.text.Text` built here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

from desk.safe_text import UNSAFE, printable

Shown = str | Text


def plain(value: Shown | None, style: str = "", *, one_line: bool = False) -> Text:
    """`value` as Text shown exactly as written, control characters as visible marks.

    A Text keeps its styles unless it holds a control character (then only its base style).
    """
    if isinstance(value, Text):
        if UNSAFE.search(value.plain) is None and not (one_line and "\n" in value.plain):
            return value
        return Text(
            printable(value.plain, one_line=one_line),
            style=value.style,
            justify=value.justify,
            overflow=value.overflow,
            no_wrap=value.no_wrap,
        )
    return Text(printable(value, one_line=one_line), style=style)


class PlainTable(DataTable[Shown]):
    """A DataTable whose cells are plain text: one line each, printable, never markup.

    Every table of the desk is one (the register lists, the history on record pages, lookup
    results, the board): this is the one place their cells are made safe.
    """

    def add_row(
        self,
        *cells: Shown,
        height: int | None = 1,
        key: str | None = None,
        label: Shown | None = None,
    ) -> RowKey:
        return super().add_row(
            *(_cell(value) for value in cells), height=height, key=key, label=label
        )

    def update_cell(
        self,
        row_key: RowKey | str,
        column_key: ColumnKey | str,
        value: Shown,
        *,
        update_width: bool = False,
    ) -> None:
        super().update_cell(row_key, column_key, _cell(value), update_width=update_width)

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """Column widths of new rows, each cell's width being its length in terminal cells.

        Every cell of a PlainTable is one line of Text (`_cell`), so its width needs no
        measuring: DataTable asks Rich to measure each cell with fresh console options, a third
        of the time a long board's first frame takes. Rows with a label or an automatic height
        are left to DataTable, which also sets the table's size from the widths found here.
        """
        others: list[RowKey] = []
        columns = self.ordered_columns
        for row_key in new_rows:
            row = self.rows.get(row_key)
            cells: dict[ColumnKey, Any] | None = self._data.get(row_key)
            if row is None or cells is None or row.label is not None or row.auto_height:
                others.append(row_key)
                continue
            for column in columns:
                cell = cells.get(column.key)
                if isinstance(cell, Text):
                    column.content_width = max(column.content_width, cell.cell_len)
                elif cell is not None:
                    others.append(row_key)
                    break
        super()._update_dimensions(others)


def _cell(value: Shown) -> Text:
    shown = plain(value, one_line=True)
    if isinstance(value, str):
        shown.no_wrap = True  # as DataTable shows a one-line str cell
    return shown


def field_grid(rows: Iterable[tuple[Shown, Shown]], *, fold: bool = False) -> Table:
    """The label / value grid of a record's page; values keep their line breaks.

    `fold` breaks long words in the value column instead of giving it the remaining width.
    """
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    if fold:
        grid.add_column(overflow="fold")
    else:
        grid.add_column(ratio=1)
    for label, value in rows:
        grid.add_row(plain(label), plain(value))
    return grid
