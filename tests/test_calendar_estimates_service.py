"""Which years' holidays are only estimates, which of them the desk flags, and which due times
fall in one (the board and the record mark those)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from desk.services import board, calendar, repair, workdays
from desk.services.repair import RepairCreate
from desk.services.urgency import estimated_year
from tests.conftest import TZ, Desk


def test_every_estimated_year_shown_is_flagged_and_a_due_time_in_one_is_known(
    desk: Desk,
) -> None:
    # the library's last year from the State Council's notice (2026 with the pinned version)
    last = max(workdays.published_years())
    assert workdays.calendar_loaded()
    assert not workdays.is_estimated(last)
    assert workdays.is_estimated(last + 1) and workdays.is_estimated(last + 2)
    # in that year's December the desk shows it and the next two: both estimated years are
    # flagged (the second was left out when only this year and the next were shown), and
    # every later year is named
    shown = calendar.calendar_years(last)
    assert shown == [last, last + 1, last + 2]
    assert [year for year in shown if calendar.is_estimated(year)] == [last + 1, last + 2]
    assert calendar.estimated_after(last) == last + 2
    # the site's year decides: 00:30 on New Year's Day at the site is still the old year in UTC
    assert estimated_year(datetime(last, 12, 31, 16, 30, tzinfo=UTC), TZ) == last + 1
    assert estimated_year(datetime(last, 12, 31, 15, 30, tzinfo=UTC), TZ) is None
    assert estimated_year(None, TZ) is None
    # a repair taken at 23:50 on New Year's Eve is due for dispatch in the new year: the board's
    # item says so; one taken that morning is not
    desk.now = datetime(last, 12, 31, 23, 50, tzinfo=TZ)
    with desk.write() as ctx:
        late = repair.register(ctx, RepairCreate(room="3-1202", description="停电")).number
    desk.now -= timedelta(hours=14)
    with desk.write() as ctx:
        morning = repair.register(ctx, RepairCreate(room="3-1202", description="漏水")).number
    with desk.read() as ctx:
        marked = {item.number: estimated_year(item.due_at, TZ) for item in board.open_items(ctx)}
    assert marked == {late: last + 1, morning: None}
