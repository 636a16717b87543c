"""The screens' router: open any record by register and id (its own page, or the register screen
it lives on), or a room's history. List screens, the board and the lookup go through here, so no
list imports the page of its records (nor a page its list): the pages are named here, as text,
and loaded on first use."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import App
from textual.screen import Screen
from textual.widgets import DataTable

from desk.widgets.live import refused_while_lost

# register -> the page of one record (module, class taking the record id)
RECORD_PAGES = {
    "repairs": ("desk.screens.repair_detail", "RepairDetailScreen"),
    "complaints": ("desk.screens.complaint_detail", "ComplaintDetailScreen"),
    "reception": ("desk.screens.reception_detail", "ReceptionDetailScreen"),
    "entrusted_keys": ("desk.screens.entrusted_detail", "EntrustedDetailScreen"),
    "passes": ("desk.screens.pass_detail", "PassDetailScreen"),
    "cards": ("desk.screens.card_detail", "CardDetailScreen"),
    "nightlog": ("desk.screens.nightlog_detail", "NightLogDetailScreen"),
    "owner_changes": ("desk.screens.owner_change_detail", "OwnerChangeDetailScreen"),
    "renovations": ("desk.screens.renovation_detail", "RenovationDetailScreen"),
    "incidents": ("desk.screens.incident_detail", "IncidentDetailScreen"),
    # a room's fees (the record: one of its balances)
    "fees": ("desk.screens.fee_room", "FeeRoomScreen"),
    # a renovation found by its permit's number
    "renovation_permits": ("desk.screens.renovation_detail", "RenovationDetailScreen"),
    "patrols": ("desk.screens.patrol_detail", "PatrolDetailScreen"),
    "move_ins": ("desk.screens.move_in_detail", "MoveInDetailScreen"),
    "services": ("desk.screens.paid_service_detail", "PaidServiceDetailScreen"),
    # a finding: its owner record's page (a patrol round's, an incident's…)
    "findings": ("desk.screens.findings_panel", "FindingPage"),
}
# registers whose records are handled on their register screen (a mode of the app)
REGISTER_SCREENS = {
    "key_loans": "keys",
    "keys": "keys",
    "worker_passes": "worker_passes",
    # a round the patrol schedule calls for: the patrol register, its due and missed rounds
    "patrol_due": "patrols",
}
# other pages reached from a list (module, class)
PAGES = {
    "room_history": ("desk.screens.room_history", "RoomHistoryScreen"),
}


def _page(module: str, name: str) -> Callable[..., Screen[Any]]:
    """The page class `name` of `module`, loaded on first use."""
    page: Callable[..., Screen[Any]] = getattr(importlib.import_module(module), name)
    return page


def open_record(app: App[Any], register: str, record_id: int) -> bool:
    """Show the record; False when the register has no page to show it on (nothing is shown
    while the database is lost, as the clerk is told)."""
    if refused_while_lost(app):
        return True
    if register in RECORD_PAGES:
        app.push_screen(_page(*RECORD_PAGES[register])(record_id))
        return True
    if register in REGISTER_SCREENS:
        app.switch_mode(REGISTER_SCREENS[register])
        return True
    return False


def open_record_key(app: App[Any], key: str) -> bool:
    """Open the record a row key `register:id` names; False when it has no page."""
    register, _, record_id = key.partition(":")
    return open_record(app, register, int(record_id))


def open_page(app: App[Any], page: str, *args: Any) -> None:
    """Show one of `PAGES`, made with `args` (e.g. the room of a room history)."""
    if refused_while_lost(app):
        return
    app.push_screen(_page(*PAGES[page])(*args))


def selected_key(table: DataTable[str | Text]) -> str | None:
    """The row key under the table's cursor (None for an empty table)."""
    if not table.row_count:
        return None
    row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
    return row_key.value
