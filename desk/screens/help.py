"""F1: the keys of the desk and how to type times."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import Markdown

from desk import commands
from desk.i18n import t
from desk.widgets.base import DeskDialog, DeskFooter


def key_table() -> str:
    """The keys of the desk as a Markdown table, made from the command registry."""
    lines = [
        t("help.table.title"),
        "",
        f"| {t('help.table.key')} | {t('help.table.does')} |",
        "|---|---|",
    ]
    lines += [f"| {key} | {t(words)} |" for key, words in commands.key_table()]
    return "\n".join(lines) + "\n\n"


class HelpScreen(DeskDialog[None]):
    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("help")
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen VerticalScroll {
        width: 90; max-width: 100%; height: 90%; border: round $primary; padding: 0 1;
    }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(key_table() + t("help.body"))
        yield DeskFooter()

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
