"""The steps of one renovation, one dialog each: papers complete, to engineering, the decision,
the permit, works begun, a supervision visit, the suspension lifted, works finished, an
inspection round, the next round booked, the deposit refunded, withdrawn."""

from __future__ import annotations

from typing import Any

from textual.widget import Widget
from textual.widgets import Static

from desk.forms.dialogs import FormDialog, banner_form
from desk.forms.fields import (
    CheckField,
    ChoiceField,
    DeskForm,
    MoneyField,
    NameField,
    OptionalChoiceField,
    TextField,
    WhenField,
)
from desk.forms.renovation_form import DayField, label, yuan_text
from desk.i18n import current_language, listed, t
from desk.models import (
    InspectionResult,
    Renovation,
    RenovationInspection,
    RenovationVisit,
    VisitDepartment,
)
from desk.services import renovation
from desk.services.errors import DeskError
from desk.services.renovation import Documents, InspectionIn, Papers, VisitIn


class RenovationDialog(FormDialog[Any]):
    """A step on one renovation; returns what it saved (None when cancelled)."""

    title_key = ""

    def __init__(self, found: Renovation) -> None:
        super().__init__()
        self.found = found
        assert found.id is not None
        self.renovation_id: int = found.id

    def heading(self) -> str:
        return t(self.title_key, number=self.found.number)

    def now_hint(self, *names: str) -> None:
        for name in names:
            self.query_one(f"#field-{name}", WhenField).set_note(t("repair_ui.dialog.now_hint"))

    def engineers(self) -> list[str]:
        staff = self.desk.settings.staff
        return [s.name for s in staff if s.department == "engineering"] or [s.name for s in staff]


class DocumentsDialog(RenovationDialog):
    """The checklist: every paper seen, the agreement and the fire pledge signed."""

    title_key = "renovation_ui.dialog.complete"

    def build_form(self) -> DeskForm:
        return banner_form(
            *(CheckField(name, value=getattr(self.found, name)) for name in renovation.DOCUMENTS)
        )

    def first_focus(self) -> Widget | None:
        missing = renovation.missing_documents(self.found)
        return self.query_one(f"#{missing[0] if missing else renovation.DOCUMENTS[0]}")

    def submit(self, form: DeskForm) -> Renovation | DeskError:
        papers = Documents(**form.read())
        return self.attempt(lambda ctx: renovation.complete(ctx, self.renovation_id, papers))


class EngineeringDialog(RenovationDialog):
    """What goes to engineering with the papers: the undertaking (special works), the fees."""

    title_key = "renovation_ui.dialog.to_engineering"

    def build_form(self) -> DeskForm:
        found = self.found
        works = renovation.special_works(self.desk.settings, found)
        note = (
            t("renovation_ui.undertaking_for", works=listed(t(f"special_work.{w}") for w in works))
            if works
            else t("renovation_ui.no_special_works")
        )
        return banner_form(
            Static(note, classes="form-note"),
            CheckField("undertaking_signed", value=found.undertaking_signed),
            MoneyField("deposit", max_length=12),
            TextField("deposit_receipt", of=Renovation),
            MoneyField("debris_fee", max_length=12),
            TextField("debris_fee_receipt", of=Renovation),
        )

    def prepare(self) -> None:
        found = self.found
        for name, value in (
            ("deposit", yuan_text(found.deposit_fen)),
            ("deposit_receipt", found.deposit_receipt),
            ("debris_fee", yuan_text(found.debris_fee_fen)),
            ("debris_fee_receipt", found.debris_fee_receipt),
        ):
            self.query_one(f"#field-{name}", TextField).set_value(value)

    def first_focus(self) -> Widget | None:
        return self.query_one("#deposit_receipt" if self.found.deposit_fen else "#debris_fee")

    def submit(self, form: DeskForm) -> Renovation | DeskError:
        values = form.read()
        papers = Papers(
            undertaking_signed=values["undertaking_signed"],
            deposit_fen=values["deposit"],
            deposit_receipt=values["deposit_receipt"],
            debris_fee_fen=values["debris_fee"],
            debris_fee_receipt=values["debris_fee_receipt"],
        )
        return self.attempt(lambda ctx: renovation.to_engineering(ctx, self.renovation_id, papers))


class ApproveDialog(RenovationDialog):
    """The engineering department's approval, recorded with the engineer's name."""

    title_key = "renovation_ui.dialog.approve"

    def build_form(self) -> DeskForm:
        return banner_form(
            NameField("decided_by", self.engineers(), of=Renovation), WhenField("decided_at")
        )

    def prepare(self) -> None:
        self.now_hint("decided_at")

    def submit(self, form: DeskForm) -> Renovation | DeskError:
        values = form.read()
        return self.attempt(
            lambda ctx: renovation.approve(
                ctx, self.renovation_id, values["decided_by"], values["decided_at"]
            )
        )


class RefuseDialog(ApproveDialog):
    title_key = "renovation_ui.dialog.refuse"

    def build_form(self) -> DeskForm:
        return banner_form(
            NameField("decided_by", self.engineers(), of=Renovation),
            WhenField("decided_at"),
            TextField("refusal_reason", of=Renovation),
        )

    def submit(self, form: DeskForm) -> Renovation | DeskError:
        values = form.read()
        return self.attempt(
            lambda ctx: renovation.refuse(
                ctx,
                self.renovation_id,
                values["decided_by"],
                values["refusal_reason"],
                values["decided_at"],
            )
        )


class PermitDialog(RenovationDialog):
    """The permit for the works' days: the planned ones, unless others were agreed."""

    title_key = "renovation_ui.dialog.issue_permit"

    def build_form(self) -> DeskForm:
        return banner_form(DayField("planned_start"), DayField("planned_end"))

    def prepare(self) -> None:
        self.query_one("#field-planned_start", DayField).set_day(self.found.planned_start)
        self.query_one("#field-planned_end", DayField).set_day(self.found.planned_end)

    def submit(self, form: DeskForm) -> Renovation | DeskError:
        values = form.read()
        return self.attempt(
            lambda ctx: renovation.issue_permit(
                ctx, self.renovation_id, values["planned_start"], values["planned_end"]
            )
        )


class StartDialog(RenovationDialog):
    title_key = "renovation_ui.dialog.start_works"

    def build_form(self) -> DeskForm:
        return banner_form(WhenField("works_started_at"))

    def prepare(self) -> None:
        self.now_hint("works_started_at")

    def submit(self, form: DeskForm) -> Renovation | DeskError:
        at = form.read()["works_started_at"]
        return self.attempt(lambda ctx: renovation.start_works(ctx, self.renovation_id, at))


class VisitDialog(RenovationDialog):
    """A supervision visit: who, when, what was found; what it opens; a suspension."""

    title_key = "renovation_ui.dialog.visit"

    def build_form(self) -> DeskForm:
        lang = current_language()
        departments = [(t(f"visit_department.{d.value}"), d.value) for d in VisitDepartment]
        reasons = [(t(f"suspend_for.{why}"), why) for why in renovation.SUSPEND_FOR]
        follow = [(t(f"follow_up.{what}"), what) for what in renovation.FOLLOW_UPS if what]
        categories = [(c.label(lang), c.key) for c in self.desk.settings.repair_categories]
        names = [s.name for s in self.desk.settings.staff]
        return banner_form(
            ChoiceField("visit_department", departments, VisitDepartment.desk.value),
            NameField("visitor", names, of=RenovationVisit, hint=False),
            WhenField("visited_at"),
            TextField("findings", of=RenovationVisit),
            OptionalChoiceField("follow_up", follow, ""),
            ChoiceField("repair_category", categories or [("-", "other")], "other"),
            CheckField("suspend"),
            OptionalChoiceField("suspend_for", reasons, ""),
        )

    def prepare(self) -> None:
        self.now_hint("visited_at")
        hours = ", ".join(self.desk.settings.renovation.permitted_hours)
        self.query_one("#field-suspend", CheckField).set_note(
            t("renovation_ui.suspend_hint", hours=hours)
        )
        self.query_one("#field-repair_category", ChoiceField).set_note(
            t("renovation_ui.category_hint")
        )

    def submit(self, form: DeskForm) -> RenovationVisit | DeskError:
        values = form.read()
        data = VisitIn(
            department=VisitDepartment(values["visit_department"]),
            visitor=values["visitor"],
            visited_at=values["visited_at"],
            findings=values["findings"],
            suspend=values["suspend"],
            suspend_for=values["suspend_for"],
            follow_up=values["follow_up"],
            repair_category=values["repair_category"],
        )
        return self.attempt(lambda ctx: renovation.visit(ctx, self.renovation_id, data))


class ResumeDialog(RenovationDialog):
    title_key = "renovation_ui.dialog.resume"

    def build_form(self) -> DeskForm:
        return banner_form(TextField("reason", of=Renovation, column="suspend_reason"))

    def submit(self, form: DeskForm) -> Renovation | DeskError:
        note = form.read()["reason"]
        return self.attempt(lambda ctx: renovation.resume(ctx, self.renovation_id, note))


class FinishDialog(RenovationDialog):
    """Works finished; the inspection booked with the owner (001 ⑻)."""

    title_key = "renovation_ui.dialog.finish"

    def build_form(self) -> DeskForm:
        return banner_form(
            WhenField("works_finished_at"), WhenField("inspection_booked_for", required=True)
        )

    def prepare(self) -> None:
        self.now_hint("works_finished_at")

    def first_focus(self) -> Widget | None:
        return self.query_one("#inspection_booked_for")

    def submit(self, form: DeskForm) -> Renovation | DeskError:
        values = form.read()
        return self.attempt(
            lambda ctx: renovation.finish(
                ctx,
                self.renovation_id,
                values["inspection_booked_for"],
                values["works_finished_at"],
            )
        )


class InspectDialog(RenovationDialog):
    """One inspection round: passed, or what is to be put right."""

    title_key = "renovation_ui.dialog.inspect"

    def build_form(self) -> DeskForm:
        results = [(t(f"inspection_result.{r.value}"), r.value) for r in InspectionResult]
        return banner_form(
            NameField("inspector", self.engineers(), of=RenovationInspection),
            WhenField("inspected_at"),
            ChoiceField(
                "inspection_result",
                results,
                InspectionResult.passed.value,
                label=label("inspection_result"),
            ),
            TextField("findings", of=RenovationInspection),
        )

    def prepare(self) -> None:
        self.now_hint("inspected_at")

    def submit(self, form: DeskForm) -> RenovationInspection | DeskError:
        values = form.read()
        data = InspectionIn(
            inspector=values["inspector"],
            inspected_at=values["inspected_at"],
            result=InspectionResult(values["inspection_result"]),
            findings=values["findings"],
        )
        return self.attempt(lambda ctx: renovation.inspect(ctx, self.renovation_id, data))


class RebookDialog(RenovationDialog):
    title_key = "renovation_ui.dialog.rebook"

    def build_form(self) -> DeskForm:
        return banner_form(WhenField("inspection_booked_for", required=True))

    def submit(self, form: DeskForm) -> Renovation | DeskError:
        booked = form.read()["inspection_booked_for"]
        return self.attempt(lambda ctx: renovation.rebook(ctx, self.renovation_id, booked))


class RefundDialog(RenovationDialog):
    """The deposit back without interest: all of it, or less with the reason and the damage."""

    title_key = "renovation_ui.dialog.refund"

    def build_form(self) -> DeskForm:
        deposit = yuan_text(self.found.deposit_fen)
        return banner_form(
            Static(t("renovation_ui.refund_note", deposit=deposit), classes="form-note"),
            MoneyField("refund", max_length=12),
            TextField("withheld_reason", of=Renovation),
            TextField("damage_note", of=Renovation),
        )

    def prepare(self) -> None:
        self.query_one("#field-refund", TextField).set_value(yuan_text(self.found.deposit_fen))

    def submit(self, form: DeskForm) -> Renovation | DeskError:
        values = form.read()
        return self.attempt(
            lambda ctx: renovation.refund(
                ctx,
                self.renovation_id,
                values["refund"],
                values["withheld_reason"],
                values["damage_note"],
            )
        )


class WithdrawDialog(RenovationDialog):
    title_key = "renovation_ui.dialog.withdraw"

    def build_form(self) -> DeskForm:
        return banner_form(TextField("reason", of=Renovation, column="withdraw_reason"))

    def submit(self, form: DeskForm) -> Renovation | DeskError:
        reason = form.read()["reason"]
        return self.attempt(lambda ctx: renovation.withdraw(ctx, self.renovation_id, reason))
