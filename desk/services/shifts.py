"""Shifts from site.toml: which shift the clock is in (summer times included)."""

from __future__ import annotations

from datetime import date, datetime, time

from desk.config import Settings, Shift


def is_summer(settings: Settings, day: date) -> bool:
    start = tuple(int(p) for p in settings.summer.start.split("-"))
    end = tuple(int(p) for p in settings.summer.end.split("-"))
    return start <= (day.month, day.day) <= end


def bounds(settings: Settings, shift: Shift, day: date) -> tuple[time, time]:
    summer = is_summer(settings, day)
    start = shift.summer_start if summer and shift.summer_start else shift.start
    end = shift.summer_end if summer and shift.summer_end else shift.end
    return start, end


def current_shift(settings: Settings, now: datetime) -> Shift | None:
    """The shift whose hours contain `now` (a shift ending before it starts runs past midnight)."""
    local = now.astimezone(settings.tz)
    clock = local.time()
    for shift in settings.shifts:
        start, end = bounds(settings, shift, local.date())
        if start <= end:
            if start <= clock < end:
                return shift
        elif clock >= start or clock < end:
            return shift
    return None
