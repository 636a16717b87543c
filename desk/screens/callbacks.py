"""F10: the callback queue (回访): every repair and complaint awaiting a call, soonest due first."""

from __future__ import annotations

from datetime import datetime, time, tzinfo
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Header, Static

from desk import commands
from desk.i18n import t
from desk.models import Complaint, RepairOrder, ServiceBooking
from desk.screens.due import age_text, due_cell
from desk.screens.plain import PlainTable
from desk.screens.repairs import short
from desk.services import callbacks
from desk.services.callbacks import CallbackItem
from desk.services.errors import DeskError
from desk.services.residents import mask_name
from desk.widgets.base import DeskFooter, DeskScreen
from desk.widgets.live import lost

QUEUE_LIMIT = 200
REFRESH_SECONDS = 30
COLUMNS = (
    "due",
    "countdown",
    "register",
    "number",
    "room",
    "resident",
    "phone",
    "summary",
    "attempts",
)


def countdown(item: CallbackItem, now: datetime) -> Text:
    """Time left until the callback is due, coloured by its urgency (desk.screens.due)."""
    if item.due_at is None:
        return Text("")
    seconds = (item.due_at - now).total_seconds()
    key = "callbacks.overdue" if seconds < 0 else "callbacks.left"
    return due_cell(item.due_at, now, t(key, age=age_text(seconds)))


def month_bounds(now: datetime, tz: tzinfo) -> tuple[datetime, datetime]:
    """The first moment of this month and of the next, in the site's time zone."""
    local = now.astimezone(tz)
    start = datetime.combine(local.date().replace(day=1), time(0, 0), tzinfo=local.tzinfo)
    year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    return start, start.replace(year=year, month=month)


class CallbackQueueScreen(DeskScreen):
    """Enter on a row records the call; the row leaves the queue, or moves for a retry."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("callback_queue")
    LIVE = True
    DEFAULT_CSS = """
    CallbackQueueScreen #callback-rate { padding: 0 1; height: 1; text-style: bold; }
    CallbackQueueScreen #callback-rate.-short { color: $warning; }
    CallbackQueueScreen #callback-title { padding: 0 1; height: 1; }
    CallbackQueueScreen #queue { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[str, CallbackItem] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="callback-rate")
        yield Static(id="callback-title")
        table: PlainTable = PlainTable(cursor_type="row", zebra_stripes=True, id="queue")
        yield table
        yield DeskFooter()

    @property
    def table(self) -> DataTable[str | Text]:
        return self.query_one("#queue", DataTable)

    def on_mount(self) -> None:
        for key in COLUMNS:
            self.table.add_column(t(f"callbacks.col_{key}"), key=key)
        self.refresh_queue()
        self.table.focus()
        self.set_interval(REFRESH_SECONDS, self.timed_refresh)

    def reread(self) -> None:
        self.refresh_queue()

    def timed_refresh(self) -> None:
        if not lost(self.app):  # nothing can be read while the database is lost
            self.refresh_queue()

    def action_refresh(self) -> None:
        self.refresh_queue()

    def refresh_queue(self, select_key: str | None = None) -> None:
        now = self.desk.now()
        # this month so far: callbacks still to fall due later this month do not count yet
        start, _ = month_bounds(now, self.desk.settings.tz)
        with self.reading() as ctx:
            items = callbacks.queue(ctx, limit=QUEUE_LIMIT)
            done, due, rate = callbacks.completion_rate(ctx, start, now)
        table = self.table
        select_key = select_key or self.selected_key()
        self.items = {f"{item.register}:{item.record_id}": item for item in items}
        with self.app.batch_update():
            table.clear()
            for key, item in self.items.items():
                table.add_row(
                    due_cell(item.due_at, now, self.desk.show_time(item.due_at), soon=False),
                    countdown(item, now),
                    t(f"registers.{item.register}"),
                    item.number,
                    item.room,
                    short(mask_name(item.resident), 6),
                    item.phone,
                    short(item.summary, 16),
                    str(item.attempts) if item.attempts else "",
                    key=key,
                )
            if select_key is not None and select_key in table.rows:
                table.move_cursor(row=table.get_row_index(select_key))
        title = t("callbacks.title", n=len(items)) if items else t("callbacks.empty")
        self.query_one("#callback-title", Static).update(title)
        shown_rate = (
            t("callbacks.rate", rate=f"{rate:.0%}", done=done, due=due)
            if rate is not None
            else t("callbacks.rate_none")
        )
        shown = self.query_one("#callback-rate", Static)
        shown.update(Text(shown_rate))
        shown.set_class(rate is not None and rate < 1, "-short")  # $warning

    def selected_key(self) -> str | None:
        table = self.table
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return str(row_key.value) if row_key.value else None

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_call_back()

    def action_call_back(self) -> None:
        from desk.screens.repair_dialogs import CallbackDialog

        key = self.selected_key()
        item = self.items.get(key or "")
        if item is None:
            return
        try:
            with self.reading() as ctx:
                record = callbacks.load(ctx, item.register, item.record_id)
        except DeskError as error:
            self.notify(error.message, severity="error")
            return

        def done(saved: RepairOrder | Complaint | ServiceBooking | None) -> None:
            if saved is not None:
                self.notify(self.outcome(saved))
            self.refresh_queue(select_key=key)

        if isinstance(record, Complaint):  # noqa: SIM114 (one branch a type, for mypy)
            self.app.push_screen(CallbackDialog(record), callback=done)
        elif isinstance(record, ServiceBooking):
            self.app.push_screen(CallbackDialog(record), callback=done)
        else:
            self.app.push_screen(CallbackDialog(record), callback=done)

    def outcome(self, saved: RepairOrder | Complaint | ServiceBooking) -> str:
        """What happened, in one line: closed, reopened, or when to try again."""
        if isinstance(saved, ServiceBooking):
            if saved.state == "paid" and saved.callback_due_at is not None:
                when = self.desk.show_time(saved.callback_due_at)
                return t("callbacks.missed", number=saved.number, when=when)
            return t("callbacks.called_back", number=saved.number)
        if saved.callback_due_at is not None and saved.state in ("completed", "resolved"):
            return t(
                "callbacks.missed",
                number=saved.number,
                when=self.desk.show_time(saved.callback_due_at),
            )
        if saved.satisfied:
            return t("callbacks.closed", number=saved.number)
        return t("callbacks.reopened", number=saved.number)
