"""The items list of a release pass: as many lines (description, quantity, remark) as needed."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from desk.forms.fields import FormField
from desk.i18n import t
from desk.models import PassItem
from desk.services.errors import DeskError
from desk.services.limits import max_length
from desk.services.passes import MAX_ITEMS, PassItemIn


class ItemLine(Horizontal):
    """One line of the list: its number, what, how many, a remark."""

    DEFAULT_CSS = """
    ItemLine { height: 1; }
    ItemLine .item-no { width: 4; text-align: right; padding: 0 1 0 0; color: $text-muted; }
    ItemLine Input { border: none; height: 1; padding: 0 1; }
    ItemLine Input:focus { background: $boost; }
    ItemLine .item-description { width: 2fr; }
    ItemLine .item-quantity { width: 8; }
    ItemLine .item-remark { width: 1fr; }
    """

    def __init__(self, item: PassItemIn | None = None) -> None:
        super().__init__()
        self.item = item

    def compose(self) -> ComposeResult:
        item = self.item
        yield Label("", classes="item-no")
        yield Input(
            item.description if item else "",
            placeholder=t("passes_ui.item_placeholder"),
            max_length=max_length(PassItem, "description"),
            classes="item-description",
        )
        yield Input(
            str(item.quantity) if item else "",
            placeholder="1",
            max_length=4,
            restrict=r"[0-9]*",
            classes="item-quantity",
        )
        remark = item.remark if item else ""
        yield Input(remark, max_length=max_length(PassItem, "remark"), classes="item-remark")

    def texts(self) -> tuple[str, str, str]:
        description, quantity, remark = (i.value for i in self.query(Input))
        return description, quantity, remark

    def blank(self) -> bool:
        return not any(part.strip() for part in self.texts())

    def number(self, line: int) -> None:
        self.query_one(".item-no", Label).update(f"{line}.")


class ItemsField(FormField):
    """The editor: ctrl+l adds a line, ctrl+y removes the line being typed, Enter on the last
    remark adds a line too. Trailing empty lines are left out; an empty line in the middle is
    refused at its number, so the numbers the clerk sees are the numbers on the slip."""

    DEFAULT_CSS = """
    ItemsField { height: auto; }
    ItemsField .items-head { height: 1; color: $text-muted; }
    ItemsField .items-head .item-no { width: 4; }
    ItemsField .items-head .item-description { width: 2fr; padding: 0 1; }
    ItemsField .items-head .item-quantity { width: 8; padding: 0 1; }
    ItemsField .items-head .item-remark { width: 1fr; padding: 0 1; }
    ItemsField #item-lines { height: auto; }
    """

    def __init__(self, items: list[PassItemIn] | None = None, **kwargs: Any) -> None:
        super().__init__("items", **kwargs)
        self.initial = items or []

    def compose(self) -> ComposeResult:
        yield Label(self.label_text, classes="field-label items-label")
        with Horizontal(classes="items-head"):
            yield Label("", classes="item-no")
            yield Label(t("passes_ui.col_item_description"), classes="item-description")
            yield Label(t("passes_ui.col_item_quantity"), classes="item-quantity")
            yield Label(t("passes_ui.col_item_remark"), classes="item-remark")
        with Vertical(id="item-lines"):
            for item in self.initial:
                yield ItemLine(item)
            if not self.initial:
                yield ItemLine()
        yield Static("", classes="field-note -empty")
        yield Static("", classes="field-error -empty")

    def on_mount(self) -> None:
        self.renumber()
        self.set_note(t("passes_ui.items_hint"))

    def lines(self) -> list[ItemLine]:
        return list(self.query(ItemLine))

    def renumber(self) -> None:
        for index, line in enumerate(self.lines(), start=1):
            line.number(index)

    async def add_line(self) -> None:
        if len(self.lines()) >= MAX_ITEMS:
            self.app.bell()
            return
        line = ItemLine()
        await self.query_one("#item-lines").mount(line)
        self.renumber()
        line.query_one(".item-description", Input).focus()
        self.call_after_refresh(line.scroll_visible)

    async def remove_line(self, line: ItemLine | None = None) -> None:
        """Remove the line being typed (the last line when focus is elsewhere); one stays."""
        lines = self.lines()
        line = line or self.focused_line() or lines[-1]
        if len(lines) == 1:
            for box in line.query(Input):
                box.value = ""
            line.query_one(".item-description", Input).focus()
            return
        index = lines.index(line)
        await line.remove()
        self.renumber()
        remaining = self.lines()
        remaining[min(index, len(remaining) - 1)].query_one(".item-description", Input).focus()

    def focused_line(self) -> ItemLine | None:
        focused = self.screen.focused
        for line in self.lines():
            if focused is not None and focused.parent is line:
                return line
        return None

    def focus_control(self) -> None:
        self.focus_line(1)

    def focus_line(self, number: int) -> None:
        lines = self.lines()
        if lines:
            line = lines[max(0, min(number, len(lines)) - 1)]
            line.query_one(".item-description", Input).focus()

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter moves along the line; on the last line's remark it starts a new line."""
        event.stop()
        line = self.focused_line()
        if line is None:
            return
        if event.input.has_class("item-remark") and line is self.lines()[-1]:
            await self.add_line()
        else:
            self.screen.focus_next()

    @property
    def value(self) -> list[PassItemIn]:
        lines = self.lines()
        while lines and lines[-1].blank():
            lines.pop()
        items = []
        for number, line in enumerate(lines, start=1):
            description, quantity, remark = line.texts()
            amount = int(quantity) if quantity.strip().isdigit() else (1 if not quantity else 0)
            if amount < 1:
                raise DeskError("pass_error.item_quantity", field="items", line=number, max=9999)
            items.append(PassItemIn(description=description, quantity=amount, remark=remark))
        return items
