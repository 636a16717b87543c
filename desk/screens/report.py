"""Statistics (报表): a month's or a period's figures as tables with bars, and the report files."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table as RichTable
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Header, Input, Label, Static

from desk import commands
from desk.i18n import t
from desk.printing.report import Section, Table, heading, sections
from desk.printing.report_files import reports_folder, write_all
from desk.screens.plain import plain
from desk.screens.tones import SUCCESS
from desk.services import stats, stats_period
from desk.services.errors import DeskError
from desk.services.stats import Report
from desk.widgets.base import DeskFooter, DeskScreen

BAR = "█"
BAR_WIDTH = 30


def _bar(value: int, peak: int) -> Text:
    length = round(BAR_WIDTH * value / peak) if peak else 0
    return Text(BAR * (length or (1 if value else 0)), style=SUCCESS)


def rich_table(table: Table) -> RichTable:
    """One report table for the terminal: no box lines, numbers right, a bar column if charted."""
    shown = RichTable(
        title=table.title, title_justify="left", box=None, header_style="bold", pad_edge=False
    )
    for i, header in enumerate(table.headers):
        numeric = any(isinstance(row[i], int) for row in table.rows)
        shown.add_column(header, justify="right" if numeric else "left")
    bar = table.bar
    peak = max((int(row[bar]) for row in table.rows), default=0) if bar is not None else 0
    if bar is not None:
        shown.add_column("", no_wrap=True)
    for row in table.rows:
        cells: list[RenderableType] = [plain(str(cell)) for cell in row]
        if bar is not None:
            cells.append(_bar(int(row[bar]), peak))
        shown.add_row(*cells)
    return shown


def section_view(section: Section) -> Group:
    parts: list[RenderableType] = [Text(section.title, style="bold reverse")]
    for table in section.tables:
        parts += [Text(""), rich_table(table)]
    return Group(*parts, Text(""))


class ReportScreen(DeskScreen):
    """Type a month or a period and press Enter; ctrl+s writes text, CSV, xlsx and HTML."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("report")
    DEFAULT_CSS = """
    ReportScreen #report-choose { height: 3; padding: 0 1; }
    ReportScreen #report-choose Label { padding: 1 1 0 0; }
    ReportScreen #report-period { width: 40; }
    ReportScreen #report-heading { padding: 0 1; text-style: bold; }
    ReportScreen #report-body { height: 1fr; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.report: Report | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="report-choose"):
            yield Label(t("report_ui.period_label"))
            yield Input(placeholder=t("report_ui.period_placeholder"), id="report-period")
        yield Static(id="report-heading")
        with VerticalScroll(id="report-body"):
            yield Static(id="report-figures")
        yield DeskFooter()

    def on_mount(self) -> None:
        period = stats_period.this_month(self.desk.now(), self.desk.settings.tz)
        self.query_one("#report-period", Input).value = period.label
        self.action_count()
        self.query_one("#report-body", VerticalScroll).focus()

    @on(Input.Submitted, "#report-period")
    def _submitted(self) -> None:
        self.action_count()
        self.query_one("#report-body", VerticalScroll).focus()

    def action_period(self) -> None:
        self.query_one("#report-period", Input).focus()

    def action_count(self) -> None:
        typed = self.query_one("#report-period", Input).value
        try:
            period = stats_period.parse(typed, self.desk.settings.tz)
        except DeskError as error:
            self.notify(error.message, severity="error")
            return
        self.query_one("#report-heading", Static).update(t("report_ui.counting"))
        self.count(period)

    @work(thread=True, exclusive=True, exit_on_error=False, group="report")
    def count(self, period: stats_period.Period) -> None:
        """The figures are aggregate queries, but a year of records still takes a moment."""
        app = self.desk
        with self.reading() as ctx:
            report = stats.monthly(ctx, period)
        views = [section_view(section) for section in sections(report, app.settings)]
        app.call_from_thread(self._show, report, views)

    def _show(self, report: Report, views: list[Group]) -> None:
        self.report = report
        self.query_one("#report-heading", Static).update(
            plain("    ".join(heading(report, self.desk.settings)))
        )
        self.query_one("#report-figures", Static).update(Group(*views))

    def folder(self) -> Path:
        return reports_folder(self.desk.database.path)

    def action_write(self) -> None:
        if self.report is not None:
            self.write(self.report, self.folder())

    @work(thread=True, exclusive=True, exit_on_error=False, group="report-files")
    def write(self, report: Report, folder: Path) -> None:
        app = self.desk
        try:
            paths = write_all(report, app.settings, folder)
        except OSError as exc:
            app.call_from_thread(app.notify, str(exc), severity="error")
            return
        shown = ", ".join(str(path) for path in paths)
        app.call_from_thread(app.notify, t("report_ui.written", paths=shown), timeout=10)
