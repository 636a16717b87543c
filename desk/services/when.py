"""Times typed at the desk: `14:00`, `+30m`, `+2h`, `+3d`, 今天/明天/后天, 周一…周日 (the next
one), 下周一…下周日 / next mon (in next week), `11-25 14:00`.

Our small grammar is parsed first; dateutil only reads absolute dates, because it silently drops
words it does not know ("tomorrow 9am" would become today 09:00). The resolved time is always
shown back to the clerk before saving.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, tzinfo
from typing import NoReturn

from desk.services.errors import DeskError

_RELATIVE = re.compile(
    r"^\+?\s*(\d{1,4})\s*(m|min|mins|分钟|分|h|hr|hrs|小时|d|day|days|天)$", re.IGNORECASE
)
_CLOCK = re.compile(r"^(\d{1,2})(?::|：|点)(\d{2})?$|^(\d{1,2})点半$")
_DAY_WORDS = {
    "今天": 0,
    "today": 0,
    "明天": 1,
    "tomorrow": 1,
    "后天": 2,
    "後天": 2,
}
_WEEKDAYS = {
    **{f"周{c}": i for i, c in enumerate("一二三四五六日")},
    **{f"星期{c}": i for i, c in enumerate("一二三四五六日")},
    "周天": 6,
    "星期天": 6,
    **{name: i for i, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
}
# 下周三 / next wed: that day of next week (weeks begin on Monday), as a clerk says it.
_NEXT_WEEK = {f"下{word}": index for word, index in _WEEKDAYS.items()}
_NEXT = re.compile(r"^next\s+", re.IGNORECASE)
_ABSOLUTE = re.compile(r"^(?:(\d{4})[-/.])?(\d{1,2})[-/.](\d{1,2})$")
# The years a record's times may fall in: older or later ones are typing mistakes (and the
# extremes of datetime overflow when converted to UTC or when a deadline is added to them).
FIRST_YEAR, LAST_YEAR = 2000, 2100


def plausible(moment: datetime, field: str) -> datetime:
    """`moment` itself when a record may carry it: timezone-aware, within FIRST..LAST_YEAR."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise DeskError("when.no_timezone", field=field)
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise DeskError("when.out_of_range", field=field, first=FIRST_YEAR, last=LAST_YEAR)
    return moment


def happened(moment: datetime | None, now: datetime, field: str) -> datetime:
    """When something happened: `moment` (`now` when not given), plausible and not after `now`.

    A clerk may record what happened earlier (a call taken before the desk was free, a repair
    finished last night), never what has not happened yet.
    """
    found = plausible(moment or now, field)
    if found > now:
        raise DeskError("field.in_future", field=field)
    return found


def _clock(text: str) -> time | None:
    match = _CLOCK.match(text)
    if not match:
        return None
    if match.group(3):
        hour, minute = int(match.group(3)), 30
    else:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        raise DeskError("when.bad_clock", value=text)
    return time(hour, minute)


def _split(text: str) -> tuple[str, time | None]:
    """Split 'word 14:00' / '明天10:00' into the day part and the clock part."""
    parts = text.split()
    if len(parts) == 2:
        return parts[0], _clock(parts[1]) or _bad(text)
    if len(parts) == 1:
        match = re.match(r"^(\D+?)(\d{1,2}(?:[:：点]\d{0,2})?半?)$", text)
        if match and any(match.group(1) in words for words in (_DAY_WORDS, _WEEKDAYS, _NEXT_WEEK)):
            return match.group(1), _clock(match.group(2)) or _bad(text)
        return text, None
    return text, None


def _bad(text: str) -> NoReturn:
    raise DeskError("when.unreadable", value=text)


def parse_when(text: str, now: datetime, tz: tzinfo) -> datetime | None:
    """Resolve what the clerk typed to an aware datetime; empty text means no time."""
    text = _NEXT.sub("下", " ".join(text.strip().split()))
    if not text:
        return None
    local_now = now.astimezone(tz)
    relative = _RELATIVE.match(text.replace(" ", ""))
    if relative:
        amount, unit = int(relative.group(1)), relative.group(2).lower()
        if unit in ("m", "min", "mins", "分钟", "分"):
            return now + timedelta(minutes=amount)
        if unit in ("h", "hr", "hrs", "小时"):
            return now + timedelta(hours=amount)
        return (local_now + timedelta(days=amount)).astimezone(now.tzinfo)
    clock_only = _clock(text)
    if clock_only is not None:
        return datetime.combine(local_now.date(), clock_only, tzinfo=tz)
    day_part, clock = _split(text)
    word = day_part.lower()
    if word in _DAY_WORDS:
        day = local_now.date() + timedelta(days=_DAY_WORDS[word])
        return datetime.combine(day, clock or local_now.time().replace(second=0, microsecond=0), tz)
    if word in _WEEKDAYS:
        ahead = (_WEEKDAYS[word] - local_now.weekday()) % 7 or 7
        day = local_now.date() + timedelta(days=ahead)
        return datetime.combine(day, clock or time(9, 0), tzinfo=tz)
    if word in _NEXT_WEEK:
        monday = local_now.date() - timedelta(days=local_now.weekday())
        day = monday + timedelta(days=7 + _NEXT_WEEK[word])
        return datetime.combine(day, clock or time(9, 0), tzinfo=tz)
    absolute = _ABSOLUTE.match(day_part)
    if absolute:
        year = int(absolute.group(1) or local_now.year)
        try:
            day = datetime(year, int(absolute.group(2)), int(absolute.group(3))).date()
        except ValueError as exc:
            raise DeskError("when.bad_date", value=text) from exc
        return datetime.combine(day, clock or time(9, 0), tzinfo=tz)
    if text.isdigit() and len(text) <= 4:
        # "1" is the 1st of the month to dateutil and one o'clock to a clerk: not guessed
        raise DeskError("when.unreadable", value=text)
    return _absolute_by_dateutil(text, local_now, tz)


def _absolute_by_dateutil(text: str, local_now: datetime, tz: tzinfo) -> datetime:
    from dateutil import parser

    try:
        parsed, skipped = parser.parse(
            text, default=local_now.replace(tzinfo=None), fuzzy_with_tokens=True
        )
    except (ValueError, OverflowError) as exc:
        raise DeskError("when.unreadable", value=text) from exc
    # "3-1202" (a room typed in the wrong field) would otherwise read as the year 1202.
    if any(token.strip() for token in skipped) or not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise DeskError("when.unreadable", value=text)
    return parsed.replace(tzinfo=tz) if parsed.tzinfo is None else parsed
