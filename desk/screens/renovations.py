"""The renovation register (r on the board): open applications and works, newest first; what
each one owes now (approval, permit ending, inspection, refund) with its urgency."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType

from desk import commands
from desk.i18n import t
from desk.models import OPEN_RENOVATION_STATES
from desk.safe_text import printable
from desk.screens.due import due_cell
from desk.screens.plain import Fit
from desk.screens.register_list import RegisterList, Row
from desk.screens.reveal import RevealSelected
from desk.services import renovation
from desk.services.context import Ctx
from desk.services.residents import mask_name

COLUMNS = ("number", "room", "applicant", "contractor", "works", "state", "due")
# the contractor gives way to what is owed; narrower still, the works' days and the applicant go
FIT = Fit("contractor", least=6, most=20, drop=("works", "applicant"))


def short(text: str, width: int) -> str:
    """`text` in at most `width` terminal cells, ending with "…" when cut."""
    shown = Text(printable(text, one_line=True))
    shown.truncate(width, overflow="ellipsis")
    return shown.plain


class RenovationsScreen(RevealSelected, RegisterList):
    """Renovations; ctrl+n takes an application, Enter opens one, ctrl+f shows closed ones."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("renovations")
    REGISTER = renovation.REGISTER
    WORDS = "renovation_ui"
    COLUMNS = COLUMNS
    FIT = FIT

    def rows(self, ctx: Ctx) -> list[Row]:
        now = self.desk.now()
        rows: list[Row] = []
        for found in renovation.listing(ctx, everything=self.show_all):
            item = renovation.owed(ctx, found)
            due = Text("")
            if item is not None and item.due_at is not None:
                words = f"{t(f'due_kind.{item.due_kind}')} {self.desk.show_time(item.due_at)}"
                due = due_cell(item.due_at, now, words)
            state = Text(
                t(f"renovation_state.{found.state}"),
                style="" if found.state in OPEN_RENOVATION_STATES else "dim",
            )
            cells = (
                found.number,
                found.room,
                short(mask_name(found.applicant), 6),
                found.contractor,
                f"{found.planned_start:%m-%d}~{found.planned_end:%m-%d}",
                state,
                due,
            )
            rows.append((found.id or 0, cells))
        return rows

    def reveal_target(self) -> tuple[str, int] | None:
        chosen = self.selected_id()
        return None if chosen is None else (renovation.REGISTER, chosen)

    def action_new_renovation(self) -> None:
        from desk.forms.renovation_form import RenovationFormScreen

        def saved(renovation_id: int | None) -> None:
            if renovation_id is not None:
                self.refresh_list(select_id=renovation_id)

        self.app.push_screen(RenovationFormScreen(), callback=saved)
