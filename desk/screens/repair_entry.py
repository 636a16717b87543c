"""The new repair work order dialog; returns the saved order's id (None when cancelled)."""

from __future__ import annotations

from collections.abc import Callable

from textual.widget import Widget

from desk.forms.dialogs import FormDialog
from desk.forms.fields import DeskForm
from desk.forms.repair_form import RepairForm
from desk.i18n import t
from desk.models import RepairOrder
from desk.services import repair
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.repair import RepairCreate


class RepairFormScreen(FormDialog[int | None]):
    """Register a repair; a prefill (e.g. from a reception entry) carries its link along."""

    # Every field seen at 80×24 without scrolling: a field's note takes a line only when it
    # says something.
    DEFAULT_CSS = """
    RepairFormScreen FormField .field-note.-empty { display: none; }
    """

    def __init__(
        self,
        prefill: RepairCreate | None = None,
        after: Callable[[Ctx, int], object] | None = None,
    ) -> None:
        """`after(ctx, order_id)` runs in the saving transaction (e.g. linking a night-log
        entry): the order and what follows from it are saved together or not at all."""
        super().__init__()
        self.prefill = prefill
        self.after = after

    def heading(self) -> str:
        return t("repair_ui.new_title")

    def build_form(self) -> DeskForm:
        return RepairForm(self.prefill, id="repair-form")

    def first_focus(self) -> Widget | None:
        # Time and channel have good defaults; the clerk starts at the room.
        return self.query_one("#room")

    def submit(self, form: DeskForm) -> int | DeskError | None:
        assert isinstance(form, RepairForm)
        data = form.data()

        def run(ctx: Ctx) -> RepairOrder:
            order = repair.register(ctx, data)
            if self.after is not None:
                assert order.id is not None
                self.after(ctx, order.id)
            return order

        outcome = self.attempt(run)
        if isinstance(outcome, DeskError):
            return outcome
        self.desk.notify(t("app.saved", number=outcome.number))
        return outcome.id
