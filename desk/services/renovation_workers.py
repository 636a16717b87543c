"""Register 9, its worker passes (施工人员临时出入证): issue, revoke, check at the gate.

A pass is issued to one worker of a renovation whose permit is issued or whose works are under
way (never one applied for, refused, withdrawn, suspended or finished), for days within the
permit: from the day the permit was issued at the earliest, to the renovation's planned end at
the latest. The worker's ID number is typed whole or as its last 4; only the last 4 are kept —
not in the row, not in the audit trail, not in a refusal's words. A pass is issued, then maybe
revoked (with a reason; every pass of a renovation at once when its permit is suspended:
`revoke_all`); that it has expired, or is not valid yet, is read off its dates.

The gate terminal checks a pass by its number (`gate_check`): every check of a pass on file is
counted on it and audited, whatever it finds (valid, not yet valid, expired, revoked, the works
suspended or over); an unknown number is refused and leaves nothing.

Audit events: register "worker_passes" — issued, revoked, gate_checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import col, select

from desk.i18n import t
from desk.models import Renovation, RenovationState, WorkerPass, WorkerPassState
from desk.services import audit, estates, limits
from desk.services.context import Ctx
from desk.services.errors import DeskError, FieldErrors, NotFound
from desk.services.lifecycle import Lifecycle, Step
from desk.services.numbering import next_number
from desk.services.open_item import OpenItem
from desk.services.residents import clean_text, mask_name
from desk.services.submission import Submission, gather

REGISTER = "worker_passes"
PREFIX = "SG"
# an estate other than the default one puts its code first: HG-SG-20261123-007
_NUMBER = re.compile(rf"^(?:([A-Z0-9]{{2,8}}?){PREFIX}|{PREFIX})(\d{{8}})(\d{{3,4}})$")
# a renovation whose passes may be issued (and used): its permit issued, or its works under way
ISSUING_STATES = (RenovationState.permit_issued, RenovationState.in_works)
# the most a pass may cost (in fen): a slip of the keyboard is refused, not charged
MAX_FEE_FEN = 100_000

S = WorkerPassState
# A pass's steps: any desk operator revokes an issued pass (a worker gone, a pass lost: the
# normal end of a pass, as roles.py has it); the gate checks a pass in any state (each check is
# counted, whatever it finds); an issued pass is printed while it can still be used.
LIFECYCLE: Lifecycle[WorkerPassState] = Lifecycle(
    "worker_pass_error.cannot",
    {
        "revoke": Step((S.issued,), to=S.revoked, refusal="worker_pass_error.cannot_revoke"),
        "gate": Step(tuple(WorkerPassState)),
        "print": Step((S.issued,), refusal="worker_pass_error.cannot_print"),
    },
    state_words="worker_pass_state",
)


class WorkerPassStatus(StrEnum):
    """A pass as the gate and the list see it: its stored state, its dates and its works."""

    not_yet = "not_yet"  # issued, its first day still to come
    valid = "valid"
    expired = "expired"  # issued, its last day past
    revoked = "revoked"
    suspended = "suspended"  # the renovation's permit is suspended
    closed = "closed"  # the renovation is no longer in works (finished, withdrawn…)


# statuses the gate lets a worker in on
ADMITTED = (WorkerPassStatus.valid,)


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


# --- reading ------------------------------------------------------------------------------


def today(ctx: Ctx) -> date:
    return ctx.now.astimezone(ctx.tz).date()


def day_start(ctx: Ctx, day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=ctx.tz)


def ends_at(ctx: Ctx, found: WorkerPass) -> datetime:
    """The moment a pass stops being valid: the midnight after its last day."""
    return day_start(ctx, found.valid_until + timedelta(days=1))


def permit_day(ctx: Ctx, renovation: Renovation) -> date | None:
    """The day the renovation's permit was issued (None: not issued)."""
    issued = renovation.permit_issued_at
    return issued.astimezone(ctx.tz).date() if issued is not None else None


def get(ctx: Ctx, pass_id: int, *, for_update: bool = False) -> WorkerPass:
    found = ctx.session.get(WorkerPass, pass_id, with_for_update=for_update)
    if found is None:
        raise NotFound("record.not_found", id=pass_id)
    return found


def renovation_of(ctx: Ctx, found: WorkerPass) -> Renovation:
    renovation = ctx.session.get(Renovation, found.renovation_id)
    if renovation is None:  # pragma: no cover - a foreign key keeps it
        raise NotFound("record.not_found", id=found.renovation_id)
    return renovation


def canonical_number(typed: str, estate: str = "") -> str | None:
    """`SG-20261123-007` (`HG-SG-…` in estate HG) from what was typed or scanned: any case,
    with or without dashes, SG always there; `estate` is the code put first when none was typed."""
    compact = re.sub(r"[^0-9A-Z]", "", typed.upper())
    match = _NUMBER.match(compact)
    if match is None:
        return None
    code = match.group(1) or estate
    start = f"{code}-" if code else ""
    return f"{start}{PREFIX}-{match.group(2)}-{match.group(3)}"


def is_worker_number(typed: str) -> bool:
    """Whether what was typed or scanned is a worker pass's number (not a goods pass's)."""
    return canonical_number(typed) is not None


def find(ctx: Ctx, number: str, *, for_update: bool = False) -> WorkerPass | None:
    """The pass with this number as typed or scanned in this estate, or None. `for_update`
    locks its row (PostgreSQL) so two gates' counts both stand."""
    here = estates.number_prefix(ctx).rstrip("-") if estates.chosen(ctx) else ""
    canonical = canonical_number(number, here)
    if canonical is None:
        return None
    statement = select(WorkerPass).where(WorkerPass.number == canonical)
    if for_update:
        statement = statement.with_for_update()
    return ctx.session.exec(statement).first()


def status_of(ctx: Ctx, found: WorkerPass, renovation: Renovation) -> WorkerPassStatus:
    """What the pass is worth now: revoked, its works stopped or over, or by its dates."""
    if found.state == WorkerPassState.revoked:
        return WorkerPassStatus.revoked
    if renovation.state == RenovationState.suspended:
        return WorkerPassStatus.suspended
    if renovation.state not in ISSUING_STATES:
        return WorkerPassStatus.closed
    day = today(ctx)
    if day < found.valid_from:
        return WorkerPassStatus.not_yet
    if day > found.valid_until:
        return WorkerPassStatus.expired
    return WorkerPassStatus.valid


def refusal_at_gate(
    ctx: Ctx, found: WorkerPass | None, renovation: Renovation | None, typed: str
) -> DeskError | None:
    """Why the gate must not let this worker in now (each case in its own words), or None."""
    if found is None or renovation is None:
        if looks_like_id(typed):  # an ID number typed into the box: not shown back
            return DeskError("worker_pass_error.gate_id_typed")
        return DeskError("worker_pass_error.gate_unknown", number=typed.strip()[:40])
    status = status_of(ctx, found, renovation)
    number = found.number
    if status == WorkerPassStatus.revoked:
        return DeskError(
            "worker_pass_error.gate_revoked", number=number, reason=found.revoke_reason
        )
    if status == WorkerPassStatus.suspended:
        return DeskError(
            "worker_pass_error.gate_suspended", number=number, works=_works(renovation)
        )
    if status == WorkerPassStatus.closed:
        state = t(f"worker_pass_works.{renovation.state}")
        return DeskError(
            "worker_pass_error.gate_closed", number=number, works=_works(renovation), state=state
        )
    if status == WorkerPassStatus.not_yet:
        return DeskError(
            "worker_pass_error.gate_not_yet", number=number, day=found.valid_from.isoformat()
        )
    if status == WorkerPassStatus.expired:
        return DeskError(
            "worker_pass_error.gate_expired", number=number, until=found.valid_until.isoformat()
        )
    return None


def _works(renovation: Renovation) -> str:
    """A renovation as a pass names it: its permit number, or its own before one is issued."""
    return renovation.permit_number or renovation.number


def allowed_actions(ctx: Ctx, found: WorkerPass | None) -> frozenset[str]:
    """The steps (LIFECYCLE's names) a screen offers for this pass now: printing only while
    the pass can still be used (not expired, its works not stopped)."""
    offered = LIFECYCLE.offered(found)
    if found is None or "print" not in offered:
        return offered
    status = status_of(ctx, found, renovation_of(ctx, found))
    if status not in (WorkerPassStatus.valid, WorkerPassStatus.not_yet):
        return offered - {"print"}
    return offered


@dataclass(frozen=True)
class Row:
    """One pass as the list, the export and the board show it: with its works and status."""

    worker_pass: WorkerPass
    renovation: Renovation
    status: WorkerPassStatus

    @property
    def room(self) -> str:
        return self.renovation.room


def _renovation_filter(typed: str) -> Any:
    """Renovations whose number, permit number or room holds what was typed (any case)."""
    like = f"%{typed.strip().upper()}%"
    return or_(
        func.upper(col(Renovation.number)).like(like),
        func.upper(col(Renovation.permit_number)).like(like),
        func.upper(col(Renovation.room)).like(like),
    )


# a pass stays on the list this long after its last day or its revocation
LISTED_AFTER = timedelta(days=7)


def listing(ctx: Ctx, renovation: str = "", limit: int = 500) -> list[Row]:
    """Passes newest first: with `renovation` (its number, permit number or room, or part of
    one) every pass of the renovations it names; without, the passes still valid or waiting,
    and those ended or revoked within the last week."""
    statement = select(WorkerPass, Renovation).join(
        Renovation, col(Renovation.id) == WorkerPass.renovation_id
    )
    if renovation.strip():
        statement = statement.where(_renovation_filter(renovation))
    else:
        recent = today(ctx) - LISTED_AFTER
        statement = statement.where(
            col(WorkerPass.valid_until) >= recent,
            or_(
                col(WorkerPass.revoked_at).is_(None),
                col(WorkerPass.revoked_at) >= ctx.now - LISTED_AFTER,
            ),
        )
    statement = statement.order_by(col(WorkerPass.created_at).desc(), col(WorkerPass.id).desc())
    rows = ctx.session.exec(statement.limit(limit)).all()
    return [Row(p, r, status_of(ctx, p, r)) for p, r in rows]


def passes_of(ctx: Ctx, renovation_id: int) -> list[WorkerPass]:
    """Every pass of one renovation, oldest first."""
    statement = (
        select(WorkerPass)
        .where(WorkerPass.renovation_id == renovation_id)
        .order_by(col(WorkerPass.id))
    )
    return list(ctx.session.exec(statement))


def find_renovation(ctx: Ctx, typed: str) -> Renovation | None:
    """The renovation whose number or permit number was typed (any case), or None."""
    wanted = typed.strip().upper()
    if not wanted:
        return None
    statement = select(Renovation).where(
        or_(
            func.upper(col(Renovation.number)) == wanted,
            func.upper(col(Renovation.permit_number)) == wanted,
        )
    )
    return ctx.session.exec(statement.order_by(col(Renovation.id).desc())).first()


def expiring(ctx: Ctx) -> list[Row]:
    """Issued passes of works under way whose last day falls within the site's warning days
    (today included), soonest first: the contractor is asked whether to renew them."""
    first = today(ctx)
    last = first + timedelta(days=ctx.settings.renovation.worker_pass_warn_days)
    statement = (
        select(WorkerPass, Renovation)
        .join(Renovation, col(Renovation.id) == WorkerPass.renovation_id)
        .where(
            WorkerPass.state == WorkerPassState.issued,
            col(WorkerPass.valid_until) >= first,
            col(WorkerPass.valid_until) <= last,
            col(Renovation.state).in_(ISSUING_STATES),
        )
        .order_by(col(WorkerPass.valid_until), col(WorkerPass.id))
        .limit(500)
    )
    return [Row(p, r, status_of(ctx, p, r)) for p, r in ctx.session.exec(statement)]


# revoked passes stay on the handover this long: the incoming shift tells the gate
REVOKED_SHOWN = timedelta(hours=24)


def recently_revoked(ctx: Ctx) -> list[Row]:
    """Passes revoked within the last 24 hours, newest first (the gate must know)."""
    statement = (
        select(WorkerPass, Renovation)
        .join(Renovation, col(Renovation.id) == WorkerPass.renovation_id)
        .where(
            WorkerPass.state == WorkerPassState.revoked,
            col(WorkerPass.revoked_at) >= ctx.now - REVOKED_SHOWN,
        )
        .order_by(col(WorkerPass.revoked_at).desc())
        .limit(500)
    )
    return [Row(p, r, WorkerPassStatus.revoked) for p, r in ctx.session.exec(statement)]


def summary_of(found: WorkerPass, renovation: Renovation) -> str:
    """A pass in one line of the board: the worker (masked), the ID's last 4, the works."""
    return f"{mask_name(found.name)} ****{found.id_last4} {_works(renovation)}"


def open_items(ctx: Ctx) -> list[OpenItem]:
    """Passes ending within the warning days, for the board and the handover."""
    return [
        OpenItem(
            register=REGISTER,
            record_id=row.worker_pass.id or 0,
            number=row.worker_pass.number,
            room=row.room,
            summary=summary_of(row.worker_pass, row.renovation),
            state=row.worker_pass.state,
            opened_at=row.worker_pass.created_at,
            due_at=ends_at(ctx, row.worker_pass),
            due_kind="worker_pass_ends",
        )
        for row in expiring(ctx)
    ]


# --- issuing ------------------------------------------------------------------------------


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


def _renovation(ctx: Ctx, data: WorkerPassCreate) -> Renovation | None:
    if data.renovation_id is not None:
        return ctx.session.get(Renovation, data.renovation_id)
    return find_renovation(ctx, data.renovation)


def _issuable(renovation: Renovation | None, typed: str) -> Renovation:
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


def _valid_from(ctx: Ctx, typed: date | None, renovation: Renovation | None) -> date:
    day = typed or default_from(ctx, renovation)
    if day < today(ctx):
        raise DeskError("worker_pass_error.from_past", field="valid_from")
    permit = permit_day(ctx, renovation) if renovation is not None else None
    if permit is not None and day < permit:
        raise DeskError(
            "worker_pass_error.from_before_permit", field="valid_from", day=permit.isoformat()
        )
    return day


def _valid_until(
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


def _fee(ctx: Ctx, fee: int | None) -> int:
    amount = ctx.settings.renovation.worker_pass_fee_fen if fee is None else fee
    if amount < 0 or amount > MAX_FEE_FEN:
        raise DeskError("worker_pass_error.fee_range", field="fee_fen", most=MAX_FEE_FEN // 100)
    return amount


def _receipt(typed: str, fee: Callable[[], int]) -> str:
    receipt = clean_free_text(
        typed, limits.max_length(WorkerPass, "fee_receipt"), field="fee_receipt"
    )
    try:
        charged = fee()
    except DeskError:
        return receipt  # the fee's own error says it
    if charged > 0 and not receipt:
        raise DeskError("worker_pass_error.receipt_needed", field="fee_receipt")
    return receipt


def _holding(
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


def _checked(ctx: Ctx, data: WorkerPassCreate) -> dict[str, Any]:
    """Every field of a new pass read and checked; every refusal raised at once."""
    renovation = _renovation(ctx, data)
    # the dates are checked against the renovation found, even one that may not have passes
    # now (its refusal is said beside its own field)
    days: dict[str, date] = {}

    def valid_from() -> date:
        days["from"] = _valid_from(ctx, data.valid_from, renovation)
        return days["from"]

    checked = gather(
        {
            "renovation": lambda: _issuable(renovation, data.renovation),
            "name": lambda: clean_free_text(
                data.name, limits.max_length(WorkerPass, "name"), field="name", required=True
            ),
            "id_number": lambda: id_last4(data.id_number),
            "valid_from": valid_from,
            "valid_until": lambda: _valid_until(
                ctx, data.valid_until, days.get("from"), renovation
            ),
            "fee_fen": lambda: _fee(ctx, data.fee_fen),
            "fee_receipt": lambda: _receipt(data.fee_receipt, lambda: _fee(ctx, data.fee_fen)),
        }
    )
    works: Renovation = checked["renovation"]
    held = _holding(
        ctx,
        works,
        checked["name"],
        checked["id_number"],
        checked["valid_from"],
        checked["valid_until"],
    )
    if held is not None:
        raise DeskError(
            "worker_pass_error.already_holds",
            field="name",
            number=held.number,
            until=held.valid_until.isoformat(),
        )
    return checked


def refusals(ctx: Ctx, data: WorkerPassCreate) -> list[DeskError]:
    """What `issue` would refuse of `data`, each beside its field; nothing is written. A form
    that could not read some of its fields asks this of the others, to say everything at once."""
    try:
        _checked(ctx, data)
    except FieldErrors as several:
        return list(several.errors)
    except DeskError as one:
        return [one]
    return []


def issue(ctx: Ctx, data: WorkerPassCreate) -> WorkerPass:
    """Issue a pass to one worker of works under permit; every refusal is raised at once."""
    ctx.acting()
    checked = _checked(ctx, data)
    works: Renovation = checked["renovation"]
    assert works.id is not None
    name: str = checked["name"]
    last4: str = checked["id_number"]
    start: date = checked["valid_from"]
    end: date = checked["valid_until"]
    issued = WorkerPass(
        number=next_number(ctx, PREFIX),
        renovation_id=works.id,
        name=name,
        id_last4=last4,
        photo_taken=bool(data.photo_taken),
        valid_from=start,
        valid_until=end,
        fee_fen=checked["fee_fen"],
        fee_receipt=checked["fee_receipt"],
        operator_id=ctx.acting(),
        created_at=ctx.now,
    )
    ctx.session.add(issued)
    ctx.session.flush()
    audit.record(
        ctx,
        REGISTER,
        issued.id,
        "issued",
        {
            "renovation": works.number,
            "permit": works.permit_number,
            "room": works.room,
            "name": name,
            "valid_from": start,
            "valid_until": end,
            "fee_fen": issued.fee_fen,
            "fee_receipt": issued.fee_receipt,
            "photo_taken": issued.photo_taken,
        },
    )
    return issued


# --- revoking -----------------------------------------------------------------------------


def _revoke(ctx: Ctx, found: WorkerPass, reason: str, data: dict[str, Any]) -> WorkerPass:
    found.state = WorkerPassState.revoked
    found.revoked_at = ctx.now
    found.revoke_reason = reason
    ctx.session.add(found)
    audit.record(ctx, REGISTER, found.id, "revoked", data, reason=reason)
    return found


def _reason(reason: str) -> str:
    most = limits.max_length(WorkerPass, "revoke_reason")
    return clean_free_text(reason, most, field="reason", required=True)


def revoke(ctx: Ctx, pass_id: int, reason: str) -> WorkerPass:
    """Withdraw one issued pass (the worker left, the pass was lost…); the reason is kept."""
    ctx.acting()
    LIFECYCLE.permit(ctx, "revoke")
    found = get(ctx, pass_id, for_update=True)  # two desks revoking at once: one does
    LIFECYCLE.require(found, "revoke")
    return _revoke(ctx, found, _reason(reason), {})


def revoke_all(ctx: Ctx, renovation_id: int, reason: str) -> list[WorkerPass]:
    """Withdraw every issued pass of a renovation at once (its permit suspended, its works
    stopped); called by the renovation's own service. Returns the passes revoked."""
    ctx.acting()
    cleaned = _reason(reason)
    statement = (
        select(WorkerPass)
        .where(
            WorkerPass.renovation_id == renovation_id,
            WorkerPass.state == WorkerPassState.issued,
        )
        .order_by(col(WorkerPass.id))
        .with_for_update()
    )
    found = list(ctx.session.exec(statement))
    return [_revoke(ctx, each, cleaned, {"with_renovation": renovation_id}) for each in found]


# --- at the gate --------------------------------------------------------------------------


@dataclass(frozen=True)
class GateCheck:
    """What the gate found for a number: the pass (None: not on file), its works, its status
    and why the worker may not come in (None: let in)."""

    worker_pass: WorkerPass | None
    renovation: Renovation | None
    status: WorkerPassStatus | None
    refusal: DeskError | None


def gate_check(ctx: Ctx, typed: str, guard: str = "") -> GateCheck:
    """The guard scanned a worker's pass: every check of a pass on file is counted on it and
    audited with what it found; a number not on file (or another estate's) leaves nothing."""
    found = find(ctx, typed, for_update=True)
    renovation = renovation_of(ctx, found) if found is not None else None
    refused = refusal_at_gate(ctx, found, renovation, typed)
    if found is None or renovation is None:
        return GateCheck(None, None, None, refused)
    status = status_of(ctx, found, renovation)
    LIFECYCLE.require(found, "gate")
    found.gate_checks += 1
    found.last_gate_check_at = ctx.now
    ctx.session.add(found)
    data = {"result": status, "guard": guard.strip()[:60], "at_desk": ctx.operator is not None}
    audit.record(ctx, REGISTER, found.id, "gate_checked", data)
    return GateCheck(found, renovation, status, refused)


def renovations_by_id(ctx: Ctx) -> dict[int, Renovation]:
    """Every renovation by id (a few hundred a year), for the export's extra columns."""
    return {r.id: r for r in ctx.session.exec(select(Renovation)) if r.id is not None}
