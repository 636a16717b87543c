"""The gate terminal (`desk gate`): the guard scans a pass, checks the goods, marks the result;
or scans a resident card (KA-…), which is checked at once (valid, or refused: lost, expired …).

A small app of its own, run in another terminal on the same database as the desk. The guard is
not an operator and does not sign in: the events carry no operator and the guard's name in their
data. A pass that may not be used (expired, voided, used, unknown) is refused loudly: a red
banner across the screen and the bell, and nothing can be marked.

A renovation worker's pass (its number starts SG) is checked as it is scanned: valid (green,
the worker's name, ID's last 4, room, works and last day shown), or refused as loudly as a
goods pass (expired, not valid yet, revoked, the works suspended or over, unknown); each check
of a pass on file is counted on it and audited (desk.services.renovation_workers.gate_check).
An ID number typed into the box is refused without being shown back.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, Static

from desk import commands
from desk.clock import Clock, fmt, system_clock
from desk.compat import localise_bindings
from desk.db import Database
from desk.db_errors import describe_failure
from desk.i18n import set_language, t
from desk.models import GateResult, PassItem, ReleasePass, ResidentCard
from desk.safe_text import printable
from desk.screens.plain import plain
from desk.services import cards, passes, renovation_workers
from desk.services.context import Ctx
from desk.services.errors import DeskError


class AskDialog(ModalScreen[str | None]):
    """One line asked of the guard (name, what stayed behind, why refused); Enter gives it."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("ask_dialog")

    def __init__(self, prompt: str, value: str = "", *, required: bool = True) -> None:
        super().__init__()
        self.prompt, self.value, self.required = prompt, value, required
        localise_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(id="ask-box"):
            yield Static(plain(self.prompt), id="ask-prompt")
            yield Input(printable(self.value, one_line=True), max_length=500, id="ask-input")
            yield Static(t("gate.ask_hint"), id="ask-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.dismiss(event.value.strip())
        else:
            hint = self.query_one("#ask-hint", Static)
            hint.update(t("gate.ask_required"))
            hint.add_class("-error")
            self.app.bell()

    def action_cancel(self) -> None:
        self.dismiss(None)


class GateScreen(Screen[None]):
    """The number box, the verdict banner, and the pass's goods shown large."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("gate")

    def __init__(self) -> None:
        super().__init__()
        self.current: ReleasePass | None = None
        localise_bindings(self)

    @property
    def gate(self) -> GateApp:
        assert isinstance(self.app, GateApp)
        return self.app

    def compose(self) -> ComposeResult:
        yield Static(id="gate-top")
        yield Input(placeholder=t("gate.number_placeholder"), id="gate-number")
        yield Static(t("gate.waiting"), id="gate-banner")
        with VerticalScroll(id="gate-body"):
            yield Static(id="gate-pass")
        yield Footer()

    def on_mount(self) -> None:
        self.show_guard()
        self.query_one("#gate-number", Input).focus()

    def show_guard(self) -> None:
        guard = self.gate.guard or t("gate.no_guard")
        self.query_one("#gate-top", Static).update(plain(t("gate.top", guard=guard)))

    def banner(self, message: str, kind: str) -> None:
        banner = self.query_one("#gate-banner", Static)
        banner.update(plain(message))
        for name in ("-refused", "-ok", "-done"):
            banner.set_class(name == f"-{kind}", name)
        if kind == "refused":
            self.app.bell()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        typed = event.value.strip()
        if not typed:
            return
        if cards.is_card_number(typed):
            event.input.value = ""
            self.check_card(typed)
            return
        if renovation_workers.is_worker_number(typed) or renovation_workers.looks_like_id(typed):
            event.input.value = ""
            self.check_worker(typed)
            return
        now = self.gate.clock()
        with self.gate.database.reading() as session:
            ctx = self.gate.ctx(session, now)
            found = passes.find(ctx, typed)
            refused = passes.refusal(ctx, found, typed)
            items = passes.items_of(ctx, found.id) if found and found.id else []
        self.current = None if refused else found
        # The box is emptied for the next scan (a scanner types the number and Enter): the
        # number stays in view in the banner and on the pass shown below.
        event.input.value = ""
        self.query_one("#gate-pass", Static).update(self.pass_view(found, items, now))
        if refused is not None:
            self.banner(refused.message, "refused")
        else:
            self.banner(t("gate.valid", number=found.number if found else ""), "ok")
        self.refresh_bindings()

    def check_worker(self, typed: str) -> None:
        """A worker's pass: checked, counted and audited at once; nothing to mark after."""
        self.current = None
        body = self.query_one("#gate-pass", Static)
        try:
            with self.gate.database.writing() as session:
                check = renovation_workers.gate_check(
                    self.gate.ctx(session), typed, self.gate.guard
                )
                view = self.worker_view(check)
        except SQLAlchemyError as exc:  # said plainly; the transaction saved nothing
            body.update("")
            message = describe_failure(exc, self.gate.database.path)
            self.banner(t("app.db_error", message=message), "refused")
            self.refresh_bindings()
            return
        body.update(view)
        found = check.worker_pass
        if check.refusal is not None:
            self.banner(check.refusal.message, "refused")
        elif found is not None and check.renovation is not None:
            valid = t(
                "gate.worker.valid",
                number=found.number,
                name=found.name,
                last4=found.id_last4,
                room=check.renovation.room,
                until=found.valid_until.isoformat(),
            )
            self.banner(valid, "ok")
        self.refresh_bindings()

    @staticmethod
    def worker_view(check: renovation_workers.GateCheck) -> Table:
        view = Table.grid(padding=(0, 3))
        view.add_column(style="bold", no_wrap=True)
        view.add_column(ratio=1)
        found, works = check.worker_pass, check.renovation
        if found is None or works is None:
            return view
        valid = f"{found.valid_from.isoformat()} - {found.valid_until.isoformat()}"
        view.add_row(t("gate.worker.kind"), plain(found.number, "bold"))
        view.add_row(t("gate.worker.name"), plain(found.name, "bold"))
        view.add_row(t("gate.worker.id"), plain(f"****{found.id_last4}", "bold"))
        view.add_row(t("gate.worker.room"), plain(works.room, "bold"))
        view.add_row(t("gate.worker.works"), plain(works.permit_number or works.number))
        view.add_row(t("gate.worker.valid_until"), plain(valid))
        if check.status is not None:
            view.add_row(t("gate.worker.status"), t(f"worker_pass_status.{check.status}"))
        view.add_row(t("gate.worker.checks"), str(found.gate_checks))
        return view

    def pass_view(self, found: ReleasePass | None, items: list[PassItem], now: datetime) -> Table:
        view = Table.grid(padding=(0, 3))
        view.add_column(style="bold", no_wrap=True)
        view.add_column(ratio=1)
        if found is None:
            return view
        tz = self.gate.database.settings.tz
        status = passes.status_of(found, now, tz)
        view.add_row(t("pass_slip.number"), plain(found.number, "bold"))
        view.add_row(t("pass_slip.room"), plain(found.room, "bold"))
        view.add_row(t("pass_slip.applicant"), plain(found.applicant))
        view.add_row(t("pass_slip.plate"), plain(found.vehicle_plate or t("pass_slip.no_vehicle")))
        view.add_row(t("pass_slip.valid_until"), fmt(found.valid_until, tz, now=now))
        view.add_row(t("passes_ui.col_status"), t(f"pass_status.{status}"))
        goods = Table(box=None, padding=(0, 2), show_edge=False, header_style="bold")
        for key in ("line", "description", "quantity", "remark"):
            goods.add_column(t(f"passes_ui.col_item_{key}"))
        for item in items:
            quantity = Text(str(item.quantity), style="bold reverse")
            goods.add_row(
                str(item.line_no), plain(item.description, "bold"), quantity, plain(item.remark)
            )
        view.add_row(t("passes_ui.items_title"), goods)
        return view

    def check_card(self, typed: str) -> None:
        """A resident card: checked, counted and audited at once (a card on file); nothing to
        mark. A card that may not pass is refused loudly, as a pass is."""
        self.current = None
        try:
            with self.gate.database.writing() as session:
                ctx = self.gate.ctx(session)
                check = cards.gate_check(ctx, typed, self.gate.guard)
                today = cards.today(ctx)
        except SQLAlchemyError as exc:  # said plainly; the transaction saved nothing
            message = describe_failure(exc, self.gate.database.path)
            self.banner(t("app.db_error", message=message), "refused")
            self.refresh_bindings()
            return
        self.query_one("#gate-pass", Static).update(self.card_view(check.card, today))
        if check.refusal is not None:
            self.banner(check.refusal.message, "refused")
        elif check.card is not None:
            card = check.card
            until = card.valid_until.isoformat() if card.valid_until else t("cards_ui.long_term")
            valid = t(
                "cards_ui.gate.valid",
                number=card.number,
                holder=card.holder,
                room=card.room,
                kind=t(f"card_kind.{card.kind}"),
                until=until,
            )
            self.banner(valid, "ok")
        self.refresh_bindings()

    def card_view(self, card: ResidentCard | None, today: date) -> Table:
        view = Table.grid(padding=(0, 3))
        view.add_column(style="bold", no_wrap=True)
        view.add_column(ratio=1)
        if card is None:
            return view
        until = card.valid_until.isoformat() if card.valid_until else t("cards_ui.long_term")
        view.add_row(t("cards_ui.col_number"), plain(card.number, "bold"))
        view.add_row(t("cards_ui.col_holder"), plain(card.holder, "bold"))
        view.add_row(t("cards_ui.col_room"), plain(card.room, "bold"))
        view.add_row(t("cards_ui.col_kind"), t(f"card_kind.{card.kind}"))
        view.add_row(t("cards_ui.col_valid_until"), until)
        view.add_row(t("cards_ui.col_status"), t(f"card_status.{cards.status_of(card, today)}"))
        return view

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "mark":
            return True if self.current is not None else None
        return True

    def action_mark(self, result: str) -> None:
        if self.current is None:
            self.app.bell()
            return
        number = self.current.number
        if result == GateResult.all_out:
            self.record(number, result, "")
            return
        prompt = t("gate.ask_partly" if result == GateResult.partly else "gate.ask_refused")

        def noted(note: str | None) -> None:
            if note:
                self.record(number, result, note)

        self.app.push_screen(AskDialog(prompt), callback=noted)

    def record(self, number: str, result: str, note: str) -> None:
        if not self.gate.guard:
            self.action_change_guard()
            return
        try:
            with self.gate.database.writing() as session:
                saved = passes.gate_check(
                    self.gate.ctx(session), number, result, self.gate.guard, note
                )
        except DeskError as error:
            self.banner(error.message, "refused")
            self.current = None
            self.refresh_bindings()
            return
        except SQLAlchemyError as exc:  # said plainly; the transaction saved nothing
            message = describe_failure(exc, self.gate.database.path)
            self.banner(t("app.db_error", message=message), "refused")
            return
        self.banner(
            t("gate.recorded", number=saved.number, result=t(f"gate_result.{result}")), "done"
        )
        self.action_clear(keep_banner=True)

    def action_clear(self, keep_banner: bool = False) -> None:
        self.current = None
        box = self.query_one("#gate-number", Input)
        box.value = ""
        box.focus()
        self.query_one("#gate-pass", Static).update("")
        if not keep_banner:
            self.banner(t("gate.waiting"), "")
        self.refresh_bindings()

    def action_change_guard(self) -> None:
        def named(name: str | None) -> None:
            if name:
                self.gate.guard = name[:60]
                self.show_guard()
            self.query_one("#gate-number", Input).focus()

        self.app.push_screen(AskDialog(t("gate.ask_guard"), self.gate.guard), callback=named)


class GateApp(App[None]):
    """The gate terminal; the guard's name is asked once and kept for the session."""

    CSS_PATH = Path(__file__).parent / "gate.tcss"
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self,
        database: Database,
        *,
        lang: str = "zh_CN",
        clock: Clock = system_clock,
        guard: str = "",
    ) -> None:
        set_language(lang)
        super().__init__()
        self.database, self.lang, self.clock, self.guard = database, lang, clock, guard
        self.title = t("gate.title")

    def ctx(self, session: Session, now: datetime | None = None) -> Ctx:
        return Ctx(session, None, self.database.settings, now or self.clock())

    def on_mount(self) -> None:
        screen = GateScreen()
        self.push_screen(screen)
        if not self.guard:
            screen.action_change_guard()


def run_gate(database: Database, lang: str, guard: str = "") -> None:
    from desk.tui_errors import run_reporting  # no traceback: one line, the error log

    run_reporting(GateApp(database, lang=lang, guard=guard), database.path, "unexpected.gate")
