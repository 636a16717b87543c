"""The paid-services register (s on the board): open bookings, newest first, each with its
agreed time coloured by urgency while the work is owed; ctrl+w prints the site's list."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Header, Static

from desk import commands
from desk.i18n import t
from desk.models import OPEN_SERVICE_STATES
from desk.screens import records
from desk.screens.due import due_cell
from desk.screens.plain import Fit
from desk.screens.printout import deliver
from desk.screens.record_table import RecordTable
from desk.screens.renovations import short
from desk.services import paid_service
from desk.services.residents import mask_name
from desk.widgets.base import DeskFooter, DeskScreen

COLUMNS = ("number", "room", "service", "due", "price", "state")
FIT = Fit("service", least=6, most=20, drop=("price",))


def yuan(fen: int) -> str:
    return f"¥{fen // 100}.{fen % 100:02d}"


class PaidServicesScreen(DeskScreen):
    """Bookings; ctrl+n books one, Enter opens one, ctrl+f shows closed ones too."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("services")
    LIVE = True
    DEFAULT_CSS = """
    PaidServicesScreen #services-title { padding: 0 1; height: 1; text-style: bold; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.show_all = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="services-title")
        yield RecordTable(id="services", fit=FIT)
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#services", RecordTable)
        for key in COLUMNS:
            table.add_column(t(f"services_ui.col_{key}"), key=key)
        self.refresh_list()

    def reread(self) -> None:
        self.refresh_list()

    def action_refresh(self) -> None:
        self.refresh_list()

    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all
        self.refresh_list()

    def refresh_list(self, select_id: int | None = None) -> None:
        now = self.desk.now()
        table = self.query_one("#services", RecordTable)
        if select_id is None:
            select_id = table.selected_id()
        with self.reading() as ctx:
            shown = paid_service.listing(ctx, open_only=not self.show_all)
        with self.app.batch_update():
            table.clear()
            for found in shown:
                when = self.desk.show_time(found.due_at)
                owed = found.state in ("agreed", "sent", "redo")
                due = due_cell(found.due_at, now, when) if owed else Text(when, style="dim")
                state = Text(
                    t(f"services_state.{found.state}"),
                    style="" if found.state in OPEN_SERVICE_STATES else "dim",
                )
                table.add_row(
                    found.number,
                    found.room,
                    short(f"{found.service_name} {mask_name(found.resident)}", 20),
                    due,
                    yuan(found.price_fen),
                    state,
                    key=str(found.id),
                )
            table.select_record(select_id)
        which = t("renovation_ui.showing_all" if self.show_all else "renovation_ui.showing_open")
        self.query_one("#services-title", Static).update(
            f"{t('services_ui.title')} — {which}" if shown else t("services_ui.empty")
        )

    def selected_id(self) -> int | None:
        return self.query_one("#services", RecordTable).selected_id()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_booking()

    def action_open_booking(self) -> None:
        chosen = self.selected_id()
        if chosen is not None:
            records.open_record(self.app, paid_service.REGISTER, chosen)

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
