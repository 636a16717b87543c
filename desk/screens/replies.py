"""F12: the standard replies library (统一说辞) — draft, edit, approve (supervisor), retire."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Header, Static

from desk import commands
from desk.i18n import t
from desk.models import ReplyState, StandardReply
from desk.screens.plain import PlainTable, plain
from desk.screens.repairs import short
from desk.screens.tones import SUCCESS, WARNING
from desk.services import operators, replies
from desk.services.errors import DeskError
from desk.widgets.base import DeskFooter, DeskScreen

COLUMNS = ("topic", "keywords", "state", "drafted_by", "approved_by", "approved_at")
STATE_STYLE = {ReplyState.approved: SUCCESS, ReplyState.draft: WARNING, ReplyState.retired: "dim"}


class StandardRepliesScreen(DeskScreen):
    """The library; the highlighted answer is shown in full below the list."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("standard_replies")
    DEFAULT_CSS = """
    StandardRepliesScreen #replies-title { padding: 0 1; height: 1; text-style: bold; }
    StandardRepliesScreen #replies { height: 1fr; }
    StandardRepliesScreen #reply-body {
        height: auto; max-height: 10; padding: 0 1; border-top: solid $primary-muted;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.show_retired = False
        self.shown: dict[str, StandardReply] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="replies-title")
        table: PlainTable = PlainTable(cursor_type="row", zebra_stripes=True, id="replies")
        yield table
        yield Static(id="reply-body")
        yield DeskFooter()

    @property
    def table(self) -> DataTable[str | Text]:
        return self.query_one("#replies", DataTable)

    def on_mount(self) -> None:
        for key in COLUMNS:
            self.table.add_column(t(f"replies.col_{key}"), key=key)
        self.refresh_replies()
        self.table.focus()

    def reread(self) -> None:
        self.refresh_replies()

    def action_refresh(self) -> None:
        self.refresh_replies()

    def action_toggle_retired(self) -> None:
        self.show_retired = not self.show_retired
        self.refresh_replies()

    def refresh_replies(self, select_id: int | None = None) -> None:
        with self.reading() as ctx:
            found = replies.all_replies(ctx, include_retired=self.show_retired)
            ids = {r.drafted_by for r in found} | {r.approved_by for r in found if r.approved_by}
            names = operators.operator_names(ctx, ids)
        table = self.table
        select_id = select_id if select_id is not None else self.selected_id()
        self.shown = {str(reply.id): reply for reply in found}
        with self.app.batch_update():
            table.clear()
            for reply in found:
                state = ReplyState(reply.state)
                table.add_row(
                    short(reply.topic, 20),
                    short(reply.keywords, 30),
                    Text(t(f"reply_state.{state}"), style=STATE_STYLE[state]),
                    names.get(reply.drafted_by, ""),
                    names.get(reply.approved_by, "") if reply.approved_by else "",
                    self.desk.show_time(reply.approved_at),
                    key=str(reply.id),
                )
            if select_id is not None and str(select_id) in table.rows:
                table.move_cursor(row=table.get_row_index(str(select_id)))
        key = "replies.showing_all" if self.show_retired else "replies.showing"
        title = t(key, n=len(found)) if found else t("replies.empty")
        self.query_one("#replies-title", Static).update(title)
        self.show_body()

    def selected_id(self) -> int | None:
        table = self.table
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return int(row_key.value) if row_key.value else None

    def selected(self) -> StandardReply | None:
        reply_id = self.selected_id()
        return self.shown.get(str(reply_id)) if reply_id is not None else None

    def show_body(self) -> None:
        reply = self.selected()
        self.query_one("#reply-body", Static).update(plain(reply.body if reply else ""))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_body()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_reply()

    # --- keys -------------------------------------------------------------------------

    def action_new_reply(self) -> None:
        from desk.screens.reply_dialogs import ReplyDialog

        def done(reply: StandardReply | None) -> None:
            if reply is not None:
                self.notify(t("replies.drafted", topic=reply.topic))
                self.refresh_replies(select_id=reply.id)

        self.app.push_screen(ReplyDialog(), callback=done)

    def action_open_reply(self) -> None:
        from desk.screens.reply_dialogs import ReplyDialog

        reply = self.selected()
        if reply is None:
            return
        if "revise" not in replies.allowed_actions(reply):  # retired: read only
            self.notify(t("replies.retired_read_only"), severity="warning")
            return
        before = (reply.topic, reply.keywords, reply.body)

        def done(saved: StandardReply | None) -> None:
            if saved is None:
                return
            changed = (saved.topic, saved.keywords, saved.body) != before
            key = "replies.drafted" if changed else "replies.unchanged"
            self.notify(t(key, topic=saved.topic))
            self.refresh_replies(select_id=saved.id)

        self.app.push_screen(ReplyDialog(reply), callback=done)

    def action_approve(self) -> None:
        reply = self.selected()
        if reply is None or reply.id is None:
            return
        reply_id = reply.id
        if self.refused(lambda ctx: replies.LIFECYCLE.permit(ctx, "approve")):
            return
        outcome = self.attempt(lambda ctx: replies.approve(ctx, reply_id))
        if isinstance(outcome, DeskError):
            self.notify(outcome.message, severity="error", timeout=8)
            return
        self.notify(t("replies.approved", topic=outcome.topic))
        self.refresh_replies(select_id=reply_id)

    def action_retire(self) -> None:
        from desk.screens.reply_dialogs import RetireDialog

        reply = self.selected()
        if reply is None or self.refused(lambda ctx: replies.LIFECYCLE.permit(ctx, "retire")):
            return

        def done(saved: StandardReply | None) -> None:
            if saved is not None:
                self.notify(t("replies.retired", topic=saved.topic))
                self.refresh_replies()

        self.app.push_screen(RetireDialog(reply), callback=done)
