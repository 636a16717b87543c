"""Domain errors: a message-catalogue key and its parameters, readable by a clerk."""

from __future__ import annotations

from typing import Any

from desk.i18n import t


class DeskError(Exception):
    """A rule of the desk refused an action; `message` says why in the current language."""

    def __init__(self, key: str, /, field: str | None = None, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.field = field
        self.params = params

    @property
    def message(self) -> str:
        """The reason, led by the field's label when the error belongs to one field."""
        text = t(self.key, **self.params)
        if self.field:
            return t("errors.field_prefix", field=t(f"fields.{self.field}"), message=text)
        return text

    def __str__(self) -> str:
        return self.message


class NotFound(DeskError):
    pass


class Forbidden(DeskError):
    pass
