"""DeskApp: global keys, the command palette, the signed-in operator and the clock."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from sqlmodel import Session
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.screen import Screen

from desk import commands
from desk.clock import Clock, fmt, system_clock
from desk.compat import LocalisedCommandPalette, adopt_current_stylesheet, localise_bindings
from desk.config import Settings
from desk.db import Database
from desk.i18n import set_language, t
from desk.models import Estate, Operator
from desk.safe_text import printable
from desk.screens.tones import use_theme_tones
from desk.services import estates
from desk.services.context import Ctx
from desk.tui_errors import run_reporting
from desk.widgets.live import LiveLink, refused_while_lost

# Screens reachable by F-key, each its own mode (a clerk's half-typed form survives a trip to
# the board). Imported on first use, so start-up loads only the board.
REGISTER_MODES = {
    "board": ("desk.screens.board", "BoardScreen"),
    "reception": ("desk.screens.reception", "ReceptionScreen"),
    "repairs": ("desk.screens.repairs", "RepairsScreen"),
    "complaints": ("desk.screens.complaints", "ComplaintsScreen"),
    "callbacks": ("desk.screens.callbacks", "CallbackQueueScreen"),
    "replies": ("desk.screens.replies", "StandardRepliesScreen"),
    "keys": ("desk.screens.keys", "KeysScreen"),
    "passes": ("desk.screens.passes", "PassesScreen"),
    "renovations": ("desk.screens.renovations", "RenovationsScreen"),
    "fees": ("desk.screens.fees", "FeesScreen"),
    "cards": ("desk.screens.cards", "CardsScreen"),
    "worker_passes": ("desk.screens.worker_passes", "WorkerPassesScreen"),
    "owner_changes": ("desk.screens.owner_changes", "OwnerChangesScreen"),
    "incidents": ("desk.screens.incidents", "IncidentsScreen"),
    "patrols": ("desk.screens.patrols", "PatrolsScreen"),
    "move_ins": ("desk.screens.move_ins", "MoveInsScreen"),
    "services": ("desk.screens.paid_services", "PaidServicesScreen"),
    "handover": ("desk.screens.handover", "HandoverScreen"),
    "nightlog": ("desk.screens.nightlog", "NightLogScreen"),
    "lookup": ("desk.screens.lookup", "LookupScreen"),
    "report": ("desk.screens.report", "ReportScreen"),
}
# Registers of later versions: their keys say so when chosen (and stay out of the footer).
COMING: set[str] = set()


BACKUP_CHECK_SECONDS = 300


def _screen_factory(app: App[Any], module: str, name: str) -> Callable[[], Screen[Any]]:
    def build() -> Screen[Any]:
        screen_class = getattr(importlib.import_module(module), name)
        screen: Screen[Any] = screen_class()
        adopt_current_stylesheet(app, screen)  # made after the first screen: see on_mount
        return screen

    return build


class DeskApp(App[None]):
    """The front desk."""

    CSS_PATH = Path(__file__).parent / "screens" / "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("app")

    def __init__(
        self,
        database: Database,
        *,
        lang: str = "zh_CN",
        clock: Clock = system_clock,
        operator: Operator | None = None,
    ) -> None:
        set_language(lang)
        super().__init__()
        localise_bindings(self)
        use_theme_tones(self)
        self.database = database
        self.lang = lang
        self.clock = clock
        self.operator = operator
        self.title = t("app.title")
        # the call-centre desk: the estate of the call in hand (None: every estate)
        self.working_estate: int | None = None
        self._working_settings: Settings | None = None
        self.sub_title = self._place()

    def _place(self) -> str:
        """What the header says of where this desk works."""
        if self.database.call_centre:
            if self.working_estate is None:
                return t("estate.call_centre")
            with self.database.reading() as session:
                estate = session.get(Estate, self.working_estate)
            base = self.database.site_settings or self.database.settings
            name = "" if estate is None else estates.name_of(estate, base, self.lang)
            code = "" if estate is None else estate.code
            return t("estate.call_centre_in", code=code, name=name)
        site = self.settings.site
        return site.name if self.lang == "zh_CN" else site.name_en

    def watch_theme(self, _theme: str) -> None:
        use_theme_tones(self)  # before the screens are drawn again in the new theme

    # --- shared services for screens -------------------------------------------------

    @property
    def settings(self) -> Settings:
        return self._working_settings or self.database.settings

    def now(self) -> datetime:
        return self.clock()

    def ctx(self, session: Session) -> Ctx:
        ctx = Ctx(session, self.operator, self.settings, self.now())
        if self.database.call_centre and self.working_estate is not None:
            site = self.database.site_settings or self.database.settings
            ctx = estates.enter(ctx, self.working_estate, site)
        return ctx

    def show_time(self, moment: datetime | None, *, with_date: bool = True) -> str:
        return fmt(moment, self.settings.tz, with_date=with_date, now=self.now())

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification of the desk, shown as plain printable text whatever `markup` says.

        A message often quotes stored text (a name, a number, an error with what was typed);
        no catalogue message uses markup, so none is read (desk.screens.plain).
        """
        super().notify(
            printable(message),
            title=printable(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    # --- navigation ---------------------------------------------------------------------

    def on_mount(self) -> None:
        for mode, (module, name) in REGISTER_MODES.items():
            self.add_mode(mode, _screen_factory(self, module, name))
        if self.database.is_sqlite:
            # A desk left open across midnight backs itself up once a day.
            self.set_interval(BACKUP_CHECK_SECONDS, self.daily_backup)
        self.live = LiveLink(self)
        self.live.start()
        if self.operator is None:
            self.show_sign_in()
        else:
            self.switch_mode("board")

    def on_unmount(self) -> None:
        self.live.stop()

    def daily_backup(self) -> None:
        self.run_worker(self._daily_backup, thread=True, exclusive=True, group="backup")

    def _daily_backup(self) -> None:
        from desk.services import backup, backup_retention

        try:
            made = backup_retention.daily_if_due(self.database, self.clock())
        except backup.BackupError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error", timeout=15)
            return
        if made is not None:
            self.call_from_thread(self.notify, t("backup.daily_done", path=made[0]))

    def show_sign_in(self) -> None:
        from desk.screens.signin import SignInScreen

        self.push_screen(SignInScreen(), callback=self._signed_in)

    def _signed_in(self, operator: Operator | None) -> None:
        if operator is None:
            self.exit()
            return
        self.operator = operator
        self.notify(t("signin.welcome", name=operator.name))
        self.switch_mode("board")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose_estate":  # the call-centre desk's own key
            return self.operator is not None and self.database.call_centre
        # Nothing of the desk is reachable before someone signs in.
        return self.operator is not None or action not in ("open", "help", "sign_out", "settings")

    def action_choose_estate(self) -> None:
        from desk.screens.estate_chooser import EVERY, EstateChooserDialog

        def chosen(choice: str | None) -> None:
            if choice is None:
                return
            estate = None if choice == EVERY else int(choice)
            self.run_worker(self._work_in(estate), exclusive=True, group="estate")

        self.push_screen(EstateChooserDialog(), callback=chosen)

    async def _work_in(self, estate: int | None) -> None:
        """Work in `estate` (None: every estate): every register screen starts afresh in it."""
        self.working_estate = estate
        self._working_settings = None if estate is None else self.database.settings_for(estate)
        self.sub_title = self._place()
        await self._fresh_screens()
        refresh = getattr(self.screen, "refresh_board", None)
        if refresh is not None:
            refresh()
        if estate is None:
            self.notify(t("estate.now_every"))
        else:
            with self.database.reading() as session:
                found = session.get(Estate, estate)
            self.notify(t("estate.now_in", code=found.code if found else ""))

    def action_open(self, register: str) -> None:
        if refused_while_lost(self):
            return
        if register in COMING or importlib.util.find_spec(REGISTER_MODES[register][0]) is None:
            self.notify(t("app.coming", register=t(f"registers.{register}")), severity="warning")
            return
        self.switch_mode(register)

    def action_settings(self) -> None:
        from desk.screens.settings import SettingsScreen

        if not isinstance(self.screen, SettingsScreen):
            self.push_screen(SettingsScreen())

    def action_help(self) -> None:
        from desk.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    async def action_sign_out(self) -> None:
        """Back to sign-in; every register screen starts afresh for the next operator."""
        self.operator = None
        self.database.admit(None)
        self.working_estate, self._working_settings = None, None
        self.sub_title = self._place()
        await self._fresh_screens()
        self.show_sign_in()

    async def _fresh_screens(self) -> None:
        """Back to the board, every other register screen made anew when next opened."""
        await self.switch_mode("board")
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        for mode, (module, name) in REGISTER_MODES.items():
            if mode != "board":
                await self.remove_mode(mode)
                self.add_mode(mode, _screen_factory(self, module, name))

    def action_command_palette(self) -> None:
        if self.use_command_palette and not self.screen.has_class("--textual-command-palette"):
            self.push_screen(
                DeskCommandPalette(id="--command-palette", placeholder=t("palette.placeholder"))
            )

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every desk action once, by its name and key, in the current language.

        The desk's own keys (those with an id), then the screen's shown keys, then what has no
        key of its own; Textual's built-in keys (ctrl+c, ctrl+p) and the theme are left out.
        """
        seen: set[str] = set()

        def command(title: str, key: str, run: Callable[[], object]) -> Iterable[SystemCommand]:
            if title and title not in seen:
                seen.add(title)
                yield SystemCommand(f"{title} ({key})" if key else title, "", run)

        if self.operator is not None:
            for binding in declared_bindings(self):
                if binding.id is not None and binding.id not in ("quit", "palette"):
                    yield from command(
                        t(binding.description),
                        self.get_key_display(binding),
                        partial(self.run_action, binding.action),
                    )
            for binding in declared_bindings(screen):
                if binding.show:
                    yield from command(
                        t(binding.description),
                        self.get_key_display(binding),
                        partial(screen.run_action, binding.action),
                    )
            yield from command(t("keys.settings"), "", self.action_settings)
            yield from command(t("keys.report"), "", lambda: self.action_open("report"))
        yield from command(t("keys.quit"), "ctrl+q", self.exit)


def declared_bindings(node: object) -> Iterator[Binding]:
    """The keys the desk's classes declare for `node` (its class's and its desk bases'), every
    key's, enabled or not, their words still catalogue keys (desk.commands)."""
    for cls in type(node).__mro__:
        if cls.__module__.startswith("desk."):
            for binding in cls.__dict__.get("BINDINGS", ()):
                if isinstance(binding, Binding):
                    yield binding


class DeskCommandPalette(LocalisedCommandPalette):
    """Textual's command palette, saying "no matches" in the desk's language."""

    def no_matches_text(self) -> str:
        return t("palette.no_matches")


def make_app(
    database: Database,
    *,
    lang: str = "zh_CN",
    clock: Clock = system_clock,
    operator: Operator | None = None,
) -> DeskApp:
    """The one way to build the app: used by the CLI, the tests and screenshots."""
    return DeskApp(database, lang=lang, clock=clock, operator=operator)


def run_tui(database: Database, lang: str) -> None:
    """Run the desk until it is closed; an unforeseen failure closes it with one line (on
    stderr, once the terminal is restored), the traceback in the error log, exit status 1."""
    run_reporting(make_app(database, lang=lang), database.path)
