"""The desk's sense of time: one injectable clock, aware datetimes, site-local display."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def fixed_clock(moment: datetime) -> Clock:
    """A clock that always says `moment` (tests, replays)."""
    if moment.tzinfo is None:
        raise ValueError("fixed_clock needs an aware datetime")
    return lambda: moment


def local(moment: datetime, tz: tzinfo) -> datetime:
    return moment.astimezone(tz)


def fmt(
    moment: datetime | None, tz: tzinfo, *, with_date: bool = True, now: datetime | None = None
) -> str:
    """A time as the desk shows it: `11-23 14:05`, or `14:05`; the year only when not this one.

    "This one" is the year of `now` (the caller's clock; the system clock when not given).
    """
    if moment is None:
        return ""
    shown = moment.astimezone(tz)
    if not with_date:
        return shown.strftime("%H:%M")
    if shown.year != (now or system_clock()).astimezone(tz).year:
        return shown.strftime("%Y-%m-%d %H:%M")
    return shown.strftime("%m-%d %H:%M")
