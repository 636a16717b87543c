"""Shared pieces of the property-based tests (tests/test_properties_*.py): nasty input, and the
one property every service call that takes user input must keep.

The property: a call either raises DeskError — whose key is in the catalogue, whose message
formats in both languages, and the database is left exactly as it was (row counts of every
table, the audit trail included) — or it succeeds and the record reads back as given (after the
documented trimming). Any other exception is a bug.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from hypothesis import HealthCheck, currently_in_test_context, settings
from hypothesis import event as note_event
from hypothesis import strategies as st
from sqlmodel import SQLModel

import desk.models  # noqa: F401  (every table in the metadata)
from desk.db import Database
from desk.i18n import LANGUAGES, catalogue, current_language, set_language, t
from desk.services.errors import DeskError, LastingRefusal
from tests.conftest import NOW, TZ, Desk

T = TypeVar("T")
UNSHOWABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# Reproducible in CI, quick enough on a loaded 2-core machine; one database per test, each
# example working on fresh records in it (hypothesis re-runs the body, not the fixtures).
# The second run, on PostgreSQL, is there for what differs by backend (types, locks, the
# chain's sealing): it takes a quarter of the examples the SQLite run has already walked through.
SHARE = 4 if os.environ.get("DESK_TEST_POSTGRES") else 1
PROPERTY = settings(
    max_examples=40 // SHARE,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
FEW = settings(PROPERTY, max_examples=25 // SHARE)
# Walks through a lifecycle: a start state times one or more steps needs more examples.
WALK = settings(PROPERTY, max_examples=80 // SHARE)

# --- input -------------------------------------------------------------------------------

NASTY_PIECES = (
    "\x1b[2J",  # clear the screen
    "\x1b]0;title\x07",  # set the terminal title
    "\x1b[31m",
    "\x00",
    "\x07",
    "\r\n",
    "\n",
    "\t",
    "\x7f",
    "\x85",
    "\x9b",
    "\ud800",  # lone surrogates: a str may hold them, UTF-8 may not
    "\udfff",
    "\u202e",  # right-to-left override
    "\u200f",  # right-to-left mark
    "\u200b",
    "\u2028",
    "\ufeff",
    "\uffff",
    "\u3000",
    "😀",
    "👨‍👩‍👧",
    "漏水",
    "王",
    "ß",
    "ﬃ",
    "١٢٣",
    "²",
    "'; DROP TABLE repair_order; --",
    '"',
    "%_\\",
    "{name}",
    "3-1202",
    "13812345678",
)
NICE = ("李明", "厨房水龙头漏水", "换阀芯", "ok", "3-1202", "13812345678", "A", "王师傅")

piece = st.one_of(
    st.sampled_from(NASTY_PIECES),
    st.text(max_size=8),
    st.sampled_from(NICE),
)
# Sometimes very long text (just under and over the common limits).
long_text = st.builds(
    lambda char, n: char * n,
    st.sampled_from(["x", "长", "😀", " "]),
    st.sampled_from([19, 20, 21, 40, 41, 45, 46, 60, 61, 200, 201, 500, 501, 2000, 2001, 5000]),
)
# Anything: one nasty piece, a mixture, very long text, hypothesis's own text.
any_text = st.one_of(
    st.sampled_from(NASTY_PIECES),
    st.lists(piece, min_size=1, max_size=5).map("".join),
    long_text,
    st.text(max_size=30),
)
# A text that is usually fine (so success paths are exercised), sometimes anything.
mostly_nice = st.one_of(st.sampled_from(NICE), st.sampled_from(NICE), any_text)


def variants(nice: dict[str, Any], wild: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """The `nice` values with one or two of them replaced by a draw from their `wild` strategy:
    one bad field at a time is what finds the field that lets it through."""
    names = sorted(wild)

    def replace(chosen: list[str]) -> st.SearchStrategy[dict[str, Any]]:
        changes = st.fixed_dictionaries({name: wild[name] for name in chosen})
        return changes.map(lambda drawn: {**nice, **drawn})

    return st.lists(st.sampled_from(names), max_size=2, unique=True).flatmap(replace)


phones = st.one_of(
    st.sampled_from(["", "13812345678", "021-5555 1234", "+86 138 1234 5678", "1234", "١٢٣٤٥٦٧٨"]),
    any_text,
)
rooms = st.one_of(
    st.sampled_from(["", "3-1202", "3栋1202", "1202", "B-0201", "9-9999", "3-1202室", "x"]),
    any_text,
)

far_times = st.sampled_from(
    [
        datetime.min.replace(tzinfo=TZ),
        datetime.min.replace(tzinfo=UTC),
        datetime.max.replace(tzinfo=UTC),
        datetime.max.replace(tzinfo=TZ),
        datetime(1, 1, 1, 8, 0, tzinfo=TZ),
        datetime(9999, 12, 30, tzinfo=TZ),
        datetime(1970, 1, 1, tzinfo=UTC),
        datetime(1999, 12, 31, 23, 59, tzinfo=TZ),
        datetime(2100, 1, 1, tzinfo=TZ),
        NOW.replace(tzinfo=None),  # naive
    ]
)
near_times = st.timedeltas(min_value=-timedelta(days=40), max_value=timedelta(days=40)).map(
    lambda delta: NOW + delta
)
times = st.one_of(
    near_times,
    near_times,
    far_times,
    st.datetimes(
        min_value=datetime(1, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from([TZ, UTC]),
    ),
)
maybe_times = st.one_of(st.none(), times)
# For walks through a lifecycle: mostly "now" (None) or a little earlier, sometimes anything.
recent_past = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3)).map(
    lambda delta: NOW - delta
)
mostly_now = st.one_of(st.none(), st.none(), recent_past, maybe_times)
counts = st.one_of(
    st.integers(min_value=-3, max_value=5),
    st.sampled_from([99, 100, 9999, 10_000, 2**31, 2**63, 10**30, -(2**63) - 1]),
)

# --- the property ------------------------------------------------------------------------


def snapshot(db: Database) -> dict[str, int]:
    """Row counts of every table (the audit trail and the number counters included)."""
    names = [table.name for table in SQLModel.metadata.sorted_tables]
    columns = ", ".join(f'(SELECT count(*) FROM "{name}")' for name in names)
    with db.engine.connect() as conn:
        row = conn.exec_driver_sql(f"SELECT {columns}").one()
    return dict(zip(names, (int(count) for count in row), strict=True))


def check_error(error: DeskError) -> None:
    """A refusal a clerk can read: a catalogued key, formatted, in both languages."""
    messages = catalogue()
    assert error.key in messages, f"DeskError key {error.key!r} is not in the catalogue"
    if error.field:
        assert f"fields.{error.field}" in messages, f"no label fields.{error.field}"
    was = current_language()
    try:
        for lang in LANGUAGES:
            set_language(lang)
            text = t(error.key, **error.params)
            assert text and text != error.key
            shown = error.message
            shown.encode("utf-8")  # a lone surrogate quoted from the input cannot be shown
            assert not UNSHOWABLE.search(shown), f"{shown!r} would drive the terminal"
    finally:
        set_language(was)


def attempt(desk: Desk, call: Callable[[Any], T]) -> T | None:
    """Run `call(ctx)` in one write transaction: None when it was refused (checked)."""
    before = snapshot(desk.db)
    try:
        with desk.write() as ctx:
            done = call(ctx)
    except DeskError as error:
        _note(f"refused: {error.key}")
        check_error(error)
        after = snapshot(desk.db)
        if isinstance(error, LastingRefusal):  # a wrong PIN is counted, and only that
            after.pop("signin_terminal"), before.pop("signin_terminal")
        assert after == before, f"{error.key} refused but the database changed"
        return None
    _note("done")
    return done


def _note(what: str) -> None:
    """Count outcomes in hypothesis's statistics (pytest --hypothesis-show-statistics)."""
    if currently_in_test_context():
        note_event(what)


def read(desk: Desk, model: type[T], record_id: int | None) -> T:
    assert record_id is not None
    with desk.read() as ctx:
        found = ctx.session.get(model, record_id)
        assert found is not None
        return found
