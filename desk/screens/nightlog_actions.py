"""The morning steps of a night-log entry (transfer to a repair order or a complaint, a repair
done at night to a completed order, or close it), shared by the night log's list and an entry's
page."""

from __future__ import annotations

from desk.forms.dialogs import FormDialog
from desk.i18n import t
from desk.screens.handover_dialogs import ReasonDialog
from desk.screens.nightlog_repair import NightRepairDialog
from desk.services import night_repair, nightlog
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.widgets.base import DeskMixin

# the steps of an entry left for the morning: on the list (the selected entry) and on its page


class NightLogActions(DeskMixin):
    """Transfer or close an entry left for the morning or handled at night (a repair: ctrl+g
    makes it a completed order); the screen says which entry is meant
        (`chosen_entry`, None once it has told why not) and what to show again (`after_change`)."""

    def chosen_entry(self) -> int | None:
        raise NotImplementedError

    def after_change(self) -> None:
        raise NotImplementedError

    def _transfer(self, register: str) -> None:
        entry_id = self.chosen_entry()
        if entry_id is None:
            return

        def link(ctx: Ctx, record_id: int) -> None:
            # in the record's own saving transaction: both saved, or neither
            nightlog.transfer(ctx, entry_id, register, record_id)

        with self.reading() as ctx:
            entry = nightlog.get(ctx, entry_id)
            number = nightlog.number(entry, ctx)
            if register == "repairs" and nightlog.LIFECYCLE.allows(entry, night_repair.STEP):
                # fixed at night: a completed order, with its callback
                screen: FormDialog[int | None] = NightRepairDialog(
                    entry, number, night_repair.prefill(ctx, entry)
                )
            elif register == "repairs":
                from desk.screens.repair_entry import RepairFormScreen

                screen = RepairFormScreen(prefill=nightlog.repair_prefill(ctx, entry), after=link)
            else:
                from desk.screens.complaint_entry import ComplaintFormScreen

                screen = ComplaintFormScreen(
                    prefill=nightlog.complaint_prefill(ctx, entry), after=link
                )

        def saved(record_id: int | None) -> None:
            if record_id is not None:
                record = t(f"registers.{register}")
                self.desk.notify(t("nightlog_ui.transferred", number=number, record=record))
            self.after_change()

        self.app.push_screen(screen, callback=saved)

    def action_to_repair(self) -> None:
        self._transfer("repairs")

    def action_to_complaint(self) -> None:
        self._transfer("complaints")

    def action_close_entry(self) -> None:
        entry_id = self.chosen_entry()
        if entry_id is None:
            return
        with self.reading() as ctx:
            number = nightlog.number(nightlog.get(ctx, entry_id), ctx)

        def chosen(reason: str | None) -> None:
            if reason is None:
                return
            done = self.attempt(lambda ctx: nightlog.close(ctx, entry_id, reason))
            if isinstance(done, DeskError):
                self.desk.notify(done.message, severity="error")
                return
            self.desk.notify(t("nightlog_ui.closed", number=number))
            self.after_change()

        title = t("nightlog_ui.close_title", number=number)
        self.app.push_screen(ReasonDialog(title, "close_reason"), callback=chosen)
