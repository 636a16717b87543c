"""Dialogs on one release pass: void it (supervisor), or record the gate check at the desk."""

from __future__ import annotations

from desk.forms.dialogs import FormDialog, banner_form
from desk.forms.fields import ChoiceField, DeskForm, TextField
from desk.i18n import t
from desk.models import GateResult, ReleasePass
from desk.services import passes
from desk.services.errors import DeskError


class PassDialog(FormDialog[ReleasePass | None]):
    """A step on one pass; returns the saved pass."""

    title_key = ""

    def __init__(self, found: ReleasePass) -> None:
        super().__init__()
        self.found = found
        assert found.id is not None
        self.pass_id: int = found.id

    def heading(self) -> str:
        return t(self.title_key, number=self.found.number)


class VoidDialog(PassDialog):
    """Only a supervisor may void (a clerk is told so on pressing the key); the reason is kept."""

    title_key = "passes_ui.dialog.void"

    def build_form(self) -> DeskForm:
        return banner_form(TextField("reason", of=ReleasePass, column="void_reason"))

    def submit(self, form: DeskForm) -> ReleasePass | DeskError:
        reason = form.read()["reason"]
        return self.attempt(lambda ctx: passes.void(ctx, self.pass_id, reason))


class GateAtDeskDialog(PassDialog):
    """The guard confirms at the desk: the result, the guard's name, what stayed or why not."""

    title_key = "passes_ui.dialog.gate"

    def build_form(self) -> DeskForm:
        results = [(t(f"gate_result.{r.value}"), r.value) for r in GateResult]
        return banner_form(
            ChoiceField("result", results, GateResult.all_out.value, label=t("passes_ui.result")),
            TextField("guard_name", of=ReleasePass),
            TextField("gate_note", of=ReleasePass),
        )

    def prepare(self) -> None:
        self.query_one("#field-gate_note", TextField).set_note(t("passes_ui.dialog.note_hint"))

    def submit(self, form: DeskForm) -> ReleasePass | DeskError:
        values = form.read()
        number = self.found.number
        return self.attempt(
            lambda ctx: passes.gate_check(
                ctx, number, values["result"], values["guard_name"], values["gate_note"]
            )
        )
