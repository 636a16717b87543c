"""Dialogs of the handover and night log: PINs, the incoming operator, a reason, past handovers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from desk import commands
from desk.forms.dialogs import FormDialog
from desk.forms.fields import CheckField, DeskForm, TextField
from desk.i18n import t
from desk.models import AuditEvent, Handover, Operator
from desk.safe_text import printable
from desk.screens.plain import plain
from desk.services.errors import DeskError, FieldErrors
from desk.widgets.base import DeskDialog, DeskFooter


class PinField(TextField):
    """A PIN, typed without showing it."""

    def __init__(self, name: str, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 8)
        super().__init__(name, **kwargs)

    def control(self) -> Widget:
        return self.make_input(password=True, select_on_focus=True)


def _banner() -> Static:
    return Static("", classes="form-error")


class PinDialog(FormDialog[str | None]):
    """The outgoing operator's PIN. `sign` signs with it (the service checks it): a refusal
    (a wrong PIN, a count not done) is said in the dialog, which stays open; the PIN comes back
    once signed."""

    def __init__(self, name: str, sign: Callable[[str], object]) -> None:
        super().__init__()
        self.operator_name, self.sign = name, sign

    def heading(self) -> str:
        return t("handover_ui.sign_off_title", name=self.operator_name)

    def build_form(self) -> DeskForm:
        return DeskForm(_banner(), PinField("pin", label=t("handover_ui.pin")))

    def submit(self, form: DeskForm) -> str | DeskError:
        pin = str(form.read()["pin"])
        if not pin:
            return DeskError("field.required", field="pin")
        done = self.sign(pin)
        return done if isinstance(done, DeskError) else pin


class IncomingDialog(FormDialog[tuple[str, str, str] | None]):
    """The incoming operator's name and PIN (and a reason when refusing). `take` takes the shift
    over (or refuses it) with them: a refusal is said in the dialog, which stays open; what was
    typed comes back, (name, pin, reason), once done."""

    def __init__(
        self, *, refusing: bool, take: Callable[[str, str, str], object], name: str = ""
    ) -> None:
        super().__init__()
        self.refusing, self.take, self.initial_name = refusing, take, name

    def heading(self) -> str:
        return t("handover_ui.refuse_title" if self.refusing else "handover_ui.acknowledge_title")

    def build_form(self) -> DeskForm:
        fields: list[Widget] = [
            _banner(),
            TextField("incoming", of=Operator, column="name"),
            PinField("pin", label=t("handover_ui.pin")),
        ]
        if self.refusing:
            fields.append(TextField("refusal_reason", of=Handover))
        else:
            fields.append(CheckField("log_read", True, label=t("handover_ui.log_read")))
        return DeskForm(*fields)

    def prepare(self) -> None:
        self.query_one("#incoming", Input).value = printable(self.initial_name)

    def submit(self, form: DeskForm) -> tuple[str, str, str] | DeskError:
        values = form.read()
        name, pin = str(values["incoming"]).strip(), str(values["pin"])
        reason = str(values["refusal_reason"]).strip() if self.refusing else ""
        missing = [
            DeskError("field.required", field=field)
            for field, typed in (("incoming", name), ("pin", pin), ("refusal_reason", reason))
            if not typed and (field != "refusal_reason" or self.refusing)
        ]
        if not self.refusing and not values["log_read"]:
            missing.append(DeskError("handover_ui.error.log_not_read"))
        if missing:
            return FieldErrors.of(missing)
        done = self.take(name, pin, reason)
        return done if isinstance(done, DeskError) else (name, pin, reason)


class ReasonDialog(FormDialog[str | None]):
    """One line of text that must not be empty (e.g. why a night entry is closed)."""

    def __init__(self, title: str, field: str) -> None:
        super().__init__()
        self.title_text, self.field = title, field

    def heading(self) -> str:
        return self.title_text

    def build_form(self) -> DeskForm:
        return DeskForm(_banner(), TextField(self.field, of=AuditEvent, column="reason"))

    def submit(self, form: DeskForm) -> str | DeskError:
        reason = str(form.read()[self.field]).strip()
        return reason or DeskError("field.required", field=self.field)


class HistoryDialog(DeskDialog[int | None]):
    """Past handovers, newest first; Enter returns the one to reprint."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("history_dialog")
    DEFAULT_CSS = """
    HistoryDialog { align: center middle; }
    HistoryDialog #history-box {
        width: 100; max-width: 100%; height: auto; max-height: 90%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    HistoryDialog #history-title { text-style: bold; height: 1; }
    HistoryDialog OptionList { height: auto; max-height: 30; }
    """

    def __init__(self, rows: list[tuple[int, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(id="history-box"):
            yield Static(t("handover_ui.history_title"), id="history-title")
            yield OptionList(*(Option(plain(text), id=str(key)) for key, text in self.rows))
        yield DeskFooter()

    def on_mount(self) -> None:
        choices = self.query_one(OptionList)
        if self.rows:
            choices.highlighted = 0
        choices.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(int(event.option.id or 0) or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
