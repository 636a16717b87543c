"""Where the desk reaches past Textual's public API: every such workaround lives here.

Each one names the Textual version it was written for (pyproject.toml pins `textual>=8.2,<9`)
and why no public API does the job. Outside this module the desk uses public names only; when
Textual is upgraded, this is the file to read again (tests/test_app_keys.py and
tests/test_no_traceback.py exercise what is here).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from rich.align import Align
from textual.app import App
from textual.command import CommandList, CommandPalette
from textual.dom import DOMNode
from textual.notifications import Notification
from textual.screen import Screen
from textual.widgets.option_list import Option

from desk.i18n import t

__all__ = [
    "LocalisedCommandPalette",
    "adopt_current_stylesheet",
    "localise_bindings",
    "miss_current_stylesheet",
    "on_unhandled_exception",
    "shown_notifications",
    "terminal_lines",
]


def adopt_current_stylesheet(app: App[Any], screen: Screen[Any]) -> None:
    """Textual 8.2: mark a screen made after the app's first screen as styled by the stylesheet
    as it stands.

    Textual marks every new screen as having missed the last change of CSS (its private
    `_css_update_count` is -1), so a mode's first switch re-parsed the whole stylesheet and
    restyled every widget -- twice (the screen is not mounted yet when the first pass ends):
    ~30 ms of the start-up and of each first F-key, for no change. Textual has no public way to
    say a screen is up to date. Call it only once the app has composed its first screen (theme
    and variables applied): the screen is then styled as its widgets mount
    (tests/test_app_keys.py compares the styles with and without).
    """
    screen._css_update_count = app._css_update_count


def miss_current_stylesheet(screen: Screen[Any]) -> None:
    """Textual 8.2: mark `screen` as having missed the last change of CSS, as Textual leaves
    every new screen (its private `_css_update_count` at -1): the undo of
    `adopt_current_stylesheet`, for a test that compares the desk's way with Textual's own.
    """
    screen._css_update_count = -1


def shown_notifications(app: App[Any]) -> list[Notification]:
    """Textual 8.2: the notifications `app` shows now (those not yet timed out), oldest first.

    Textual keeps them in the private `App._notifications` (reading it drops the expired ones)
    and has no public way to read them back; the tests read what the clerk was told there.
    """
    return list(app._notifications)


def terminal_lines(app: App[Any]) -> list[str]:
    """Textual 8.2: each line of the terminal for `app`'s current screen, as plain text.

    The lines are what the screen's compositor draws (the private `Screen._compositor`); the
    one public way to the screen's content, `App.export_screenshot`, gives an SVG of it, not
    its text.
    """
    return [strip.text for strip in app.screen._compositor.render_strips()]


def localise_bindings(node: DOMNode) -> None:
    """Textual 8.2: show the descriptions of `node`'s bindings (catalogue keys) in the current
    language.

    A binding's description is fixed when its class is made; the desk writes catalogue keys
    there and puts the words of the current language into the map Textual keeps for the node,
    which the footer and the palette read. Textual has no public way to give a binding its
    words at run time.
    """
    mapping = node._bindings.key_to_bindings
    for key, bindings in list(mapping.items()):
        mapping[key] = [
            replace(b, description=t(b.description), tooltip=t(b.tooltip) if b.tooltip else "")
            for b in bindings
        ]


class LocalisedCommandPalette(CommandPalette):
    """Textual 8.2's command palette, its "No matches found" in words of our own.

    Textual writes that line in English inside `CommandPalette._start_no_matches_countdown`
    and offers no public setting for it; this is that method as Textual 8.2.8 has it, with
    `no_matches_text()` for its words.
    """

    def no_matches_text(self) -> str:
        return "No matches found"

    def _start_no_matches_countdown(self, search_value: str) -> None:
        def _show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(Align.center(self.no_matches_text()), disabled=True, id=self._NO_MATCHES)
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._stop_no_matches_countdown()
        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, _show_no_matches)


def on_unhandled_exception(app: App[Any], handle: Callable[[Exception], object]) -> None:
    """Textual 8.2: `handle(error)` is called with every exception that a handler, timer,
    worker or screen of `app` lets through, instead of Textual printing a traceback (with local
    variables) once the app has closed; the app then closes at once, exit status 1.

    Textual sends every unhandled exception to the private `App._handle_exception` and has no
    public hook for it, so that one method is replaced on this app. As Textual's own handling
    does: the return code is 1, the exception event wakes whatever waits on the app (Pilot),
    and `panic` (public) closes the app, here with nothing for Textual to print.
    """

    def handled(error: Exception) -> None:
        handle(error)
        app._return_code = 1
        app._exception_event.set()
        app.panic()

    app._handle_exception = handled  # type: ignore[method-assign]
