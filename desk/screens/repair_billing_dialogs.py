"""A paid order's money at the desk: the price agreed, billed, paid, and a correction.

The rules are desk.services.repair_billing's; these dialogs only ask.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from desk.forms.dialogs import banner_form
from desk.forms.fields import CheckField, DeskForm, MoneyField, TextField, WhenField
from desk.i18n import t
from desk.models import RepairCompletion, RepairOrder
from desk.screens.repair_dialogs import OrderDialog
from desk.services import repair_billing
from desk.services.errors import DeskError
from desk.services.repair_billing import ChargeCorrection


def _yuan_text(fen: int | None) -> str:
    return "" if not fen else f"{fen / 100:.2f}"


def _yuan(fen: int) -> str:
    return t("repair_ui.yuan", amount=f"{fen / 100:.2f}")


def money_rows(
    order: RepairOrder,
    rounds: Sequence[RepairCompletion],
    show: Callable[[datetime | None], str],
) -> list[tuple[str, str]]:
    """The detail's lines about money and work: the price agreed, billed, paid, and each
    completion as it was written (a reopened order's first round stays)."""
    rows: list[tuple[str, str]] = []
    if order.paid and order.consent_at is not None:
        rows.append(
            (
                t("repair_ui.label_quote"),
                t(
                    "repair_ui.quote_line",
                    amount=_yuan(order.quoted_fen or 0),
                    who=order.consent_by,
                    when=show(order.consent_at),
                ),
            )
        )
    elif order.paid:
        rows.append((t("repair_ui.label_quote"), t("repair_ui.no_consent")))
    if order.billed_at is not None:
        rows.append((t("fields.billed_at"), show(order.billed_at)))
    if order.paid_at is not None:
        line = t("repair_ui.paid_line", when=show(order.paid_at), receipt=order.receipt_number)
        rows.append((t("fields.paid_at"), line))
    elif order.billed_at is not None:
        rows.append((t("fields.paid_at"), t("repair_ui.unpaid")))
    for done in rounds:
        parts = [show(done.completed_at), done.technician, done.work_done]
        if done.labour_fen or done.material_fen:
            parts.append(_yuan(done.labour_fen + done.material_fen))
        label = t("repair_ui.label_round", n=done.round)
        rows.append((label, "  ".join(part for part in parts if part)))
    return rows


def money_event(action: str, data: dict[str, Any]) -> list[str]:
    """What a money event of the history says: the price and who agreed, the amount billed,
    the receipt, a correction's old and new values."""
    if action == "price_agreed":
        return [_yuan(int(data.get("quoted_fen") or 0)), str(data.get("by", ""))]
    if action == "billed":
        return [_yuan(int(data.get("amount_fen") or 0))]
    if action == "paid":
        return [_yuan(int(data.get("amount_fen") or 0)), str(data.get("receipt_number", ""))]
    if action == "charges_corrected":
        old, new = data.get("old") or {}, data.get("new") or {}
        return [t("repair_ui.corrected_line", old=_charges(old), new=_charges(new))]
    return []


def _charges(values: dict[str, Any]) -> str:
    kind = t("repair_ui.paid") if values.get("paid") else t("repair_ui.free")
    total = int(values.get("labour_fen") or 0) + int(values.get("material_fen") or 0)
    return f"{kind} {_yuan(total)}"


class AgreePriceDialog(OrderDialog):
    """The price told to the resident and who agreed to it (before the technician starts)."""

    title_key = "repair_ui.dialog.agree_price"

    def build_form(self) -> DeskForm:
        return banner_form(
            MoneyField("quoted_fen", max_length=12),
            TextField("consent_by", of=RepairOrder),
            WhenField("consent_at"),
        )

    def prepare(self) -> None:
        if self.order.quoted_fen:
            self.query_one("#field-quoted_fen", MoneyField).set_value(
                _yuan_text(self.order.quoted_fen)
            )
        name = self.order.consent_by or self.order.resident_name
        self.query_one("#field-consent_by", TextField).set_value(name)
        self.query_one("#field-consent_at", WhenField).set_note(t("repair_ui.dialog.now_hint"))

    def submit(self, form: DeskForm) -> RepairOrder | DeskError:
        values = form.read()
        return self.run(
            lambda ctx: repair_billing.agree_price(
                ctx,
                self.order_id,
                values["quoted_fen"] or None,
                values["consent_by"],
                values["consent_at"],
            )
        )


class BillDialog(OrderDialog):
    title_key = "repair_ui.dialog.bill"

    def build_form(self) -> DeskForm:
        return banner_form(WhenField("billed_at"))

    def prepare(self) -> None:
        total = repair_billing.charges(self.order)
        self.query_one("#field-billed_at", WhenField).set_note(
            t("repair_ui.dialog.bill_hint", amount=_yuan_text(total) or "0.00")
        )

    def submit(self, form: DeskForm) -> RepairOrder | DeskError:
        values = form.read()
        return self.run(lambda ctx: repair_billing.bill(ctx, self.order_id, values["billed_at"]))


class PayDialog(OrderDialog):
    title_key = "repair_ui.dialog.pay"

    def build_form(self) -> DeskForm:
        return banner_form(TextField("receipt_number", of=RepairOrder), WhenField("paid_at"))

    def prepare(self) -> None:
        self.query_one("#field-paid_at", WhenField).set_note(t("repair_ui.dialog.now_hint"))

    def submit(self, form: DeskForm) -> RepairOrder | DeskError:
        values = form.read()
        return self.run(
            lambda ctx: repair_billing.pay(
                ctx, self.order_id, values["receipt_number"], values["paid_at"]
            )
        )


class CorrectChargesDialog(OrderDialog):
    """The paid flag and the charges as they should have been, and why."""

    title_key = "repair_ui.dialog.correct_charges"

    def build_form(self) -> DeskForm:
        return banner_form(
            CheckField("paid", self.order.paid),
            MoneyField("labour_fen", max_length=12),
            MoneyField("material_fen", max_length=12),
            TextField("reason", of=RepairOrder, column="close_reason"),
        )

    def prepare(self) -> None:
        self.query_one("#field-labour_fen", MoneyField).set_value(_yuan_text(self.order.labour_fen))
        self.query_one("#field-material_fen", MoneyField).set_value(
            _yuan_text(self.order.material_fen)
        )
        self.query_one("#field-reason", TextField).set_note(t("repair_ui.dialog.correct_hint"))

    def submit(self, form: DeskForm) -> RepairOrder | DeskError:
        values = form.read()
        change = ChargeCorrection(
            paid=bool(values["paid"]),
            labour_fen=values["labour_fen"],
            material_fen=values["material_fen"],
            reason=values["reason"],
        )
        return self.run(lambda ctx: repair_billing.correct(ctx, self.order_id, change))
