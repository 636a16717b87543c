"""The move-in register (m on the board): open cases, the latest booked first; what each one owes
now (booked today, a re-inspection agreed, a 托管 patrol due, a reading over its limit)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType

from desk import commands
from desk.i18n import t
from desk.models import OPEN_MOVE_IN_STATES
from desk.screens.due import due_cell
from desk.screens.plain import Fit
from desk.screens.register_list import RegisterList, Row
from desk.screens.reveal import RevealSelected
from desk.services import move_in
from desk.services.context import Ctx
from desk.services.residents import mask_name

COLUMNS = ("number", "room", "owner", "booked", "state", "due")
FIT = Fit("owner", least=4, most=12, drop=("booked",))


class MoveInsScreen(RevealSelected, RegisterList):
    """Move-ins; ctrl+n books one, Enter opens one, ctrl+f shows finished ones."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("move_ins")
    REGISTER = move_in.REGISTER
    TABLE = "move-ins"
    WORDS = "move_in_ui"
    COLUMNS = COLUMNS
    FIT = FIT

    def rows(self, ctx: Ctx) -> list[Row]:
        now = self.desk.now()
        rows: list[Row] = []
        for found in move_in.listing(ctx, everything=self.show_all):
            items = move_in.owed(ctx, found)
            due = Text("")
            if items and items[0].due_at is not None:
                item = items[0]
                words = f"{t(f'due_kind.{item.due_kind}')} {self.desk.show_time(item.due_at)}"
                due = due_cell(item.due_at, now, words)
            state = Text(
                t(f"move_in_state.{found.state}"),
                style="" if found.state in OPEN_MOVE_IN_STATES else "dim",
            )
            cells = (
                found.number,
                found.room,
                mask_name(found.owner_name),
                self.desk.show_time(found.booked_for),
                state,
                due,
            )
            rows.append((found.id or 0, cells))
        return rows

    def reveal_target(self) -> tuple[str, int] | None:
        chosen = self.selected_id()
        return None if chosen is None else (move_in.REGISTER, chosen)

    def action_new_move_in(self) -> None:
        from desk.screens.move_in_dialogs import MoveInFormDialog

        def saved(found: object) -> None:
            case_id = getattr(found, "id", None)
            if case_id is not None:
                self.refresh_list(select_id=case_id)

        self.app.push_screen(MoveInFormDialog(), callback=saved)
