"""Dialogs of the standard replies library: draft or edit an answer, retire one."""

from __future__ import annotations

from typing import Any

from sqlmodel import SQLModel
from textual.validation import Length
from textual.widget import Widget
from textual.widgets import Static, TextArea

from desk.forms.dialogs import FormDialog, banner_form
from desk.forms.fields import DeskForm, FormField, TextField
from desk.i18n import t
from desk.models import AuditEvent, ReplyState, StandardReply
from desk.safe_text import printable
from desk.services import replies
from desk.services.errors import DeskError
from desk.services.limits import max_length


class AreaField(FormField):
    """Several lines of text (an answer read out to residents)."""

    DEFAULT_CSS = """
    AreaField TextArea { height: 8; }
    """

    def __init__(self, name: str, *, of: type[SQLModel], column: str = "", **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.max_length = max_length(of, column or name)

    def control(self) -> Widget:
        return TextArea(id=self.field_name, soft_wrap=True, tab_behavior="focus")

    @property
    def area(self) -> TextArea:
        return self.query_one(TextArea)

    @property
    def value(self) -> str:
        return self.area.text

    def read(self) -> str:
        """The text; longer than the model holds, refused beside the field (a TextArea has no
        max_length of its own)."""
        most = self.max_length
        check = Length(maximum=most, failure_description=t("field.too_long", max=most))
        result = check.validate(self.value.strip())  # as the service counts it
        if not result.is_valid:
            reason = "; ".join(result.failure_descriptions)
            raise DeskError("field.refused", field=self.field_name, reason=reason)
        return self.value

    def set_value(self, value: str) -> None:
        self.area.load_text(printable(value))


class ReplyDialog(FormDialog[StandardReply | None]):
    """Draft a new answer, or edit one (an approved answer goes back to draft when changed)."""

    def __init__(self, reply: StandardReply | None = None) -> None:
        super().__init__()
        self.reply = reply

    def heading(self) -> str:
        if self.reply is None:
            return t("replies.new_title")
        return t("replies.edit_title", topic=self.reply.topic)

    def build_form(self) -> DeskForm:
        fields: list[Widget] = [Static("", classes="form-error")]
        if self.reply is not None and self.reply.state == ReplyState.approved:
            fields.append(Static(t("replies.edit_approved_note"), classes="form-note"))
        fields += [
            TextField("reply_topic", of=StandardReply, column="topic"),
            TextField("reply_keywords", of=StandardReply, column="keywords"),
            AreaField("reply_body", of=StandardReply, column="body"),
        ]
        return DeskForm(*fields)

    def prepare(self) -> None:
        self.query_one("#field-reply_keywords", TextField).set_note(t("replies.keywords_hint"))
        if self.reply is not None:
            self.query_one("#field-reply_topic", TextField).set_value(self.reply.topic)
            self.query_one("#field-reply_keywords", TextField).set_value(self.reply.keywords)
            self.query_one("#field-reply_body", AreaField).set_value(self.reply.body)

    def submit(self, form: DeskForm) -> StandardReply | DeskError:
        values = form.read()
        topic, keywords, body = (
            values["reply_topic"],
            values["reply_keywords"],
            values["reply_body"],
        )
        if self.reply is None:
            return self.attempt(lambda ctx: replies.draft(ctx, topic, keywords, body))
        assert self.reply.id is not None
        reply_id = self.reply.id
        return self.attempt(lambda ctx: replies.revise(ctx, reply_id, topic, keywords, body))


class RetireDialog(FormDialog[StandardReply | None]):
    """A supervisor withdraws an answer, saying why."""

    def __init__(self, reply: StandardReply) -> None:
        super().__init__()
        self.reply = reply
        assert reply.id is not None
        self.reply_id: int = reply.id

    def heading(self) -> str:
        return t("replies.retire_title", topic=self.reply.topic)

    def build_form(self) -> DeskForm:
        return banner_form(TextField("reason", of=AuditEvent))

    def submit(self, form: DeskForm) -> StandardReply | DeskError:
        reason = form.read()["reason"]
        return self.attempt(lambda ctx: replies.retire(ctx, self.reply_id, reason))
