"""Stored text on screen: printable (desk.safe_text) and never read as markup.

Textual reads a `str` given to a Static, a DataTable cell, an Option or a notification as
markup, so a name like "[bold red]王" would change the style and "[link=…" would stop the screen
with a MarkupError. Stored text therefore reaches widgets as `rich.text.Text` built here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rich.cells import get_character_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.widgets import DataTable
from textual.widgets._data_table import RowRenderables
from textual.widgets.data_table import Column, ColumnKey, RowKey

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


@dataclass(frozen=True)
class Fit:
    """How a table gives way to the terminal's width so that its last column (the deadline)
    is always shown whole.

    The `flexible` column (the free text) is as wide as the other columns leave room for,
    between `least` and `most` cells and never wider than its longest cell; a cell cut short
    ends with "…" (the table keeps it whole). When even `least` does not fit, the columns
    named in `drop` are left out, one at a time in that order, until it does (for tables
    whose cursor is a row: a column left out cannot take a cell cursor).
    """

    flexible: str | None = None
    least: int = 10
    most: int = 40
    drop: tuple[str, ...] = ()


@dataclass
class _Column(Column):
    """A column that a narrow table can leave out (it then takes no cells at all)."""

    hidden: bool = False

    def get_render_width(self, data_table: DataTable[Any]) -> int:
        return 0 if self.hidden else super().get_render_width(data_table)


class PlainTable(DataTable[Shown]):
    """A DataTable whose cells are plain text: one line each, printable, never markup.

    Every table of the desk is one (the register lists, the history on record pages, lookup
    results, the board): this is the one place their cells are made safe. Given a `Fit`, it
    also sizes its columns to its width, again whenever that changes.
    """

    def __init__(self, *, fit: Fit | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fit = fit

    def add_column(
        self,
        label: Shown,
        *,
        width: int | None = None,
        key: str | None = None,
        default: Shown | None = None,
    ) -> ColumnKey:
        column_key = super().add_column(label, width=width, key=key, default=default)
        made = self.columns[column_key]
        self.columns[column_key] = _Column(
            made.key, made.label, made.width, made.content_width, made.auto_width
        )
        return column_key

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
        self._fit_columns()

    def on_resize(self, _event: events.Resize) -> None:
        self._fit_columns()

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        """Fit the columns as soon as the table is given its size, before it is first drawn:
        waiting for the Resize event drew every visible cell twice, at the widths of before."""
        resized = super()._size_updated(size, virtual_size, container_size, layout)
        if resized:
            self._fit_columns()
        return resized

    def _compute_row_renderables(self, row_index: int) -> RowRenderables:
        """The row's cells as drawn (the header's for row -1): the flexible column's cut to
        its width, with "…"."""
        shown = super()._compute_row_renderables(row_index)
        if self.fit is None:
            return shown
        for index, column in enumerate(self.ordered_columns):
            if column.key == self.fit.flexible and index < len(shown.cells):
                cell = shown.cells[index]
                if isinstance(cell, Text) and not column.auto_width:
                    shown.cells[index] = cut(cell, column.width)
        return shown

    def _fit_columns(self) -> None:
        """Widen or narrow the flexible column, and leave out or bring back columns, for the
        table's width (less a vertical scrollbar, which a long list shows)."""
        fit = self.fit
        if fit is None:
            return
        room = self.size.width - self.styles.scrollbar_size_vertical
        room -= self._row_label_column_width
        if room <= 0:  # not laid out yet: the first Resize comes
            return
        columns = [column for column in self.ordered_columns if isinstance(column, _Column)]
        before = [(column.hidden, column.auto_width, column.width) for column in columns]
        padding = 2 * self.cell_padding
        flexible = next((c for c in columns if c.key == fit.flexible), None)
        least = 0 if flexible is None else padding + min(fit.least, flexible.content_width)
        hidden: set[ColumnKey] = set()

        def needed() -> int:
            return least + sum(
                padding + (column.content_width if column.auto_width else column.width)
                for column in columns
                if column is not flexible and column.key not in hidden
            )

        for key in fit.drop:
            if needed() <= room:
                break
            hidden.add(ColumnKey(key))
        for column in columns:
            column.hidden = column.key in hidden
        if flexible is not None:
            spare = room - (needed() - least) - padding
            flexible.auto_width = False
            flexible.width = min(flexible.content_width, fit.most, max(fit.least, spare))
        if [(column.hidden, column.auto_width, column.width) for column in columns] != before:
            self._clear_caches()
            self._update_count += 1
            self.refresh()
        width = sum(column.get_render_width(self) for column in columns)
        width += self._row_label_column_width
        if width != self.virtual_size.width:
            self.virtual_size = Size(width, self.virtual_size.height)

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> list[list[Segment]]:
        """A column left out shows nothing (no padding either)."""
        if column_index >= 0 and width == 0:
            key = self._row_locations.get_key(row_index) if row_index >= 0 else None
            row = None if key is None else self.rows.get(key)
            height = self.header_height if row is None else row.height
            return [[Segment("")] for _ in range(max(height, 1))]
        return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)


def _cell(value: Shown) -> Text:
    shown = plain(value, one_line=True)
    if isinstance(value, str):
        shown.no_wrap = True  # as DataTable shows a one-line str cell
    return shown


def cut(text: Text, cells: int) -> Text:
    """`text` in at most `cells` terminal cells, ending with "…" when cut short (right after
    the last whole character: a Chinese character takes two cells and is never halved)."""
    if text.cell_len <= cells:
        return text
    used = end = 0
    for char in text.plain:
        size = get_character_cell_size(char)
        if used + size > cells - 1:
            break
        used, end = used + size, end + 1
    shown = text[:end]
    shown.append("…")
    return shown


def brief(text: str, cells: int = 60) -> str:
    """`text` on one line in at most `cells` terminal cells (a status line, a notice): the
    whole of it stays on the record's page."""
    return cut(Text(" ".join(printable(text).split())), cells).plain


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
