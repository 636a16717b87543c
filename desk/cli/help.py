"""The command line's help in the desk's language, wrapped by display cells.

Every command's and option's help text lives in the catalogue (desk/i18n/cli_help.toml), keyed
by the command's path: `cli_help.commands.<path>` for a command (the root is `desk`, a
sub-command `operator_add`), `cli_help.options.<path>.<parameter>` for an option or argument,
falling back to `cli_help.options.<parameter>` for one several commands share (`--as`, `day`).
`localise` writes them onto the click command tree just before it parses its arguments, in the
language `help_language` finds in those arguments (--lang, then $DESK_LANG, then the site's
setting), so `desk --lang zh --help` is Chinese from the first line.

Click wraps help text by characters and breaks lines only at spaces, which would run Chinese
help past the terminal's edge; `DeskHelpFormatter` wraps by display cells instead (a Chinese
character takes two) and gives the headings in the desk's language too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import typer
from rich.cells import cell_len
from typer.core import TyperCommand, TyperGroup

from desk.config import load_settings, site_file_for
from desk.db_file import database_url, sqlite_path
from desk.i18n import catalogue, resolve_language, t
from desk.printing.text import wrap

_HEADINGS = {
    "Options": "cli_help.heading.options",
    "Commands": "cli_help.heading.commands",
    "Arguments": "cli_help.heading.arguments",
}
# what click itself writes into an option's line: its --help option, "[default: x; required]"
_HELP_OPTION = "Show this message and exit."
_EXTRAS = re.compile(r"\s*\[([^\[\]]*)\]$")


def command_key(path: Sequence[str]) -> str:
    return "_".join(part.replace("-", "_") for part in path) or "desk"


def help_key(path: Sequence[str], parameter: str | None = None) -> str:
    """The catalogue key of a command's help, or of one of its parameters'."""
    if parameter is None:
        return f"cli_help.commands.{command_key(path)}"
    own = f"cli_help.options.{command_key(path)}.{parameter}"
    return own if own in catalogue() else f"cli_help.options.{parameter}"


def localise(command: TyperCommand | TyperGroup, path: tuple[str, ...] = ()) -> None:
    """Put the catalogue's help texts, in the current language, on `command` and below."""
    command.help = t(help_key(path))
    command.short_help = None  # click shortens the help afresh for the list of commands
    command.context_class = DeskContext
    for parameter in command.params:
        if parameter.name and hasattr(parameter, "help"):
            parameter.help = t(help_key(path, parameter.name))
    if isinstance(command, TyperGroup):
        for name, sub in command.commands.items():
            if isinstance(sub, TyperCommand | TyperGroup):  # every command typer makes is one
                localise(sub, (*path, name))


def help_language(args: Sequence[str]) -> str:
    """The language the command will speak, read from its arguments as the root command does."""
    lang = _option(args, "--lang")
    try:
        site = load_settings(site_file_for(sqlite_path(database_url(_option(args, "--db")))))
    except (OSError, ValueError):
        return resolve_language(lang)  # the command itself will say what is wrong
    return resolve_language(lang, site.site.language)


def _option(args: Sequence[str], name: str) -> str | None:
    for index, arg in enumerate(args):
        if arg == name and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


# Click's help formatter, by the name typer's Context gives it: typer (0.26 and later; 0.29 here)
# vendors click privately (typer._click) and does not export the class.
_HelpFormatter = typer.Context.formatter_class


class DeskHelpFormatter(_HelpFormatter):  # type: ignore[misc,valid-type]
    """Click's help layout, wrapped by display cells and with headings in the desk's language."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        usage = t("cli_help.heading.usage", prog=prog, args=args).rstrip()
        self.write(f"{'':>{self.current_indent}}{usage}\n")

    def write_heading(self, heading: str) -> None:
        shown = t(_HEADINGS[heading]) if heading in _HEADINGS else f"{heading}:"
        self.write(f"{'':>{self.current_indent}}{shown}\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        for number, paragraph in enumerate(_paragraphs(text)):
            if number:
                self.write("\n")
            for line in wrap(paragraph, max(self.width - self.current_indent, 10)):
                self.write(f"{indent}{line}\n")

    def write_dl(
        self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        rows = list(rows)
        first_col = min(max((cell_len(first) for first, _ in rows), default=0), col_max)
        first_col += col_spacing
        text_width = max(self.width - first_col - self.current_indent - 2, 10)
        hang = " " * (first_col + self.current_indent)
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if cell_len(first) <= first_col - col_spacing:
                self.write(" " * (first_col - cell_len(first)))
            else:
                self.write("\n" + hang)
            shown = _option_text(second)
            lines = [line for part in _paragraphs(shown) for line in wrap(part, text_width)]
            self.write(f"{lines[0]}\n")
            for line in lines[1:]:
                self.write(f"{hang}{line}\n")


class DeskContext(typer.Context):
    formatter_class = DeskHelpFormatter


# Click's usage errors, said in the desk's language (each pattern's groups fill its message).
_CLICK_ERRORS = [
    (r"No such option: (?P<name>\S+) \(Possible options: (?P<hint>.+)\)", "no_option_hint"),
    (r"No such option: (?P<name>\S+)", "no_option"),
    (r"No such command '(?P<name>[^']*)'\. Did you mean (?P<hint>.+)\?", "no_command_hint"),
    (r"No such command '(?P<name>[^']*)'\.", "no_command"),
    (r"Missing argument '(?P<name>[^']*)'\.", "missing_argument"),
    (r"Missing option '(?P<name>[^']*)'\.", "missing_option"),
    (r"Missing command\.", "missing_command"),
    (r"Option '(?P<name>[^']*)' requires an argument\.", "needs_value"),
    (r"Invalid value for (?P<name>.+?): Input should be a valid integer.*", "not_integer"),
    (r"Invalid value for (?P<name>.+?): (?P<why>.+)", "bad_value"),
    (r"Got unexpected extra argument\(s\) \((?P<args>.*)\)", "extra_arguments"),
]


def click_error(message: str) -> str:
    """A usage error of click's in the desk's language (unchanged when it is not known)."""
    for pattern, key in _CLICK_ERRORS:
        found = re.fullmatch(pattern, message, flags=re.DOTALL)
        if found is not None:
            return t(f"cli_help.errors.{key}", **found.groupdict())
    return message


def _option_text(text: str) -> str:
    """An option's help line with what click adds to it in the desk's language."""
    if text == _HELP_OPTION:
        return t("cli_help.options.help")
    found = _EXTRAS.search(text)
    if found is None:
        return text
    extras = []
    for extra in found.group(1).split("; "):
        if extra.startswith("default: "):
            extras.append(t("cli_help.heading.default", value=extra.removeprefix("default: ")))
        elif extra == "required":
            extras.append(t("cli_help.heading.required"))
        else:
            extras.append(extra)
    return f"{text[: found.start()]} [{t('cli_help.heading.extras_joiner').join(extras)}]"


def _paragraphs(text: str) -> list[str]:
    """Paragraphs split at blank lines, each joined into one line to be wrapped afresh."""
    paragraphs = [" ".join(block.split()) for block in text.split("\n\n")]
    return [paragraph for paragraph in paragraphs if paragraph] or [""]
