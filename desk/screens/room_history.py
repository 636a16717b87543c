"""A room's history: its residents on file and everything the desk recorded for it."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Header, Static

from desk import commands
from desk.i18n import t
from desk.screens.due import due_cell
from desk.screens.plain import Fit, PlainTable, plain
from desk.screens.records import open_record_key, selected_key
from desk.services import lookup, room_history
from desk.services.errors import DeskError
from desk.services.room_history import RoomHistory
from desk.widgets.base import DeskFooter, DeskScreen

_COLUMNS = ("time", "register", "number", "person", "summary", "state", "due", "handled_by")
# narrow, the summary gives way first, then who handled it, the name and the register (its
# number says it too)
_FIT = Fit("summary", least=10, most=40, drop=("handled_by", "person", "register"))


class RoomHistoryScreen(DeskScreen):
    """Residents on file (phones masked until asked) and the room's timeline, newest first."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("room_history")
    DEFAULT_CSS = """
    RoomHistoryScreen #room-title { padding: 0 1; height: 1; text-style: bold; }
    RoomHistoryScreen #residents { padding: 0 1; height: auto; }
    RoomHistoryScreen #timeline-title { padding: 1 1 0 1; height: 2; }
    """

    def __init__(self, room: str) -> None:
        super().__init__()
        self.room = room
        self.show_phones = False
        self.found: RoomHistory | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="room-title")
        yield Static(id="residents")
        yield Static(id="timeline-title")
        table: PlainTable = PlainTable(cursor_type="row", zebra_stripes=True, id="events", fit=_FIT)
        yield table
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#events", DataTable)
        for key in _COLUMNS:
            table.add_column(t(f"lookup_ui.col_{key}"), key=key)
        self.load()
        table.focus()

    def reread(self) -> None:
        self.load()

    def load(self) -> None:
        try:
            with self.reading() as ctx:
                self.found = room_history.history(ctx, self.room, show_phones=self.show_phones)
        except DeskError as error:
            self.query_one("#room-title", Static).update(plain(error.message))
            self.notify(error.message, severity="error")
            return
        found = self.found
        self.query_one("#room-title", Static).update(
            plain(t("lookup_ui.history.title", room=found.room))
        )
        if found.residents:
            lines = [t("lookup_ui.history.residents")] + [
                f"  {person.name}  {person.phone}  {t(f'resident_kind.{person.kind}')}"
                for person in found.residents
            ]
        else:
            lines = [t("lookup_ui.history.no_residents")]
        self.query_one("#residents", Static).update(plain("\n".join(lines)))
        self.query_one("#timeline-title", Static).update(
            t("lookup_ui.history.timeline", count=len(found.timeline))
        )
        now, show = self.desk.now(), self.desk.show_time
        late = t("lookup_ui.overdue")
        table = self.query_one("#events", DataTable)
        with self.app.batch_update():
            table.clear()
            for event in found.timeline:
                table.add_row(
                    show(event.at),
                    t(f"registers.{event.register}"),
                    event.number,
                    event.person,
                    event.summary[:40],
                    t(lookup.state_key(event.register, event.state)),
                    due_cell(event.due_at, now, show(event.due_at), late_mark=late, soon=False),
                    event.handled_by,
                    key=f"{event.register}:{event.record_id}",
                )

    def action_phones(self) -> None:
        if not self.show_phones:  # full phones shown: the view is audited first
            room = self.room
            outcome = self.attempt(lambda ctx: room_history.reveal_phones(ctx, room))
            if isinstance(outcome, DeskError):
                self.notify(outcome.message, severity="error")
                return
        self.show_phones = not self.show_phones
        self.load()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self._open(event.row_key.value)

    def action_open_record(self) -> None:
        key = selected_key(self.query_one("#events", DataTable))
        if key:
            self._open(key)

    def _open(self, key: str) -> None:
        if not open_record_key(self.desk, key):
            register = t(f"registers.{key.partition(':')[0]}")
            self.notify(t("lookup_ui.no_detail", register=register), severity="warning")

    def action_back(self) -> None:
        self.app.pop_screen()
