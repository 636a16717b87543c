"""Booking a paid service (便民服务 / 有偿服务) at the counter: the room and the resident, the
service of the site's list, how much, the agreed time, the price (blank: the list's) and the
result agreed (000 五.3). ctrl+s saves; every refusal beside its field, what was typed kept."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input

from desk.forms.dialogs import FormDialog, banner_form
from desk.forms.fields import ChoiceField, DeskForm, MoneyField, TextField, WhenField
from desk.i18n import current_language, t
from desk.models import ServiceBooking
from desk.services import paid_service
from desk.services.errors import DeskError
from desk.services.paid_service import BookingIn


def price_typed(form: DeskForm, money: dict[str, Any]) -> int | None:
    """The price typed, in fen; None when the field was left blank (the list's price)."""
    typed = form.query_one("#price", Input).value.strip()
    return None if not typed else int(money["price"])


class BookingDialog(FormDialog[ServiceBooking | None]):
    """A new booking; returns the saved booking (None when cancelled)."""

    def heading(self) -> str:
        return t("services_ui.new_title")

    def build_form(self) -> DeskForm:
        lang = current_language()
        items = self.desk.settings.services.items
        options = [
            (
                t(
                    "services_ui.list_line",
                    name=item.label(lang),
                    price=f"{item.price_fen / 100:.2f}",
                    unit=item.unit(lang),
                    department=self.department(item.department),
                ),
                item.key,
            )
            for item in items
        ]
        return banner_form(
            TextField("room", of=ServiceBooking),
            TextField("resident", of=ServiceBooking),
            TextField("phone", of=ServiceBooking),
            ChoiceField("service", options, items[0].key if items else ""),
            TextField("quantity", of=ServiceBooking),
            WhenField("agreed_for", required=True),
            MoneyField("price", max_length=12),
            TextField("expected_result", of=ServiceBooking),
            TextField("note", of=ServiceBooking),
        )

    def department(self, key: str) -> str:
        found = self.desk.settings.department(key)
        return found.label(current_language()) if found else key

    def prepare(self) -> None:
        self.query_one("#field-price", MoneyField).set_note(t("services_ui.price_hint"))

    def submit(self, form: DeskForm) -> ServiceBooking | DeskError:
        values = form.read()
        data = BookingIn(
            room=values["room"],
            resident=values["resident"],
            phone=values["phone"],
            service=values["service"],
            quantity=values["quantity"],
            price_fen=price_typed(form, values),
            agreed_for=values["agreed_for"],
            expected_result=values["expected_result"],
            note=values["note"],
        )
        saved: ServiceBooking | DeskError = self.attempt(lambda ctx: paid_service.book(ctx, data))
        return saved
