"""F1: the keys of the desk and how to type times."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import Markdown

from desk import commands
from desk.commands import Command
from desk.i18n import catalogue, t
from desk.widgets.base import DeskDialog, DeskFooter

# a key that does the same on this many places is one of the desk's common keys (F1 lists it)
COMMON_FROM = 3
_SHOWN_KEYS = {"escape": "Esc", "enter": "Enter", "tab": "Tab"}


def key_display(key: str) -> str:
    """A key as the F1 table writes it: F1, Ctrl+S, Esc."""
    return "+".join(_SHOWN_KEYS.get(part, part.capitalize()) for part in key.split("+"))


def key_rows() -> list[tuple[str, str]]:
    """The F1 table, as (key, catalogue key of its words): the desk's own keys, the board's
    letters (a register each, not in the footer), then the keys many screens share, each key
    once. The words are `help_keys.<key>` (ctrl+s: ctrl_s) when the catalogue has a longer line
    for it, else the key's own description."""
    words = catalogue()
    table: dict[str, tuple[str, str]] = {}

    def add(command: Command, shown: str | None = None) -> None:
        if command.key not in table:
            longer = f"help_keys.{command.key.replace('+', '_')}"
            said = longer if longer in words else command.description
            table[command.key] = (shown or key_display(command.key), said)

    for command in commands.rows("app"):
        add(command)
    for command in commands.rows("board"):
        if not command.show and (len(command.key) == 1 or command.key_display):
            add(command, t("help.on_board", key=command.key_display or command.key))
    uses: dict[tuple[str, str], int] = {}
    first: dict[tuple[str, str], Command] = {}
    for entry in commands.COMMANDS:
        if isinstance(entry, Command) and entry.where != "app":
            pair = (entry.key, entry.description)
            uses[pair] = uses.get(pair, 0) + 1
            first.setdefault(pair, entry)
    for pair, count in sorted(uses.items(), key=lambda item: -item[1]):
        if count >= COMMON_FROM:
            add(first[pair])
    return list(table.values())


def key_table() -> str:
    """The keys of the desk as a Markdown table, made from the command registry."""
    lines = [
        t("help.table.title"),
        "",
        f"| {t('help.table.key')} | {t('help.table.does')} |",
        "|---|---|",
    ]
    lines += [f"| {key} | {t(words)} |" for key, words in key_rows()]
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
