"""The keys register (F5): keys out on loan (overdue first), the cabinet, and entrusted keys.

Tab switches between the three lists; the footer shows the keys of the list in front.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import ModalScreen
from textual.widgets import DataTable, Header, Static, TabbedContent, TabPane, Tabs

from desk import commands
from desk.i18n import t
from desk.models import (
    OPEN_LOAN_STATES,
    EntrustedKey,
    EntrustedKeyUse,
    EntrustedState,
    Key,
    KeyCount,
    KeyLoan,
)
from desk.screens import records
from desk.screens.due import due_cell
from desk.screens.entrusted_actions import EntrustedActions
from desk.screens.plain import Fit, PlainTable, brief
from desk.screens.repairs import short
from desk.screens.tones import ALARM, ERROR, WARNING, WARNING_BOLD
from desk.services import keys, keys_entrusted, keys_loans, roles
from desk.services.residents import mask_name
from desk.widgets.base import DeskFooter, DeskScreen

R = TypeVar("R")
TABS = ("loans", "cabinet", "entrusted")
COLUMNS = {
    "loans": ("number", "tag", "borrower", "department", "out", "room", "out_at", "due", "state"),
    "cabinet": ("tag", "opens", "kind", "room", "hook", "copies", "lent", "lost", "available"),
    "entrusted": ("number", "unit", "owner", "description", "count", "state", "with", "deposited"),
}
# How each list gives way on a narrow terminal, so that its last column is always whole
FITS = {
    "loans": Fit(drop=("out_at", "department", "room", "out")),
    "cabinet": Fit("opens", least=8, most=30, drop=("hook", "kind")),
    "entrusted": Fit("description", least=8, most=24, drop=("deposited", "unit")),
}
# Which list each action belongs to (the footer shows only the keys of the list in front).
ON_TAB = {
    "take_back": ("loans", "entrusted"),
    "edit": ("cabinet",),
    "retire": ("cabinet",),
    **{action: ("entrusted",) for action in ("take_out", "work_done", "collect", "print_slip")},
}
OPEN_LIMIT = 500
CLOSED_LIMIT = 100


class KeysScreen(EntrustedActions, DeskScreen):
    """Lend and take back keys, keep the cabinet, hold owners' keys, count what is held."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("keys")
    LIVE = True
    DEFAULT_CSS = """
    KeysScreen #keys-status { padding: 0 1; height: 1; }
    KeysScreen TabbedContent { height: 1fr; }
    KeysScreen TabPane { padding: 0; }
    KeysScreen DataTable { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.show_all = False
        self.loans: dict[int, KeyLoan] = {}
        self.keys: dict[int, Key] = {}
        self.entrusted: dict[int, EntrustedKey] = {}
        self.key_tags: dict[int, str] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="keys-status")
        with TabbedContent(initial="loans"):
            for tab in TABS:
                with TabPane(t(f"keys_ui.tab_{tab}"), id=tab):
                    table: PlainTable = PlainTable(
                        cursor_type="row", zebra_stripes=True, id=f"{tab}-table", fit=FITS[tab]
                    )
                    yield table
        yield DeskFooter()

    def on_mount(self) -> None:
        # Tab changes the list, so the tab strip itself need not take the focus.
        self.query_one(Tabs).can_focus = False
        for tab in TABS:
            table = self.table(tab)
            for key in COLUMNS[tab]:
                table.add_column(t(f"keys_ui.col_{key}"), key=key)
        self.refresh_lists()
        self.table("loans").focus()

    def reread(self) -> None:
        self.refresh_lists()

    def table(self, tab: str) -> DataTable[str | Text]:
        return self.query_one(f"#{tab}-table", DataTable)

    @property
    def tab(self) -> str:
        return self.query_one(TabbedContent).active or "loans"

    # --- showing ----------------------------------------------------------------------

    def refresh_lists(self, select: tuple[str, int] | None = None) -> None:
        with self.reading() as ctx:
            loans = keys.open_loans(ctx, OPEN_LIMIT)
            overdue = sum(1 for loan in loans if loan.due_at < ctx.now)
            if self.show_all:
                loans += keys.recent_loans(ctx, CLOSED_LIMIT)
            cabinet = keys.cabinet(ctx, include_retired=self.show_all)
            held = keys.holdings(ctx)
            self.key_tags = {key.id: key.tag for key in cabinet if key.id is not None}
            self.key_tags.update(keys.tags(ctx, {loan.key_id for loan in loans}))
            entrusted = keys_entrusted.in_custody(ctx, OPEN_LIMIT)
            custody = len(entrusted)
            if self.show_all:
                entrusted += keys_entrusted.recently_collected(ctx, CLOSED_LIMIT)
            away = keys_entrusted.out_with_staff(ctx)
            last = keys_entrusted.last_count(ctx)
            next_due = keys_entrusted.next_count_due(ctx)
        self.loans = {loan.id: loan for loan in loans if loan.id is not None}
        self.keys = {key.id: key for key in cabinet if key.id is not None}
        self.entrusted = {e.id: e for e in entrusted if e.id is not None}
        with self.app.batch_update():
            self._fill("loans", [self.loan_row(loan) for loan in loans], select)
            self._fill("cabinet", [self.key_row(key, held) for key in cabinet], select)
            self._fill("entrusted", [self.entrusted_row(e, away) for e in entrusted], select)
        self.show_status(len([x for x in loans if x.state in OPEN_LOAN_STATES]), overdue, custody)
        self.show_count_due(last, next_due)
        self.refresh_bindings()

    def show_status(self, out: int, overdue: int, custody: int) -> None:
        self.status = t("keys_ui.status", out=out, overdue=overdue, entrusted=custody)
        if self.show_all:
            self.status += t("keys_ui.showing_all")

    def show_count_due(self, last: KeyCount | None, next_due: datetime | None) -> None:
        text = Text(self.status)
        if next_due is None or next_due <= self.desk.now():
            when = self.desk.show_time(last.counted_at) if last else t("keys_ui.never")
            text.append(t("keys_ui.count_due", last=when), style=WARNING_BOLD)
        else:
            text.append(t("keys_ui.count_next", when=self.desk.show_time(next_due)))
        if last is not None and (differences := keys_entrusted.discrepancies(last)):
            # the last count found keys where they should not be: said until the next count
            text.append(
                t("keys_ui.count_differs", n=len(differences), note=brief(last.note, 30)),
                style=ALARM,
            )
        self.query_one("#keys-status", Static).update(text)

    def _fill(
        self,
        tab: str,
        rows: list[tuple[int | None, tuple[str | Text, ...]]],
        select: tuple[str, int] | None,
    ) -> None:
        table = self.table(tab)
        current = self.selected_id(tab)
        wanted = select[1] if select and select[0] == tab else current
        table.clear()
        for record_id, cells in rows:
            table.add_row(*cells, key=str(record_id))
        if wanted is not None and str(wanted) in table.rows:
            table.move_cursor(row=table.get_row_index(str(wanted)))

    def loan_row(self, loan: KeyLoan) -> tuple[int | None, tuple[str | Text, ...]]:
        show = self.desk.show_time
        department = self.desk.settings.department(loan.department)
        is_open = loan.state in OPEN_LOAN_STATES
        late = t("keys_ui.overdue_mark")
        now, due_at = self.desk.now(), loan.due_at
        due = due_cell(due_at, now, show(due_at), late_mark=late) if is_open else Text("")
        return loan.id, (
            loan.number,
            self.key_tags.get(loan.key_id, ""),
            short(loan.borrower, 10),
            short(department.label(self.desk.lang) if department else loan.department, 12),
            f"{keys.outstanding(loan)}/{loan.count}",
            short(loan.room, 12),
            show(loan.out_at),
            due,
            Text(t(f"key_loan_state.{loan.state}"), style="" if is_open else "dim"),
        )

    def key_row(
        self, key: Key, held: dict[int, tuple[int, int]]
    ) -> tuple[int | None, tuple[str | Text, ...]]:
        out, lost = held.get(key.id or 0, (0, 0))
        free = key.copies - out - lost
        style = "dim" if not key.active else (ALARM if free <= 0 else "")
        return key.id, (
            Text(key.tag, style="dim" if not key.active else ""),
            short(key.opens + ("" if key.active else f" ({t('keys_ui.retired')})"), 24),
            t(f"key_kind.{key.kind}"),
            key.room,
            key.hook,
            str(key.copies),
            str(out or ""),
            Text(str(lost or ""), style=ERROR if lost else ""),
            Text(str(free), style=style),
        )

    def entrusted_row(
        self, record: EntrustedKey, away: dict[int, EntrustedKeyUse]
    ) -> tuple[int | None, tuple[str | Text, ...]]:
        use = away.get(record.id or 0)
        taken_by = use.taken_by if use is not None else ""
        held = record.state != EntrustedState.collected
        return record.id, (
            record.number,
            record.room,
            mask_name(record.owner_name),
            short(record.description, 20),
            str(record.count),
            Text(t(f"entrusted_state.{record.state}"), style="" if held else "dim"),
            Text(taken_by, style=WARNING if taken_by else ""),
            self.desk.show_time(record.deposited_at),
        )

    def selected_id(self, tab: str | None = None) -> int | None:
        table = self.table(tab or self.tab)
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return int(row_key.value) if row_key.value and row_key.value != "None" else None

    # --- tabs -------------------------------------------------------------------------

    def action_next_tab(self) -> None:
        self._switch(1)

    def action_prev_tab(self) -> None:
        self._switch(-1)

    def _switch(self, step: int) -> None:
        tabbed = self.query_one(TabbedContent)
        tabbed.active = TABS[(TABS.index(self.tab) + step) % len(TABS)]

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.table(self.tab).focus()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        tabs = ON_TAB.get(action)
        if tabs is None or not self.is_mounted:
            return True
        if self.tab not in tabs:
            return False
        if self.tab == "entrusted" and action in keys_entrusted.LIFECYCLE.steps:
            record = self.entrusted.get(self.selected_id("entrusted") or 0)
            return True if action in keys_entrusted.allowed_actions(record) else None
        if action == "retire":
            key = self.keys.get(self.selected_id("cabinet") or 0)
            return None if key is None or not key.active else True
        return True

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()

    # --- actions ----------------------------------------------------------------------

    def chosen_entrusted(self) -> EntrustedKey | None:
        return self.entrusted.get(self.selected_id("entrusted") or 0)

    def after_change(self, record_id: int | None = None) -> None:
        self.refresh_lists(select=(self.tab, record_id) if record_id else None)

    def _then(self, tab: str, dialog: ModalScreen[R | None], notice: Callable[[R], str]) -> None:
        """Open `dialog`; once saved, show the record in `tab` and say what was done."""

        def done(saved: R | None) -> None:
            record_id = getattr(saved, "id", None)
            self.refresh_lists(select=(tab, record_id) if record_id else None)
            if saved is not None:
                self.app.notify(notice(saved))

        self.app.push_screen(dialog, callback=done)

    def action_new(self) -> None:
        from desk.screens.key_dialogs import DepositDialog, KeyEntryDialog, LendDialog

        tab = self.tab
        if tab == "loans":
            self._then("loans", LendDialog(), self.lent_notice)
        elif tab == "cabinet":
            self._then("cabinet", KeyEntryDialog(), self.key_notice)
        else:
            self._then("entrusted", DepositDialog(), self.deposit_notice)

    def action_edit(self) -> None:
        from desk.screens.key_dialogs import KeyEntryDialog

        key = self.keys.get(self.selected_id("cabinet") or 0)
        self._then("cabinet", KeyEntryDialog(key), self.key_notice)

    def action_retire(self) -> None:
        from desk.screens.key_dialogs import RetireKeyDialog

        key = self.keys.get(self.selected_id("cabinet") or 0)
        if key is None or not key.active or self.refused(roles.KEY_RETIRE.require):
            return
        self._then("cabinet", RetireKeyDialog(key), self.retired_notice)

    def action_take_back(self) -> None:
        from desk.screens.key_dialogs import TakeBackDialog

        if self.tab == "entrusted":
            self.bring_back()
            return
        loan = self.loans.get(self.selected_id("loans") or 0)
        if loan is None:
            return
        refused = keys_loans.LIFECYCLE.refusal_of(loan, "take_back")
        if refused is not None:  # the key stays offered on a closed loan, to say why
            self.notify(refused.message)
            return
        dialog = TakeBackDialog(loan, self.key_tags.get(loan.key_id, ""))
        self._then("loans", dialog, self.returned_notice)

    def action_count(self) -> None:
        from desk.screens.key_dialogs import CountDialog

        def notice(saved: KeyCount) -> str:
            n = len(keys_entrusted.discrepancies(saved))
            return t("keys_ui.counted", expected=saved.expected, found=saved.found, n=n)

        self._then(self.tab, CountDialog(), notice)

    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all
        self.refresh_lists()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        tab = self.tab
        if tab == "loans":
            self.action_take_back()
        elif tab == "cabinet":
            self.action_edit()
        elif record := self.chosen_entrusted():
            records.open_record(self.app, keys_entrusted.REGISTER, record.id or 0)

    # --- notices ----------------------------------------------------------------------

    def lent_notice(self, loan: KeyLoan) -> str:
        return t(
            "keys_ui.lent",
            number=loan.number,
            tag=self.key_tags.get(loan.key_id, ""),
            count=loan.count,
            borrower=loan.borrower,
            due=self.desk.show_time(loan.due_at),
        )

    def returned_notice(self, loan: KeyLoan) -> str:
        state = t(f"key_loan_state.{loan.state}")
        return t("keys_ui.returned", number=loan.number, state=state, out=keys.outstanding(loan))

    def key_notice(self, key: Key) -> str:
        return t("keys_ui.key_saved", tag=key.tag)

    def retired_notice(self, key: Key) -> str:
        return t("keys_ui.key_retired", tag=key.tag)

    def deposit_notice(self, record: EntrustedKey) -> str:
        return t("keys_ui.deposited", number=record.number)
