"""A choice a digit takes: 1 the first option, 2 the second, … (the category of a repair call by
one key instead of Enter, arrows and Enter). The list opens as before with Enter."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.widgets import Select


class DigitSelect(Select[str]):
    def __init__(self, options: list[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(options, **kwargs)
        self.values = [value for _, value in options]

    def on_key(self, event: events.Key) -> None:
        digit = event.character or ""
        if self.expanded or len(digit) != 1 or digit not in "123456789":
            return
        index = int(digit) - 1
        if index < len(self.values):
            event.stop()
            event.prevent_default()
            self.value = self.values[index]
