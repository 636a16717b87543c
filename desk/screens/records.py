"""Open any record by register and id: its own page, or the register screen it lives on."""

from __future__ import annotations

import importlib
from typing import Any

from textual.app import App

# register -> the page of one record (module, class taking the record id)
RECORD_PAGES = {
    "repairs": ("desk.screens.repair_detail", "RepairDetailScreen"),
    "complaints": ("desk.screens.complaint_detail", "ComplaintDetailScreen"),
    "reception": ("desk.screens.reception_detail", "ReceptionDetailScreen"),
    "entrusted_keys": ("desk.screens.entrusted_detail", "EntrustedDetailScreen"),
    "passes": ("desk.screens.pass_detail", "PassDetailScreen"),
    "nightlog": ("desk.screens.nightlog_detail", "NightLogDetailScreen"),
}
# registers whose records are handled on their register screen (a mode of the app)
REGISTER_SCREENS = {"key_loans": "keys", "keys": "keys"}


def open_record(app: App[Any], register: str, record_id: int) -> bool:
    """Show the record; False when the register has no page to show it on."""
    if register in RECORD_PAGES:
        module, name = RECORD_PAGES[register]
        page = getattr(importlib.import_module(module), name)
        app.push_screen(page(record_id))
        return True
    if register in REGISTER_SCREENS:
        app.switch_mode(REGISTER_SCREENS[register])
        return True
    return False
