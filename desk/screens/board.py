"""The board: current shift, today's counts, and everything open or overdue across registers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Header, Static

from desk import commands
from desk.collector import resume_collector
from desk.i18n import t
from desk.screens.due import countdown, due_cell, estimated_mark
from desk.screens.plain import Fit, PlainTable, plain
from desk.screens.records import open_record
from desk.services import board, handover, shifts, workdays
from desk.services.board import OpenItem
from desk.services.urgency import estimated_year
from desk.widgets.base import DeskFooter, DeskScreen
from desk.widgets.live import lost

REFRESH_SECONDS = 30
# the summary column gives way to the deadline: it takes what the terminal leaves, between
# these (display cells: a Chinese character takes two); narrower still, the opening time, the
# state and then the register (the number says which) are left out
SUMMARY_CELLS = 40
SUMMARY_LEAST = 10
FIT = Fit("summary", least=SUMMARY_LEAST, most=SUMMARY_CELLS, drop=("opened", "state", "register"))
# A long board is shown a screenful at a time (what the terminal can show, at least FIRST_ROWS
# rows): the next one is added when the cursor or the scrolling comes within NEAR_END rows of
# the last row shown. The first frame and the 30-second refresh draw only what is on screen.
FIRST_ROWS = 24
NEAR_END = 3
# the official calendar (which years are only estimates) is read this long after the first
# frame, not before it: the library takes a noticeable moment to load
CALENDAR_AFTER = 1.0
STATE_LABELS = {
    "repairs": "repair_state",
    "reception": "reception_state",
    "complaints": "complaint_state",
    "key_loans": "key_loan_state",
    "entrusted_keys": "entrusted_state",
    "passes": "pass_state",
    "cards": "card_state",
    "nightlog": "nightlog_state",
    "renovations": "renovation_state",
    "fees": "fee_stage",
    "worker_passes": "worker_pass_state",
    "owner_changes": "owner_change_state",
    "incidents": "incident_state",
    "patrols": "patrol_state",
    "patrol_due": "patrol_due_state",
    "findings": "finding_state",
    "move_ins": "move_in_state",
    "services": "services_state",
}


def due_text(item: OpenItem, now: datetime, tz: tzinfo | None = None) -> Text:
    """What is owed and how long is left (or how late it is), coloured by its urgency; given
    the site's time zone, marked when it falls in a year whose holidays are estimated."""
    if item.due_at is None:
        return Text("")
    kind = t(f"due_kind.{item.due_kind}") if item.due_kind else ""
    mark = estimated_mark(item.due_at, tz) if tz is not None else ""
    return due_cell(item.due_at, now, f"{kind} {countdown(item.due_at, now)}{mark}")


class BoardScreen(DeskScreen):
    """What the desk owes right now; Enter opens the record."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("board")
    LIVE = True
    DEFAULT_CSS = """
    BoardScreen #shift { padding: 0 1; height: 1; text-style: bold; }
    BoardScreen #counts { padding: 0 1; height: 1; }
    BoardScreen #notice { padding: 0 1; height: auto; color: $error; text-style: bold; }
    BoardScreen #estimated { padding: 0 1; height: auto; color: $warning; }
    BoardScreen #open-title { padding: 1 1 0 1; height: 2; }
    """

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="shift")
        yield Static(id="counts")
        yield Static(id="notice")
        yield Static(id="estimated")
        yield Static(id="open-title", classes="title")
        table = PlainTable(cursor_type="row", zebra_stripes=True, id="open", fit=FIT)
        yield table
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#open", DataTable)
        for key in ("register", "number", "room", "summary", "state", "opened", "due"):
            table.add_column(t(f"board.col_{key}"), key=key)
        self.refresh_board()
        self.watch(table, "scroll_y", self.scrolled, init=False)
        self.set_interval(REFRESH_SECONDS, self.timed_refresh)
        # the due column is coloured from the theme: a new theme recolours it at once
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.refresh_board())
        self.call_after_refresh(resume_collector)
        if not workdays.calendar_loaded():
            self.set_timer(CALENDAR_AFTER, self.load_calendar)

    def load_calendar(self) -> None:
        """Read which years are estimates, then mark the due times that fall in one."""
        workdays.published_years()
        self.refresh_board()

    def reread(self) -> None:
        self.refresh_board()

    def timed_refresh(self) -> None:
        """The countdowns moved on: not while the database is lost (nothing could be read)."""
        if not lost(self.app):
            self.refresh_board()

    def action_refresh(self) -> None:
        self.refresh_board()

    def refresh_board(self) -> None:
        now = self.desk.now()
        with self.reading() as ctx:
            counts = board.today_counts(ctx)
            items = board.open_items(ctx)
            notice = handover.board_notice(ctx, now)
        shift = shifts.current_shift(self.desk.settings, now)
        cover = shifts.current_cover(self.desk.settings, now)
        operator = self.desk.operator.name if self.desk.operator else ""
        self.query_one("#shift", Static).update(
            plain(
                t(
                    "board.shift",
                    shift=(shift.label(self.desk.lang) if shift else t("board.no_shift"))
                    + (f" / {cover.label(self.desk.lang)}" if cover else ""),
                    operator=operator,
                )
            )
        )
        self.query_one("#notice", Static).update(plain(notice))
        self.query_one("#counts", Static).update(
            f"{t('board.today')}  "
            f"{t('registers.reception')} {counts.reception}   "
            f"{t('registers.repairs')} {counts.repairs}   "
            f"{t('registers.complaints')} {counts.complaints}   "
            f"{t('registers.key_loans')} {counts.key_loans}   "
            f"{t('registers.passes')} {counts.passes}"
        )
        table = self.query_one("#open", DataTable)
        # as many rows as the clerk had scrolled to (a first screenful at least), the cursor
        # kept on the record it was on
        shown = max(self.page_size(), table.row_count)
        kept = self.highlighted_key(table)
        self.items, self.items_at = tuple(items), now
        # due times in an estimated year are marked once the calendar is read (load_calendar)
        self.site_tz = self.desk.settings.tz if workdays.calendar_loaded() else None
        legend = self.site_tz is not None and any(
            estimated_year(item.due_at, self.site_tz) for item in items
        )
        hint = self.query_one("#estimated", Static)
        hint.update(t("calendar.estimated_legend") if legend else "")
        hint.display = legend
        with self.app.batch_update():
            table.clear()
            self.add_items(items[:shown])
            if kept is not None and kept in table.rows:
                table.move_cursor(row=table.get_row_index(kept), scroll=False)
        title = self.query_one("#open-title", Static)
        if items:
            title.update(t("board.open_items", count=len(items)))
        else:
            title.update(t("board.nothing_open"))

    items: tuple[OpenItem, ...] = ()  # all of them; the table holds the first few screenfuls
    items_at: datetime  # the moment their due times were worked out at (set with them)
    site_tz: tzinfo | None = None  # set once the calendar is read: due times are then marked

    def page_size(self) -> int:
        """Rows a screen can show: added before the first frame, then as the clerk moves on."""
        return max(FIRST_ROWS, int(self.app.size.height))

    @staticmethod
    def highlighted_key(table: DataTable[Any]) -> str | None:
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return row_key.value

    def show_more(self) -> None:
        """The next screenful of a long board, when the clerk comes near the last row shown."""
        table = self.query_one("#open", DataTable)
        if table.row_count < len(self.items):
            self.add_items(self.items[table.row_count : table.row_count + self.page_size()])

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= event.data_table.row_count - NEAR_END:
            self.show_more()

    def scrolled(self, _scroll_y: float) -> None:
        table = self.query_one("#open", DataTable)
        if table.scroll_y >= table.max_scroll_y - NEAR_END:
            self.show_more()

    def add_items(self, items: Sequence[OpenItem]) -> None:
        table = self.query_one("#open", DataTable)
        for item in items:
            # one record may owe more than one thing (a 托管 patrol and a reading over its
            # limit, two home collections of a room): the row is the record's and what it owes
            key = base = f"{item.register}:{item.record_id}"
            again = 1
            while key in table.rows:
                again += 1
                key = f"{base}:{item.due_kind}" if again == 2 else f"{base}:{item.due_kind}:{again}"
            table.add_row(
                t(f"registers.{item.register}"),
                item.number,
                item.room,
                item.summary,
                t(f"{STATE_LABELS[item.register]}.{item.state}"),
                self.desk.show_time(item.opened_at),
                due_text(item, self.items_at, self.site_tz),
                key=key,
            )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.open_row(event.row_key.value)

    def action_new_incident(self) -> None:
        """An emergency: the incident form at once (!), then the incident's page."""
        from desk.forms.incident_form import IncidentFormDialog

        def saved(incident_id: int | None) -> None:
            self.refresh_board()
            if incident_id is not None:
                open_record(self.app, "incidents", incident_id)

        self.app.push_screen(IncidentFormDialog(), callback=saved)

    def action_open_record(self) -> None:
        self.open_row(self.highlighted_key(self.query_one("#open", DataTable)))

    def open_row(self, key: str | None) -> None:
        if not key:
            return
        register, record_id = key.split(":")[:2]
        open_record(self.app, register, int(record_id))
