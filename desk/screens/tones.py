"""The colours of text inside cells and lines, taken from the app's theme.

Widgets take their colours from the theme's variables in TCSS (`$error`, `$warning`, ...). A
table cell or a span of a line cannot have a CSS class, so it names one of the Rich styles
below instead ("desk.error" rather than "red"); `use_theme_tones` defines them on the app's
console from the current theme's `$error`, `$warning`, `$success` and `$accent`, again when
the theme changes, and Rich looks the name up whenever the text is drawn.
"""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.theme import Theme
from textual.app import App

ERROR = "desk.error"  # something is wrong: refused, lost, missing
ALARM = "desk.alarm"  # the same, bold: an emergency, a count that does not add up
WARNING = "desk.warning"  # needs a look soon: left for the morning, partly used
WARNING_BOLD = "desk.warning.bold"
SUCCESS = "desk.success"  # done: used, returned, approved
ACCENT = "desk.accent"


def theme_tones(app: App[Any]) -> Theme:
    """The desk's named styles in the colours of `app`'s current theme."""
    colours = app.get_css_variables()
    return Theme(
        {
            ERROR: Style(color=colours["error"]),
            ALARM: Style(color=colours["error"], bold=True),
            WARNING: Style(color=colours["warning"]),
            WARNING_BOLD: Style(color=colours["warning"], bold=True),
            SUCCESS: Style(color=colours["success"]),
            ACCENT: Style(color=colours["accent"]),
        },
        inherit=False,
    )


def use_theme_tones(app: App[Any]) -> None:
    """Define the named styles on `app`'s console; for a new theme, define them again (each
    definition stacks on the one before: a theme is changed a few times a day at most)."""
    app.console.push_theme(theme_tones(app))
