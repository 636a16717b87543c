"""Due times, working days (China's holidays and make-up days) and typed times, at fixed clocks."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from desk.db import Database
from desk.i18n import set_language
from desk.models import CalendarDay, DayKind, Operator
from desk.services import audit
from desk.services.calendar import WorkCalendar, clear_site_day, is_estimated, set_site_day
from desk.services.deadlines import Duration, due, in_words
from desk.services.errors import DeskError, Forbidden
from desk.services.when import happened, parse_when
from tests.conftest import NOW, TZ, Desk


def test_three_working_days_after_national_day_eve() -> None:
    start = datetime(2026, 9, 30, 12, 0, tzinfo=TZ)
    assert due(start, "3wd", TZ) == datetime(2026, 10, 10, 12, 0, tzinfo=TZ)


def test_spring_festival_week_is_skipped() -> None:
    # 2026 Spring Festival holiday: 02-15 .. 02-23; 02-14 and 02-28 are make-up working days.
    calendar = WorkCalendar()
    assert not calendar.is_working_day(date(2026, 2, 17))
    assert calendar.is_working_day(date(2026, 2, 14))
    assert calendar.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert calendar.add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)


def test_site_overrides_beat_the_official_calendar() -> None:
    calendar = WorkCalendar(
        extra_holidays={date(2026, 11, 24)}, extra_workdays={date(2026, 11, 28)}
    )
    assert calendar.add_working_days(date(2026, 11, 23), 1) == date(2026, 11, 25)
    assert calendar.is_working_day(date(2026, 11, 28))


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("30m", NOW + timedelta(minutes=30)),
        ("2h", NOW + timedelta(hours=2)),
        ("2d", NOW + timedelta(days=2)),
        ("same_day", datetime(2026, 11, 23, 23, 59, 59, tzinfo=TZ)),
    ],
)
def test_durations(spec: str, expected: datetime) -> None:
    assert due(NOW, spec, TZ) == expected


def test_bad_duration_is_refused() -> None:
    with pytest.raises(ValueError):
        Duration.parse("soon")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("14:00", datetime(2026, 11, 23, 14, 0, tzinfo=TZ)),
        ("+30m", NOW + timedelta(minutes=30)),
        ("+2h", NOW + timedelta(hours=2)),
        ("2小时", NOW + timedelta(hours=2)),
        ("明天 10:00", datetime(2026, 11, 24, 10, 0, tzinfo=TZ)),
        ("明天10:00", datetime(2026, 11, 24, 10, 0, tzinfo=TZ)),
        ("tomorrow 9:00", datetime(2026, 11, 24, 9, 0, tzinfo=TZ)),
        ("后天", datetime(2026, 11, 25, 9, 30, tzinfo=TZ)),
        ("周五", datetime(2026, 11, 27, 9, 0, tzinfo=TZ)),
        ("周一 8:30", datetime(2026, 11, 30, 8, 30, tzinfo=TZ)),
        # on a Monday, 下周五 is next week's Friday, not this week's
        ("下周五", datetime(2026, 12, 4, 9, 0, tzinfo=TZ)),
        ("下周一 10:00", datetime(2026, 11, 30, 10, 0, tzinfo=TZ)),
        ("下星期三10点", datetime(2026, 12, 2, 10, 0, tzinfo=TZ)),
        ("下周日", datetime(2026, 12, 6, 9, 0, tzinfo=TZ)),
        ("next wed 14:00", datetime(2026, 12, 2, 14, 0, tzinfo=TZ)),
        ("11-25 14:00", datetime(2026, 11, 25, 14, 0, tzinfo=TZ)),
        ("2026-12-01 08:00", datetime(2026, 12, 1, 8, 0, tzinfo=TZ)),
        ("", None),
    ],
)
def test_typed_times(typed: str, expected: datetime | None) -> None:
    assert parse_when(typed, NOW, TZ) == expected


@pytest.mark.parametrize(
    "typed",
    # a bare number is the 1st of the month to dateutil, 1 o'clock to a clerk: neither is guessed
    [
        "soonish",
        "25:00",
        "13-45",
        "明天 99:99",
        "tomorrow afternoon",
        "3-1202",
        "1",
        "15",
        "930",
        "下周八",
        "next week",
    ],
)
def test_unreadable_times_are_refused_not_guessed(typed: str) -> None:
    with pytest.raises(DeskError):
        parse_when(typed, NOW, TZ)


def test_site_days_change_working_day_deadlines(
    db: Database, desk: Desk, supervisor: Operator
) -> None:
    boss = Desk(db, supervisor)
    with boss.write() as ctx:
        set_site_day(ctx, date(2026, 11, 24), DayKind.holiday, "staff training")
    with desk.read() as ctx:
        # 1 working day after Monday 23rd skips the closed Tuesday
        assert ctx.due(NOW, "1wd") == NOW + timedelta(days=2)
    with boss.write() as ctx:
        assert clear_site_day(ctx, date(2026, 11, 24))
    with desk.read() as ctx:
        assert ctx.due(NOW, "1wd") == NOW + timedelta(days=1)
        events = audit.history(ctx, "calendar", 20261124)
    assert [(e.action, e.operator_id) for e in events] == [
        ("holiday", supervisor.id),
        ("cleared", supervisor.id),
    ]


def test_only_a_supervisor_changes_the_calendar(desk: Desk) -> None:
    expected = (
        "only a supervisor may change the site's working calendar, because every deadline of "
        "every register counts working days by it"
    )
    for change in (
        lambda ctx: set_site_day(ctx, date(2026, 11, 24), DayKind.holiday, "staff training"),
        lambda ctx: clear_site_day(ctx, date(2026, 11, 24)),
    ):
        with pytest.raises(Forbidden) as refused, desk.write() as ctx:
            change(ctx)
        assert refused.value.message == expected
    with desk.read() as ctx:
        assert ctx.session.get(CalendarDay, (date(2026, 11, 24), 1)) is None
        assert ctx.due(NOW, "1wd") == NOW + timedelta(days=1)


def test_published_and_estimated_years() -> None:
    assert not is_estimated(2026)
    assert is_estimated(2031)


def test_lunch_cover_is_shown_but_the_duty_shift_stays_day() -> None:
    from desk.config import load_settings
    from desk.services import shifts

    settings = load_settings()
    winter_lunch = datetime(2026, 11, 23, 13, 0, tzinfo=TZ)
    summer_lunch = datetime(2026, 7, 6, 13, 45, tzinfo=TZ)
    shift = shifts.current_shift(settings, winter_lunch)
    cover = shifts.current_cover(settings, winter_lunch)
    assert shift is not None and shift.key == "day"
    assert cover is not None and cover.key == "lunch"
    assert shifts.current_cover(settings, datetime(2026, 11, 23, 13, 45, tzinfo=TZ)) is None
    summer = shifts.current_cover(settings, summer_lunch)
    assert summer is not None and summer.key == "lunch"  # summer lunch cover runs to 14:00


def test_what_happened_may_be_earlier_never_later_than_now() -> None:
    assert happened(None, NOW, "logged_at") == NOW
    earlier = NOW - timedelta(hours=9)
    assert happened(earlier, NOW, "logged_at") == earlier
    with pytest.raises(DeskError) as refused:
        happened(NOW + timedelta(seconds=1), NOW, "completed_at")
    assert (refused.value.key, refused.value.field) == ("field.in_future", "completed_at")
    with pytest.raises(DeskError) as naive:
        happened(datetime(2026, 11, 23, 9, 0), NOW, "completed_at")
    assert naive.value.key == "when.no_timezone"


@pytest.mark.parametrize(
    ("spec", "zh", "en"),
    [
        ("30m", "30 分钟", "30 min"),
        ("2h", "2 小时", "2 h"),
        ("1d", "1 天", "1 day"),
        ("2d", "2 天", "2 days"),
        ("1wd", "1 个工作日", "1 working day"),
        ("3wd", "3 个工作日", "3 working days"),
        ("same_day", "当天", "same day"),
        (" 5wd ", "5 个工作日", "5 working days"),
        ("shift_end", "shift_end", "shift_end"),  # not a duration: shown as written
    ],
)
def test_a_duration_in_words_in_each_language(spec: str, zh: str, en: str) -> None:
    set_language("zh_CN")
    assert in_words(spec) == zh
    set_language("en")
    assert in_words(spec) == en
