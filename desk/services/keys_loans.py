"""Key loans to staff (钥匙借用, numbers JY-YYYYMMDD-NNN; audit register "key_loans").

On return the keys are checked against the loan: a partial return keeps the rest out, the person
returning and the clerk receiving are recorded, lost keys are recorded against the borrower.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, select

from desk.models import OPEN_LOAN_STATES, Key, KeyLoan, KeyReturn, LoanState
from desk.models.base import literal_in
from desk.services import audit, fetch
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.keys_cabinet import available, find_key
from desk.services.lifecycle import Lifecycle, Step
from desk.services.limits import clean_column
from desk.services.numbering import next_number
from desk.services.residents import normalise_room
from desk.services.shifts import bounds, current_shift
from desk.services.submission import Submission, gather
from desk.services.when import plausible

LOANS = "key_loans"
PREFIX = "JY"

# The lifecycle of a loan: keys come back (or are reported lost) while any are out; the loan
# then stays open (partly returned) or closes as returned, or as lost if any were lost.
LIFECYCLE: Lifecycle[LoanState] = Lifecycle(
    "key_error.loan_closed",
    {
        "take_back": Step(OPEN_LOAN_STATES),
        "report_lost": Step(OPEN_LOAN_STATES),
    },
    state_words="key_loan_state",
)


class KeyLoanCreate(Submission):
    key: str  # the key's tag, or its id as text
    borrower: str = ""
    department: str = ""
    reason: str = ""
    room: str = ""
    count: int = 1
    due_at: datetime | None = None
    note: str = ""


def allowed_actions(loan: KeyLoan | None) -> frozenset[str]:
    """The lifecycle steps (LIFECYCLE's names) a screen offers for this loan."""
    return LIFECYCLE.offered(loan)


def get_loan(ctx: Ctx, loan_id: int) -> KeyLoan:
    return fetch.get(ctx, KeyLoan, loan_id, "key_error.no_such_loan")


def outstanding(loan: KeyLoan) -> int:
    """Keys of the loan not yet back and not reported lost."""
    return loan.count - loan.returned_count - loan.lost_count


def due_at(loan: KeyLoan) -> datetime:
    return loan.due_at


def default_due(ctx: Ctx, start: datetime) -> datetime:
    """When a loan made at `start` is due back by the site's rule (the shift's end, or a time)."""
    rule = ctx.settings.keys.loan_return.strip()
    if rule != "shift_end":
        return ctx.due(start, rule)
    shift = current_shift(ctx.settings, start)
    if shift is None:
        return ctx.due(start, "same_day")
    local = start.astimezone(ctx.tz)
    _, end = bounds(ctx.settings, shift, local.date())
    moment = datetime.combine(local.date(), end, tzinfo=ctx.tz)
    if moment <= local:  # a night shift ends the next morning
        moment = datetime.combine(local.date() + timedelta(days=1), end, tzinfo=ctx.tz)
    return moment


def _department(ctx: Ctx, value: str) -> str:
    """A department key, from its key or either label; empty is allowed."""
    text = value.strip()
    if not text:
        return ""
    for department in ctx.settings.departments:
        if text.lower() in (department.key.lower(), department.zh_CN, department.en.lower()):
            return department.key
    raise DeskError("field.unknown_department", field="department", value=text)


def _staff_department(ctx: Ctx, borrower: str) -> str:
    member = next((s for s in ctx.settings.staff if s.name == borrower), None)
    return member.department if member else ""


def _lendable(ctx: Ctx, ref: str) -> Key:
    """The cabinet key `ref` names, when it is still in the cabinet."""
    key = find_key(ctx, ref)
    if not key.active:
        raise DeskError("key_error.retired", field="key_ref", tag=key.tag)
    return key


def _positive(count: int) -> int:
    if count <= 0:
        raise DeskError("key_error.count_positive", field="key_count")
    return count


def _due(ctx: Ctx, moment: datetime | None) -> datetime:
    """When the keys are due back: as given (the site's rule when not), after now."""
    due = plausible(moment or default_due(ctx, ctx.now), "key_due_at")
    if due <= ctx.now:
        raise DeskError("key_error.due_in_past", field="key_due_at")
    return due


def lend(ctx: Ctx, data: KeyLoanCreate) -> KeyLoan:
    """Lend keys to a member of staff; refused beyond the copies in the cabinet."""
    # every field is checked, and every refusal shown at once beside its field
    checked = gather(
        {
            "key_ref": lambda: _lendable(ctx, data.key),
            "borrower": lambda: clean_column(data.borrower, KeyLoan, "borrower", required=True),
            "department": lambda: _department(ctx, data.department),
            "reason": lambda: clean_column(data.reason, KeyLoan, "reason", required=True),
            "room": lambda: normalise_room(clean_column(data.room, KeyLoan, "room")),
            "key_count": lambda: _positive(data.count),
            "key_due_at": lambda: _due(ctx, data.due_at),
            "note": lambda: clean_column(data.note, KeyLoan, "note"),
        }
    )
    key: Key = checked["key_ref"]
    borrower: str = checked["borrower"]
    department = checked["department"] or _staff_department(ctx, borrower)
    reason: str = checked["reason"]
    room = checked["room"] or key.room
    due: datetime = checked["key_due_at"]
    # beyond the copies in the cabinet: asked only of a key found and a count that reads
    free = available(ctx, key)
    if data.count > free:
        raise DeskError("key_error.not_enough", field="key_count", tag=key.tag, available=free)
    assert key.id is not None
    loan = KeyLoan(
        number=next_number(ctx, PREFIX),
        key_id=key.id,
        borrower=borrower,
        department=department,
        reason=reason,
        room=room,
        count=data.count,
        out_at=ctx.now,
        due_at=due,
        note=checked["note"],
        operator_id=ctx.acting(),
        created_at=ctx.now,
    )
    ctx.session.add(loan)
    ctx.session.flush()
    audit.record(
        ctx,
        LOANS,
        loan.id,
        "lent",
        {
            "tag": key.tag,
            "borrower": borrower,
            "department": department,
            "count": loan.count,
            "room": room,
            "due_at": due,
            "reason": reason,
        },
    )
    return loan


def take_back(
    ctx: Ctx, loan_id: int, count: int, returned_by: str, lost: int = 0, note: str = ""
) -> KeyLoan:
    """Keys handed back (and any reported lost), checked against what is still out.

    The loan stays open while keys remain out; it closes as returned, or as lost when some
    keys were lost. The borrower stays on record as the one who answers for them.
    """
    loan = get_loan(ctx, loan_id)
    LIFECYCLE.require(loan, "take_back")
    if count < 0:
        raise DeskError("key_error.count_negative", field="key_count")
    if lost < 0:
        raise DeskError("key_error.count_negative", field="lost_count")
    if count + lost == 0:
        raise DeskError("key_error.nothing_returned", field="key_count")
    left = outstanding(loan)
    if count + lost > left:
        raise DeskError("key_error.more_than_out", field="key_count", number=loan.number, out=left)
    who = clean_column(returned_by, KeyReturn, "returned_by", required=bool(count))
    text = clean_column(note, KeyReturn, "note")
    ctx.session.add(
        KeyReturn(
            loan_id=loan_id,
            count=count,
            lost=lost,
            returned_by=who or loan.borrower,
            received_by=ctx.acting(),
            at=ctx.now,
            note=text,
        )
    )
    loan.returned_count += count
    loan.lost_count += lost
    if outstanding(loan) == 0:
        loan.state = LoanState.lost if loan.lost_count else LoanState.returned
        loan.closed_at = ctx.now
    else:
        loan.state = LoanState.partly_returned
    ctx.session.add(loan)
    action = "returned" if count else "lost"
    audit.record(
        ctx,
        LOANS,
        loan.id,
        action,
        {
            "count": count,
            "lost": lost,
            "returned_by": who or loan.borrower,
            "borrower": loan.borrower,
            "still_out": outstanding(loan),
            "note": text,
        },
    )
    return loan


def report_lost(ctx: Ctx, loan_id: int, count: int, note: str = "") -> KeyLoan:
    """Keys of a loan reported lost; the borrower answers for them."""
    if count <= 0:
        raise DeskError("key_error.count_positive", field="lost_count")
    return take_back(ctx, loan_id, 0, "", lost=count, note=note)


def returns_of(ctx: Ctx, loan_id: int) -> list[KeyReturn]:
    statement = select(KeyReturn).where(KeyReturn.loan_id == loan_id).order_by(col(KeyReturn.id))
    return list(ctx.session.exec(statement))


def open_loans(ctx: Ctx, limit: int = 500) -> list[KeyLoan]:
    """Loans with keys still out, soonest due first (so the overdue ones lead)."""
    statement = (
        select(KeyLoan)
        .where(literal_in(col(KeyLoan.state), OPEN_LOAN_STATES))
        .order_by(col(KeyLoan.due_at), col(KeyLoan.id))
        .limit(limit)
    )
    return list(ctx.session.exec(statement))


def overdue_loans(ctx: Ctx) -> list[KeyLoan]:
    statement = (
        select(KeyLoan)
        .where(literal_in(col(KeyLoan.state), OPEN_LOAN_STATES), col(KeyLoan.due_at) < ctx.now)
        .order_by(col(KeyLoan.due_at), col(KeyLoan.id))
    )
    return list(ctx.session.exec(statement))


def recent_loans(ctx: Ctx, limit: int = 100) -> list[KeyLoan]:
    """Closed loans, the most recently closed first."""
    statement = (
        select(KeyLoan)
        .where(col(KeyLoan.state).not_in(OPEN_LOAN_STATES))
        .order_by(col(KeyLoan.closed_at).desc(), col(KeyLoan.id).desc())
        .limit(limit)
    )
    return list(ctx.session.exec(statement))


def open_loans_of(ctx: Ctx, key: Key) -> list[KeyLoan]:
    statement = (
        select(KeyLoan)
        .where(KeyLoan.key_id == key.id, col(KeyLoan.state).in_(OPEN_LOAN_STATES))
        .order_by(col(KeyLoan.out_at))
    )
    return list(ctx.session.exec(statement))


def tags(ctx: Ctx, key_ids: set[int]) -> dict[int, str]:
    if not key_ids:
        return {}
    statement = select(Key).where(col(Key.id).in_(key_ids))
    return {key.id: key.tag for key in ctx.session.exec(statement) if key.id is not None}
