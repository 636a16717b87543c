"""The fee desk at fixed clocks: finance's file imported honestly (every bad line named, nothing
written; a re-import replaces the open balances and keeps them as history), 托管 at 70%, the
payment at the counter, the reminder ladder (the 3-month letter over a month end) and home
collections."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlmodel import select

from desk.models import AuditEvent, BalanceState, FeeBalance, FeeChannel, FeeStep
from desk.services import fees, fees_import
from desk.services.errors import DeskError, FieldErrors, Forbidden
from desk.services.fees import AppointmentIn, PaymentIn, Stage, StepIn
from tests.conftest import NOW, TZ, Desk, have_cjk_font
from tests.fee_seed import FILE, add_rooms, balance_id, load


@pytest.fixture
def site(desk: Desk, boss: Desk) -> Desk:
    add_rooms(desk)
    load(boss)
    return desk


def fields_of(error: DeskError) -> set[str | None]:
    errors = error.errors if isinstance(error, FieldErrors) else [error]
    return {each.field for each in errors}


def keys_of(error: DeskError) -> set[str]:
    errors = error.errors if isinstance(error, FieldErrors) else [error]
    return {each.key for each in errors}


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=TZ)


def test_a_file_with_bad_lines_names_each_and_writes_nothing(desk: Desk, boss: Desk) -> None:
    add_rooms(desk)
    text = (
        "房号,费用类型,起始月,截止月,金额\n"
        "3-1202,物业管理费,2026-05,2026-10,1200.00\n"
        "9-999,management,2026-05,2026-10,10\n"
        "1202,management,2026-05,2026-10,10\n"
        "3-1202,gardening,2026-05,2026-10,10\n"
        "5-801,management,2026-13,2026-10,10\n"
        "5-801,water,2026-10,2026-05,10\n"
        "5-801,electricity,2026-10,2026-10,-5\n"
        "5-801,parking,2026-10,2026-10,1.005\n"
        "3-1202,management,2026-05,2026-06,10\n"
    )
    with boss.write() as ctx:
        result = fees_import.write(ctx, fees_import.check(ctx, text))
    assert [bad.line for bad in result.bad] == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "9-999" in result.bad[0].reason and "gardening" in result.bad[2].reason
    assert not result.imported
    with desk.read() as ctx:
        assert ctx.session.exec(select(FeeBalance)).all() == []
    # a clerk may not load finance's balances at all
    with pytest.raises(Forbidden), desk.write() as ctx:
        fees_import.write(ctx, fees_import.check(ctx, FILE))


def test_import_custody_share_and_re_import_keeps_history(desk: Desk, boss: Desk) -> None:
    add_rooms(desk)
    with desk.write() as ctx:
        fees.mark_custody(ctx, "5-801", date(2026, 10, 1), "业主出国，托管")
    with pytest.raises(DeskError), desk.write() as ctx:
        fees.mark_custody(ctx, "5-801", date(2026, 11, 1))
    first = load(boss)
    assert (first.added, first.updated, first.unchanged, first.cleared, first.custody) == (
        3,
        0,
        0,
        0,
        1,
    )
    with desk.read() as ctx:
        back = fees.read_back(ctx, "5-801")
        assert back.custody and back.owners == ["孙丽"]
        [line] = back.lines
        assert (line.file_fen, line.amount_fen, line.custody) == (40000, 28000, True)
        assert line.paid_through == "2026-09" and line.months == 2
        assert fees.read_back(ctx, "3-1202").owing_fen == 128650
    # finance's next file: 3-1202's management fee changed, its water paid (gone), 5-801 the same
    second = load(
        boss,
        "room,kind,from,to,amount_fen\n"
        "3-1202,management,2026-05,2026-11,140000\n"
        "5-801,management,2026-10,2026-11,40000\n",
    )
    assert (second.added, second.updated, second.unchanged, second.cleared) == (0, 1, 1, 1)
    with desk.read() as ctx:
        rows = ctx.session.exec(select(FeeBalance).order_by(FeeBalance.id)).all()
        states = [(b.room, b.kind, b.state, b.amount_fen) for b in rows]
        assert states == [
            ("3-1202", "management", BalanceState.superseded, 120000),
            ("3-1202", "water", BalanceState.superseded, 8650),
            ("5-801", "management", BalanceState.open, 28000),
            ("3-1202", "management", BalanceState.open, 140000),
        ]
        assert rows[0].superseded_by == second.number
        actions = [
            e.action
            for e in ctx.session.exec(
                select(AuditEvent).where(AuditEvent.register_name == "fees")
            ).all()
        ]
        assert actions.count("imported") == 4 and actions.count("superseded") == 2


def test_an_xlsx_file_reads_as_the_csv(desk: Desk, boss: Desk) -> None:
    add_rooms(desk)
    book = Workbook()
    sheet = book.active
    sheet.append(["房号", "费用类型", "起始月", "截止月", "金额"])
    sheet.append(["3-1202", "物业管理费", datetime(2026, 5, 1), "2026-10", 1200])
    sheet.append(["5-801", "water", "2026/9", "2026年10月", 86.5])
    data = io.BytesIO()
    book.save(data)
    with boss.write() as ctx:
        result = fees_import.import_bytes(ctx, data.getvalue())
    assert result.bad == [] and result.added == 2
    with desk.read() as ctx:
        assert fees.read_back(ctx, "5-801").owing_fen == 8650
        assert fees.read_back(ctx, "3-1202").lines[0].from_month == "2026-05"
    with pytest.raises(DeskError), boss.write() as ctx:
        fees_import.import_bytes(ctx, b"PK\x03\x04not a workbook")


def test_a_payment_at_the_counter_and_its_refusals(site: Desk) -> None:
    water = balance_id(site, "3-1202", "water")
    paid = PaymentIn(balance_id=water, amount_fen=5000, receipt="CW-0001", payer="李明")
    with pytest.raises(DeskError) as err, site.write() as ctx:
        fees.pay(ctx, paid)  # the read-back not confirmed
    assert fields_of(err.value) == {"confirmed"}
    paid = paid.model_copy(update={"confirmed": True})
    with site.write() as ctx:
        first = fees.pay(ctx, paid)
    assert first.receipt == "CW-0001" and first.number.startswith("JF-")
    for amount in (0, -100):
        with pytest.raises(DeskError) as err, site.write() as ctx:
            fees.pay(ctx, paid.model_copy(update={"amount_fen": amount, "receipt": "X"}))
        assert fields_of(err.value) == {"amount"}
    # the same receipt again, and more than the 36.50 left: both said at once
    with pytest.raises(FieldErrors) as err, site.write() as ctx:
        fees.pay(ctx, paid.model_copy(update={"amount_fen": 3651}))
    assert keys_of(err.value) == {
        "fees_error.more_than_owed",
        "fees_error.receipt_used",
    }
    # the rest, on a slip of ours: the slip's number is the receipt
    with site.write() as ctx:
        slip = fees.pay(
            ctx, paid.model_copy(update={"amount_fen": 3650, "receipt": "", "print_slip": True})
        )
    assert slip.receipt == slip.number
    with site.read() as ctx:
        assert ctx.session.get(FeeBalance, water).state == BalanceState.paid  # type: ignore[union-attr]
        assert fees.read_back(ctx, "3-1202").owing_fen == 120000
    with pytest.raises(DeskError) as refused, site.write() as ctx:
        fees.pay(ctx, paid.model_copy(update={"amount_fen": 1, "receipt": "CW-9"}))
    assert refused.value.key == "fees_error.balance_closed"
    with pytest.raises(DeskError) as refused, site.write() as ctx:
        fees.pay(ctx, paid.model_copy(update={"balance_id": 99999, "receipt": "CW-9"}))
    assert refused.value.key == "fees_error.no_balance"


def test_the_ladder_letter_three_months_after_over_a_month_end(site: Desk, boss: Desk) -> None:
    site.now = at(2026, 11, 30)
    with site.read() as ctx:
        debt = fees.debt(ctx, "3-1202")
        assert debt.state == Stage.owing
        assert fees.allowed_actions(debt) >= {"pay", "book", "remind"}
        assert [(d.room, d.step) for d in fees.dues(ctx)] == [
            ("3-1202", "remind"),
            ("5-801", "remind"),
        ]
    call = StepIn(room="3-1202", by="王芳", spoke_to="李明", said="提醒缴纳5-10月管理费")
    with site.write() as ctx:
        fees.remind(ctx, call)
    with site.write() as ctx:  # a second call is a reminder too
        fees.remind(ctx, call.model_copy(update={"channel": FeeChannel.sms}))
    letter = StepIn(room="3-1202", by="王芳", tracking="SF1234567890")
    site.now = at(2027, 2, 27)
    with pytest.raises(DeskError) as early, site.write() as ctx:
        fees.letter(ctx, letter)
    assert early.value.key == "fees_error.letter_not_due" and "2027-02-28" in early.value.message
    with site.read() as ctx:
        assert ("3-1202", "letter") not in [(d.room, d.step) for d in fees.dues(ctx)]
    site.now = at(2027, 2, 28)
    with site.read() as ctx:
        assert ("3-1202", "letter", date(2027, 2, 28)) in [
            (d.room, d.step, d.due_on) for d in fees.dues(ctx)
        ]
    with pytest.raises(DeskError), site.write() as ctx:
        fees.letter(ctx, letter.model_copy(update={"tracking": ""}))
    with site.write() as ctx:
        sent = fees.letter(ctx, letter)
    assert sent.tracking == "SF1234567890" and sent.owing_fen == 128650
    # a second letter for the same debt, and a reminder once the letter went: refused
    for step in (fees.letter, fees.remind):
        with pytest.raises(DeskError) as twice, site.write() as ctx:
            step(ctx, letter if step is fees.letter else call)
        assert twice.value.key in {"fees_error.cannot_letter", "fees_error.cannot_remind"}
    with pytest.raises(DeskError), site.write() as ctx:
        fees.legal(ctx, StepIn(room="3-1202", by="王芳", said="转法务"))  # skipping the visit
    site.now = at(2027, 3, 30)
    with site.read() as ctx:
        assert ("3-1202", "visit") in [(d.room, d.step) for d in fees.dues(ctx)]
    with site.write() as ctx:
        fees.visit(ctx, StepIn(room="3-1202", by="王芳", spoke_to="李明", said="上门，答应月底缴"))
    with pytest.raises(Forbidden), site.write() as ctx:  # a clerk does not hand it to legal
        fees.legal(ctx, StepIn(room="3-1202", by="王芳", said="转法务"))
    boss.now = site.now
    with boss.write() as ctx:
        fees.legal(ctx, StepIn(room="3-1202", by="赵主管", said="交法务部发律师函"))
    with site.read() as ctx:
        assert fees.debt(ctx, "3-1202").state == Stage.legal
    # paid in full: the ladder is settled, and a new debt would start it again
    for kind in ("management", "water"):
        owing = 120000 if kind == "management" else 8650
        with site.write() as ctx:
            fees.pay(
                ctx,
                PaymentIn(
                    balance_id=balance_id(site, "3-1202", kind),
                    amount_fen=owing,
                    receipt=f"CW-{kind}",
                    payer="李明",
                    confirmed=True,
                ),
            )
    with site.read() as ctx:
        assert fees.debt(ctx, "3-1202").state == Stage.clear
        steps = ctx.session.exec(select(FeeStep).where(FeeStep.room == "3-1202")).all()
        assert len(steps) == 5 and all(s.settled_at is not None for s in steps)


def test_the_letter_date_over_month_ends() -> None:
    assert fees.letter_due_on(date(2026, 11, 30)) == date(2027, 2, 28)
    assert fees.letter_due_on(date(2027, 11, 30)) == date(2028, 2, 29)
    assert fees.letter_due_on(date(2026, 8, 31)) == date(2026, 11, 30)


def test_an_sms_goes_only_through_the_sites_gateway(site: Desk, tmp_path: object) -> None:
    sms = StepIn(room="5-801", by="王芳", said="请缴管理费", channel=FeeChannel.sms, phone="136")
    with site.write() as ctx:
        recorded = fees.remind(ctx, sms)
    assert recorded.sms_result == ""  # no gateway: recorded only
    with site.write() as ctx:
        ctx.settings = ctx.settings.model_copy(
            update={"fees": ctx.settings.fees.model_copy(update={"sms_command": "echo gateway"})}
        )
        sent = fees.remind(ctx, sms)
    assert sent.sms_result.startswith("sent (0)") and "请缴管理费" in sent.sms_result


def test_a_home_collection_booked_done_or_missed(site: Desk) -> None:
    visit = AppointmentIn(
        room="5-801",
        owner="孙丽",
        address="5栋801",
        collector="王芳",
        at=NOW + timedelta(days=1),
        amount_fen=28000,
        receipts_prepared=True,
    )
    with pytest.raises(FieldErrors) as err, site.write() as ctx:
        fees.book(ctx, visit.model_copy(update={"amount_fen": 50000, "owner": ""}))
    assert fields_of(err.value) == {"amount", "owner"}
    with site.write() as ctx:
        booked = fees.book(ctx, visit)
    site.now = NOW + timedelta(days=1)
    with site.read() as ctx:
        assert ("5-801", "collect", booked.number) in [
            (d.room, d.step, d.number) for d in fees.dues(ctx)
        ]
    with site.write() as ctx:
        fees.close_appointment(ctx, booked.id or 0, "missed", "业主不在家")
    with pytest.raises(DeskError), site.write() as ctx:
        fees.close_appointment(ctx, booked.id or 0, "done")
    with site.read() as ctx:
        assert fees.appointments(ctx) == []


def test_the_letter_prints_from_the_sites_template_within_80_cells(
    site: Desk, tmp_path: Path
) -> None:
    from desk.printing.fee_letter import fee_letter_lines, fee_letter_pdf, fee_slip_text
    from desk.printing.text import cell_len

    with site.read() as ctx:
        back = fees.read_back(ctx, "3-1202")
        lines = fee_letter_lines(back, ctx.settings, printed_at=NOW)
        text = "\n".join(lines)
        assert all(cell_len(line) <= 80 for line in lines)
        assert "李明" in text and "1286.50" in text and "2026-05~2026-10" in text
        site_file = tmp_path / "site.toml"
        site_file.write_text("", encoding="utf-8")
        (tmp_path / "fee_letter.txt").write_text("{owner}：请缴 {amount} 元。{nosuch}", "utf-8")
        settings = ctx.settings.model_copy()
        settings.source = site_file
        own = fee_letter_lines(back, settings, printed_at=NOW)
        assert "李明：请缴 1286.50 元。{nosuch}" in own
        if have_cjk_font():
            made = fee_letter_pdf(back, ctx.settings, tmp_path / "letter.pdf", printed_at=NOW)
            assert made.read_bytes().startswith(b"%PDF")
    with site.write() as ctx:
        paid = fees.pay(
            ctx,
            PaymentIn(
                balance_id=balance_id(site, "3-1202", "water"),
                amount_fen=8650,
                print_slip=True,
                payer="李明",
                confirmed=True,
            ),
        )
        slip = fee_slip_text(paid, "代收水费", ctx.settings, clerk="王芳")
    assert paid.number in slip and "86.50" in slip


def test_the_ladder_on_the_board_and_in_the_handover(site: Desk) -> None:
    from desk.services import board, summary

    site.now = at(2026, 11, 30)
    with site.read() as ctx:
        items = [i for i in board.open_items(ctx) if i.register == "fees"]
        assert [(i.room, i.due_kind) for i in items] == [
            ("3-1202", "fee_remind"),
            ("5-801", "fee_remind"),
        ]
        assert items[0].record_id == balance_id(site, "3-1202")
        sections = summary.open_sections(ctx)
        assert [i.room for i in sections["fees"]] == ["3-1202", "5-801"]


def test_the_monthly_figures_collected_owing_by_age_and_steps(site: Desk) -> None:
    from desk.services import stats
    from desk.services.stats_period import days

    site.now = at(2026, 11, 30)
    with site.write() as ctx:
        fees.remind(ctx, StepIn(room="5-801", by="王芳", said="提醒"))
        fees.pay(
            ctx,
            PaymentIn(
                balance_id=balance_id(site, "3-1202", "water"),
                amount_fen=8650,
                receipt="CW-1",
                payer="李明",
                confirmed=True,
            ),
        )
    with site.read() as ctx:
        report = stats.monthly(ctx, days(date(2026, 11, 1), date(2026, 11, 30), TZ))
    f = report.fees
    assert (f.payments, f.collected_fen, f.reminders, f.letters) == (1, 8650, 1, 0)
    # 3-1202 owes since May (6 months by November: 6–12), 5-801 since October (0–3)
    assert f.owing_rooms == {"0_3": 1, "3_6": 0, "6_12": 1, "over_12": 0}
    assert f.owing_fen["6_12"] == 120000 and f.owing_fen["0_3"] == 40000
    assert [fees.age_bucket(n) for n in (0, 2, 3, 5, 6, 11, 12, 40)] == [
        "0_3",
        "0_3",
        "3_6",
        "3_6",
        "6_12",
        "6_12",
        "over_12",
        "over_12",
    ]
