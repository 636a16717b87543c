"""The board: current shift, today's counts, and everything open or overdue across registers."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Header, Static

from desk.i18n import t
from desk.launch import resume_collector
from desk.printing.text import clip
from desk.screens.base import DeskFooter, DeskScreen
from desk.screens.plain import PlainTable, plain
from desk.screens.records import open_record
from desk.services import board, handover, shifts
from desk.services.board import OpenItem

REFRESH_SECONDS = 30
# the summary column is clipped by display cells (a Chinese character takes two)
SUMMARY_CELLS = 40
# rows added before the first frame: what the terminal can show (at least this many)
FIRST_ROWS = 24
STATE_LABELS = {
    "repairs": "repair_state",
    "reception": "reception_state",
    "complaints": "complaint_state",
    "key_loans": "key_loan_state",
    "entrusted_keys": "entrusted_state",
    "passes": "pass_state",
    "nightlog": "nightlog_state",
}


def age_text(delta_seconds: float) -> str:
    minutes = int(abs(delta_seconds) // 60)
    if minutes < 60:
        return t("duration.minutes", n=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return t("duration.hours", n=hours, m=minutes)
    days, hours = divmod(hours, 24)
    return t("duration.days", n=days, h=hours)


def due_text(item: OpenItem, now: datetime) -> Text:
    if item.due_at is None:
        return Text("")
    seconds = (item.due_at - now).total_seconds()
    kind = t(f"due_kind.{item.due_kind}") if item.due_kind else ""
    if seconds < 0:
        return Text(f"{kind} {t('board.overdue', age=age_text(seconds))}", style="bold red")
    style = "yellow" if seconds < 3600 else ""
    return Text(f"{kind} {t('board.due_in', age=age_text(seconds))}", style=style)


class BoardScreen(DeskScreen):
    """What the desk owes right now; Enter opens the record."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "refresh", "keys.refresh"),
        Binding("ctrl+t", "app.open('report')", "keys.report"),
        Binding("enter", "open_record", "keys.open", show=False),
    ]
    DEFAULT_CSS = """
    BoardScreen #shift { padding: 0 1; height: 1; text-style: bold; }
    BoardScreen #counts { padding: 0 1; height: 1; }
    BoardScreen #notice { padding: 0 1; height: auto; color: $error; text-style: bold; }
    BoardScreen #open-title { padding: 1 1 0 1; height: 2; }
    """

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="shift")
        yield Static(id="counts")
        yield Static(id="notice")
        yield Static(t("board.open_items"), id="open-title", classes="title")
        table: PlainTable = PlainTable(cursor_type="row", zebra_stripes=True, id="open")
        yield table
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#open", DataTable)
        for key in ("register", "number", "room", "summary", "state", "opened", "due"):
            table.add_column(t(f"board.col_{key}"), key=key)
        self.refresh_board()
        self.set_interval(REFRESH_SECONDS, self.refresh_board)
        self.call_after_refresh(resume_collector)

    def reread(self) -> None:
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
        self.generation += 1
        with self.app.batch_update():
            table.clear()
            page = max(FIRST_ROWS, self.app.size.height)
            self.add_items(items[:page], now, self.generation)
        if len(items) > page:
            # the first screenful (overdue first) is drawn now, the rest right after
            self.call_after_refresh(self.add_items, items[page:], now, self.generation)
        if not items:
            self.query_one("#open-title", Static).update(t("board.nothing_open"))
        else:
            self.query_one("#open-title", Static).update(t("board.open_items"))

    generation = 0  # a later refresh drops the rows an earlier one still had to add

    def add_items(self, items: list[OpenItem], now: datetime, generation: int) -> None:
        if generation != self.generation:
            return
        table = self.query_one("#open", DataTable)
        for item in items:
            table.add_row(
                t(f"registers.{item.register}"),
                item.number,
                item.room,
                clip(item.summary, SUMMARY_CELLS),
                t(f"{STATE_LABELS[item.register]}.{item.state}"),
                self.desk.show_time(item.opened_at),
                due_text(item, now),
                key=f"{item.register}:{item.record_id}",
            )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.open_row(event.row_key.value)

    def action_open_record(self) -> None:
        table = self.query_one("#open", DataTable)
        if table.row_count:
            row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
            self.open_row(row_key.value)

    def open_row(self, key: str | None) -> None:
        if not key:
            return
        register, record_id = key.split(":")
        open_record(self.app, register, int(record_id))
