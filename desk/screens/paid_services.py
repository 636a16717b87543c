"""The paid-services register (s on the board): open bookings, newest first, each with its
agreed time coloured by urgency while the work is owed; ctrl+w prints the site's list."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.binding import BindingType

from desk import commands
from desk.i18n import t
from desk.models import OPEN_SERVICE_STATES
from desk.screens import records
from desk.screens.due import due_cell
from desk.screens.plain import Fit
from desk.screens.printout import deliver
from desk.screens.register_list import RegisterList, Row
from desk.screens.renovations import short
from desk.services import paid_service
from desk.services.context import Ctx
from desk.services.residents import mask_name

COLUMNS = ("number", "room", "service", "due", "price", "state")
FIT = Fit("service", least=6, most=20, drop=("price",))


def yuan(fen: int) -> str:
    return f"¥{fen // 100}.{fen % 100:02d}"


class PaidServicesScreen(RegisterList):
    """Bookings; ctrl+n books one, Enter opens one, ctrl+f shows closed ones too."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("services")
    REGISTER = paid_service.REGISTER
    WORDS = "services_ui"
    COLUMNS = COLUMNS
    FIT = FIT

    def rows(self, ctx: Ctx) -> list[Row]:
        now = self.desk.now()
        rows: list[Row] = []
        for found in paid_service.listing(ctx, open_only=not self.show_all):
            when = self.desk.show_time(found.due_at)
            owed = found.state in ("agreed", "sent", "redo")
            due = due_cell(found.due_at, now, when) if owed else Text(when, style="dim")
            state = Text(
                t(f"services_state.{found.state}"),
                style="" if found.state in OPEN_SERVICE_STATES else "dim",
            )
            cells = (
                found.number,
                found.room,
                short(f"{found.service_name} {mask_name(found.resident)}", 20),
                due,
                yuan(found.price_fen),
                state,
            )
            rows.append((found.id or 0, cells))
        return rows

    def action_new_booking(self) -> None:
        from desk.forms.paid_service_form import BookingDialog

        def saved(found: object) -> None:
            booking_id = getattr(found, "id", None)
            if booking_id is not None:
                self.refresh_list(select_id=booking_id)
                records.open_record(self.app, paid_service.REGISTER, booking_id)

        self.app.push_screen(BookingDialog(), callback=saved)

    def action_print_list(self) -> None:
        self.print_list()

    @work(thread=True, exclusive=True, exit_on_error=False, group="print")
    def print_list(self) -> None:
        """The site's service list as text and PDF beside the database, and to the printer."""
        from desk.printing import service_list

        app = self.desk
        settings = app.settings
        at = app.now()
        deliver(
            app,
            f"services-{at:%Y%m%d}",
            lambda: service_list.service_list_text(settings, printed_at=at),
            lambda pdf: service_list.service_list_pdf(settings, pdf, printed_at=at),
            written="services_ui.print_written",
        )
