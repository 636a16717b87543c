"""What every desk screen shares: translated key labels, the app's database and clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from sqlalchemy.exc import SQLAlchemyError
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer

from desk.db import describe_failure
from desk.i18n import t
from desk.services.context import Ctx
from desk.services.errors import DeskError

if TYPE_CHECKING:
    from desk.app import DeskApp

T = TypeVar("T")


def localise_bindings(node: DOMNode) -> None:
    """Binding descriptions are catalogue keys; show them in the current language."""
    mapping = node._bindings.key_to_bindings
    for key, bindings in list(mapping.items()):
        mapping[key] = [
            replace(b, description=t(b.description), tooltip=t(b.tooltip) if b.tooltip else "")
            for b in bindings
        ]


class DeskMixin:
    """Database access for screens: short transactions, errors turned into messages."""

    app: Any

    @property
    def desk(self) -> DeskApp:
        return self.app  # type: ignore[no-any-return]

    @contextmanager
    def reading(self) -> Iterator[Ctx]:
        with self.desk.database.reading() as session:
            yield self.desk.ctx(session)

    def attempt(self, action: Callable[[Ctx], T]) -> T | DeskError:
        """Run `action` in one write transaction; a refusal comes back as the DeskError.

        Nothing is half-saved: any error rolls the whole transaction back. A database failure
        (disk full, read-only file, locked) is told to the clerk and returned as a DeskError too,
        so the form keeps what was typed.
        """
        try:
            with self.desk.database.writing() as session:
                return action(self.desk.ctx(session))
        except DeskError as error:
            return error
        except SQLAlchemyError as exc:
            message = describe_failure(exc, self.desk.database.path)
            self.desk.notify(t("app.db_error", message=message), severity="error", timeout=10)
            return DeskError("app.error", message=message)


class DeskScreen(DeskMixin, Screen[None]):
    """A full screen of the desk (board, a register)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        localise_bindings(self)


class RecordScreen(DeskScreen):
    """A record's own page: its lifecycle actions need the footer room, so the register F-keys
    (which still work) step out of it; F1 help and F9 board stay."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(key, f"app.open('{register}')", f"keys.{register}", show=False)
        for key, register in (
            ("f2", "reception"),
            ("f3", "repairs"),
            ("f4", "complaints"),
            ("f10", "callbacks"),
        )
    ]


class DeskDialog(DeskMixin, ModalScreen[T]):
    """A dialog that returns a value (or None on escape)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        localise_bindings(self)


class DeskFooter(Footer):
    """The footer of every screen: compact, so the F-keys and the screen's own keys fit 120 columns.

    The command palette (ctrl+p) is listed in F1 help instead of taking footer room.
    """

    def __init__(self) -> None:
        super().__init__(compact=True, show_command_palette=False)
