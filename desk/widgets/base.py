"""What every desk screen shares: translated key labels, the app's database and clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from textual.geometry import Size
from textual.screen import ModalScreen, Screen
from textual.widget import Widget

from desk import live
from desk.compat import localise_bindings
from desk.db_errors import describe_failure
from desk.i18n import t
from desk.services.context import Ctx
from desk.services.errors import DeskError, Forbidden
from desk.widgets.live import lost

if TYPE_CHECKING:
    from desk.app import DeskApp

T = TypeVar("T")


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

    # a save of this screen's whose commit was cut off: its transaction and what it returned
    unsettled: tuple[int, Any] | None = None

    def attempt(self, action: Callable[[Ctx], T]) -> T | DeskError:
        """Run `action` in one write transaction; a refusal comes back as the DeskError.

        Nothing is half-saved: any error rolls the whole transaction back. A database failure
        (disk full, read-only file, locked) is told to the clerk and returned as a DeskError too,
        so the form keeps what was typed. Nothing is saved while the database is lost
        (desk.widgets.live), and nothing twice: a save whose commit was cut off is asked about
        before this screen saves again (desk.live).
        """
        refusal = self.lost_refusal()
        if refusal is not None:
            return refusal
        if self.unsettled is not None:
            xid, earlier = self.unsettled
            done = live.commit_status(self.desk.database, xid)
            if done is None:
                return self._told("live.still_unknown")
            self.unsettled = None
            if done:
                self.desk.notify(t("live.was_saved"), severity="warning", timeout=15)
                # a dialog's one save closes as saved; a page's next key may be another action
                if isinstance(self, ModalScreen):
                    return earlier  # type: ignore[no-any-return]
                return DeskError("live.was_saved")
        result: Any = None
        try:
            with self.desk.database.writing() as session:
                result = action(self.desk.ctx(session))
            return result  # type: ignore[no-any-return]
        except DeskError as error:
            return error
        except live.CommitUnknown as unknown:
            self.unsettled = (unknown.xid, result)
            return self._told("live.commit_unknown")
        except SQLAlchemyError as exc:
            message = describe_failure(exc, self.desk.database.path)
            self.desk.notify(t("app.db_error", message=message), severity="error", timeout=10)
            return DeskError("app.error", message=message)

    def lost_refusal(self) -> DeskError | None:
        """While the database is lost: the refusal of any save, the clerk told (else None)."""
        return self._told("live.down_refused") if lost(self.desk) else None

    def _told(self, key: str) -> DeskError:
        """The clerk told why nothing was saved (the form keeps its text, and says it too)."""
        self.desk.notify(t(key), severity="error", timeout=15)
        return DeskError(key)

    def refused(self, check: Callable[[Ctx], object]) -> bool:
        """True, once the operator has been told why, when `check` forbids the signed-in role.

        The desk's one rule for a key the role does not allow: it stays in the footer, enabled
        by the record's state like any other; pressing it says "only a supervisor may …,
        because …" before a dialog opens, so no reason is typed in vain. `check` is the
        service's own rule (e.g. `roles.REPAIR_CANCEL.require`), which saving checks again.
        """
        with self.reading() as ctx:
            try:
                check(ctx)
            except Forbidden as error:
                self.desk.notify(error.message, severity="error", timeout=8)
                self.desk.bell()
                return True
        return False


class DeskScreen(DeskMixin, Screen[None]):
    """A full screen of the desk (board, a register)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        localise_bindings(self)

    # A screen reads what it shows on mount. Textual also resumes a screen as it first comes
    # up (a mode's screen twice), and each time the clerk comes back to it from another screen
    # or a dialog: only a return after a suspend reads it again.
    away = False
    # read again, while in front, when another desk saves (the board, a register's list)
    LIVE: ClassVar[bool] = False

    def reread(self) -> None:
        """Read again what the screen shows (the clerk came back to it)."""

    def on_screen_suspend(self) -> None:
        self.away = True

    def on_screen_resume(self) -> None:
        # while the database is lost, read again once it is back (desk.widgets.live)
        if self.away and not lost(self.app):
            self.away = False
            self.reread()


class RecordScreen(DeskScreen):
    """A record's own page (a repair order, a complaint…): its lifecycle actions are ctrl keys
    in the footer, enabled by the record's state."""


class DeskDialog(DeskMixin, ModalScreen[T]):
    """A dialog that returns a value (or None on escape)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        localise_bindings(self)


# Keys Textual's own widgets show in the footer, in the desk's words (the desk's own keys are
# catalogue keys already, see localise_bindings).
_TEXTUAL_KEYS = {
    "Dismiss menu": "keys.dismiss_menu",
    "Exit the command palette": "keys.exit_palette",
    "Open link": "keys.open_link",
}


# The app's F-keys (F2–F12, one register each): the first to leave a short footer; F1 help and
# the ctrl+p palette ("More") list them all.
_REGISTER_KEYS = frozenset(f"f{n}" for n in range(2, 13))
# From this many columns on, the footer may take a second row.
WIDE = 120


class DeskFooter(Widget):
    """The keys of the screen and the desk on one row (two from `WIDE` columns on).

    Textual's own footer is one row that scrolls; the desk's footer never scrolls and never
    takes more rows, so an 80×24 terminal keeps its lines for the page. When not every key
    fits, the screen's own keys that are enabled now are kept first, then F1 help and sign-out,
    then the screen's other keys, then the registers' F-keys; the row always ends with
    "^p More", the palette that lists every key.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"desk-footer--key", "desk-footer--description"}
    DEFAULT_CSS = """
    DeskFooter {
        dock: bottom;
        height: auto;
        max-height: 2;
        background: $footer-background;
        color: $footer-foreground;
    }
    DeskFooter > .desk-footer--key { color: $footer-key-foreground; text-style: bold; }
    DeskFooter > .desk-footer--description { color: $footer-description-foreground; }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[Any]) -> None:
        if self.is_attached and screen is self.screen:
            self.refresh(layout=True)

    def on_resize(self) -> None:
        self.refresh(layout=True)

    def _pairs(self) -> list[tuple[int, Text]]:
        """Each key to show, in the footer's order, with its rank in what a short row keeps
        (0 kept longest; the palette's "More", rank 5, is always kept)."""
        key_style = self.get_component_rich_style("desk-footer--key")
        text_style = self.get_component_rich_style("desk-footer--description")
        pairs: list[tuple[int, int, Text]] = []
        seen: set[str] = set()
        for node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            description = _TEXTUAL_KEYS.get(binding.description)
            pair = Text.assemble(
                (self.app.get_key_display(binding), key_style),
                " ",
                (t(description) if description else binding.description, text_style),
            )
            if not enabled:
                pair.stylize("dim")
            # (rank, place): what a short row keeps first, where the key stands in the row
            if binding.action == "command_palette":
                rank, place = 5, 5
            elif node is not self.app:  # the screen's own (or its focused widget's)
                rank, place = (0, 0) if enabled else (2, 1)
            elif binding.key in _REGISTER_KEYS:
                rank, place = 3, 3
            else:  # F1 help before the F-keys, sign-out after them
                rank, place = 1, 2 if binding.key == "f1" else 4
            pairs.append((rank, place, pair))
        pairs.sort(key=lambda each: each[1])  # stable: each group in the bindings' order
        return [(rank, pair) for rank, _place, pair in pairs]

    @staticmethod
    def _wrap(pairs: list[Text], width: int) -> list[Text]:
        lines: list[Text] = [Text()]
        for pair in pairs:
            line = lines[-1]
            needed = pair.cell_len + (2 if line.cell_len else 0)
            if line.cell_len and line.cell_len + needed > width:
                lines.append(Text())
                line = lines[-1]
            if line.cell_len:
                line.append("  ")
            line.append_text(pair)
        return lines

    def _lines(self, width: int) -> list[Text]:
        """The footer's rows at `width` columns: one (two when WIDE), the least kept keys left
        out until the rest fit."""
        rows = 2 if width >= WIDE else 1
        pairs = self._pairs()
        # leave out the lowest rank first, and within a rank the key furthest along the row
        dropping = sorted(
            (i for i, (rank, _pair) in enumerate(pairs) if rank < 5),
            key=lambda i: (pairs[i][0], i),
        )
        kept = set(range(len(pairs)))
        while True:
            lines = self._wrap([pair for i, (_rank, pair) in enumerate(pairs) if i in kept], width)
            if len(lines) <= rows or not dropping:
                return lines[:rows]
            kept.discard(dropping.pop())

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines(width or container.width))

    def render(self) -> Text:
        return Text("\n").join(self._lines(self.size.width or 120))
