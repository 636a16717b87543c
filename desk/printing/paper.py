"""What every printed slip, permit and pass writes the same way: a time, an amount, the site."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from desk.i18n import current_language

if TYPE_CHECKING:
    from desk.config import Settings


def written_at(moment: datetime | None, tz: tzinfo) -> str:
    """A time as written on paper: always with the full date, in the site's zone."""
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""


def yuan(fen: int) -> str:
    """An amount in fen as yuan with two decimals (no sign: amounts on paper are never owed)."""
    return f"{fen // 100}.{fen % 100:02d}"


def site_name(settings: Settings) -> str:
    """The site's name in the language of the printout."""
    return settings.site.name if current_language() == "zh_CN" else settings.site.name_en
