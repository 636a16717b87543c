"""The morning transfer of a repair the night duty fixed: it becomes a completed repair order
(desk.services.night_repair), its callback due by its category; returns the order's id."""

from __future__ import annotations

from textual.widget import Widget
from textual.widgets import Static

from desk.forms.dialogs import FormDialog, banner_form
from desk.forms.fields import (
    CheckField,
    ChoiceField,
    DeskForm,
    MoneyField,
    NameField,
    TextField,
    WhenField,
    shown,
    when_text,
)
from desk.i18n import t
from desk.models import NightLogEntry, RepairOrder
from desk.services import night_repair
from desk.services.errors import DeskError
from desk.services.night_repair import NightRepair
from desk.services.residents import mask_name


class NightRepairDialog(FormDialog[int | None]):
    """Category, work done, who and when (the night's times), paid or free and the charges."""

    def __init__(self, entry: NightLogEntry, number: str, prefill: NightRepair) -> None:
        super().__init__()
        assert entry.id is not None
        self.entry_id: int = entry.id
        self.number = number
        self.prefill = prefill
        self.intro = t(
            "nightlog_ui.repair_intro",
            who=mask_name(entry.caller),
            room=entry.room,
            what=" ".join(entry.what.split())[:60],
        )

    def heading(self) -> str:
        return t("nightlog_ui.repair_title", number=self.number)

    def build_form(self) -> DeskForm:
        settings = self.desk.settings
        categories = settings.repair_categories
        keys = [c.key for c in categories]
        chosen = self.prefill.category if self.prefill.category in keys else keys[-1]
        names = [member.name for member in settings.staff]
        return banner_form(
            Static(shown(self.intro), classes="form-note"),
            ChoiceField("category", [(c.label(self.desk.lang), c.key) for c in categories], chosen),
            TextField("work_done", of=RepairOrder),
            NameField("technician", names, of=RepairOrder, hint=False),
            WhenField("on_site_at"),
            WhenField("completed_at"),
            CheckField("paid", self.prefill.paid),
            MoneyField("labour_fen", max_length=12),
            MoneyField("material_fen", max_length=12),
            TextField("consent_by", of=RepairOrder, column="consent_by"),
            WhenField("leak_test_at"),
        )

    def prepare(self) -> None:
        tz = self.desk.settings.tz
        data = self.prefill
        for name, value in (
            ("work_done", data.work_done),
            ("technician", data.technician),
            ("on_site_at", when_text(data.on_site_at, tz)),
            ("completed_at", when_text(data.completed_at, tz)),
            ("consent_by", data.consent_by),
        ):
            self.query_one(f"#field-{name}", TextField).set_value(value)
        self.query_one("#field-paid", CheckField).set_note(t("nightlog_ui.repair_charges_hint"))
        self.query_one("#field-consent_by", TextField).set_note(
            t("nightlog_ui.repair_consent_hint")
        )
        self.query_one("#field-leak_test_at", WhenField).set_note(t("nightlog_ui.repair_leak_hint"))

    def first_focus(self) -> Widget | None:
        return self.query_one("#category")

    def submit(self, form: DeskForm) -> int | DeskError | None:
        values = form.read()
        data = NightRepair(
            category=values["category"],
            work_done=values["work_done"],
            technician=values["technician"],
            on_site_at=values["on_site_at"],
            completed_at=values["completed_at"],
            paid=values["paid"],
            consent_by=values["consent_by"],
            labour_fen=values["labour_fen"],
            material_fen=values["material_fen"],
            leak_test_at=values["leak_test_at"],
        )
        outcome = self.attempt(lambda ctx: night_repair.transfer(ctx, self.entry_id, data))
        if isinstance(outcome, DeskError):
            return outcome
        due = self.desk.show_time(outcome.callback_due_at)
        self.desk.notify(
            t("nightlog_ui.repair_done", number=self.number, order=outcome.number, due=due)
        )
        return outcome.id
