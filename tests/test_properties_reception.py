"""Bad input everywhere, register 1 and the desk's shared services: the reception log, standard
replies, operators, saved filters, site calendar days, the lookup and the time grammar.

See tests/property_support.py for the property each call keeps.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st
from sqlmodel import select

from desk.db import Database
from desk.models import (
    CalendarDay,
    Channel,
    DayKind,
    Operator,
    ReceptionCategory,
    ReceptionEntry,
    ReceptionState,
    RepairOrder,
    Role,
    StandardReply,
)
from desk.models.search import SavedFilter
from desk.services import calendar, lookup, operators, reception, replies, saved_filters
from desk.services.errors import DeskError
from desk.services.reception import ReceptionCreate
from desk.services.residents import normalise_room
from desk.services.when import parse_when
from tests.conftest import NOW, TZ, Desk, first_supervisor
from tests.lookup_fixtures import seed
from tests.property_support import (
    FEW,
    PROPERTY,
    any_text,
    attempt,
    check_error,
    maybe_times,
    mostly_nice,
    phones,
    read,
    rooms,
    snapshot,
    variants,
)

departments = st.one_of(st.sampled_from(["", "engineering", "security", "Engineering"]), any_text)


RECEPTION_NICE: dict[str, Any] = {
    "received_at": None,
    "channel": Channel.phone,
    "person": "李明",
    "room": "3-1202",
    "phone": "13812345678",
    "category": ReceptionCategory.enquiry,
    "request": "明天停水吗",
    "action_taken": "",
    "department": "",
    "reply_due_at": None,
}
RECEPTION_WILD: dict[str, Any] = {
    "received_at": maybe_times,
    "channel": st.sampled_from(list(Channel)),
    "person": any_text,
    "room": rooms,
    "phone": phones,
    "category": st.sampled_from(list(ReceptionCategory)),
    "request": any_text,
    "action_taken": any_text,
    "department": departments,
    "reply_due_at": maybe_times,
}


@PROPERTY
@given(fields=variants(RECEPTION_NICE, RECEPTION_WILD))
@example(fields={**RECEPTION_NICE, "received_at": datetime.min.replace(tzinfo=TZ)})
@example(fields={**RECEPTION_NICE, "reply_due_at": NOW.replace(tzinfo=None)})
@example(fields={**RECEPTION_NICE, "person": "\ud800"})
def test_logging_a_call_or_visit(desk: Desk, fields: dict[str, Any]) -> None:
    data = ReceptionCreate(**fields)
    logged = attempt(desk, lambda ctx: reception.log(ctx, data))
    if logged is None:
        return
    entry = read(desk, ReceptionEntry, logged.id)
    assert entry.received_at == (data.received_at or NOW)
    assert entry.reply_due_at == data.reply_due_at
    assert (entry.channel, entry.category) == (data.channel, data.category)
    assert entry.person == data.person.strip()
    assert entry.room == normalise_room(data.room.strip())
    assert entry.phone == data.phone.strip()
    assert entry.request == data.request.strip()
    assert entry.action_taken == data.action_taken.strip()
    assert entry.department == data.department


@PROPERTY
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(["answer", "close"]), mostly_nice), min_size=1, max_size=4
    ),
    owes=st.booleans(),
)
def test_answering_and_closing_in_any_order(
    db: Database, supervisor: Operator, steps: list[tuple[str, str]], owes: bool
) -> None:
    desk = Desk(db, supervisor)  # closing an entry that owes a reply is a supervisor's
    due = NOW.replace(hour=11) if owes else None
    with desk.write() as ctx:
        entry_id = reception.log(ctx, ReceptionCreate(request="停水吗", reply_due_at=due)).id
    assert entry_id is not None
    for action, text in steps:
        before = read(desk, ReceptionEntry, entry_id)
        if action == "answer":
            done = attempt(desk, lambda ctx, text=text: reception.answer(ctx, entry_id, text))
            if done is not None:
                assert before.state in reception.OWING
                after = read(desk, ReceptionEntry, entry_id)
                assert (after.answer, after.state) == (text.strip(), ReceptionState.answered)
        else:
            done = attempt(desk, lambda ctx, text=text: reception.close(ctx, entry_id, text))
            if done is not None:
                assert before.state not in (ReceptionState.closed, ReceptionState.voided)
                after = read(desk, ReceptionEntry, entry_id)
                assert (after.close_reason, after.state) == (text.strip(), ReceptionState.closed)


def test_answering_twice_and_closing_twice_are_refused(desk: Desk) -> None:
    with desk.write() as ctx:
        logged = reception.log(ctx, ReceptionCreate(request="?", reply_due_at=NOW.replace(hour=11)))
    entry = logged.id
    assert entry is not None
    assert attempt(desk, lambda ctx: reception.answer(ctx, entry, "明天恢复")) is not None
    assert attempt(desk, lambda ctx: reception.answer(ctx, entry, "again")) is None
    assert attempt(desk, lambda ctx: reception.close(ctx, entry, "done")) is not None
    assert attempt(desk, lambda ctx: reception.close(ctx, entry, "done")) is None


# --- standard replies ----------------------------------------------------------------------


@FEW
@given(
    topic=mostly_nice,
    keywords=any_text,
    body=mostly_nice,
    revision=st.tuples(mostly_nice, any_text, mostly_nice),
    retire_reason=any_text,
)
def test_drafting_revising_and_retiring_a_reply(
    db: Database,
    clerk: Operator,
    supervisor: Operator,
    topic: str,
    keywords: str,
    body: str,
    revision: tuple[str, str, str],
    retire_reason: str,
) -> None:
    desk, boss = Desk(db, clerk), Desk(db, supervisor)
    drafted = attempt(desk, lambda ctx: replies.draft(ctx, topic, keywords, body))
    if drafted is None:
        return
    stored = read(desk, StandardReply, drafted.id)
    words = " ".join(replies.keyword_list(keywords.strip()))
    assert (stored.topic, stored.keywords, stored.body) == (topic.strip(), words, body.strip())
    reply_id = drafted.id
    assert reply_id is not None
    assert attempt(boss, lambda ctx: replies.approve(ctx, reply_id)) is not None
    assert attempt(boss, lambda ctx: replies.approve(ctx, reply_id)) is None  # twice
    revised = attempt(desk, lambda ctx: replies.revise(ctx, reply_id, *revision))
    if revised is not None:
        stored = read(desk, StandardReply, reply_id)
        assert stored.topic == revision[0].strip()
        assert stored.body == revision[2].strip()
    retired = attempt(boss, lambda ctx: replies.retire(ctx, reply_id, retire_reason))
    if retired is not None:
        assert attempt(boss, lambda ctx: replies.retire(ctx, reply_id, "again")) is None


# --- operators ------------------------------------------------------------------------------


@FEW
@given(
    name=mostly_nice,
    role=st.one_of(st.sampled_from(["clerk", "night", "supervisor"]), any_text),
    pin=st.one_of(
        st.sampled_from(["1234", "12345678"]),
        st.sampled_from(["123", "123456789", "abcd", "1234\n", "١٢٣٤", "１２３４"]),
        any_text,
    ),
)
@example(name="\ud800", role="clerk", pin="1234")
@example(name="\x1b]0;title\x07", role="clerk", pin="1234")
def test_adding_an_operator_and_signing_in(db: Database, name: str, role: str, pin: str) -> None:
    desk = Desk(db, first_supervisor(db))  # every operator after the first is added by one
    added = attempt(desk, lambda ctx: operators.add_operator(ctx, name, role, pin))
    if added is None:
        return
    stored = read(desk, Operator, added.id)
    assert (stored.name, stored.role) == (name.strip(), Role(role))
    signed = attempt(desk, lambda ctx: operators.sign_in(ctx, name, pin))
    assert signed is not None and signed.operator is not None
    assert signed.operator.id == added.id


@PROPERTY
@given(name=any_text, pin=any_text)
@example(name="\ud800", pin="1234")
@example(name="王芳", pin="\ud800")
def test_signing_in_with_anything(db: Database, clerk: Operator, name: str, pin: str) -> None:
    desk = Desk(db, None)
    result = attempt(desk, lambda ctx: operators.sign_in(ctx, name, pin))
    assert result is not None
    if result.error is not None:
        check_error(result.error)
    else:
        assert result.operator is not None and result.operator.id == clerk.id


# --- saved filters and site calendar days ---------------------------------------------------


@FEW
@given(
    name=mostly_nice,
    kind=st.sampled_from(list(saved_filters.FilterKind)),
    param=st.one_of(st.sampled_from(["", "major", "minor", "李建国"]), any_text),
)
def test_saving_a_filter(desk: Desk, name: str, kind: saved_filters.FilterKind, param: str) -> None:
    spec = saved_filters.FilterSpec(kind, param)
    saved = attempt(desk, lambda ctx: saved_filters.save(ctx, name, spec))
    if saved is None:
        return
    stored = read(desk, SavedFilter, saved.id)
    assert stored.name == name.strip()
    assert saved_filters.spec_of(stored) == saved_filters.FilterSpec(kind, param.strip())
    with desk.read() as ctx:
        saved_filters.run_filter(ctx, stored)


@FEW
@given(
    day=st.one_of(st.dates(), st.sampled_from([date.min, date.max, date(2026, 12, 24)])),
    kind=st.sampled_from(list(DayKind)),
    note=any_text,
)
@example(day=date(2026, 12, 24), kind=DayKind.holiday, note="\ud800")
@example(day=date(2026, 12, 24), kind=DayKind.holiday, note="x" * 201)
def test_marking_a_site_day(
    db: Database, supervisor: Operator, day: date, kind: DayKind, note: str
) -> None:
    desk = Desk(db, supervisor)  # the calendar is a supervisor's
    marked = attempt(desk, lambda ctx: calendar.set_site_day(ctx, day, kind, note))
    if marked is None:
        return
    with desk.read() as ctx:
        stored = ctx.session.get(CalendarDay, (day, 1))
        assert stored is not None
        assert (stored.kind, stored.note) == (kind, note.strip())


# --- reading: the lookup and the time grammar ----------------------------------------------


# every one of these finds repair orders of the seeded records (tests.lookup_fixtures)
FINDS_REPAIRS = ["3-1202", "1202", "王", "漏水", "5678"]


@PROPERTY
@given(query=st.one_of(any_text, st.sampled_from([*FINDS_REPAIRS, "WX-20261123-001", "wx2026"])))
def test_the_lookup_takes_any_query(desk: Desk, query: str) -> None:
    with desk.read() as ctx:
        empty = ctx.session.exec(select(RepairOrder)).first() is None
    if empty:  # once per test: the examples share the database
        seed(desk)
    before = snapshot(desk.db)
    try:
        with desk.read() as ctx:
            results = lookup.search(ctx, query)
    except DeskError as error:
        check_error(error)
    else:
        for group in results.groups:
            assert 0 < len(group.hits) <= 20
            times = [hit.at for hit in group.hits]
            assert times == sorted(times, reverse=True)  # newest first
        if query in FINDS_REPAIRS:
            assert "repairs" in {group.register for group in results.groups}
    assert snapshot(desk.db) == before


@PROPERTY
@given(
    typed=st.one_of(
        any_text,
        st.sampled_from(
            [
                "14:00",
                "24:00",
                "23:60",
                "+30m",
                "+9999d",
                "明天 10:00",
                "周五",
                "02-30",
                "0000-01-01",
                "9999-12-31 23:59",
                "11-25 14:00",
                "3-1202",
                "2026-11-25 10:00 +0800",
                "tomorrow 9am",
                "1e999",
            ]
        ),
    )
)
def test_the_time_grammar_reads_or_refuses(typed: str) -> None:
    try:
        moment = parse_when(typed, NOW, TZ)
    except DeskError as error:
        check_error(error)
        return
    assert moment is None or moment.tzinfo is not None
