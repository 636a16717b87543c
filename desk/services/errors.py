"""Domain errors: a message-catalogue key and its parameters, readable by a clerk."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from desk.i18n import t
from desk.safe_text import printable

# What a message must not carry over from the input it quotes: control characters (a terminal
# obeys an escape sequence such as ESC [2J) and lone surrogates (no output encoding writes them).


def _shown(value: Any) -> Any:
    """A quoted value as a message may show it: unshowable characters as visible marks, the
    same notation as everywhere else (desk.safe_text)."""
    return printable(value, one_line=True) if isinstance(value, str) else value


class DeskError(Exception):
    """A rule of the desk refused an action; `message` says why in the current language."""

    def __init__(self, key: str, /, field: str | None = None, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.field = field
        self.params = {name: _shown(value) for name, value in params.items()}

    @property
    def message(self) -> str:
        """The reason, led by the field's label when the error belongs to one field."""
        text = t(self.key, **self.params)
        if self.field:
            return t("errors.field_prefix", field=t(f"fields.{self.field}"), message=text)
        return text

    def __str__(self) -> str:
        return self.message


class FieldErrors(DeskError):
    """Several refusals at once, each beside its own field: a form shows them all together.

    It reads as the first of them (its key, field and message), so whoever shows one error
    still shows the first; `errors` holds them all, in the order of the form's fields.
    """

    def __init__(self, errors: list[DeskError]) -> None:
        first = errors[0]
        super().__init__(first.key, first.field)
        self.params = first.params
        self.errors = errors

    @staticmethod
    def of(errors: list[DeskError]) -> DeskError:
        """One error as itself, several as FieldErrors."""
        return errors[0] if len(errors) == 1 else FieldErrors(errors)


class NotFound(DeskError):
    pass


class LastingRefusal(DeskError):
    """A refusal that leaves a trace although its transaction is rolled back.

    `lasting` writes that trace (a wrong PIN's failure count) in a transaction of its own,
    which desk.db.Database.writing runs and commits after the rollback.
    """

    def __init__(
        self, key: str, /, lasting: Callable[[Any], None], field: str | None = None, **params: Any
    ) -> None:
        super().__init__(key, field, **params)
        self.lasting = lasting


class Forbidden(DeskError):
    pass
