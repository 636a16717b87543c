"""Form fields: a label, an input, and the field's own error line; parsed values on demand.

The room field, completed from the residents directory, is desk.forms.room_field.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from sqlmodel import SQLModel
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.suggester import SuggestFromList
from textual.validation import Length, Validator
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Static

from desk.forms.choice import DigitSelect
from desk.i18n import listed, t
from desk.safe_text import printable, refused_character
from desk.services import limits
from desk.services.errors import DeskError, FieldErrors
from desk.services.submission import gather
from desk.services.when import parse_when

if TYPE_CHECKING:
    from desk.app import DeskApp


def shown(message: str) -> Text:
    """A message for a Static: it may quote what was typed or stored, so it is never markup."""
    return Text(printable(message))


def shown_options(options: list[tuple[str, str]]) -> list[tuple[Text, str]]:
    """Select options whose labels (site settings, names) show as written."""
    return [(shown(label), value) for label, value in options]


def when_text(moment: datetime | None, tz: tzinfo) -> str:
    """A time written back in the form's own grammar, so a prefilled field reads and parses."""
    if moment is None:
        return ""
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


class FormField(Vertical):
    """One labelled field. Subclasses provide `control()` and `value`."""

    DEFAULT_CSS = """
    FormField { height: auto; margin: 0 0 0 0; }
    FormField > Horizontal { height: auto; }
    FormField .field-label { width: 16; padding: 1 1 0 0; text-align: right; }
    FormField .field-control { width: 1fr; }
    FormField .field-note { padding: 0 0 0 16; color: $text-muted; height: auto; }
    FormField .field-error { padding: 0 0 0 16; color: $error; height: auto; }
    FormField Checkbox { border: none; padding: 1 0 0 0; }
    """

    def __init__(self, name: str, *, label: str | None = None, **kwargs: Any) -> None:
        super().__init__(id=f"field-{name}", **kwargs)
        self.field_name = name
        self.label_text = label or t(f"fields.{name}")

    def control(self) -> Widget:
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label(self.label_text, classes="field-label")
            widget = self.control()
            widget.add_class("field-control")
            yield widget
        yield Static("", classes="field-note -empty")
        yield Static("", classes="field-error -empty")

    @property
    def value(self) -> Any:
        raise NotImplementedError

    def read(self) -> Any:
        """The value to save; raises the field's DeskError when it cannot be read."""
        return self.value

    def set_error(self, message: str) -> None:
        error = self.query_one(".field-error", Static)
        error.update(shown(message))
        error.set_class(not message, "-empty")
        self.set_class(bool(message), "-invalid")

    # A field that checks what is typed as it is typed (a time) keeps its own error line; any
    # other field's error goes as soon as the clerk changes what it holds, not at the next save.
    checks_live: ClassVar[bool] = False

    def on_input_changed(self, event: Input.Changed) -> None:
        self._edited()
        self.check_typed(event.value)

    def check_typed(self, typed: str) -> None:
        """What a field says of its text as soon as it is typed or pasted (see TextField)."""

    def on_select_changed(self, _event: Select.Changed) -> None:
        self._edited()

    def on_checkbox_changed(self, _event: Checkbox.Changed) -> None:
        self._edited()

    def _edited(self) -> None:
        if not self.checks_live and self.has_class("-invalid"):
            self.set_error("")

    def set_note(self, message: str) -> None:
        note = self.query_one(".field-note", Static)
        note.update(shown(message))
        note.set_class(not message, "-empty")

    def focus_control(self) -> None:
        self.query_one(".field-control").focus()

    @property
    def desk(self) -> DeskApp:
        return self.app  # type: ignore[return-value]


class DeskInput(Input):
    """An Input that never drops what is pasted: a paste longer than the field holds is taken in
    whole (the field then says how much too long it is, and saving refuses it), and the lines
    of a paste of several lines are joined by spaces instead of all but the first being lost."""

    def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        if not event.text:
            return
        line = " ".join(part.strip() for part in event.text.splitlines() if part.strip())
        start, end = sorted(self.selection)
        value = self.value
        if self.max_length and len(value) - (end - start) + len(line) > self.max_length:
            self.value = f"{value[:start]}{line}{value[end:]}"  # past max_length: said, not cut
            self.cursor_position = start + len(line)
            self.app.bell()
            return
        self.replace(line, start, end)


# A field this long takes free text (a request, a description, a reason): coming back to it
# with Tab puts the cursor after what is there, to add to it. A shorter one (a name, a room, a
# phone, a time) has its text selected, as forms do, so that typing replaces it.
FREE_TEXT = 500


class TextField(FormField):
    """Typed text. Its length is the model's: `of=RepairOrder` reads the limit of the column
    named as the field (`column=` names another), for the input and its validator alike."""

    def __init__(
        self,
        name: str,
        *,
        placeholder: str = "",
        max_length: int = 0,
        of: type[SQLModel] | None = None,
        column: str = "",
        **kwargs: Any,
    ):
        super().__init__(name, **kwargs)
        if of is not None:
            max_length = limits.max_length(of, column or name)
        self.placeholder, self.max_length = placeholder, max_length

    def validators(self) -> list[Validator]:
        """What the typed text must be; checked on saving, each failure said beside the field."""
        if not self.max_length:
            return []
        most = self.max_length
        return [Length(maximum=most, failure_description=t("field.too_long", max=most))]

    def make_input(self, **kwargs: Any) -> Input:
        """The field's Input, bounded and validated as the field says (a subclass adds its own
        placeholder, suggester…). It validates only when the form is saved, never as typed."""
        kwargs.setdefault("placeholder", self.placeholder)
        kwargs.setdefault("select_on_focus", self.max_length < FREE_TEXT)
        return DeskInput(
            max_length=self.max_length,
            validators=self.validators(),
            validate_on=(),
            id=self.field_name,
            **kwargs,
        )

    def control(self) -> Widget:
        return self.make_input()

    def check_typed(self, typed: str) -> None:
        """Said as soon as it is there: text past the field's length (a paste), or a control
        character (a bidirectional override pasted with a name) that saving would refuse."""
        if self.max_length and len(typed) > self.max_length:
            self.set_error(t("field.pasted_too_long", length=len(typed), max=self.max_length))
        elif (found := refused_character(typed)) is not None:
            self.set_error(t("field.control_chars", char=found))

    def read(self) -> Any:
        typed = self.input.value
        for validator in self.input.validators:
            result = validator.validate(typed)
            if not result.is_valid:
                reason = "; ".join(result.failure_descriptions)
                raise DeskError("field.refused", field=self.field_name, reason=reason)
        return self.value

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    @property
    def value(self) -> str:
        return self.input.value

    def set_value(self, value: str) -> None:
        """A stored value to edit: a control character in it shows as a mark (and is saved so)."""
        self.input.value = printable(value)


class DayField(TextField):
    """A day typed in the desk's grammar (今天, 明天, 11-25, 2026-11-25); empty means today, and
    the note under it says so in the register's words (`today_words`, a catalogue key)."""

    checks_live = True

    def __init__(self, name: str, *, today_words: str, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.today_words = today_words

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        try:
            day = self.value
        except DeskError as error:
            self.set_note("")
            self.set_error(error.message)
            return
        self.set_error("")
        self.set_note(t("form.resolved", when=day.isoformat()) if day else t(self.today_words))

    @property
    def value(self) -> date | None:  # type: ignore[override]
        moment = parse_when(self.input.value, self.desk.now(), self.desk.settings.tz)
        return moment.astimezone(self.desk.settings.tz).date() if moment else None


class IdLast4Field(TextField):
    """Only an ID's last 4 characters: a whole number is refused as it is typed, never kept."""

    checks_live = True

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        too_long = len(event.value.replace(" ", "")) > 4
        self.set_error(t("pass_error.id_too_long") if too_long else "")


class WhenField(TextField):
    """A time typed in the desk's grammar, resolved and shown back as you type."""

    checks_live = True

    def __init__(self, name: str, *, required: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("placeholder", t("form.when_placeholder"))
        super().__init__(name, **kwargs)
        self.required = required

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        try:
            resolved = self.value
        except DeskError as error:
            self.set_note("")
            self.set_error(error.message)
            return
        self.set_error("")
        self.set_note(t("form.resolved", when=self.desk.show_time(resolved)) if resolved else "")

    @property
    def value(self) -> datetime | None:  # type: ignore[override]
        typed = self.input.value
        moment = parse_when(typed, self.desk.now(), self.desk.settings.tz)
        if moment is None and self.required:
            raise DeskError("field.required", field=self.field_name)
        return moment


class MoneyField(TextField):
    """Yuan as typed (120, 35.5) read as whole fen."""

    @property
    def value(self) -> int:  # type: ignore[override]
        typed = self.input.value.strip().replace("¥", "").replace("元", "")
        if not typed:
            return 0
        try:
            amount = Decimal(typed)
        except InvalidOperation as exc:
            raise DeskError("field.bad_money", field=self.field_name, value=typed) from exc
        if not amount.is_finite() or amount.as_tuple().exponent < -2:  # type: ignore[operator]
            raise DeskError("field.bad_money", field=self.field_name, value=typed)
        if amount < 0:
            raise DeskError("field.negative_money", field=self.field_name)
        if amount > 1_000_000:
            raise DeskError("field.bad_money", field=self.field_name, value=typed)
        return int(amount * 100)


class ChoiceField(FormField):
    def __init__(self, name: str, options: list[tuple[str, str]], value: str, **kwargs: Any):
        super().__init__(name, **kwargs)
        self.options, self.initial = options, value

    def control(self) -> Widget:
        return DigitSelect(
            shown_options(self.options), value=self.initial, allow_blank=False, id=self.field_name
        )

    @property
    def value(self) -> str:
        return str(self.query_one(Select).value)

    def set_value(self, value: str) -> None:
        self.query_one(Select).value = value


class OptionalChoiceField(ChoiceField):
    """A choice that may be left empty (e.g. no department)."""

    def control(self) -> Widget:
        return Select(
            shown_options(self.options), prompt=t("app.none"), allow_blank=True, id=self.field_name
        )

    @property
    def value(self) -> str:
        chosen = self.query_one(Select).value
        return "" if chosen is Select.NULL else str(chosen)


class CheckField(FormField):
    def __init__(self, name: str, value: bool = False, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.initial = value

    def control(self) -> Widget:
        return Checkbox(t("app.yes"), value=self.initial, id=self.field_name)

    @property
    def value(self) -> bool:
        return self.query_one(Checkbox).value

    def set_value(self, value: bool) -> None:
        self.query_one(Checkbox).value = value


class NameField(TextField):
    """A name completed from a list (the site's staff…): anyone else may be typed. With
    `hint`, the note under it lists the names."""

    def __init__(self, name: str, names: list[str], *, hint: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 60)
        super().__init__(name, **kwargs)
        self.names, self.hint = names, hint

    def control(self) -> Widget:
        return self.make_input(
            suggester=SuggestFromList(self.names, case_sensitive=False), select_on_focus=True
        )

    def on_mount(self) -> None:
        if self.hint and self.names:
            self.set_note(t("repair_ui.dialog.technician_hint", names=listed(self.names)))


class DeskForm(Vertical):
    """A column of fields with one error line each; errors focus the field they belong to."""

    DEFAULT_CSS = """
    DeskForm { height: auto; }
    DeskForm .form-error { color: $error; padding: 0 0 0 16; height: auto; }
    """

    def fields(self) -> dict[str, FormField]:
        return {f.field_name: f for f in self.query(FormField)}

    def clear_errors(self) -> None:
        for field in self.query(FormField):
            field.set_error("")
        for banner in self.query(".form-error"):
            if isinstance(banner, Static):
                banner.update("")

    def show_error(self, error: DeskError) -> None:
        """Put each message beside its field (or at the top of the form) and focus the first
        field refused; what was typed stays."""
        refused = error.errors if isinstance(error, FieldErrors) else [error]
        fields = self.fields()
        unplaced: list[str] = []
        first: FormField | None = None
        for each in refused:
            field = fields.get(each.field or "")
            if field is None:
                unplaced.append(each.message)
                continue
            field.set_error(t(each.key, **each.params))
            first = first or field
        if first is not None:
            first.focus_control()
        banners = self.query(".form-error")
        if unplaced and banners:
            banner = banners.first()
            if isinstance(banner, Static):
                banner.update(shown("\n".join(unplaced)))
        self.app.bell()

    def read(self, *names: str) -> dict[str, Any]:
        """Every field's parsed value; every unreadable one is refused at once (FieldErrors)."""
        return gather(
            {
                name: field.read
                for name, field in self.fields().items()
                if not names or name in names
            }
        )
