"""Sign-in: choose the operator, type the PIN.

A wrong operator or PIN gets one message; after a few failures at this terminal the next attempt
must wait (desk.services.operators decides, counting per terminal, never per operator: no one
can lock the supervisor out from another desk).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Input, Label, Select, Static

from desk.collector import resume_collector
from desk.compat import localise_bindings
from desk.i18n import t
from desk.models import Operator
from desk.screens.plain import plain
from desk.services import operators
from desk.widgets.base import DeskFooter, DeskMixin


class SignInScreen(DeskMixin, Screen[Operator | None]):
    """The first screen: nothing else of the desk is reachable until someone signs in."""

    DEFAULT_CSS = """
    SignInScreen { align: center middle; }
    SignInScreen #signin-box { width: 56; height: auto; border: round $primary; padding: 1 2; }
    SignInScreen #signin-site { text-style: bold; width: 100%; content-align: center middle; }
    SignInScreen Label { margin: 1 0 0 0; }
    SignInScreen #signin-error { color: $error; height: auto; margin: 1 0 0 0; }
    """

    def __init__(self, terminal: str | None = None) -> None:
        super().__init__()
        self.last: str | None = None
        localise_bindings(self)
        # this desk's terminal (host name + tty): failures are counted against it
        self.terminal = terminal or operators.this_terminal()

    def compose(self) -> ComposeResult:
        with self.reading() as ctx:
            people = operators.active_operators(ctx)
            self.last = operators.last_signed_in(ctx)
        site = self.desk.settings.site
        with Center(), Vertical(id="signin-box"):
            yield Static(site.name if self.desk.lang == "zh_CN" else site.name_en, id="signin-site")
            yield Label(t("signin.operator"))
            yield Select(
                [(plain(f"{p.name}（{t(f'role_name.{p.role}')}）"), p.name) for p in people],
                prompt=t("signin.choose"),
                value=self.last if self.last is not None else Select.NULL,
                id="operator",
            )
            yield Label(t("signin.pin"))
            yield Input(password=True, id="pin", max_length=8)
            yield Static(t("signin.no_operators") if not people else "", id="signin-error")
        yield DeskFooter()

    def on_mount(self) -> None:
        # the cursor where the clerk types: the PIN when the last operator is already chosen
        if self.last is not None:
            self.query_one("#pin", Input).focus()
        else:
            self.query_one("#operator", Select).focus()
        self.call_after_refresh(resume_collector)  # paused while the desk loaded (desk.launch)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.value is not Select.NULL:
            self.query_one("#pin", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        chosen = self.query_one("#operator", Select).value
        error = self.query_one("#signin-error", Static)
        if chosen is Select.NULL:
            error.update(t("signin.choose"))
            self.query_one("#operator", Select).focus()
            return
        name, typed, terminal = str(chosen), event.value, self.terminal
        outcome = self.attempt(lambda ctx: operators.sign_in(ctx, name, typed, terminal))
        self.query_one("#pin", Input).value = ""
        if isinstance(outcome, operators.SignIn) and outcome.operator is not None:
            self.desk.database.admit(outcome.estates)
            self.dismiss(outcome.operator)
            return
        reason = outcome.error if isinstance(outcome, operators.SignIn) else outcome
        error.update(plain(reason.message if reason else ""))
        self.app.bell()
