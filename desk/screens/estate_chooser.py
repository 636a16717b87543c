"""The call-centre desk's estate for the call in hand (ctrl+z): one estate, or every estate.

With every estate the lists, the board, the callback queue and the lookup show all the estates
the operator may work on, and a record already made is worked on in its own estate; a new
record (a call logged, a repair, a complaint) needs the estate chosen first, and is then made
in that estate's registers with its settings, exactly as at its own desk.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from desk import commands
from desk.i18n import t
from desk.safe_text import printable
from desk.services import estates
from desk.widgets.base import DeskDialog

EVERY = "*"


class EstateChooserDialog(DeskDialog[str | None]):
    """Returns the chosen estate's id as text, "*" for every estate, None on escape."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("estate_chooser_dialog")
    DEFAULT_CSS = """
    EstateChooserDialog { align: center middle; }
    EstateChooserDialog #estate-box {
        width: 60; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    EstateChooserDialog #estate-title { text-style: bold; height: 1; }
    EstateChooserDialog #estate-options { height: auto; max-height: 16; border: none; }
    """

    def compose(self) -> ComposeResult:
        with Vertical(id="estate-box"):
            yield Static(t("estate.choose_title"), id="estate-title")
            yield OptionList(id="estate-options")

    def on_mount(self) -> None:
        options = self.query_one("#estate-options", OptionList)
        options.add_option(Option(t("estate.every"), id=EVERY))
        with self.reading() as ctx:
            allowed = estates.allowed(ctx, ctx.operator) if ctx.operator else None
            for estate in estates.listed(ctx):
                if allowed is None or estate.id in allowed:
                    name = estates.name_of(estate, ctx.settings, self.desk.lang)
                    shown = printable(f"{estate.code}  {name}", one_line=True)
                    options.add_option(Option(shown, id=str(estate.id)))
        options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
