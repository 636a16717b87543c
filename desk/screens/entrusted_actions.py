"""The steps of an entrusted key (take out, back, done, collect, print its slip), shared by the
keys register's entrusted tab and an entrusted key's page."""

from __future__ import annotations

from typing import Any

from textual.screen import ModalScreen

from desk.i18n import t
from desk.models import EntrustedKey, RepairOrder
from desk.screens.printout import deliver
from desk.services import keys_entrusted
from desk.services.errors import DeskError
from desk.widgets.base import DeskMixin


class EntrustedActions(DeskMixin):
    """The steps of an entrusted key; the screen says which record is meant and what to refresh."""

    def chosen_entrusted(self) -> EntrustedKey | None:
        raise NotImplementedError

    def after_change(self, record_id: int | None = None) -> None:
        raise NotImplementedError

    def _open(self, dialog: ModalScreen[EntrustedKey | None]) -> None:
        def done(record: EntrustedKey | None) -> None:
            self.after_change(record.id if record else None)
            if record is None or record.id is None:
                return
            with self.reading() as ctx:
                use = keys_entrusted.current_use(ctx, record.id)
            if use is not None:  # taken out for the work: who has it is what the clerk needs
                self.app.notify(t("keys_ui.taken_out", number=record.number, taken_by=use.taken_by))
                return
            state = t(f"entrusted_state.{record.state}")
            self.app.notify(t("keys_ui.done", number=record.number, state=state))

        self.app.push_screen(dialog, callback=done)

    def action_take_out(self) -> None:
        from desk.screens.key_dialogs import TakeOutDialog

        record = self.chosen_entrusted()
        if record is None or record.id is None:
            return
        with self.reading() as ctx:
            use = keys_entrusted.current_use(ctx, record.id)
        if use is not None:  # said before the dialog, so nothing is typed in vain
            message = t("key_error.entrusted_out", number=record.number, taken_by=use.taken_by)
            self.app.notify(message, severity="warning")
            return
        self._open(TakeOutDialog(record))

    def bring_back(self) -> None:
        record = self.chosen_entrusted()
        if record is None or record.id is None:
            return
        record_id = record.id
        outcome = self.attempt(lambda ctx: keys_entrusted.bring_back_key(ctx, record_id))
        if isinstance(outcome, DeskError):
            self.app.notify(outcome.message, severity="warning")
            return
        self.after_change(record_id)
        self.app.notify(t("keys_ui.brought_back", number=record.number))

    def action_work_done(self) -> None:
        from desk.screens.key_dialogs import WorkDoneDialog

        if record := self.chosen_entrusted():
            self._open(WorkDoneDialog(record))

    def action_collect(self) -> None:
        from desk.screens.key_dialogs import CollectDialog

        if record := self.chosen_entrusted():
            self._open(CollectDialog(record))

    def action_print_slip(self) -> None:
        record = self.chosen_entrusted()
        if record is None:
            return
        self.app.run_worker(
            lambda: print_entrusted_slip(self, record),
            thread=True,
            exclusive=True,
            exit_on_error=False,
            group="print",
        )


def print_entrusted_slip(screen: DeskMixin, record: EntrustedKey) -> None:
    """The two-part slip as text and PDF beside the database, and to the site's printer."""
    from desk.printing import entrusted_slip

    app = screen.desk
    settings = app.settings
    with app.database.reading() as session:
        order = session.get(RepairOrder, record.repair_order_id or 0)
    extra: dict[str, Any] = {
        "operator": app.operator.name if app.operator else "",
        "printed_at": app.now(),
        "repair_number": order.number if order else "",
    }
    deliver(
        app,
        record.number,
        lambda: entrusted_slip.entrusted_slip_text(record, settings, **extra),
        lambda pdf: entrusted_slip.entrusted_slip_pdf(record, settings, pdf, **extra),
        written="keys_ui.print.written",
    )
