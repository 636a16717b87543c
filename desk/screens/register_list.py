"""A register's list screen, written once: a title saying open only or everything (ctrl+f), the
register's table of records, Enter opening a record's page (through desk.screens.records), the
list read again when the database changes. A register's own list says only what is its own:
which records, in which cells (`rows`), and what its ctrl+n opens.

The catalogue section `WORDS` holds `title`, `empty`, `showing_all`, `showing_open` and a
`col_<key>` for each column.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.widgets import DataTable, Header, Static

from desk.i18n import t
from desk.screens import records
from desk.screens.plain import Fit
from desk.screens.record_table import RecordTable
from desk.services.context import Ctx
from desk.widgets.base import DeskFooter, DeskScreen

# one row of a list: the record's id, then its cells in COLUMNS' order
Row = tuple[int, tuple[Any, ...]]


class RegisterList(DeskScreen):
    """The list of register `REGISTER`: its table's id is `TABLE` (the register's name unless
    given), its title's `<id>-title`."""

    REGISTER: ClassVar[str]
    TABLE: ClassVar[str] = ""
    WORDS: ClassVar[str]  # the catalogue section of the list's words (e.g. "incident_ui")
    COLUMNS: ClassVar[tuple[str, ...]]
    FIT: ClassVar[Fit | None] = None
    LIVE = True
    DEFAULT_CSS = """
    RegisterList .list-title { padding: 0 1; height: 1; text-style: bold; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.show_all = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield from self.compose_above()
        yield Static(id=f"{self.table_id}-title", classes="list-title")
        yield RecordTable(id=self.table_id, fit=self.FIT)
        yield DeskFooter()

    def compose_above(self) -> ComposeResult:
        """What a list shows above its title (patrols: the rounds due)."""
        yield from ()

    def on_mount(self) -> None:
        table = self.table
        for key in self.COLUMNS:
            table.add_column(t(f"{self.WORDS}.col_{key}"), key=key)
        self.refresh_list()

    @property
    def table_id(self) -> str:
        return self.TABLE or self.REGISTER

    @property
    def table(self) -> RecordTable:
        return self.query_one(f"#{self.table_id}", RecordTable)

    def rows(self, ctx: Ctx) -> list[Row]:
        """The records shown (all of them when `show_all`), newest first, as cells."""
        raise NotImplementedError

    def read_above(self, ctx: Ctx) -> None:
        """Read what `compose_above` shows, in the list's own reading."""

    def reread(self) -> None:
        self.refresh_list()

    def action_refresh(self) -> None:
        self.refresh_list()

    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all
        self.refresh_list()

    def refresh_list(self, select_id: int | None = None) -> None:
        table = self.table
        if select_id is None:
            select_id = table.selected_id()
        with self.reading() as ctx:
            shown = self.rows(ctx)
            self.read_above(ctx)
        with self.app.batch_update():
            table.clear()
            for record_id, cells in shown:
                table.add_row(*cells, key=str(record_id))
            table.select_record(select_id)
        which = t(f"{self.WORDS}.{'showing_all' if self.show_all else 'showing_open'}")
        self.query_one(f"#{self.table_id}-title", Static).update(
            f"{t(f'{self.WORDS}.title')} — {which}" if shown else t(f"{self.WORDS}.empty")
        )

    def selected_id(self) -> int | None:
        return self.table.selected_id()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_record()

    def action_open_record(self) -> None:
        chosen = self.selected_id()
        if chosen is not None:
            records.open_record(self.app, self.REGISTER, chosen)
