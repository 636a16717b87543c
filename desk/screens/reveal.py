"""ctrl+t on a list: the selected record's full name and phone, for a moment (an audited view,
desk.services.reveal). The list itself stays masked."""

from __future__ import annotations

from typing import Any

from desk.i18n import t
from desk.services import reveal
from desk.services.errors import DeskError


class RevealSelected:
    """Mixed into a list's screen (a DeskScreen): `reveal_target` names the selected record."""

    desk: Any
    attempt: Any

    def reveal_target(self) -> tuple[str, int] | None:
        raise NotImplementedError

    def action_reveal(self) -> None:
        target = self.reveal_target()
        if target is None:
            return
        register, record_id = target
        shown = self.attempt(lambda ctx: reveal.reveal(ctx, register, record_id))
        if isinstance(shown, DeskError):
            self.desk.notify(shown.message, severity="warning")
            return
        if shown.name or shown.phone:
            self.desk.notify(t("reveal.shown", name=shown.name, phone=shown.phone), timeout=8)
        else:
            self.desk.notify(t("reveal.nothing"), timeout=8)
