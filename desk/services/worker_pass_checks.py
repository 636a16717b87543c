"""What a new worker pass's fields must be: the renovation under permit, the days within the
permit, the fee and its receipt, and the worker's ID — its last 4 only, never the whole number,
which no other field may hold either. Used by desk.services.renovation_workers.issue, which
checks them all at once."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from sqlmodel import col, select

from desk.i18n import t
from desk.models import Renovation, WorkerPass, WorkerPassState
from desk.services import limits
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.residents import clean_text
from desk.services.submission import Submission
from desk.services.worker_pass_queries import ISSUING_STATES, find_renovation, permit_day, today

# the most a pass may cost (in fen): a slip of the keyboard is refused, not charged
MAX_FEE_FEN = 100_000


# --- ID numbers: the last 4 kept, never the whole ------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_LAST4 = re.compile(r"^[0-9A-Z]{4}$")
# an ID card number written inside free text: 18 characters (17 digits, then a digit or X) or an
# old card's 15 digits, not part of a longer run of digits
_ID_IN_TEXT = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9Xx])")


def check_character(first17: str) -> str:
    """The check character (0-9 or X) of an 18-character ID card number (GB 11643)."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def _born(digits: str) -> bool:
    """Whether YYYYMMDD is a day someone working today could have been born on."""
    try:
        day = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return False
    return 1900 <= day.year <= 2099


# spaces and dashes between digits, as an ID number is often written (110105 19491231 002X)
_DIGIT_GAPS = re.compile(r"(?<=[0-9])[\s-]+(?=[0-9Xx])")


def looks_like_id(text: str) -> bool:
    """Whether `text` holds what reads as an ID card number (a birth date where a card has it),
    written with or without spaces and dashes."""
    for match in _ID_IN_TEXT.finditer(_DIGIT_GAPS.sub("", text)):
        number = match.group(0).upper()
        birth = number[6:14] if len(number) == 18 else "19" + number[6:12]
        if _born(birth):
            return True
    return False


def id_last4(typed: str) -> str:
    """The last 4 characters of an ID number typed whole (an ID card's 18, its check character
    checked; an old card's 15) or as its last 4. Nothing typed is ever quoted back."""
    compact = re.sub(r"[\s-]", "", typed).upper()
    if not compact:
        raise DeskError("field.required", field="id_number")
    if len(compact) == 4:
        if not _LAST4.match(compact):
            raise DeskError("worker_pass_error.id_last4", field="id_number")
        return compact
    if len(compact) == 18 and re.fullmatch(r"[0-9]{17}[0-9X]", compact):
        if check_character(compact[:17]) != compact[17]:
            raise DeskError("worker_pass_error.id_check", field="id_number")
        return compact[-4:]
    if len(compact) == 15 and compact.isdigit():
        return compact[-4:]
    raise DeskError("worker_pass_error.id_shape", field="id_number")


def clean_free_text(value: str, max_length: int, *, field: str, required: bool = False) -> str:
    """Text a clerk types on a pass (a name, a receipt, a reason): never an ID number."""
    cleaned = clean_text(value, max_length, field=field, required=required)
    if looks_like_id(cleaned):
        raise DeskError("worker_pass_error.id_in_text", field=field)
    return cleaned


# --- a new pass's fields ------------------------------------------------------------------


class WorkerPassCreate(Submission):
    """A pass as the clerk fills it in. `id_number` is the ID number typed whole or its last
    4: it goes no further than `issue`, which keeps the last 4 only."""

    renovation: str = ""  # its number or its permit number
    renovation_id: int | None = None
    name: str = ""
    id_number: str = ""
    photo_taken: bool = False
    valid_from: date | None = None  # None: today, or the permit's day if later
    valid_until: date | None = None  # None: the renovation's planned end
    fee_fen: int | None = None  # None: the site's fee
    fee_receipt: str = ""


def renovation_wanted(ctx: Ctx, data: WorkerPassCreate) -> Renovation | None:
    if data.renovation_id is not None:
        return ctx.session.get(Renovation, data.renovation_id)
    return find_renovation(ctx, data.renovation)


def issuable(renovation: Renovation | None, typed: str) -> Renovation:
    if renovation is None:
        if not typed.strip():
            raise DeskError("field.required", field="renovation")
        raise DeskError(
            "worker_pass_error.renovation_unknown", field="renovation", typed=typed.strip()[:40]
        )
    if renovation.state not in ISSUING_STATES:
        raise DeskError(
            "worker_pass_error.renovation_not_in_works",
            field="renovation",
            number=renovation.number,
            state=t(f"worker_pass_works.{renovation.state}"),
        )
    return renovation


def default_from(ctx: Ctx, renovation: Renovation | None) -> date:
    """The first day a new pass is offered: today, or the permit's day if that is later."""
    day = today(ctx)
    permit = permit_day(ctx, renovation) if renovation is not None else None
    return max(day, permit) if permit is not None else day


def valid_from(ctx: Ctx, typed: date | None, renovation: Renovation | None) -> date:
    day = typed or default_from(ctx, renovation)
    if day < today(ctx):
        raise DeskError("worker_pass_error.from_past", field="valid_from")
    permit = permit_day(ctx, renovation) if renovation is not None else None
    if permit is not None and day < permit:
        raise DeskError(
            "worker_pass_error.from_before_permit", field="valid_from", day=permit.isoformat()
        )
    return day


def valid_until(
    ctx: Ctx, typed: date | None, start: date | None, renovation: Renovation | None
) -> date:
    end = renovation.planned_end if renovation is not None else None
    day = typed or end
    if day is None:  # no renovation to end with: its own field says so
        return start or today(ctx)
    if day < (start or today(ctx)):
        raise DeskError("worker_pass_error.until_before_from", field="valid_until")
    if end is not None and day > end:
        raise DeskError(
            "worker_pass_error.until_past_permit", field="valid_until", day=end.isoformat()
        )
    return day


def fee(ctx: Ctx, typed: int | None) -> int:
    amount = ctx.settings.renovation.worker_pass_fee_fen if typed is None else typed
    if amount < 0 or amount > MAX_FEE_FEN:
        raise DeskError("worker_pass_error.fee_range", field="fee_fen", most=MAX_FEE_FEN // 100)
    return amount


def receipt(typed: str, charged_fee: Callable[[], int]) -> str:
    """The receipt number: needed when a fee was taken (the fee's own error, if any, aside)."""
    cleaned = clean_free_text(
        typed, limits.max_length(WorkerPass, "fee_receipt"), field="fee_receipt"
    )
    try:
        charged = charged_fee()
    except DeskError:
        return cleaned  # the fee's own error says it
    if charged > 0 and not cleaned:
        raise DeskError("worker_pass_error.receipt_needed", field="fee_receipt")
    return cleaned


def holding(
    ctx: Ctx, renovation: Renovation, name: str, last4: str, start: date, end: date
) -> WorkerPass | None:
    """An issued pass of the same worker on the same works whose days overlap these."""
    statement = select(WorkerPass).where(
        WorkerPass.renovation_id == renovation.id,
        WorkerPass.state == WorkerPassState.issued,
        WorkerPass.name == name,
        WorkerPass.id_last4 == last4,
        col(WorkerPass.valid_from) <= end,
        col(WorkerPass.valid_until) >= start,
    )
    return ctx.session.exec(statement).first()
