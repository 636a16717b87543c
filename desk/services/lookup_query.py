"""A lookup query read: which forms it can be, and its words as a full-text expression.

A query is a record number or its start (WX-…, TS-…, a night-log entry's YJ-…, any case, dashes
optional), a room (3-1202, 3栋1202, or 1202 = that room in every building), a phone fragment (its
last digits), or words — names and surnames (王), and text of any length. Words become an FTS5
MATCH expression over the tokens desk.services.search_index writes; the search is
desk.services.lookup.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo

from desk.services import nightlog
from desk.services.residents import parse_room
from desk.services.search_sources import REG_TOKENS
from desk.services.search_tokens import (
    bigrams,
    compact_number,
    estate_token,
    is_cjk,
    runs,
    terms,
)

NUMBER_PREFIXES = (
    "WX",
    "TS",
    "JD",
    "FX",
    "JY",
    "WT",
    "KA",
    "SG",
    "BG",
    "ZX",
    "XK",
    "TF",
    "XC",
    "RH",
    "FW",
)
# an estate other than the default one puts its code first (HG-WX-20261123-007)
_NUMBER = re.compile(rf"^(?:[A-Z0-9]{{2,8}}?)?(?:{'|'.join(NUMBER_PREFIXES)})\d{{4,12}}$")
# A night-log number is not stored (see nightlog.number_at): YJ, the night's date or the start
# of it, then the start of the entry's id (YJ20261124012 = the entry 12 of the night 2026-11-24).
NIGHT_NUMBER = re.compile(rf"^{nightlog.NUMBER_PREFIX}(\d{{4,8}})(\d{{0,9}})$")
_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{2,19}$")
_NAME = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]{1,3}$")


def classify(query: str) -> tuple[str, ...]:
    """Which forms a query can be: number, room, phone, name, text (in that order)."""
    stripped = query.strip()
    if not stripped:
        return ()
    compact = compact_number(stripped)
    if _NUMBER.match(compact) or NIGHT_NUMBER.match(compact):
        return ("number",)
    kinds: list[str] = []
    parsed = parse_room(stripped)
    if parsed is not None and any(ch.isdigit() for ch in parsed.room):
        kinds.append("room")
    digits = sum(ch.isdigit() for ch in stripped)
    # A room with its building (3-1202, 3栋1202) is a room; a phone number typed with dashes
    # has more digits than any room code (139-0000-1111).
    with_building = parsed is not None and bool(parsed.building)
    if _PHONE.match(stripped) and digits >= 3 and (not with_building or digits >= 8):
        kinds.append("phone")
    if kinds:
        return tuple(kinds)
    if _NAME.match(stripped):
        kinds.append("name")
    if runs(stripped):
        kinds.append("text")
    return tuple(kinds)


def night_days(digits: str, tz: tzinfo) -> tuple[datetime, datetime] | None:
    """The start and end of the nights whose date (YYYYMMDD) begins with `digits` (4 to 8 of
    them): 2026 is the year, 202611 November, 2026112 November 20 to 29; None if no such day."""
    year = int(digits[:4])
    if not 1 <= year < 9999:
        return None
    first = date(year, 1, 1)
    days = [
        day
        for day in (first + timedelta(days=n) for n in range(366))
        if day.year == year and f"{day:%Y%m%d}".startswith(digits)
    ]
    if not days:
        return None
    start = datetime.combine(days[0], time(), tzinfo=tz)
    end = datetime.combine(days[-1] + timedelta(days=1), time(), tzinfo=tz)
    return start, end


def fts_expression(
    query: str, *, name: bool, register: str, estates: tuple[int, ...] | None = None
) -> str:
    """The FTS5 MATCH expression of a words query within one register (see `fts_row`), and
    within `estates` when given."""
    prefix = REG_TOKENS[register]
    parts: list[str] = []
    for term in terms(query):
        for run in term:
            if is_cjk(run):
                if len(run) == 1:
                    parts.append(f'unis:"{prefix}{run}"')
                else:
                    parts.append(f'grams:"{" ".join(prefix + gram for gram in bigrams(run))}"')
            else:
                parts.append(f'grams:"{prefix}{run}"*')
    expression = " AND ".join(parts)
    if name:
        expression = f'name:"{prefix}{query.strip()}" OR ({expression})'
    if estates:
        within = " OR ".join(f'est:"{estate_token(estate)}"' for estate in estates)
        expression = f"({within}) AND ({expression})"
    return expression
