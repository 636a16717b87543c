"""The layout the record pages share: a title, the record's fields (and its next deadline), and
its history of events, scrolling together; the page fills them in `refresh_detail`."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from desk.i18n import t
from desk.screens.history import HistoryTable
from desk.widgets.base import DeskFooter, RecordScreen


class RecordPage(RecordScreen):
    """A record's page: #detail-title, #detail-fields, #detail-due (when `SHOWS_DUE`), and the
    #history table titled `HISTORY_TITLE`, its actions named from `ACTION_LABELS`."""

    HISTORY_TITLE: ClassVar[str]
    ACTION_LABELS: ClassVar[str]
    SHOWS_DUE: ClassVar[bool] = False
    DEFAULT_CSS = """
    RecordPage #detail-title { padding: 0 1; height: 1; text-style: bold; }
    RecordPage #detail-body { height: 1fr; padding: 0 1; }
    RecordPage #detail-fields { height: auto; }
    RecordPage #detail-due { height: auto; margin: 1 0 0 0; }
    RecordPage #history-title { height: 1; margin: 1 0 0 0; text-style: bold; }
    RecordPage #history { height: auto; max-height: 100%; }
    """

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="detail-title")
        with VerticalScroll(id="detail-body"):
            yield Static(id="detail-fields")
            if self.SHOWS_DUE:
                yield Static(id="detail-due")
            yield Static(t(self.HISTORY_TITLE), id="history-title")
            yield HistoryTable(action_labels=self.ACTION_LABELS, id="history")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.refresh_detail()

    def reread(self) -> None:
        self.refresh_detail()

    def refresh_detail(self) -> None:
        raise NotImplementedError
