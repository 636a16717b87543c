"""The cells a declaration is shown with: on the register's list and its own page."""

from __future__ import annotations

from rich.text import Text

from desk.i18n import t
from desk.models import OwnerChange
from desk.screens.tones import ERROR, SUCCESS

STATE_STYLE = {"declared": "bold", "applied": SUCCESS, "refused": ERROR, "rejected": "dim"}


def state_cell(found: OwnerChange) -> Text:
    return Text(t(f"owner_change_state.{found.state}"), style=STATE_STYLE.get(found.state, "dim"))
