"""F8 quick lookup: one search box over every register, results grouped and newest first.

Results come as you type (after a short pause) from a thread worker; Enter opens the record in
its own detail screen, ctrl+l shows the room history of the row's room, ctrl+f the filters.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import DataTable, Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from desk import commands
from desk.i18n import t
from desk.screens import records
from desk.screens.due import due_cell
from desk.screens.plain import Fit, PlainTable, plain
from desk.screens.reveal import RevealSelected
from desk.services import lookup, saved_filters
from desk.services.errors import DeskError
from desk.services.lookup import Group, Results
from desk.services.saved_filters import FilterKind, FilterSpec
from desk.widgets.base import DeskDialog, DeskFooter, DeskScreen

DEBOUNCE_SECONDS = 0.25
LIMIT = 20
COLUMNS = ("register", "number", "time", "room", "person", "state", "due", "summary")
# narrow, the summary gives way first, then the time, the name and the room: the due time
# stays whole
FIT = Fit("summary", least=10, most=40, drop=("time", "person", "room"))


def fill_table(table: DataTable[str | Text], groups: list[Group], screen: DeskScreen) -> None:
    """Rows of every group, the register named on its first row; keys are register:id."""
    now, show = screen.desk.now(), screen.desk.show_time
    late = t("lookup_ui.overdue")
    table.clear()
    for group in groups:
        label = t(f"registers.{group.register}")
        for index, hit in enumerate(group.hits):
            table.add_row(
                Text(label, style="bold") if index == 0 else "",
                hit.number,
                show(hit.at),
                hit.room,
                hit.person,
                t(lookup.state_key(hit.register, hit.state)),
                due_cell(hit.due_at, now, show(hit.due_at), late_mark=late, soon=False),
                hit.summary,
                key=f"{hit.register}:{hit.record_id}",
            )


class LookupScreen(RevealSelected, DeskScreen):
    """Find any record by room, name, phone digits, number or words."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("lookup")
    DEFAULT_CSS = """
    LookupScreen #query { margin: 0 1; }
    LookupScreen #status { padding: 0 1; height: 1; color: $text-muted; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._timer: Timer | None = None
        self._rooms: dict[str, str] = {}
        self._shown = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder=t("lookup_ui.placeholder"), id="query")
        yield Static(t("lookup_ui.hint"), id="status")
        table: PlainTable = PlainTable(cursor_type="row", zebra_stripes=True, id="hits", fit=FIT)
        yield table
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#hits", DataTable)
        for key in COLUMNS:
            table.add_column(t(f"lookup_ui.col_{key}"), key=key)
        self.query_one("#query", Input).focus()

    # --- searching ----------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "query":
            return
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE_SECONDS, self._search_now)

    def _search_now(self) -> None:
        self.search(self.query_one("#query", Input).value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="lookup")
    def search(self, query: str) -> None:
        """The look-up itself, off the UI thread (it grows with the data)."""
        if not query.strip():
            return
        with self.reading() as ctx:
            results = lookup.search(ctx, query, limit=LIMIT)
        self.app.call_from_thread(self.show_results, results)

    def show_results(self, results: Results) -> None:
        if results.query != self.query_one("#query", Input).value.strip():
            return  # the clerk has typed on since; a newer search is on its way
        self._show(results.groups, self._status(results))
        self._shown = results.query

    def _status(self, results: Results) -> str:
        if not results.groups:
            return t("lookup_ui.nothing", query=results.query)
        return t("lookup_ui.found", count=results.total, limit=LIMIT)

    def _show(self, groups: list[Group], status: str) -> None:
        table = self.query_one("#hits", DataTable)
        with self.app.batch_update():
            fill_table(table, groups, self)
        self._rooms = {
            f"{hit.register}:{hit.record_id}": hit.room for group in groups for hit in group.hits
        }
        self.query_one("#status", Static).update(plain(status))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the box: search now if the results are not in yet, then open the first."""
        if event.input.id != "query" or not event.value.strip():
            return
        if self._timer is not None:
            self._timer.stop()
        if self._shown != event.value.strip():
            with self.reading() as ctx:
                results = lookup.search(ctx, event.value, limit=LIMIT)
            self._shown = results.query
            self._show(results.groups, self._status(results))
        self.action_open_record()

    # --- actions ------------------------------------------------------------------------

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.open_key(event.row_key.value)

    def action_open_record(self) -> None:
        key = records.selected_key(self.query_one("#hits", DataTable))
        if key:
            self.open_key(key)

    def open_key(self, key: str) -> None:
        if key.startswith("residents:"):
            self.show_history(self._rooms.get(key, ""))
        elif not records.open_record_key(self.desk, key):
            register = t(f"registers.{key.partition(':')[0]}")
            self.notify(t("lookup_ui.no_detail", register=register), severity="warning")

    def reveal_target(self) -> tuple[str, int] | None:
        register, _, record_id = (
            records.selected_key(self.query_one("#hits", DataTable)) or ""
        ).partition(":")
        return (register, int(record_id)) if record_id.isdigit() else None

    def action_focus_search(self) -> None:
        self.query_one("#query", Input).focus()

    def action_room_history(self) -> None:
        key = records.selected_key(self.query_one("#hits", DataTable))
        self.show_history(self._rooms.get(key, "") if key else "")

    def show_history(self, room: str) -> None:
        if not room:
            self.notify(t("lookup_ui.no_room"), severity="warning")
            return
        records.open_page(self.app, "room_history", room)

    def action_filters(self) -> None:
        self.app.push_screen(FiltersDialog(), callback=self._run_filter)

    def _run_filter(self, chosen: tuple[str, FilterSpec] | None) -> None:
        if chosen is None:
            return
        name, spec = chosen
        with self.reading() as ctx:
            groups = saved_filters.run_filter(ctx, spec)
        self._shown = ""
        count = sum(len(group.hits) for group in groups)
        self._show(groups, f"{t('lookup_ui.filters.showing', name=name)}  ({count})")
        self.query_one("#hits", DataTable).focus()


class FiltersDialog(DeskDialog[tuple[str, FilterSpec] | None]):
    """The operator's saved filters and the predefined kinds: Enter runs, ctrl+s saves."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("filters_dialog")
    DEFAULT_CSS = """
    FiltersDialog { align: center middle; }
    FiltersDialog > Vertical { width: 90; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1; }
    FiltersDialog OptionList { height: auto; max-height: 14; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(t("lookup_ui.filters.title"), classes="title")
            yield OptionList(id="choices")
            yield Input(placeholder=t("lookup_ui.filters.param"), id="param")
            yield Input(placeholder=t("lookup_ui.filters.name"), id="name")
            yield Static(t("lookup_ui.filters.run"))
            yield DeskFooter()

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#choices", OptionList).focus()

    def reload(self) -> None:
        choices = self.query_one("#choices", OptionList)
        choices.clear_options()
        with self.reading() as ctx:
            mine = saved_filters.saved(ctx)
        for row in mine:
            label = f"{row.name}  ({t(f'filter_kind.{row.kind}')})"
            choices.add_option(Option(plain(label), id=f"saved:{row.id}"))
        for kind in FilterKind:
            choices.add_option(Option(t(f"filter_kind.{kind}"), id=f"kind:{kind}"))

    def _highlighted(self) -> str:
        choices = self.query_one("#choices", OptionList)
        if choices.highlighted is None:
            return ""
        return choices.get_option_at_index(choices.highlighted).id or ""

    def _spec(self, option_id: str) -> tuple[str, FilterSpec] | None:
        what, _, value = option_id.partition(":")
        if what == "kind":
            param = self.query_one("#param", Input).value.strip()
            return t(f"filter_kind.{value}"), FilterSpec(FilterKind(value), param)
        with self.reading() as ctx:
            for row in saved_filters.saved(ctx):
                if str(row.id) == value:
                    return row.name, saved_filters.spec_of(row)
        return None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        chosen = self._spec(event.option.id or "")
        if chosen is not None:
            try:
                saved_filters.check(chosen[1])
            except DeskError as error:
                self.notify(error.message, severity="error")
                return
            self.dismiss(chosen)

    def action_save(self) -> None:
        option_id = self._highlighted()
        chosen = self._spec(option_id) if option_id.startswith("kind:") else None
        if chosen is None:
            return
        name = self.query_one("#name", Input).value
        result = self.attempt(lambda ctx: saved_filters.save(ctx, name, chosen[1]))
        if isinstance(result, DeskError):
            self.notify(result.message, severity="error")
            return
        self.notify(t("lookup_ui.filters.saved_ok", name=result.name))
        self.reload()

    def action_delete(self) -> None:
        what, _, value = self._highlighted().partition(":")
        if what != "saved":
            return
        result = self.attempt(lambda ctx: saved_filters.delete(ctx, int(value)))
        if isinstance(result, DeskError):
            self.notify(result.message, severity="error")
            return
        self.reload()

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
