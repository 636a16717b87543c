"""Complaint lifecycle dialogs: judge, escalate, assign, reply, resolve, callback, reopen, close;
harm stopped, the department's answer, the resident told, the late notice."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from sqlmodel import SQLModel
from textual.widget import Widget
from textual.widgets import OptionList, Select, Static
from textual.widgets.option_list import Option

from desk.forms.dialogs import FormDialog, banner_form
from desk.forms.fields import (
    ChoiceField,
    DeskForm,
    OptionalChoiceField,
    TextField,
    WhenField,
)
from desk.i18n import t
from desk.models import AuditEvent, Complaint, Severity, Validity
from desk.screens.plain import plain
from desk.screens.repairs import short
from desk.services import complaint, complaint_steps, roles
from desk.services.context import Ctx
from desk.services.errors import DeskError, Forbidden


def matching_replies(ctx: Ctx, text: str) -> list[tuple[str, str]] | None:
    """Approved standard replies matching `text` as (topic, body); None without the library."""
    try:
        replies = importlib.import_module("desk.services.replies")
    except ImportError:
        return None
    return [(r.topic, r.body) for r in replies.matching(ctx, text, limit=5)]


class ComplaintDialog(FormDialog[Complaint | None]):
    """A lifecycle step on one complaint; returns the saved complaint."""

    title_key = ""

    def __init__(self, item: Complaint) -> None:
        super().__init__()
        self.complaint = item
        assert item.id is not None
        self.complaint_id: int = item.id

    def heading(self) -> str:
        return t(self.title_key, number=self.complaint.number)

    def run(self, action: Callable[[Ctx], Complaint]) -> Complaint | DeskError:
        return self.attempt(action)


class JudgeDialog(ComplaintDialog):
    """Valid (and its severity), invalid with the answer given, or out of scope with where to go."""

    title_key = "complaint_ui.dialog.judge"
    DEFAULT_CSS = """
    JudgeDialog #replies-title { color: $text-muted; padding: 0 0 0 16; height: auto; }
    JudgeDialog #replies { height: auto; max-height: 7; margin: 0 0 0 16; }
    """

    def __init__(self, item: Complaint) -> None:
        super().__init__(item)
        self.bodies: list[str] = []

    def build_form(self) -> DeskForm:
        validities = [(t(f"validity.{v.value}"), v.value) for v in Validity if v != "pending"]
        current = self.complaint.validity
        return banner_form(
            ChoiceField(
                "validity", validities, current if current != Validity.pending else "valid"
            ),
            ChoiceField(
                "severity",
                [(t(f"severity.{s.value}"), s.value) for s in Severity],
                self.complaint.severity,
            ),
            TextField("validity_note", of=Complaint),
            Static("", id="replies-title"),
            OptionList(id="replies"),
        )

    def prepare(self) -> None:
        self.query_one("#field-validity_note", TextField).set_note(
            t("complaint_ui.dialog.validity_hint")
        )
        self.query_one("#field-severity", ChoiceField).set_note(
            t("complaint_ui.dialog.regrade_hint")
        )
        with self.reading() as ctx:
            found = matching_replies(ctx, self.complaint.what_happened)
        options = self.query_one("#replies", OptionList)
        title = self.query_one("#replies-title", Static)
        if found is None:
            title.update(t("complaint_ui.dialog.replies_missing"))
        elif not found:
            title.update(t("complaint_ui.dialog.no_replies"))
        else:
            title.update(t("complaint_ui.dialog.replies_title"))
            self.bodies = [body for _, body in found]
            options.add_options(
                Option(plain(short(f"{topic}：{body}", 76)), id=str(i))
                for i, (topic, body) in enumerate(found)
            )
            options.highlighted = 0
        self._show_for(self.query_one("#field-validity", ChoiceField).value)

    def first_focus(self) -> Widget | None:
        return self.query_one("#validity", Select)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "validity":
            self._show_for(str(event.value))

    def _show_for(self, validity: str) -> None:
        """Standard replies are offered for an invalid complaint; severity only for a valid one."""
        invalid = validity == Validity.invalid
        self.query_one("#replies-title").display = invalid
        self.query_one("#replies").display = invalid and bool(self.bodies)
        self.query_one("#field-severity").display = validity == Validity.valid
        # a verdict that closes the complaint unhandled is a supervisor's: say so at once
        refusal = ""
        if validity in complaint.DISMISSALS:
            with self.reading() as ctx:
                try:
                    roles.COMPLAINT_DISMISS.require(ctx)
                except Forbidden as error:
                    refusal = error.message
        self.query_one("#field-validity", ChoiceField).set_error(refusal)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        body = self.bodies[int(event.option.id or 0)]
        note = self.query_one("#field-validity_note", TextField)
        note.set_value(body)
        note.focus_control()

    def submit(self, form: DeskForm) -> Complaint | DeskError:
        values = form.read()
        validity = Validity(values["validity"])
        severity = Severity(values["severity"]) if validity == Validity.valid else None
        return self.run(
            lambda ctx: complaint.judge(
                ctx, self.complaint_id, validity, values["validity_note"], severity
            )
        )


class EscalateDialog(ComplaintDialog):
    """Whom to report to is chosen from the site's list (escalation_roles), the one the
    severity names preselected; never typed."""

    title_key = "complaint_ui.dialog.escalate"

    def build_form(self) -> DeskForm:
        settings, lang = self.desk.settings, self.desk.lang
        rule = settings.complaint_rule(self.complaint.severity, self.complaint.deadline_table)
        roles_ = [(r.label(lang), r.key) for r in settings.escalation_roles]
        named = settings.escalation_role(self.complaint.escalated_to or rule.escalate_to)
        chosen = named.key if named else (roles_[0][1] if roles_ else "")
        return banner_form(ChoiceField("escalated_to", roles_, chosen), WhenField("escalated_at"))

    def prepare(self) -> None:
        settings = self.desk.settings
        rule = settings.complaint_rule(self.complaint.severity, self.complaint.deadline_table)
        named = settings.escalation_role(rule.escalate_to) if rule.escalate_to else None
        if named is not None:
            field = self.query_one("#field-escalated_to", ChoiceField)
            field.set_note(t("complaint_ui.dialog.escalate_hint", whom=named.label(self.desk.lang)))
        when = self.query_one("#field-escalated_at", WhenField)
        when.set_note(t("complaint_ui.dialog.now_hint"))

    def submit(self, form: DeskForm) -> Complaint | DeskError:
        values = form.read()
        return self.run(
            lambda ctx: complaint.escalate(
                ctx, self.complaint_id, values["escalated_to"], values["escalated_at"]
            )
        )


class AssignDialog(ComplaintDialog):
    title_key = "complaint_ui.dialog.assign"

    def build_form(self) -> DeskForm:
        departments = [(d.label(self.desk.lang), d.key) for d in self.desk.settings.departments]
        return banner_form(OptionalChoiceField("assigned_department", departments, ""))

    def prepare(self) -> None:
        chosen = self.complaint.assigned_department or self.complaint.department
        if chosen and self.desk.settings.department(chosen):
            self.query_one("#field-assigned_department", OptionalChoiceField).set_value(chosen)

    def submit(self, form: DeskForm) -> Complaint | DeskError:
        values = form.read()
        return self.run(
            lambda ctx: complaint.assign(ctx, self.complaint_id, values["assigned_department"])
        )


class TextStepDialog(ComplaintDialog):
    """A step that takes one text: the field, its hint, and the service call."""

    field_name = ""
    # where the text is kept, whose declared length the field takes
    kept_in: tuple[type[SQLModel], str] = (Complaint, "reply_text")
    hint_key = ""

    def build_form(self) -> DeskForm:
        model, column = self.kept_in
        return banner_form(TextField(self.field_name, of=model, column=column))

    def prepare(self) -> None:
        if self.hint_key:
            self.query_one(f"#field-{self.field_name}", TextField).set_note(t(self.hint_key))

    def call(self, ctx: Ctx, text: str) -> Complaint:
        raise NotImplementedError

    def submit(self, form: DeskForm) -> Complaint | DeskError:
        text = str(form.read()[self.field_name])
        return self.run(lambda ctx: self.call(ctx, text))


class ReplyDialog(TextStepDialog):
    title_key = "complaint_ui.dialog.reply"
    field_name = "reply_text"

    def call(self, ctx: Ctx, text: str) -> Complaint:
        return complaint.reply(ctx, self.complaint_id, text)


class ResolveDialog(TextStepDialog):
    title_key = "complaint_ui.dialog.resolve"
    field_name = "resolution"
    kept_in = (Complaint, "resolution")

    def call(self, ctx: Ctx, text: str) -> Complaint:
        return complaint.resolve(ctx, self.complaint_id, text)


class ReopenDialog(TextStepDialog):
    title_key = "complaint_ui.dialog.reopen"
    field_name = "reason"
    kept_in = (AuditEvent, "reason")
    hint_key = "complaint_ui.dialog.reopen_hint"

    def call(self, ctx: Ctx, text: str) -> Complaint:
        return complaint.reopen(ctx, self.complaint_id, text)


class CloseDialog(TextStepDialog):
    title_key = "complaint_ui.dialog.close"
    field_name = "reason"
    kept_in = (Complaint, "close_reason")
    hint_key = "complaint_ui.dialog.close_hint"

    def call(self, ctx: Ctx, text: str) -> Complaint:
        return complaint.close(ctx, self.complaint_id, text)


class WhenStepDialog(ComplaintDialog):
    """A step that records when it happened (empty: now) and, optionally, a note."""

    when_name = ""
    with_note = False

    def build_form(self) -> DeskForm:
        fields: list[Widget] = [WhenField(self.when_name)]
        if self.with_note:
            fields.append(TextField("note", max_length=complaint_steps.NOTE_LENGTH))
        return banner_form(*fields)

    def prepare(self) -> None:
        when = self.query_one(f"#field-{self.when_name}", WhenField)
        when.set_note(t("complaint_ui.dialog.now_hint"))

    def call(self, ctx: Ctx, values: dict[str, Any]) -> Complaint:
        raise NotImplementedError

    def submit(self, form: DeskForm) -> Complaint | DeskError:
        values = form.read()
        return self.run(lambda ctx: self.call(ctx, values))


class HarmStoppedDialog(WhenStepDialog):
    title_key = "complaint_ui.dialog.harm_stopped"
    when_name = "harm_stopped_at"

    def call(self, ctx: Ctx, values: dict[str, Any]) -> Complaint:
        return complaint_steps.harm_stopped(ctx, self.complaint_id, values[self.when_name])


class AnsweredDialog(WhenStepDialog):
    title_key = "complaint_ui.dialog.answered"
    when_name = "department_answered_at"
    with_note = True

    def call(self, ctx: Ctx, values: dict[str, Any]) -> Complaint:
        return complaint_steps.answered(
            ctx, self.complaint_id, values["note"], values[self.when_name]
        )


class ToldDialog(WhenStepDialog):
    title_key = "complaint_ui.dialog.told"
    when_name = "told_at"
    with_note = True

    def call(self, ctx: Ctx, values: dict[str, Any]) -> Complaint:
        return complaint_steps.told(ctx, self.complaint_id, values["note"], values[self.when_name])


class LateNoticeDialog(TextStepDialog):
    title_key = "complaint_ui.dialog.late_notice"
    field_name = "note"
    kept_in = (Complaint, "late_notice_note")
    hint_key = "complaint_ui.dialog.late_notice_hint"

    def call(self, ctx: Ctx, text: str) -> Complaint:
        return complaint_steps.late_notice(ctx, self.complaint_id, text)


DIALOGS: dict[str, type[ComplaintDialog]] = {
    "judge": JudgeDialog,
    "escalate": EscalateDialog,
    "assign": AssignDialog,
    "reply": ReplyDialog,
    "resolve": ResolveDialog,
    "reopen": ReopenDialog,
    "close": CloseDialog,
    "harm_stopped": HarmStoppedDialog,
    "answered": AnsweredDialog,
    "told": ToldDialog,
    "late_notice": LateNoticeDialog,
}
