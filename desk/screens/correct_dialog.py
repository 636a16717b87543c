"""Correcting a record (a typo, the wrong room): one dialog for a repair order, a complaint and a
reception entry, its fields as the record holds them and the reason the correction needs.

The rules are desk.services.corrections'; this dialog only asks. The record's history says
each field's old and new value (desk.screens.history.correction_detail).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from desk.forms.dialogs import FormDialog, banner_form
from desk.forms.fields import ChoiceField, DeskForm, FormField, TextField
from desk.i18n import t
from desk.models import AuditEvent, RepairLocation
from desk.services import corrections
from desk.services.errors import DeskError
from desk.widgets.base import DeskScreen

# the fields that are a choice from the site's lists, not typed text
CHOICES = ("category", "location")


class CorrectDialog(FormDialog[Any]):
    """The record's correctable fields, filled in as they are, and why; returns the record."""

    def __init__(self, register: str, record: Any) -> None:
        super().__init__()
        self.register = register
        self.kind = corrections.of(register)
        self.record_id: int = record.id
        self.number: str = record.number
        self.before = corrections.current(register, record)

    def heading(self) -> str:
        return t("correct.title", number=self.number)

    def options(self, name: str) -> list[tuple[str, str]]:
        """The choices of a choice field; the record's own value stays one of them."""
        settings, lang = self.desk.settings, self.desk.lang
        if name == "location":
            found = [(t(f"location.{loc.value}"), loc.value) for loc in RepairLocation]
        elif self.register == "repairs":
            found = [(c.label(lang), c.key) for c in settings.repair_categories]
        else:
            found = [(c.label(lang), c.key) for c in settings.complaint_categories]
        value = self.before[name]
        if value not in [key for _label, key in found]:
            found.append((value, value))
        return found

    def build_form(self) -> DeskForm:
        fields: list[FormField] = []
        for name in self.kind.fields:
            if name in CHOICES:
                fields.append(ChoiceField(name, self.options(name), self.before[name]))
            else:
                fields.append(TextField(name, of=self.kind.model))
        fields.append(TextField("reason", of=AuditEvent))
        return banner_form(*fields)

    def prepare(self) -> None:
        for name in self.kind.fields:
            if name not in CHOICES:
                self.query_one(f"#field-{name}", TextField).set_value(self.before[name])
        self.query_one("#field-reason", TextField).set_note(t("correct.reason_hint"))

    def submit(self, form: DeskForm) -> Any | DeskError:
        values = form.read()
        reason = values.pop("reason")
        changes = {
            name: str(value) for name, value in values.items() if str(value) != self.before[name]
        }
        return self.attempt(
            lambda ctx: corrections.correct(ctx, self.register, self.record_id, changes, reason)
        )


def open_correction(
    screen: DeskScreen, register: str, record: Any, after: Callable[[], None]
) -> None:
    """The key on a record's page: refused at once (saying why) to anyone who may not correct
    the record, else the dialog; `after` shows the record again once it is closed."""
    if screen.refused(lambda ctx: corrections.may_correct(ctx, record)):
        return

    def done(saved: Any) -> None:
        after()
        if saved is not None:
            screen.notify(t("correct.done", number=saved.number))

    screen.app.push_screen(CorrectDialog(register, record), callback=done)
