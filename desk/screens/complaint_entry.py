"""The complaint registration dialog; a repeat of an open complaint offers to merge into it."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from desk import commands
from desk.forms.complaint_form import ComplaintForm
from desk.forms.dialogs import FormDialog
from desk.forms.fields import DeskForm
from desk.i18n import t
from desk.models import Complaint
from desk.screens.plain import plain
from desk.screens.repairs import short
from desk.services import complaint
from desk.services.complaint import ComplaintCreate
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.widgets.base import DeskDialog, DeskFooter

MERGE, SAVE_NEW, BACK = "merge", "new", "back"


class RepeatDialog(DeskDialog[str | None]):
    """Merge into the open complaint, save as a new one, or go back to the form."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("repeat_dialog")
    DEFAULT_CSS = """
    RepeatDialog { align: center middle; }
    RepeatDialog #repeat-box {
        width: 90; max-width: 100%; height: auto; border: round $warning;
        background: $surface; padding: 0 1;
    }
    RepeatDialog #repeat-title { text-style: bold; height: 1; }
    RepeatDialog #repeat-body { height: auto; margin: 0 0 1 0; }
    RepeatDialog OptionList { height: auto; }
    RepeatDialog #repeat-hint { color: $text-muted; height: 1; }
    """

    def __init__(self, repeat: Complaint, received: str) -> None:
        super().__init__()
        self.repeat, self.received = repeat, received

    def compose(self) -> ComposeResult:
        repeat = self.repeat
        with Vertical(id="repeat-box"):
            yield Static(t("complaint_ui.dialog.repeat_title"), id="repeat-title")
            yield Static(
                plain(
                    t(
                        "complaint_ui.dialog.repeat_body",
                        room=repeat.room,
                        number=repeat.number,
                        received=self.received,
                        what=short(repeat.what_happened, 40),
                    )
                ),
                id="repeat-body",
            )
            yield OptionList(
                Option(
                    plain(t("complaint_ui.dialog.repeat_merge", number=repeat.number)), id=MERGE
                ),
                Option(t("complaint_ui.dialog.repeat_new"), id=SAVE_NEW),
                Option(t("complaint_ui.dialog.repeat_cancel"), id=BACK),
                id="repeat-choices",
            )
            yield Static(t("complaint_ui.dialog.repeat_hint"), id="repeat-hint")
        yield DeskFooter()

    def on_mount(self) -> None:
        choices = self.query_one(OptionList)
        choices.highlighted = 0
        choices.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_back(self) -> None:
        self.dismiss(BACK)


class ComplaintFormScreen(FormDialog[int | None]):
    """Register a complaint; returns the id of the complaint to show (None when cancelled)."""

    def __init__(
        self,
        prefill: ComplaintCreate | None = None,
        after: Callable[[Ctx, int], object] | None = None,
    ) -> None:
        """`after(ctx, complaint_id)` runs in the saving transaction (see RepairFormScreen)."""
        super().__init__()
        self.prefill = prefill
        self.after = after

    def heading(self) -> str:
        return t("complaint_ui.new_title")

    def build_form(self) -> DeskForm:
        return ComplaintForm(self.prefill, id="complaint-form")

    def first_focus(self) -> Widget | None:
        return self.query_one("#room")

    def action_save(self) -> None:
        form = self.query_one(ComplaintForm)
        form.clear_errors()
        try:
            data = form.data()
        except DeskError as error:
            form.show_error(error)
            return
        refusal = self.lost_refusal()  # no repeat can be looked for: refused as a save is
        if refusal is not None:
            form.show_error(refusal)
            return
        with self.reading() as ctx:
            repeat = complaint.find_repeat(ctx, data.room, data.category)
        if repeat is None:
            self._save(data, None)
            return

        def chosen(choice: str | None) -> None:
            if choice == MERGE:
                self._save(data, repeat)
            elif choice == SAVE_NEW:
                self._save(data, None)
            else:
                self.query_one("#room").focus()

        received = self.desk.show_time(repeat.received_at)
        self.app.push_screen(RepeatDialog(repeat, received), callback=chosen)

    def _save(self, data: ComplaintCreate, merge_into: Complaint | None) -> None:
        """Register (and merge) in one transaction; a refusal stays in the form."""
        reason = t("complaint_ui.repeat_reason")

        def run(ctx: Ctx) -> tuple[Complaint, Complaint | None]:
            saved = complaint.register(ctx, data)
            if self.after is not None:
                assert saved.id is not None
                self.after(ctx, saved.id)
            if merge_into is None or merge_into.id is None:
                return saved, None
            assert saved.id is not None
            complaint.merge(ctx, saved.id, merge_into.id, reason)
            return saved, merge_into

        outcome = self.attempt(run)
        form = self.query_one(ComplaintForm)
        if isinstance(outcome, DeskError):
            form.show_error(outcome)
            return
        saved, into = outcome
        if into is not None:
            self.desk.notify(t("complaint_ui.saved_merged", number=saved.number, into=into.number))
            self.dismiss(into.id)
        else:
            self.desk.notify(t("app.saved", number=saved.number))
            self.dismiss(saved.id)
