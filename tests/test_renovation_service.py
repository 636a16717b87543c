"""Renovations at fixed clocks: the application, every step and its refusal, the approval due in
3 working days (over 国庆 and 春节), the refund 3 months after the first inspection passed (a
month-end gives the month-end), supervision, and the register's lines on the board, in the
handover, the lookup, the room history, the export and the monthly figures."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from desk.db import Database
from desk.models import (
    ApplicantKind,
    Complaint,
    InspectionResult,
    Operator,
    RenovationState,
    RepairOrder,
)
from desk.services import (
    audit,
    board,
    export,
    lookup,
    renovation,
    room_history,
    stats,
    summary,
)
from desk.services.errors import DeskError, FieldErrors
from desk.services.renovation import InspectionIn, Papers, VisitIn
from desk.services.stats_period import days
from tests.conftest import NOW, TZ, Desk
from tests.renovation_seed import (
    ALL_PAPERS,
    PAID,
    add_owner,
    application,
    apply,
    later,
    reach,
    scope_breach,
    stored,
)

S = RenovationState


@pytest.fixture
def site(desk: Desk) -> Desk:
    add_owner(desk)
    return desk


def refused(desk: Desk, call: object) -> DeskError:
    with pytest.raises(DeskError) as err, desk.write() as ctx:
        call(ctx)  # type: ignore[operator]
    return err.value


def fields_of(error: DeskError) -> set[str | None]:
    errors = error.errors if isinstance(error, FieldErrors) else [error]
    return {each.field for each in errors}


def at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=TZ)


# --- the application -----------------------------------------------------------------------


def test_an_application_is_numbered_and_asks_the_sites_fees(site: Desk) -> None:
    renovation_id = apply(site)
    found = stored(site, renovation_id)
    assert found.number == "ZX-20261123-001" and found.state == S.applied
    assert (found.deposit_fen, found.debris_fee_fen) == (300000, 30000)  # data/site.toml
    assert found.applicant_kind == ApplicantKind.owner and found.owner_confirmed_by == ""
    with site.read() as ctx:
        (event,) = audit.history(ctx, renovation.REGISTER, renovation_id)
    data = audit.event_data(event)
    assert event.action == "applied" and len(data["missing"]) == 6
    assert "applicant_not_owner_on_file" not in data
    assert stored(site, apply(site)).number == "ZX-20261123-002"


def test_every_bad_field_is_refused_at_once_a_room_off_file_too(site: Desk) -> None:
    error = refused(
        site,
        lambda c: renovation.apply(
            c,
            application(
                contractor="",
                contractor_phone="电话",
                planned_start=date(2026, 11, 20),
                planned_end=date(2026, 11, 10),
                scope="",
                deposit_fen=-1,
            ),
        ),
    )
    assert fields_of(error) == {
        "contractor",
        "contractor_phone",
        "planned_start",
        "planned_end",
        "scope",
        "deposit",
    }
    error = refused(site, lambda c: renovation.apply(c, application(room="9-9999")))
    assert error.key == "renovation_error.unknown_room"
    error = refused(site, lambda c: renovation.apply(c, application(planned_end=date(2028, 1, 1))))
    assert error.key == "renovation_error.too_long"


def test_an_agent_needs_the_owners_confirmation_by_phone(site: Desk) -> None:
    agent = {"applicant": "赵代办", "applicant_kind": "agent", "applicant_phone": "13900009999"}
    error = refused(site, lambda c: renovation.apply(c, application(**agent)))
    assert fields_of(error) == {"owner_phone_called", "owner_confirmed_by"}
    confirmed = {
        "owner_phone_called": "138 1234 5678",
        "owner_confirmed_by": "李明",
        "owner_confirmed_at": NOW - timedelta(minutes=5),
    }
    found = stored(site, apply(site, **agent, **confirmed))
    assert found.owner_confirmed_by == "李明" and found.owner_confirmed_at is not None
    with site.read() as ctx:
        (event,) = audit.history(ctx, renovation.REGISTER, found.id or 0)
    assert audit.event_data(event)["owner_phone_on_file"] is True
    # an owner's application in another name is noted, not refused
    renovation_id = apply(site, applicant="王五")
    with site.read() as ctx:
        (event,) = audit.history(ctx, renovation.REGISTER, renovation_id)
    assert audit.event_data(event)["applicant_not_owner_on_file"] is True


# --- papers, engineering, the deadline ------------------------------------------------------


def test_papers_complete_refuses_each_missing_one_and_saves_nothing(site: Desk) -> None:
    renovation_id = apply(site)
    papers = ALL_PAPERS.model_copy(update={"doc_drawings": False, "fire_pledge_signed": False})
    error = refused(site, lambda c: renovation.complete(c, renovation_id, papers))
    assert fields_of(error) == {"doc_drawings", "fire_pledge_signed"}
    assert stored(site, renovation_id).state == S.applied
    with site.write() as ctx:
        renovation.complete(ctx, renovation_id, ALL_PAPERS)
    found = stored(site, renovation_id)
    assert found.state == S.documents_complete and renovation.missing_documents(found) == []


def test_to_engineering_is_due_three_working_days_later(site: Desk) -> None:
    renovation_id = reach(site, S.documents_complete)
    found = stored(site, renovation_id)
    assert found.documents_complete_at == NOW + timedelta(hours=1)
    with site.write() as ctx:
        renovation.to_engineering(ctx, renovation_id, PAID)
    found = stored(site, renovation_id)
    # sent on Monday at 11:30 -> due on Thursday at 11:30
    assert found.approval_due_at == at(2026, 11, 26, 11, 30)
    assert found.deposit_receipt == "SJ-0001" and found.state == S.with_engineering


# 国庆 2026: 1-7 October off, Saturday 10 October a make-up working day; 春节 2027 (the
# library's estimate of that year's make-up days)
HOLIDAYS = (
    (at(2026, 9, 30, 10, 0), at(2026, 10, 10, 10, 0)),
    (at(2027, 2, 4, 16, 0), at(2027, 2, 15, 16, 0)),
)


def test_the_approval_is_due_three_working_days_over_a_holiday(
    db: Database, clerk: Operator
) -> None:
    for sent, due in HOLIDAYS:
        desk = Desk(db, clerk, now=sent - timedelta(hours=2))
        if sent == HOLIDAYS[0][0]:
            add_owner(desk)
        start = sent.date() + timedelta(days=20)
        renovation_id = reach(
            desk, S.documents_complete, planned_start=start, planned_end=start + timedelta(days=30)
        )
        desk.now = sent
        with desk.write() as ctx:
            renovation.to_engineering(ctx, renovation_id, PAID)
        assert stored(desk, renovation_id).approval_due_at == due


def test_special_works_need_the_undertaking_and_money_its_receipt(site: Desk) -> None:
    renovation_id = reach(site, S.documents_complete, touches_lines=True)
    papers = Papers(deposit_fen=300000, debris_fee_fen=30000, debris_fee_receipt="SJ-2")
    error = refused(site, lambda c: renovation.to_engineering(c, renovation_id, papers))
    assert fields_of(error) == {"undertaking_signed", "deposit_receipt"}
    signed = papers.model_copy(update={"undertaking_signed": True, "deposit_receipt": "SJ-1"})
    with site.write() as ctx:
        renovation.to_engineering(ctx, renovation_id, signed)
    assert stored(site, renovation_id).undertaking_signed
    # no receipt is asked for a fee the site waives
    renovation_id = reach(site, S.documents_complete)
    with site.write() as ctx:
        renovation.to_engineering(ctx, renovation_id, Papers())
    assert stored(site, renovation_id).deposit_fen == 0


def test_approval_is_recorded_with_the_engineer_and_whether_it_was_late(site: Desk) -> None:
    renovation_id = reach(site, S.with_engineering)
    error = refused(site, lambda c: renovation.approve(c, renovation_id, ""))
    assert error.field == "decided_by"
    error = refused(
        site, lambda c: renovation.approve(c, renovation_id, "李建国", NOW - timedelta(days=1))
    )
    assert error.key == "renovation_error.before_last_step"
    later(site, days=5)
    with site.write() as ctx:
        renovation.approve(ctx, renovation_id, "李建国")
        (*_, event) = audit.history(ctx, renovation.REGISTER, renovation_id)
    found = stored(site, renovation_id)
    assert found.state == S.approved and found.decided_by == "李建国"
    assert audit.event_data(event)["late"] is True


def test_a_refusal_needs_its_reason_and_ends_the_application(site: Desk) -> None:
    renovation_id = reach(site, S.with_engineering)
    error = refused(site, lambda c: renovation.refuse(c, renovation_id, "李建国", ""))
    assert error.field == "refusal_reason"
    with site.write() as ctx:
        renovation.refuse(ctx, renovation_id, "李建国", "拆除承重墙")
    found = stored(site, renovation_id)
    assert found.state == S.refused and found.refusal_reason == "拆除承重墙"
    error = refused(site, lambda c: renovation.withdraw(c, renovation_id, "改主意"))
    assert error.key == "renovation_error.cannot_withdraw"


# --- the permit and the works --------------------------------------------------------------


def test_the_permit_has_its_number_and_the_works_days(site: Desk) -> None:
    renovation_id = reach(site, S.approved)
    with site.write() as ctx:
        renovation.issue_permit(ctx, renovation_id, date(2026, 12, 1), date(2027, 1, 31))
    found = stored(site, renovation_id)
    assert found.permit_number == "XK-20261123-001" and found.state == S.permit_issued
    assert (found.planned_start, found.planned_end) == (date(2026, 12, 1), date(2027, 1, 31))
    with site.read() as ctx:
        assert renovation.find(ctx, "xk20261123001") == found
        assert renovation.find(ctx, "ZX-20261123-001") == found
    # a permit for days already over is refused
    renovation_id = reach(site, S.approved)
    error = refused(
        site,
        lambda c: renovation.issue_permit(c, renovation_id, date(2026, 11, 1), date(2026, 11, 20)),
    )
    assert error.key == "renovation_error.permit_past"


def test_works_begin_on_the_permits_first_day_not_before(site: Desk) -> None:
    renovation_id = reach(site, S.permit_issued)
    error = refused(site, lambda c: renovation.start_works(c, renovation_id))
    assert error.key == "renovation_error.before_permit"
    site.now = at(2026, 11, 30, 8, 0)
    with site.write() as ctx:
        renovation.start_works(ctx, renovation_id)
    assert stored(site, renovation_id).state == S.in_works


def test_a_visits_finding_opens_a_repair_or_a_complaint_linked_to_the_renovation(
    site: Desk,
) -> None:
    renovation_id = reach(site, S.in_works)
    number = stored(site, renovation_id).number
    leak = VisitIn(
        department="engineering",
        visitor="李建国",
        findings="楼下天花渗水，疑为卫生间防水破坏",
        follow_up="repair",
        repair_category="leak",
    )
    noise = VisitIn(
        department="security", visitor="周海", findings="电钻噪音邻居投诉", follow_up="complaint"
    )
    with site.write() as ctx:
        first = renovation.visit(ctx, renovation_id, leak)
        second = renovation.visit(ctx, renovation_id, noise)
        order = ctx.session.get(RepairOrder, first.repair_id)
        case = ctx.session.get(Complaint, second.complaint_id)
        assert order is not None and case is not None
        assert order.room == "3-1202" and order.category == "leak"
        assert order.description.startswith(f"[{number}]")
        assert case.category == "decoration" and case.person_complained.startswith("安居")
        assert renovation.visits_of(ctx, renovation_id) == [first, second]
    assert stored(site, renovation_id).state == S.in_works
    error = refused(
        site,
        lambda c: renovation.visit(c, renovation_id, VisitIn(visitor="周海", follow_up="repair")),
    )
    assert error.field == "findings"


def test_works_outside_the_permitted_hours_suspend_only_when_seen_outside_them(
    site: Desk, boss: Desk
) -> None:
    renovation_id = reach(site, S.in_works)
    site.now = at(2026, 11, 30, 10, 0)  # inside 08:00-12:00
    hours = scope_breach(suspend_for="hours", findings="电锯作业")
    error = refused(site, lambda c: renovation.visit(c, renovation_id, hours))
    assert error.key == "renovation_error.within_hours"
    site.now = at(2026, 11, 30, 12, 30)  # the quiet lunch hours
    with site.write() as ctx:
        visit = renovation.visit(ctx, renovation_id, hours)
    found = stored(site, renovation_id)
    assert visit.suspended and found.state == S.suspended
    assert found.suspend_reason == "hours: 电锯作业"
    error = refused(site, lambda c: renovation.visit(c, renovation_id, hours))
    assert error.key == "renovation_error.suspend_not_in_works"
    boss.now = site.now + timedelta(hours=2)
    with boss.write() as ctx:
        renovation.resume(ctx, renovation_id, "已停用电锯，承诺按时施工")
    assert stored(site, renovation_id).state == S.in_works
    error = refused(
        site, lambda c: renovation.visit(c, renovation_id, scope_breach(suspend_for=""))
    )
    assert error.key == "renovation_error.suspend_why"


# --- inspection and the deposit --------------------------------------------------------------


def test_inspection_rounds_until_passed_then_the_refund_falls_due(site: Desk) -> None:
    first = reach(site, S.finished)
    later(site, days=1)
    rectify = InspectionIn(inspector="李建国", result=InspectionResult.rectify)
    error = refused(site, lambda c: renovation.inspect(c, first, rectify))
    assert error.field == "findings"  # a rectify round says what to put right
    site.now = NOW
    renovation_id = reach(site, S.rectifying)
    found = stored(site, renovation_id)
    assert found.inspection_booked_for is None
    error = refused(
        site, lambda c: renovation.inspect(c, renovation_id, InspectionIn(inspector="李建国"))
    )
    assert error.key == "renovation_error.cannot_inspect"
    later(site, days=3)
    with site.write() as ctx:
        renovation.rebook(ctx, renovation_id, ctx.now + timedelta(days=1))
    later(site, days=1)
    with site.write() as ctx:
        renovation.inspect(ctx, renovation_id, InspectionIn(inspector="赵师傅"))
        rounds = renovation.inspections_of(ctx, renovation_id)
    assert [(r.round, r.result) for r in rounds] == [
        (1, InspectionResult.rectify),
        (2, InspectionResult.passed),
    ]
    found = stored(site, renovation_id)
    assert found.state == S.passed and found.first_passed_at == rounds[1].inspected_at
    assert rounds[1].inspected_at.astimezone(TZ).date() == date(2026, 12, 4)
    assert found.refund_due_on == date(2027, 3, 4)


@pytest.mark.parametrize(
    ("passed", "due"),
    [
        (date(2026, 11, 30), date(2027, 2, 28)),
        (date(2027, 11, 30), date(2028, 2, 29)),  # a leap year
        (date(2026, 8, 31), date(2026, 11, 30)),
        (date(2026, 11, 15), date(2027, 2, 15)),
    ],
)
def test_three_months_from_a_month_end_is_the_month_end(passed: date, due: date) -> None:
    assert renovation.refund_due_on(passed, 3) == due


def test_the_refund_due_from_an_inspection_on_30_november(site: Desk) -> None:
    renovation_id = reach(site, S.finished)
    site.now = at(2026, 11, 30, 23, 30)  # 15:30 UTC: the local day counts
    with site.write() as ctx:
        renovation.inspect(ctx, renovation_id, InspectionIn(inspector="李建国"))
    assert stored(site, renovation_id).refund_due_on == date(2027, 2, 28)


def test_the_deposit_comes_back_whole_from_its_day_not_before(site: Desk) -> None:
    renovation_id = reach(site, S.passed)
    due = stored(site, renovation_id).refund_due_on
    assert due is not None
    site.now = datetime.combine(due - timedelta(days=1), NOW.timetz())
    error = refused(site, lambda c: renovation.refund(c, renovation_id))
    assert error.key == "renovation_error.refund_not_due"
    site.now = datetime.combine(due, NOW.timetz())
    error = refused(site, lambda c: renovation.refund(c, renovation_id, 300001))
    assert error.key == "renovation_error.refund_above_deposit"
    with site.write() as ctx:
        renovation.refund(ctx, renovation_id)
        (*_, event) = audit.history(ctx, renovation.REGISTER, renovation_id)
    found = stored(site, renovation_id)
    assert found.state == S.refunded and (found.refund_fen, found.withheld_fen) == (300000, 0)
    assert audit.event_data(event)["late"] is False
    later(site, hours=1)
    with site.write() as ctx:
        renovation.archive(ctx, renovation_id)
    assert stored(site, renovation_id).state == S.archived


def test_part_kept_back_needs_the_reason_and_the_damage(site: Desk, boss: Desk) -> None:
    renovation_id = reach(site, S.passed)
    due = stored(site, renovation_id).refund_due_on
    assert due is not None
    boss.now = datetime.combine(due, NOW.timetz()) + timedelta(days=20)
    error = refused(boss, lambda c: renovation.refund(c, renovation_id, 250000, "损坏"))
    assert fields_of(error) == {"damage_note"}
    with boss.write() as ctx:
        renovation.refund(ctx, renovation_id, 250000, "修复公共走廊墙面", "走廊墙面被推车划伤 2 米")
        (*_, event) = audit.history(ctx, renovation.REGISTER, renovation_id)
    found = stored(site, renovation_id)
    assert (found.refund_fen, found.withheld_fen) == (250000, 50000)
    assert found.damage_note.startswith("走廊") and audit.event_data(event)["late"] is True


def test_withdrawn_from_each_early_state_with_a_reason_and_never_later(site: Desk) -> None:
    for state in renovation.EARLY_STATES:
        site.now = NOW
        renovation_id = reach(site, state)
        error = refused(site, lambda c, i=renovation_id: renovation.withdraw(c, i, ""))
        assert error.field == "reason"
        with site.write() as ctx:
            renovation.withdraw(ctx, renovation_id, "业主改变计划")
        found = stored(site, renovation_id)
        assert found.state == S.withdrawn and found.withdraw_reason == "业主改变计划"
    for state in (S.in_works, S.suspended, S.passed, S.refused):
        site.now = NOW
        renovation_id = reach(site, state)
        error = refused(site, lambda c, i=renovation_id: renovation.withdraw(c, i, "改变计划"))
        assert error.key == "renovation_error.cannot_withdraw"


def test_each_step_offered_only_in_its_states(site: Desk) -> None:
    renovation_id = reach(site, S.applied)
    found = stored(site, renovation_id)
    assert renovation.allowed_actions(found) == {"complete", "withdraw"}
    for action in renovation.LIFECYCLE.steps:
        refusal = renovation.LIFECYCLE.refusal_of(found, action)
        if action in ("complete", "withdraw"):
            assert refusal is None
        else:
            assert refusal is not None and refusal.key == f"renovation_error.cannot_{action}"
            assert found.number in refusal.message and "applied" in refusal.message
    error = refused(site, lambda c: renovation.issue_permit(c, renovation_id))
    assert error.key == "renovation_error.cannot_issue_permit"


# --- the register's lines in the shared tables ---------------------------------------------


def test_board_and_handover_carry_what_is_owed(site: Desk) -> None:
    approval = reach(site, S.with_engineering)
    site.now = NOW
    permit = reach(site, S.in_works, planned_end=date(2026, 12, 4))
    far = reach(site, S.in_works)
    inspection = reach(site, S.finished)
    with site.read() as ctx:
        items = {
            item.record_id: item for item in board.open_items(ctx) if item.register == "renovations"
        }
        sections = summary.open_sections(ctx)
    assert set(items) == {approval, permit, inspection} and far not in items
    assert items[approval].due_kind == "approval"
    assert items[approval].due_at == stored(site, approval).approval_due_at
    assert items[permit].due_kind == "permit_end"
    assert items[permit].due_at == at(2026, 12, 4, 23, 59, 59)
    assert items[inspection].due_kind == "inspection"
    assert {item.number for item in sections["renovations"]} == {
        stored(site, i).number for i in (approval, permit, inspection)
    }


def test_a_refund_is_on_the_board_a_week_before_its_day_and_late_after_its_grace(
    site: Desk,
) -> None:
    renovation_id = reach(site, S.passed)
    due = stored(site, renovation_id).refund_due_on
    assert due is not None
    site.now = datetime.combine(due - timedelta(days=8), NOW.timetz())
    with site.read() as ctx:
        assert renovation.owed(ctx, stored(site, renovation_id)) is None
    site.now = datetime.combine(due - timedelta(days=7), NOW.timetz())
    with site.read() as ctx:
        item = renovation.owed(ctx, stored(site, renovation_id))
        assert item is not None and item.due_kind == "refund"
        # five working days after its day, to the end of that day
        assert item.due_at is not None and item.due_at.astimezone(TZ).time().hour == 23
        assert item.due_at.astimezone(TZ).date() > due + timedelta(days=4)


def test_lookup_finds_number_permit_contractor_and_room_and_the_history_lists_it_once(
    site: Desk,
) -> None:
    renovation_id = reach(site, S.permit_issued)
    found = stored(site, renovation_id)
    with site.read() as ctx:
        by_number = lookup.search(ctx, found.number)
        by_permit = lookup.search(ctx, found.permit_number.replace("-", ""))
        by_contractor = lookup.search(ctx, "安居装饰")
        by_room = lookup.search(ctx, "3-1202")
        history = room_history.history(ctx, "3-1202")
    assert [(g.register, [h.record_id for h in g.hits]) for g in by_number.groups] == [
        ("renovations", [renovation_id])
    ]
    assert [(g.register, [h.number for h in g.hits]) for g in by_permit.groups] == [
        ("renovation_permits", [found.permit_number])
    ]
    assert any(g.register == "renovations" for g in by_contractor.groups)
    assert [g.register for g in by_room.groups if g.register.startswith("renovation")] == [
        "renovations"
    ]
    assert [e.number for e in history.timeline if e.register.startswith("renovation")] == [
        found.number
    ]


def test_export_holds_inspections_visits_and_events(site: Desk) -> None:
    renovation_id = reach(site, S.rectifying)
    with site.write() as ctx:
        renovation.visit(ctx, renovation_id, VisitIn(visitor="李建国", findings="地漏已疏通"))
    with site.read() as ctx:
        (row,) = export.records(ctx, "renovations")
    assert row["id"] == renovation_id and row["permit_number"].startswith("XK-")
    assert [i["result"] for i in row["inspections"]] == ["rectify"]
    assert [v["findings"] for v in row["visits"]] == ["地漏已疏通"]
    assert [e["action"] for e in row["events"]][:3] == [
        "applied",
        "documents_complete",
        "sent_to_engineering",
    ]
    assert "inspections" in export.columns("renovations")


def test_monthly_figures_count_approvals_and_refunds_on_time(site: Desk, boss: Desk) -> None:
    on_time = reach(site, S.approved)
    site.now = NOW
    late = reach(site, S.with_engineering)
    later(site, days=6)
    with site.write() as ctx:
        renovation.approve(ctx, late, "李建国")
    site.now = NOW
    pending = reach(site, S.with_engineering)
    site.now = NOW
    reach(site, S.applied)
    november = days(date(2026, 11, 1), date(2026, 11, 30), TZ)
    with site.read() as ctx:
        ctx.now = at(2026, 11, 25, 9, 0)  # the third one's approval is not yet due
        figures = stats.monthly(ctx, november).renovations
    assert figures.applications == 4 and figures.permits == 0
    assert (figures.approvals.met, figures.approvals.missed, figures.approvals.pending) == (1, 1, 1)
    assert figures.approvals_on_time.value == 0.5
    assert {on_time, pending}  # (named for the reader)
    # a refund paid on its day, another three weeks late: February 2027's figures
    site.now = NOW
    first = reach(site, S.refunded)
    due = stored(site, first).refund_due_on
    assert due is not None
    site.now = NOW
    second = reach(site, S.passed)
    boss.now = datetime.combine(stored(site, second).refund_due_on or due, NOW.timetz())
    boss.now += timedelta(days=21)
    with boss.write() as ctx:
        renovation.refund(ctx, second)
    month = days(due.replace(day=1), due.replace(day=28), TZ)
    with site.read() as ctx:
        ctx.now = boss.now
        figures = stats.monthly(ctx, month).renovations
    assert (figures.refunds.met, figures.refunds.missed) == (1, 1)


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_printed_permit_keeps_every_line_within_80_cells(lang: str) -> None:
    from desk.config import load_settings
    from desk.i18n import set_language
    from desk.models import Renovation
    from desk.printing.renovation_permit import renovation_permit_lines
    from desk.printing.text import cell_len

    set_language(lang)
    found = Renovation(
        number="HG-ZX-20261123-001",
        permit_number="HG-XK-20261123-001",
        room="13-2802",
        applicant="欧阳诸葛明月",
        applicant_kind=ApplicantKind.agent,
        applicant_phone="13812345678",
        contractor="上海市浦东新区某某某某建筑装饰工程有限责任公司第三分公司",
        contractor_licence="91310115MA1H7K2X3Q",
        contractor_person="周建平",
        contractor_phone="021-55551234-123",
        planned_start=date(2026, 11, 30),
        planned_end=date(2027, 1, 29),
        scope="厨房、卫生间翻新，更换地砖和橱柜；" * 20,
        touches_lines=True,
        touches_facade=True,
        decided_by="李建国",
        decided_at=NOW,
        deposit_fen=300000,
        deposit_receipt="SJ-000001",
        debris_fee_fen=30000,
        debris_fee_receipt="SJ-000002",
        permit_issued_at=NOW,
        operator_id=1,
        created_at=NOW,
    )
    lines = renovation_permit_lines(found, load_settings(), clerk="王芳", printed_at=NOW)
    assert max(cell_len(line) for line in lines) <= 80
    text = "\n".join(lines)
    assert found.permit_number in text and "08:00-12:00" in text
    assert ("水电管线" if lang == "zh_CN" else "water and electric lines") in text
