"""The cells a resident card is shown with: its status and how long it is valid, on the list
and on its own page."""

from __future__ import annotations

from datetime import date, timedelta

from rich.text import Text

from desk.i18n import t
from desk.models import ResidentCard
from desk.screens.tones import ALARM, ERROR, SUCCESS, WARNING
from desk.services import cards
from desk.services.cards import CardStatus

STATUS_STYLE = {
    CardStatus.applied: "italic",
    CardStatus.ready: WARNING,
    CardStatus.valid: SUCCESS,
    CardStatus.expired: ERROR,
    CardStatus.lost: ALARM,
    CardStatus.replaced: "dim",
    CardStatus.returned: "dim",
    CardStatus.cancelled: "dim strike",
}


def status_cell(card: ResidentCard, today: date) -> Text:
    status = cards.status_of(card, today)
    return Text(t(f"card_status.{status}"), style=STATUS_STYLE.get(status, ""))


def valid_cell(card: ResidentCard, today: date, soon_days: int = 14) -> Text:
    """An owner card: long-term; a resident card: its last day, marked when it is near or past
    (not yet issued: nothing)."""
    if card.valid_until is None:
        if card.kind == "owner" and card.issued_at is not None:
            return Text(t("cards_ui.long_term"), style="dim")
        return Text("")
    style = ""
    if today > card.valid_until:
        style = ERROR
    elif card.valid_until - today <= timedelta(days=soon_days):
        style = WARNING
    return Text(card.valid_until.isoformat(), style=style)
