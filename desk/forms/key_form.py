"""Fields of the key dialogs: a whole-number count, and a key picked by its tag."""

from __future__ import annotations

from typing import Any

from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Input

from desk.forms.fields import TextField
from desk.i18n import listed, t
from desk.models import Key
from desk.services.errors import DeskError
from desk.services.limits import max_length


class CountField(TextField):
    """A whole number of keys; empty reads as `empty` (0 unless told; None: it must be typed)."""

    def __init__(self, name: str, *, empty: int | None = 0, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 3)
        super().__init__(name, **kwargs)
        self.empty = empty

    @property
    def value(self) -> int:  # type: ignore[override]
        typed = self.input.value.strip()
        if not typed:
            if self.empty is None:
                raise DeskError("field.required", field=self.field_name)
            return self.empty
        if not typed.isdecimal():  # "²" is a digit int() cannot read
            raise DeskError("key_error.bad_number", field=self.field_name, value=typed)
        return int(typed)


class KeyTagField(TextField):
    """A cabinet key by its tag, completed from the cabinet; the note says what it opens."""

    def __init__(self, name: str, hints: dict[str, str], **kwargs: Any) -> None:
        kwargs.setdefault("max_length", max_length(Key, "tag"))
        super().__init__(name, **kwargs)
        self.hints = hints

    def control(self) -> Widget:
        return self.make_input(
            suggester=SuggestFromList(sorted(self.hints), case_sensitive=False),
            select_on_focus=True,
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.set_note(self.hints.get(event.value.strip().upper(), ""))


def staff_note(names: list[str]) -> str:
    return t("keys_ui.dialog.staff_hint", names=listed(names)) if names else ""
