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
    """The duty shift whose hours contain `now` (one ending before it starts runs past midnight).

    Cover shifts (lunch cover) are not duty shifts: see `current_cover`.
    """
    return _containing(settings, now, cover=False)


def current_cover(settings: Settings, now: datetime) -> Shift | None:
    """The cover shift (e.g. lunch cover) in force at `now`, if any."""
    return _containing(settings, now, cover=True)


def _containing(settings: Settings, now: datetime, *, cover: bool) -> Shift | None:
    local = now.astimezone(settings.tz)
    clock = local.time()
    for shift in settings.shifts:
        if shift.cover != cover:
            continue
        start, end = bounds(settings, shift, local.date())
        if start <= end:
            if start <= clock < end:
                return shift
        elif clock >= start or clock < end:
            return shift
    return None
