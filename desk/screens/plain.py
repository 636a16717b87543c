"""Stored text on screen: printable (desk.safe_text) and never read as markup.

Textual reads a `str` given to a Static, a DataTable cell, an Option or a notification as
markup, so a name like "[bold red]王" would change the style and "[link=…" would stop the screen
with a MarkupError. Stored text therefore reaches widgets as `rich.text.Text` built here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.cells import get_character_cell_size
from rich.console import Console, ConsoleOptions
from rich.measure import Measurement
from rich.segment import Segment
from rich.table import Table
from rich.text import Text
from textual.binding import BindingType
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import Column, ColumnKey, RowKey

from desk import commands
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


class _Cell(Text):
    """One line of a PlainTable: its width is its length in terminal cells.

    DataTable measures every new cell (`__rich_measure__`); Text's own measure splits the text
    into lines and words each time, most of what a long board's first frame spent on its cells.
    A cell is one line that never wraps, so its length is all there is to measure.
    """

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        width = self.cell_len
        return Measurement(width, width)


class _CutCell(_Cell):
    """A cell of a `Fit`'s flexible column: drawn narrower than it is, it ends with "…" (see
    `cut`); the table keeps it whole."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterable[Segment]:
        shown = cut(self, options.max_width) if 0 < options.max_width < self.cell_len else self
        yield from Text.__rich_console__(shown, console, options)


def _as(kind: type[_Cell], text: Text) -> _Cell:
    """`text` as a cell of that kind (the same text, style and spans)."""
    if type(text) is kind:
        return text
    made = kind(
        text.plain,
        style=text.style,
        justify=text.justify,
        overflow=text.overflow,
        no_wrap=text.no_wrap,
        end=text.end,
        tab_size=text.tab_size,
    )
    made.spans = text.spans
    return made


class PlainTable(DataTable[Shown]):
    """A DataTable whose cells are plain text: one line each, printable, never markup.

    Every table of the desk is one (the register lists, the history on record pages, lookup
    results, the board): this is the one place their cells are made safe. Given a `Fit`, it
    also sizes its columns to its width, before it is drawn at a new width or with new rows.
    """

    # Home and End: the first and the last row (a list opens newest first), not the first and
    # last column as a DataTable's own keys do
    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("table")

    def __init__(self, *, fit: Fit | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fit = fit
        self._label_width = 0  # the widest row label, in cells
        self._fitted: tuple[object, ...] = ()  # the width and columns as last fitted

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
        shown = _as(_CutCell, made.label) if self._flexible(column_key) else made.label
        self.columns[column_key] = _Column(
            made.key, shown, made.width, made.content_width, made.auto_width
        )
        return column_key

    def add_row(
        self,
        *cells: Shown,
        height: int | None = 1,
        key: str | None = None,
        label: Shown | None = None,
    ) -> RowKey:
        keys = [column.key for column in self.ordered_columns]
        if label is not None:
            shown = Text.from_markup(label, end="") if isinstance(label, str) else label
            self._label_width = max(self._label_width, shown.cell_len)
        return super().add_row(
            *(
                _cell(value, cut=index < len(keys) and self._flexible(keys[index]))
                for index, value in enumerate(cells)
            ),
            height=height,
            key=key,
            label=label,
        )

    def update_cell(
        self,
        row_key: RowKey | str,
        column_key: ColumnKey | str,
        value: Shown,
        *,
        update_width: bool = False,
    ) -> None:
        shown = _cell(value, cut=self._flexible(column_key))
        super().update_cell(row_key, column_key, shown, update_width=update_width)

    def _flexible(self, key: ColumnKey | str) -> bool:
        flexible = None if self.fit is None else self.fit.flexible
        return flexible is not None and ColumnKey(flexible) == key

    def render_lines(self, crop: Region) -> list[Strip]:
        """Fit the columns before drawing: to the table's width as soon as it is given one (not
        a frame later, at the widths of before) and to rows as they come."""
        self._fit_columns()
        return super().render_lines(crop)

    def _fit_columns(self) -> None:
        """Widen or narrow the flexible column, and leave out or bring back columns, for the
        table's width (less a vertical scrollbar, which a long list shows)."""
        fit = self.fit
        if fit is None:
            return
        labels = 2 * self.cell_padding + self._label_width if self._label_width else 0
        if not self.show_row_labels:
            labels = 0
        room = self.size.width - self.styles.scrollbar_size_vertical - labels
        columns = [column for column in self.ordered_columns if isinstance(column, _Column)]

        def state() -> tuple[object, ...]:
            shown = ((c.key, c.content_width, c.hidden, c.auto_width, c.width) for c in columns)
            return (room, self.cell_padding, *shown)

        if room <= 0 or state() == self._fitted:  # not laid out yet, or fitted as it is
            return
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
            self.notify_style_update()  # DataTable keeps each cell as drawn: draw them anew
        self._fitted = state()
        width = labels + sum(column.get_render_width(self) for column in columns)
        if width != self.virtual_size.width:
            self.virtual_size = Size(width, self.virtual_size.height)


def _cell(value: Shown, *, cut: bool = False) -> Text:
    shown = plain(value, one_line=True)
    if isinstance(value, str):
        shown.no_wrap = True  # as DataTable shows a one-line str cell
    return _as(_CutCell if cut else _Cell, shown)


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
