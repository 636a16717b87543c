"""Times as the desk shows them: the year only when it is not the year of the caller's clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from desk.clock import fmt
from tests.conftest import NOW, TZ


def test_fmt_shows_the_year_by_the_given_clock_in_the_site_zone() -> None:
    assert fmt(NOW, TZ, now=NOW) == "11-23 09:30"
    assert fmt(NOW, TZ, now=NOW + timedelta(days=400)) == "2026-11-23 09:30"
    assert fmt(NOW, TZ, with_date=False, now=NOW + timedelta(days=400)) == "09:30"
    # 00:30 on New Year's Day at the site is still the old year in UTC: the site's year counts
    new_year = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)
    assert fmt(NOW, TZ, now=new_year) == "2026-11-23 09:30"
    assert fmt(new_year, TZ, now=new_year) == "01-01 00:30"
    assert fmt(None, TZ, now=NOW) == ""
