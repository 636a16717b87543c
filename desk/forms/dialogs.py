"""The two dialogs every register's forms are shown in: a titled form, and a yes/no question."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Input, Static

from desk import commands
from desk.forms.fields import DeskForm, shown
from desk.i18n import t
from desk.services.errors import DeskError
from desk.widgets.base import DeskDialog, DeskFooter

T = TypeVar("T")


def banner_form(*fields: Widget) -> DeskForm:
    """A form of `fields` under a line for the errors that belong to no one field."""
    return DeskForm(Static("", classes="form-error"), *fields)


class FormDialog(DeskDialog[T]):
    """A titled form in a box: ctrl+s runs `submit`; every refusal stays in the form, each beside
    its field, with what was typed; escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("form_dialog")
    DEFAULT_CSS = """
    FormDialog { align: center middle; }
    FormDialog #dialog-box {
        width: 96; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    FormDialog #dialog-title { text-style: bold; height: 1; }
    FormDialog #dialog-body { height: auto; max-height: 1fr; }
    FormDialog #dialog-hint { color: $text-muted; height: 1; }
    /* compact one-line controls, so a whole order fits a 40-line terminal */
    FormDialog FormField .field-label { padding: 0 1 0 0; }
    FormDialog FormField Input, FormDialog FormField Input:focus {
        border: none; height: 1; padding: 0 1;
    }
    FormDialog FormField Input:focus { background: $boost; }
    FormDialog FormField SelectCurrent { border: none; height: 1; padding: 0 1; }
    FormDialog FormField Select:focus > SelectCurrent { border: none; background: $boost; }
    FormDialog FormField Select { height: auto; }
    FormDialog FormField Checkbox { padding: 0; height: 1; }
    FormDialog FormField Checkbox:focus { border: none; background: $boost; }
    FormDialog FormField .field-note { height: auto; }
    FormDialog FormField .field-error { display: none; }
    FormDialog FormField.-invalid .field-error { display: block; }
    FormDialog .form-error { height: auto; }
    FormDialog .form-note { color: $text-muted; padding: 0 0 1 16; height: auto; }
    """

    def heading(self) -> str:
        raise NotImplementedError

    def build_form(self) -> DeskForm:
        raise NotImplementedError

    def submit(self, form: DeskForm) -> T | DeskError:
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box"):
            yield Static(shown(self.heading()), id="dialog-title")
            with VerticalScroll(id="dialog-body"):
                yield self.build_form()
            yield Static(t("repair_ui.dialog.hint"), id="dialog-hint")
        yield DeskFooter()

    def prepare(self) -> None:
        """Fill in and annotate fields once mounted."""

    def first_focus(self) -> Widget | None:
        inputs = list(self.query(Input))
        return inputs[0] if inputs else None

    def on_mount(self) -> None:
        self.prepare()
        widget = self.first_focus()
        if widget is not None:
            widget.focus()

    def action_save(self) -> None:
        form = self.query_one(DeskForm)
        form.clear_errors()
        try:
            outcome = self.submit(form)
        except DeskError as error:
            outcome = error
        if isinstance(outcome, DeskError):
            form.show_error(outcome)
            return
        self.dismiss(outcome)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(DeskDialog[bool]):
    """A yes/no question: Enter says yes, Escape says no."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("confirm_dialog")
    DEFAULT_CSS = """
    ConfirmDialog { align: center middle; }
    ConfirmDialog #confirm-box {
        max-width: 90%;
        width: 72; height: auto; border: round $primary; padding: 1 2; background: $panel;
    }
    ConfirmDialog #confirm-keys { color: $text-muted; margin: 1 0 0 0; }
    """

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(shown(self.question), id="confirm-question")
            yield Static(t("reception_ui.confirm_keys"), id="confirm-keys")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
