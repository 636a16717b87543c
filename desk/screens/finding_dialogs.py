"""The steps of one finding (整改), one dialog each: raised, rectified, re-inspected, withdrawn.
Sending is a yes or no (desk.screens.findings_panel). Used by every register's record page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widget import Widget

from desk.forms.dialogs import FormDialog, banner_form
from desk.forms.fields import CheckField, ChoiceField, DeskForm, NameField, TextField, WhenField
from desk.i18n import current_language, t
from desk.models import Finding, FindingCheck
from desk.services import findings
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.findings import FindingIn, RecheckIn


def staff_names(dialog: FormDialog[Any]) -> list[str]:
    return [s.name for s in dialog.desk.settings.staff]


class RaiseFindingDialog(FormDialog[Any]):
    """What was found, where, the photo's reference, the department to put it right; saved by
    `save` (the shared service, or a register's own step that raises it, such as a patrol's
    checkpoint)."""

    def __init__(
        self,
        save: Callable[[Ctx, FindingIn], Finding],
        *,
        heading: str = "",
        department: str = "",
        raised_by: str = "",
    ) -> None:
        super().__init__()
        self.save, self.title_text = save, heading or t("findings_ui.raise_title")
        self.department, self.raised_by = department, raised_by

    def heading(self) -> str:
        return self.title_text

    def build_form(self) -> DeskForm:
        lang = current_language()
        rules = self.desk.settings
        departments = [(d.label(lang), d.key) for d in rules.findings.departments]
        chosen = self.department or (departments[0][1] if departments else "")
        categories = [(c.label(lang), c.key) for c in rules.repair_categories]
        return banner_form(
            TextField("what", of=Finding, label=t("findings_ui.col_what")),
            TextField("place", of=Finding),
            TextField("room", of=Finding),
            TextField("photo", of=Finding),
            ChoiceField("department", departments, chosen, label=t("findings_ui.col_department")),
            ChoiceField("repair_category", categories or [("-", "other")], "other"),
            NameField("raised_by", staff_names(self), of=Finding, hint=False),
            WhenField("raised_at"),
        )

    def prepare(self) -> None:
        if self.raised_by:
            self.query_one("#field-raised_by", TextField).set_value(self.raised_by)
        self.query_one("#field-raised_at", WhenField).set_note(t("repair_ui.dialog.now_hint"))
        self.query_one("#field-repair_category", ChoiceField).set_note(
            t("renovation_ui.category_hint")
        )

    def first_focus(self) -> Widget | None:
        return self.query_one("#what")

    def submit(self, form: DeskForm) -> Finding | DeskError:
        data = FindingIn(**form.read())
        return self.attempt(lambda ctx: self.save(ctx, data))


class FindingDialog(FormDialog[Any]):
    """A step on one finding; returns what it saved (None when cancelled)."""

    title_key = ""

    def __init__(self, found: Finding) -> None:
        super().__init__()
        self.found = found
        assert found.id is not None
        self.finding_id: int = found.id

    def heading(self) -> str:
        return t(self.title_key, number=self.found.number)


class RectifiedDialog(FindingDialog):
    title_key = "findings_ui.rectified_title"

    def build_form(self) -> DeskForm:
        return banner_form(TextField("rectified_note", of=Finding), WhenField("rectified_at"))

    def prepare(self) -> None:
        self.query_one("#field-rectified_at", WhenField).set_note(t("repair_ui.dialog.now_hint"))

    def submit(self, form: DeskForm) -> Finding | DeskError:
        values = form.read()
        return self.attempt(
            lambda ctx: findings.rectified(
                ctx, self.finding_id, values["rectified_note"], values["rectified_at"]
            )
        )


class RecheckDialog(FindingDialog):
    """The re-inspection: accepted (ticked) or not, and then what is still wrong."""

    title_key = "findings_ui.recheck_title"

    def build_form(self) -> DeskForm:
        return banner_form(
            CheckField("accepted", value=True),
            NameField("checked_by", staff_names(self), of=FindingCheck, hint=False),
            TextField("note", of=FindingCheck, label=t("fields.note")),
            WhenField("checked_at"),
        )

    def prepare(self) -> None:
        self.query_one("#field-checked_at", WhenField).set_note(t("repair_ui.dialog.now_hint"))

    def submit(self, form: DeskForm) -> FindingCheck | DeskError:
        data = RecheckIn(**form.read())
        return self.attempt(lambda ctx: findings.recheck(ctx, self.finding_id, data))


class WithdrawFindingDialog(FindingDialog):
    title_key = "findings_ui.withdraw_title"

    def build_form(self) -> DeskForm:
        return banner_form(TextField("reason", of=Finding, column="withdraw_reason"))

    def submit(self, form: DeskForm) -> Finding | DeskError:
        reason = form.read()["reason"]
        return self.attempt(lambda ctx: findings.withdraw(ctx, self.finding_id, reason))
