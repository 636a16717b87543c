"""Register 16: the fee desk (交纳物业管理费 / 催缴, 000 篇四.2(4)).

The desk does not keep the accounts: finance does, and its file of what each room owes is
imported (desk.services.fees_import). Here: the read-back at the counter and the payment against
a balance (never more than owed, the receipt number once in the estate), the reminder ladder of a
room's debt — phone or SMS reminder → letter by express mail once the first reminder is
`letter_after_months` old and still unpaid → home visit → legal (a supervisor) — each step once
(`LIFECYCLE`, on the room's stage), home collections booked, done or missed, and the rooms in
托管, charged the site's share of the management fee.

A room's ladder is its unsettled steps: they are settled when the room owes nothing (paid, or a
re-import clears it), so a later debt starts the ladder again.
"""

from __future__ import annotations

import shlex
import subprocess
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta
from sqlmodel import col, select

from desk.i18n import t
from desk.models import (
    AppointmentState,
    BalanceState,
    FeeAppointment,
    FeeBalance,
    FeeChannel,
    FeeCustody,
    FeePayment,
    FeeStep,
    FeeStepKind,
)
from desk.services import audit, fetch, move_in_queries, roles
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.lifecycle import Lifecycle, Step
from desk.services.limits import clean_column
from desk.services.numbering import next_number
from desk.services.open_item import OpenItem
from desk.services.pass_queries import owners_of
from desk.services.residents import find_unit
from desk.services.submission import Submission, gather
from desk.services.when import happened, plausible

if TYPE_CHECKING:
    from desk.services.stats_figures import FeeFigures

REGISTER = "fees"
PAYMENTS = "fee_payments"
STEPS = "fee_steps"
APPOINTMENTS = "fee_appointments"
CUSTODY = "fee_custody"
PAYMENT_PREFIX = "JF"
STEP_PREFIX = "CJ"
APPOINTMENT_PREFIX = "SM"
MANAGEMENT = "management"
# a payment or collection above this (fen) is a typing mistake
MAX_FEN = 100_000_000


class Stage(StrEnum):
    """Where a room's debt is on the ladder."""

    clear = "clear"
    owing = "owing"
    reminded = "reminded"
    lettered = "lettered"
    visited = "visited"
    legal = "legal"


OWING = (Stage.owing, Stage.reminded, Stage.lettered, Stage.visited, Stage.legal)
G = Stage
LIFECYCLE: Lifecycle[Stage] = Lifecycle(
    "fees_error.not_now",
    {
        "pay": Step(OWING, refusal="fees_error.nothing_owed"),
        "book": Step(OWING, refusal="fees_error.nothing_owed"),
        "remind": Step((G.owing, G.reminded), to=G.reminded, refusal="fees_error.cannot_remind"),
        "letter": Step((G.reminded,), to=G.lettered, refusal="fees_error.cannot_letter"),
        "visit": Step((G.lettered,), to=G.visited, refusal="fees_error.cannot_visit"),
        "legal": Step(
            (G.visited,), to=G.legal, who=roles.FEES_LEGAL, refusal="fees_error.cannot_legal"
        ),
    },
    state_words="fee_stage",
)
A = AppointmentState
APPOINTMENT: Lifecycle[AppointmentState] = Lifecycle(
    "fees_error.appointment_not_now",
    {
        "done": Step((A.booked,), to=A.done),
        "missed": Step((A.booked,), to=A.missed),
    },
    state_words="fee_appointment_state",
)


@dataclass
class RoomDebt:
    """A room's open balances and its ladder so far."""

    room: str
    balances: list[FeeBalance] = field(default_factory=list)
    steps: list[FeeStep] = field(default_factory=list)

    @property
    def number(self) -> str:  # a refusal names the room
        return self.room

    @property
    def owing_fen(self) -> int:
        return sum(b.amount_fen - b.paid_fen for b in self.balances)

    @property
    def state(self) -> Stage:
        if self.owing_fen <= 0:
            return Stage.clear
        kinds = {s.kind for s in self.steps}
        for kind, stage in (
            (FeeStepKind.legal, Stage.legal),
            (FeeStepKind.visit, Stage.visited),
            (FeeStepKind.letter, Stage.lettered),
            (FeeStepKind.reminder, Stage.reminded),
        ):
            if kind in kinds:
                return stage
        return Stage.owing

    def first(self, kind: FeeStepKind) -> FeeStep | None:
        return next((s for s in self.steps if s.kind == kind), None)

    @property
    def oldest_month(self) -> str:
        return min((b.from_month for b in self.balances), default="")


def local_day(ctx: Ctx, moment: datetime) -> date:
    return moment.astimezone(ctx.tz).date()


def today(ctx: Ctx) -> date:
    return local_day(ctx, ctx.now)


def month_start(month: str) -> date:
    year, number = month.split("-")
    return date(int(year), int(number), 1)


def months_between(first: str, last: str) -> int:
    a, b = month_start(first), month_start(last)
    return (b.year - a.year) * 12 + b.month - a.month + 1


def paid_through(month: str) -> str:
    """The month before `month` (the months paid, as finance's file implies them)."""
    before = month_start(month) - relativedelta(months=1)
    return f"{before.year:04d}-{before.month:02d}"


def letter_due_on(reminded: date, months: int = 3) -> date:
    """The letter is due `months` after the reminder (30 Nov → 28 or 29 Feb)."""
    return reminded + relativedelta(months=months)


def age_months(ctx: Ctx, month: str) -> int:
    """Whole months since the first day of `month` (0 in that month)."""
    day, start = today(ctx), month_start(month)
    return (day.year - start.year) * 12 + day.month - start.month


# --- reading ---------------------------------------------------------------------------------


def room_code(ctx: Ctx, room: str) -> str:
    typed = clean_column(room, FeeBalance, "room", required=True)
    found = find_unit(ctx, typed)
    if found is None:
        raise DeskError("fees_error.unknown_room", field="room", room=typed)
    return found.code


def room_of(ctx: Ctx, balance_id: int) -> str:
    """The room of a balance: the board and the lookup name a room's fees by one of them."""
    return fetch.get(ctx, FeeBalance, balance_id).room


def debt(ctx: Ctx, room: str) -> RoomDebt:
    """The room's open balances (oldest first) and unsettled steps (in order)."""
    code = room_code(ctx, room)
    balances = ctx.session.exec(
        select(FeeBalance)
        .where(FeeBalance.room == code, FeeBalance.state == BalanceState.open)
        .order_by(col(FeeBalance.from_month), col(FeeBalance.id))
    ).all()
    steps = ctx.session.exec(
        select(FeeStep)
        .where(FeeStep.room == code, col(FeeStep.settled_at).is_(None))
        .order_by(col(FeeStep.at), col(FeeStep.id))
    ).all()
    return RoomDebt(code, list(balances), list(steps))


def allowed_actions(found: RoomDebt | None) -> frozenset[str]:
    return LIFECYCLE.offered(found)


def listing(ctx: Ctx) -> list[RoomDebt]:
    """Every room owing, the longest owing first."""
    balances = ctx.session.exec(
        select(FeeBalance)
        .where(FeeBalance.state == BalanceState.open)
        .order_by(col(FeeBalance.room), col(FeeBalance.from_month))
    ).all()
    steps = ctx.session.exec(
        select(FeeStep)
        .where(col(FeeStep.settled_at).is_(None))
        .order_by(col(FeeStep.at), col(FeeStep.id))
    ).all()
    rooms: dict[str, RoomDebt] = {}
    for balance in balances:
        rooms.setdefault(balance.room, RoomDebt(balance.room)).balances.append(balance)
    for step in steps:
        if step.room in rooms:
            rooms[step.room].steps.append(step)
    found = [d for d in rooms.values() if d.owing_fen > 0]
    return sorted(found, key=lambda d: (d.oldest_month, d.room))


@dataclass(frozen=True)
class ReadLine:
    kind: str
    from_month: str
    to_month: str
    months: int
    paid_through: str
    amount_fen: int
    paid_fen: int
    owing_fen: int
    custody: bool
    file_fen: int
    balance_id: int


@dataclass(frozen=True)
class ReadBack:
    """What the clerk reads back to the payer: owner, room, months paid and owing, amounts."""

    room: str
    owners: list[str]
    lines: list[ReadLine]
    stage: Stage
    custody: bool

    @property
    def owing_fen(self) -> int:
        return sum(line.owing_fen for line in self.lines)


def read_back(ctx: Ctx, room: str) -> ReadBack:
    found = debt(ctx, room)
    lines = [
        ReadLine(
            b.kind,
            b.from_month,
            b.to_month,
            b.months,
            paid_through(b.from_month),
            b.amount_fen,
            b.paid_fen,
            b.amount_fen - b.paid_fen,
            b.custody,
            b.file_fen,
            b.id or 0,
        )
        for b in found.balances
    ]
    owners = [o.name for o in owners_of(ctx, found.room)]
    return ReadBack(found.room, owners, lines, found.state, in_custody(ctx, found.room))


def payments_of(ctx: Ctx, room: str) -> list[FeePayment]:
    return list(
        ctx.session.exec(
            select(FeePayment)
            .where(FeePayment.room == room)
            .order_by(col(FeePayment.created_at).desc())
        ).all()
    )


def steps_of(ctx: Ctx, room: str) -> list[FeeStep]:
    """Every step of the room's ladder, settled ones too, newest first."""
    return list(
        ctx.session.exec(
            select(FeeStep).where(FeeStep.room == room).order_by(col(FeeStep.at).desc())
        ).all()
    )


# --- 托管 -----------------------------------------------------------------------------------


def custody_of(ctx: Ctx, room: str, day: date | None = None) -> FeeCustody | None:
    day = day or today(ctx)
    marks = ctx.session.exec(
        select(FeeCustody).where(FeeCustody.room == room, FeeCustody.starts_on <= day)
    ).all()
    return next((m for m in marks if m.ends_on is None or m.ends_on >= day), None)


def in_custody(ctx: Ctx, room: str, day: date | None = None) -> bool:
    return room in custody_rooms(ctx, day)


def custody_rooms(ctx: Ctx, day: date | None = None) -> set[str]:
    """The rooms in 托管 on `day`: those the fee desk marked (托管 begun before the desk, or
    outside a move-in), and, today, those whose move-in case is in 托管 (desk.services.move_in)."""
    day = day or today(ctx)
    marks = ctx.session.exec(select(FeeCustody).where(FeeCustody.starts_on <= day)).all()
    rooms = {m.room for m in marks if m.ends_on is None or m.ends_on >= day}
    if day == today(ctx):
        rooms |= move_in_queries.rooms_in_custody(ctx)
    return rooms


def charged(ctx: Ctx, kind: str, fen: int, custody: bool) -> int:
    """What a room is charged for `fen` of `kind`: 托管 pays the site's share of management."""
    if custody and kind == MANAGEMENT:
        return round(fen * ctx.settings.fees.custody_share)
    return fen


def mark_custody(ctx: Ctx, room: str, starts_on: date, note: str = "") -> FeeCustody:
    """Mark a room as in 托管 from a day (charged the share of the management fee from the next
    import of finance's file)."""
    code = room_code(ctx, room)
    if in_custody(ctx, code, starts_on):
        raise DeskError("fees_error.already_in_custody", room=code)
    mark = FeeCustody(
        room=code,
        starts_on=starts_on,
        note=clean_column(note, FeeCustody, "note"),
        operator_id=ctx.acting(),
        created_at=ctx.now,
    )
    ctx.session.add(mark)
    ctx.session.flush()
    audit.record(ctx, CUSTODY, mark.id, "marked", {"room": code, "starts_on": starts_on})
    return mark


def end_custody(ctx: Ctx, room: str, ends_on: date) -> FeeCustody:
    code = room_code(ctx, room)
    mark = custody_of(ctx, code, ends_on)
    if mark is None:
        raise DeskError("fees_error.not_in_custody", room=code)
    mark.ends_on = ends_on
    ctx.session.add(mark)
    ctx.session.flush()
    audit.record(ctx, CUSTODY, mark.id, "ended", {"room": code, "ends_on": ends_on})
    return mark


# --- the payment -----------------------------------------------------------------------------


class PaymentIn(Submission):
    balance_id: int = 0
    amount_fen: int = 0
    # finance's receipt number; empty with `print_slip`: the desk's slip number is the receipt
    receipt: str = ""
    print_slip: bool = False
    payer: str = ""
    # the payer confirmed the read-back (owner, room, months, amounts)
    confirmed: bool = False
    appointment_id: int | None = None


def _yuan(fen: int) -> str:
    return f"{fen / 100:.2f}"


def _fen(amount: int, name: str) -> int:
    if amount <= 0:
        raise DeskError("fees_error.amount_positive", field=name)
    if amount > MAX_FEN:
        raise DeskError("fees_error.amount_too_big", field=name)
    return amount


def _balance(ctx: Ctx, balance_id: int) -> FeeBalance:
    found = ctx.session.get(FeeBalance, balance_id) if balance_id else None
    if found is None:  # another estate's balance is not found either (the session filters)
        raise DeskError("fees_error.no_balance", field="balance")
    return found


def settle_if_clear(ctx: Ctx, room: str) -> int:
    """Settle the room's ladder when it owes nothing; how many steps were settled."""
    found = debt(ctx, room)
    if found.owing_fen > 0 or not found.steps:
        return 0
    for step in found.steps:
        step.settled_at = ctx.now
        ctx.session.add(step)
    ctx.session.flush()
    for step in found.steps:
        audit.record(ctx, STEPS, step.id, "settled", {"room": room})
    return len(found.steps)


def pay(ctx: Ctx, data: PaymentIn) -> FeePayment:
    """Take a payment against one balance: the read-back confirmed, more than nothing, never more
    than owed, and a receipt number not used before in the estate."""
    ctx.acting()
    balance = _balance(ctx, data.balance_id)
    if balance.state != BalanceState.open:
        raise DeskError("fees_error.balance_closed", field="balance", state=balance.state)
    owing = balance.amount_fen - balance.paid_fen

    def amount() -> int:
        fen = _fen(data.amount_fen, "amount")
        if fen > owing:
            raise DeskError("fees_error.more_than_owed", owed=_yuan(owing), given=_yuan(fen))
        return fen

    def receipt() -> str:
        typed = clean_column(data.receipt, FeePayment, "receipt", required=not data.print_slip)
        if typed:
            used = ctx.session.exec(select(FeePayment).where(FeePayment.receipt == typed)).first()
            if used is not None:
                raise DeskError("fees_error.receipt_used", receipt=typed, number=used.number)
        return typed

    if data.appointment_id is not None:
        booked = ctx.session.get(FeeAppointment, data.appointment_id)
        if booked is None or booked.room != balance.room:
            raise DeskError("fees_error.no_appointment")

    def confirmed() -> bool:
        if not data.confirmed:
            raise DeskError("fees_error.not_confirmed")
        return True

    checked = gather(
        {
            "amount": amount,
            "receipt": receipt,
            "payer": lambda: clean_column(data.payer, FeePayment, "payer", required=True),
            "confirmed": confirmed,
        }
    )
    number = next_number(ctx, PAYMENT_PREFIX)
    # a slip's number is its receipt: past one typed by hand earlier as finance's receipt
    while (
        not checked["receipt"]
        and ctx.session.exec(select(FeePayment).where(FeePayment.receipt == number)).first()
    ):
        number = next_number(ctx, PAYMENT_PREFIX)
    payment = FeePayment(
        number=number,
        balance_id=balance.id or 0,
        room=balance.room,
        amount_fen=checked["amount"],
        receipt=checked["receipt"] or number,
        payer=checked["payer"],
        confirmed=True,
        appointment_id=data.appointment_id,
        operator_id=ctx.acting(),
        created_at=ctx.now,
    )
    balance.paid_fen += payment.amount_fen
    if balance.paid_fen >= balance.amount_fen:
        balance.state = BalanceState.paid
        balance.paid_at = ctx.now
    ctx.session.add(payment)
    ctx.session.add(balance)
    ctx.session.flush()
    audit.record(
        ctx,
        PAYMENTS,
        payment.id,
        "paid",
        {
            "room": balance.room,
            "kind": balance.kind,
            "amount_fen": payment.amount_fen,
            "receipt": payment.receipt,
            "payer": payment.payer,
        },
    )
    audit.record(
        ctx,
        REGISTER,
        balance.id,
        "payment",
        {"payment": payment.number, "amount_fen": payment.amount_fen, "state": balance.state},
    )
    settle_if_clear(ctx, balance.room)
    return payment


# --- the ladder ------------------------------------------------------------------------------


class StepIn(Submission):
    room: str = ""
    channel: FeeChannel = FeeChannel.phone
    at: datetime | None = None
    by: str = ""
    spoke_to: str = ""
    said: str = ""
    tracking: str = ""
    # an SMS: the number it is sent to
    phone: str = ""


@dataclass(frozen=True)
class Due:
    """A step of the ladder due for a room (or a home collection booked)."""

    room: str
    step: str  # remind, letter, visit, legal, collect
    due_on: date
    owing_fen: int
    number: str = ""


def step_due_on(ctx: Ctx, found: RoomDebt) -> tuple[str, date] | None:
    """The next step of the room's ladder and the day it is due (None: owing nothing)."""
    rules = ctx.settings.fees
    stage = found.state
    if stage == Stage.owing:
        start = month_start(found.oldest_month)
        return "remind", start + relativedelta(months=rules.remind_after_months)
    if stage == Stage.reminded:
        first = found.first(FeeStepKind.reminder)
        assert first is not None
        return "letter", letter_due_on(local_day(ctx, first.at), rules.letter_after_months)
    if stage == Stage.lettered:
        letter = found.first(FeeStepKind.letter)
        assert letter is not None
        return "visit", local_day(ctx, letter.at) + timedelta(days=rules.visit_after_days)
    if stage == Stage.visited:
        visit = found.first(FeeStepKind.visit)
        assert visit is not None
        return "legal", local_day(ctx, visit.at) + timedelta(days=rules.legal_after_days)
    return None


def dues(ctx: Ctx, *, within_days: int = 0) -> list[Due]:
    """Every step due by today (+ `within_days`), and the home collections booked up to then."""
    until = today(ctx) + timedelta(days=within_days)
    found: list[Due] = []
    for room in listing(ctx):
        nxt = step_due_on(ctx, room)
        if nxt is not None and nxt[1] <= until:
            found.append(Due(room.room, nxt[0], nxt[1], room.owing_fen))
    for booked in appointments(ctx):
        day = local_day(ctx, booked.at)
        if day <= until:
            found.append(Due(booked.room, "collect", day, booked.amount_fen, booked.number))
    return sorted(found, key=lambda d: (d.due_on, d.room))


def open_items(ctx: Ctx) -> list[OpenItem]:
    """The ladder's steps due by today and the home collections booked up to today, for the
    board and the handover: one row per room and step (the room's page opens from it)."""
    first_balance = {d.room: d for d in listing(ctx)}
    items: list[OpenItem] = []
    for due in dues(ctx):
        found = first_balance.get(due.room)
        if found is None or not found.balances or found.balances[0].id is None:
            continue
        words = t(f"fee_due.{due.step}")
        money = f"{due.owing_fen // 100}.{due.owing_fen % 100:02d}"
        items.append(
            OpenItem(
                register=REGISTER,
                record_id=found.balances[0].id,
                number=due.number or due.room,
                room=due.room,
                summary=f"{words} ¥{money}",
                state=found.state,
                opened_at=found.balances[0].created_at,
                due_at=datetime.combine(due.due_on, time(0, 0), tzinfo=ctx.tz)
                if due.step != "collect"
                else next(a.at for a in appointments(ctx) if a.number == due.number),
                due_kind=f"fee_{due.step}",
            )
        )
    return items


def _send_sms(ctx: Ctx, phone: str, said: str) -> str:
    command = ctx.settings.fees.sms_command.strip()
    if not command:
        return ""
    try:
        done = subprocess.run(
            [*shlex.split(command), phone, said],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"failed: {error}"[:200]
    answer = (done.stdout or done.stderr).strip()
    return (
        f"sent ({done.returncode})" if done.returncode == 0 else f"failed ({done.returncode})"
    ) + (f": {answer}" if answer else "")[:200]


def _record_step(
    ctx: Ctx, action: str, kind: FeeStepKind, data: StepIn, *, channel: FeeChannel
) -> FeeStep:
    LIFECYCLE.permit(ctx, action)
    found = debt(ctx, data.room)
    LIFECYCLE.require(found, action)

    def at() -> datetime:
        moment = happened(data.at, ctx.now, "at")
        began = month_start(found.oldest_month)  # never before the debt (the letter counts on it)
        if local_day(ctx, moment) < began:
            raise DeskError("fees_error.before_debt", field="at", began=began)
        return moment

    readers: dict[str, Any] = {
        "at": at,
        "by": lambda: clean_column(data.by, FeeStep, "by", required=True),
        "spoke_to": lambda: clean_column(data.spoke_to, FeeStep, "spoke_to"),
        "said": lambda: clean_column(
            data.said, FeeStep, "said", required=kind != FeeStepKind.letter
        ),
    }
    if kind == FeeStepKind.letter:
        readers["tracking"] = lambda: clean_column(
            data.tracking, FeeStep, "tracking", required=True
        )
    if channel == FeeChannel.sms:
        readers["phone"] = lambda: clean_column(data.phone, FeeStep, "by", field="phone")
    checked = gather(readers)
    if kind == FeeStepKind.letter:
        nxt = step_due_on(ctx, found)
        assert nxt is not None
        if local_day(ctx, checked["at"]) < nxt[1]:
            raise DeskError("fees_error.letter_not_due", room=found.room, due=nxt[1])
    step = FeeStep(
        number=next_number(ctx, STEP_PREFIX),
        room=found.room,
        kind=kind,
        channel=channel,
        at=checked["at"],
        by=checked["by"],
        spoke_to=checked["spoke_to"],
        said=checked["said"],
        tracking=checked.get("tracking", ""),
        owing_fen=found.owing_fen,
        operator_id=ctx.acting(),
        created_at=ctx.now,
    )
    if channel == FeeChannel.sms and checked.get("phone"):
        step.sms_result = _send_sms(ctx, checked["phone"], step.said)
    ctx.session.add(step)
    ctx.session.flush()
    audit.record(
        ctx,
        STEPS,
        step.id,
        "recorded",
        {
            "room": step.room,
            "kind": step.kind,
            "channel": step.channel,
            "by": step.by,
            "owing_fen": step.owing_fen,
            "tracking": step.tracking,
            "sms_result": step.sms_result,
        },
    )
    return step


def remind(ctx: Ctx, data: StepIn) -> FeeStep:
    """A phone call or SMS reminder (who, when, what was said); an SMS is sent only through the
    site's gateway command (`[fees] sms_command`), else it is recorded as sent by hand."""
    channel = FeeChannel(data.channel)
    if channel not in (FeeChannel.phone, FeeChannel.sms):
        raise DeskError("fees_error.reminder_channel", field="channel")
    return _record_step(ctx, "remind", FeeStepKind.reminder, data, channel=channel)


def letter(ctx: Ctx, data: StepIn) -> FeeStep:
    """The letter by express mail (the tracking number): once per debt, and only when the first
    reminder is `letter_after_months` old and the room still owes."""
    return _record_step(ctx, "letter", FeeStepKind.letter, data, channel=FeeChannel.express)


def visit(ctx: Ctx, data: StepIn) -> FeeStep:
    return _record_step(ctx, "visit", FeeStepKind.visit, data, channel=FeeChannel.in_person)


def legal(ctx: Ctx, data: StepIn) -> FeeStep:
    """Handed to legal (a supervisor's step)."""
    return _record_step(ctx, "legal", FeeStepKind.legal, data, channel=FeeChannel.legal)


# --- home collection -------------------------------------------------------------------------


class AppointmentIn(Submission):
    room: str = ""
    owner: str = ""
    address: str = ""
    collector: str = ""
    at: datetime | None = None
    amount_fen: int = 0
    receipts_prepared: bool = False


def appointments(ctx: Ctx) -> list[FeeAppointment]:
    """The home collections booked and not yet done or missed, soonest first."""
    return list(
        ctx.session.exec(
            select(FeeAppointment)
            .where(FeeAppointment.state == AppointmentState.booked)
            .order_by(col(FeeAppointment.at))
        ).all()
    )


def appointments_of(ctx: Ctx, room: str) -> list[FeeAppointment]:
    """Every home collection of the room, newest first."""
    return list(
        ctx.session.exec(
            select(FeeAppointment)
            .where(FeeAppointment.room == room)
            .order_by(col(FeeAppointment.at).desc())
        ).all()
    )


def book(ctx: Ctx, data: AppointmentIn) -> FeeAppointment:
    ctx.acting()
    found = debt(ctx, data.room)
    LIFECYCLE.require(found, "book")

    def when() -> datetime:
        if data.at is None:
            raise DeskError("field.required", field="at")
        moment = plausible(data.at, "at")
        if moment < ctx.now - timedelta(hours=1):
            raise DeskError("fees_error.booked_in_past")
        return moment

    def amount() -> int:
        fen = _fen(data.amount_fen, "amount")
        if fen > found.owing_fen:
            raise DeskError(
                "fees_error.more_than_owed", owed=_yuan(found.owing_fen), given=_yuan(fen)
            )
        return fen

    checked = gather(
        {
            "owner": lambda: clean_column(data.owner, FeeAppointment, "owner", required=True),
            "address": lambda: clean_column(data.address, FeeAppointment, "address", required=True),
            "collector": lambda: clean_column(
                data.collector, FeeAppointment, "collector", required=True
            ),
            "at": when,
            "amount": amount,
        }
    )
    booked = FeeAppointment(
        number=next_number(ctx, APPOINTMENT_PREFIX),
        room=found.room,
        owner=checked["owner"],
        address=checked["address"],
        collector=checked["collector"],
        at=checked["at"],
        amount_fen=checked["amount"],
        receipts_prepared=data.receipts_prepared,
        operator_id=ctx.acting(),
        created_at=ctx.now,
    )
    ctx.session.add(booked)
    ctx.session.flush()
    audit.record(
        ctx,
        APPOINTMENTS,
        booked.id,
        "booked",
        {
            "room": booked.room,
            "owner": booked.owner,
            "collector": booked.collector,
            "at": booked.at,
            "amount_fen": booked.amount_fen,
            "receipts_prepared": booked.receipts_prepared,
        },
    )
    return booked


def get_appointment(ctx: Ctx, appointment_id: int) -> FeeAppointment:
    found = ctx.session.get(FeeAppointment, appointment_id)
    if found is None:
        raise DeskError("fees_error.no_appointment")
    return found


def close_appointment(ctx: Ctx, appointment_id: int, action: str, note: str = "") -> FeeAppointment:
    """A home collection done (its payments taken with `pay`) or missed."""
    ctx.acting()
    found = get_appointment(ctx, appointment_id)
    APPOINTMENT.require(found, action)
    to = APPOINTMENT[action].to
    assert to is not None
    found.state = to
    found.outcome_at = ctx.now
    found.note = clean_column(note, FeeAppointment, "note", required=action == "missed")
    ctx.session.add(found)
    ctx.session.flush()
    audit.record(ctx, APPOINTMENTS, found.id, action, {"note": found.note})
    return found


# --- the monthly figures ---------------------------------------------------------------------


def age_bucket(months: int) -> str:
    """0–3, 3–6, 6–12 or over 12 months owed (a debt of exactly 3 months is in 3–6)."""
    if months < 3:
        return "0_3"
    if months < 6:
        return "3_6"
    if months < 12:
        return "6_12"
    return "over_12"


def figures(ctx: Ctx, start: datetime, end: datetime) -> FeeFigures:
    """Collected in [start, end); owing as of `end` (or now, if sooner) by age; the ladder's
    steps taken in the period."""
    from desk.services.stats_figures import AGE_BUCKETS, FeeFigures

    paid = ctx.session.exec(
        select(FeePayment).where(FeePayment.created_at >= start, FeePayment.created_at < end)
    ).all()
    owing_fen = dict.fromkeys(AGE_BUCKETS, 0)
    owing_rooms = dict.fromkeys(AGE_BUCKETS, 0)
    as_of = local_day(ctx, min(end, ctx.now))
    for room in listing(ctx):
        start_month = month_start(room.oldest_month)
        months = (as_of.year - start_month.year) * 12 + as_of.month - start_month.month
        bucket = age_bucket(months)
        owing_fen[bucket] += room.owing_fen
        owing_rooms[bucket] += 1
    steps = ctx.session.exec(
        select(FeeStep.kind).where(FeeStep.at >= start, FeeStep.at < end)
    ).all()
    return FeeFigures(
        payments=len(paid),
        collected_fen=sum(p.amount_fen for p in paid),
        owing_fen=owing_fen,
        owing_rooms=owing_rooms,
        reminders=sum(k == FeeStepKind.reminder for k in steps),
        letters=sum(k == FeeStepKind.letter for k in steps),
        visits=sum(k == FeeStepKind.visit for k in steps),
        legal=sum(k == FeeStepKind.legal for k in steps),
    )
