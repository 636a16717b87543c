"""Pick an approved standard reply (统一说辞) to insert into a form: a filter and a short list."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from desk import commands
from desk.i18n import t
from desk.safe_text import printable
from desk.screens.plain import plain
from desk.services import replies
from desk.widgets.base import DeskDialog

PICK_LIMIT = 20


OPTION_CELLS = 86


def option_text(topic: str, body: str) -> str:
    """Topic and the start of the answer's first line, on one row of the list."""
    first = body.strip().splitlines()[0] if body.strip() else ""
    shown = Text(printable(f"{topic} — {first}", one_line=True))
    if shown.cell_len > OPTION_CELLS:
        shown.truncate(OPTION_CELLS - 1)
        return shown.plain + "…"
    return shown.plain


class ReplyPickerDialog(DeskDialog[str | None]):
    """Returns the chosen reply's body, or None on escape.

    The filter starts with what the resident asked; the list follows it as the clerk types.
    Up and down move through the list without leaving the filter; Enter inserts.
    """

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("reply_picker_dialog")
    DEFAULT_CSS = """
    ReplyPickerDialog { align: center middle; }
    ReplyPickerDialog #picker-box {
        width: 96; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    ReplyPickerDialog #picker-title { text-style: bold; height: 1; }
    ReplyPickerDialog #picker-filter { border: none; height: 1; padding: 0 1; background: $boost; }
    ReplyPickerDialog #picker-options { height: auto; max-height: 12; border: none; }
    ReplyPickerDialog #picker-preview {
        height: auto; max-height: 8; color: $text-muted; border-top: solid $primary-muted;
    }
    ReplyPickerDialog #picker-hint { color: $text-muted; height: 1; }
    """

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.initial = query.strip()
        self.bodies: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box"):
            yield Static(t("reply_picker.title"), id="picker-title")
            yield Static(t("reply_picker.filter"))
            yield Input(self.initial, id="picker-filter", max_length=200)
            yield OptionList(id="picker-options")
            yield Static("", id="picker-preview")
            yield Static(t("reply_picker.hint"), id="picker-hint")

    def on_mount(self) -> None:
        self.show_matches(self.initial)
        self.query_one("#picker-filter", Input).focus()

    @property
    def options(self) -> OptionList:
        return self.query_one("#picker-options", OptionList)

    def show_matches(self, text: str) -> None:
        with self.reading() as ctx:
            found = replies.matching(ctx, text, limit=PICK_LIMIT)
        self.bodies = {str(reply.id): reply.body for reply in found}
        options = self.options
        options.clear_options()
        options.add_options(
            Option(plain(option_text(reply.topic, reply.body)), id=str(reply.id)) for reply in found
        )
        if found:
            options.highlighted = 0
        self.show_preview()

    def show_preview(self) -> None:
        chosen = self.chosen()
        text = chosen if chosen is not None else t("reply_picker.none")
        self.query_one("#picker-preview", Static).update(plain(text))

    def chosen(self) -> str | None:
        options = self.options
        if options.highlighted is None or not options.option_count:
            return None
        option = options.get_option_at_index(options.highlighted)
        return self.bodies.get(option.id or "")

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.show_matches(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.pick()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.show_preview()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.pick()

    def action_move(self, step: int) -> None:
        options = self.options
        if not options.option_count:
            return
        current = options.highlighted if options.highlighted is not None else -1
        options.highlighted = max(0, min(options.option_count - 1, current + step))

    def pick(self) -> None:
        body = self.chosen()
        if body is None:
            self.app.bell()
            return
        self.dismiss(body)

    def action_cancel(self) -> None:
        self.dismiss(None)
