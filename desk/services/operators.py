"""Operators: PINs hashed with scrypt, who may manage them, and the sign-in.

Managing operators (adding one, changing a role, disabling, resetting a PIN) is a supervisor's
act, each an audit event naming the supervisor. The one exception is the first supervisor of a
database that has no active supervisor yet: someone has to be first, and only a supervisor may
be added that way (the event names the new supervisor).

Sign-in says the same thing, after the same work, for a wrong name and a wrong PIN: an unknown
or disabled name is checked against a dummy scrypt hash, so neither the words nor the time tell
which names exist. Failures are counted per terminal (host name + tty device) and name typed
there, not per operator, so no one can lock the supervisor out from another terminal: after
FREE_FAILURES failures the next attempt must wait, twice as long each time up to
MAX_DELAY_SECONDS; an attempt inside the wait is refused without looking at the PIN, and a
success starts the count over. A PIN asked again inside an action (the handover) follows the
same rule (confirm_pin).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import os
import re
import secrets
import socket
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from desk.models import AuditEvent, Operator, Role, SignInTerminal
from desk.services import audit, estates, roles
from desk.services.context import Ctx
from desk.services.errors import DeskError, Forbidden, LastingRefusal
from desk.services.limits import clean_column
from desk.services.operator_names import operator_names as operator_names
from desk.services.residents import storable
from desk.services.roles import require_role as require_role

_N, _R, _P = 2**14, 8, 1
_PIN = re.compile(r"^\d{4,8}$")

FREE_FAILURES = 3  # failures at one terminal before the next attempt there waits
FIRST_DELAY_SECONDS = 2  # then 2, 4, 8, 16, 32 seconds …
MAX_DELAY_SECONDS = 60  # … and never more than a minute
FORGET_AFTER = timedelta(hours=24)  # failures this old no longer count


def hash_pin(pin: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    encode = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${encode(salt).decode()}${encode(digest).decode()}"


def check_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt" or not storable(pin):
        return False
    candidate = hashlib.scrypt(
        pin.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=32
    )
    return hmac.compare_digest(candidate, base64.b64decode(digest))


# A hash no PIN is known for (its digest is random bytes, not the scrypt of anything): an
# unknown name costs one scrypt, as a known one does. A constant, so that the first unknown name
# in a process does not cost a second scrypt to make it (an outside review timed that).
_DUMMY_HASH = (
    "scrypt$16384$8$1$FnAHBSsuJlPUuoyfLknTeA==$KFtqccy12aRxKZczPb2tD2j6+U7pk/H6yS4lHSRt0AU="
)


def dummy_hash() -> str:
    """A hash no PIN is known for: an unknown name costs the same scrypt as a known one."""
    return _DUMMY_HASH


def valid_pin(pin: str) -> str:
    if not _PIN.match(pin):
        raise DeskError("operator.bad_pin", field="pin")
    return pin


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 40:
        raise DeskError("operator.bad_name", field="name")
    # a name that looks like another on the screen, in the audit trail and on paper is refused:
    # invisible characters (zero-width, direction marks) and forms that Unicode folds into
    # plainer ones (full-width Ｗang is Wang)
    invisible = any(unicodedata.category(ch) in ("Cf", "Cc", "Co", "Cn") for ch in name)
    if invisible or unicodedata.normalize("NFKC", name) != name:
        raise DeskError("operator.lookalike_name", field="name")
    return clean_column(name, Operator, "name")


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError as exc:
        raise DeskError("operator.bad_role", field="role", role=role) from exc


# --- who may manage operators ---------------------------------------------------------------


def active_supervisors(ctx: Ctx) -> int:
    statement = select(func.count()).where(
        Operator.role == Role.supervisor, col(Operator.active).is_(True)
    )
    return int(ctx.session.exec(statement).one())


def _refuse_manage() -> Forbidden:
    rule = roles.OPERATORS_MANAGE
    return Forbidden("role.denied_because", action=rule.action, because=rule.because)


def acting_supervisor(ctx: Ctx) -> Operator:
    """The signed-in supervisor, read afresh from the database (a role changed or an operator
    disabled since the sign-in counts); Forbidden for anyone else or no one."""
    acting = None
    if ctx.operator is not None and ctx.operator.id is not None:
        acting = ctx.session.get(Operator, ctx.operator.id)
    if acting is None or not acting.active or acting.role != Role.supervisor:
        raise _refuse_manage()
    return acting


def may_add(ctx: Ctx, role: Role | str) -> Operator | None:
    """Raise unless the signed-in operator may add an operator of `role` now; the acting
    supervisor, or None for the first supervisor of a database that has no active one."""
    chosen = _role(role)
    if ctx.operator is None and active_supervisors(ctx) == 0:
        if chosen != Role.supervisor:
            raise DeskError("operator.first_supervisor", field="role")
        return None
    return acting_supervisor(ctx)


def add_operator(ctx: Ctx, name: str, role: Role | str, pin: str) -> Operator:
    """Add an operator, as the signed-in supervisor (or as the very first supervisor)."""
    name = _clean_name(name)
    chosen = _role(role)
    valid_pin(pin)
    acting = may_add(ctx, chosen)
    if ctx.session.exec(select(Operator).where(Operator.name == name)).first():
        raise DeskError("operator.exists", field="name", name=name)
    operator = Operator(name=name, role=chosen, pin_hash=hash_pin(pin), created_at=ctx.now)
    ctx.session.add(operator)
    ctx.session.flush()
    data: dict[str, object] = {"name": name, "role": chosen}
    confined = estates.confine(ctx, acting, operator)  # a supervisor of some estates: theirs
    if confined:
        data["estates"] = confined
    if acting is None:  # the first supervisor: the event names them
        data["first_supervisor"] = True
        audit.record(replace(ctx, operator=operator), "operator", operator.id, "created", data)
    else:
        audit.record(replace(ctx, operator=acting), "operator", operator.id, "created", data)
    return operator


def named(ctx: Ctx, name: str) -> Operator | None:
    """The operator of that name as typed (spaces around it dropped); None when there is none,
    or the text could not even be a stored name."""
    typed = name.strip()
    if not storable(typed):
        return None
    return ctx.session.exec(select(Operator).where(Operator.name == typed)).first()


def find_operator(ctx: Ctx, name: str) -> Operator:
    found = named(ctx, name)
    if found is None:
        raise DeskError("operator.not_found", field="name", name=name)
    return found


def _not_the_last_supervisor(ctx: Ctx, target: Operator, acting: Operator) -> None:
    if target.role == Role.supervisor and target.active and active_supervisors(ctx) <= 1:
        raise DeskError("operator.last_supervisor", name=target.name)
    if target.id == acting.id:
        raise DeskError("operator.not_yourself")


def set_role(ctx: Ctx, name: str, role: Role | str) -> Operator:
    """A supervisor gives another operator a new role (never their own, never the last
    active supervisor's)."""
    acting = acting_supervisor(ctx)
    target = find_operator(ctx, name)
    estates.check_reach(ctx, acting, target)
    chosen = _role(role)
    if target.role == chosen:
        raise DeskError("operator.same_role", name=target.name)
    if chosen != Role.supervisor:
        _not_the_last_supervisor(ctx, target, acting)
    elif target.id == acting.id:
        raise DeskError("operator.not_yourself")
    before = target.role
    target.role = chosen
    ctx.session.add(target)
    data = {"role": chosen, "was": before}
    audit.record(replace(ctx, operator=acting), "operator", target.id, "role_changed", data)
    return target


def set_active(ctx: Ctx, name: str, active: bool) -> Operator:
    """A supervisor disables an operator (they can no longer sign in; their records keep
    their name) or enables one again. Never themself, never the last active supervisor."""
    acting = acting_supervisor(ctx)
    target = find_operator(ctx, name)
    estates.check_reach(ctx, acting, target)
    if target.active == active:
        key = "operator.already_active" if active else "operator.already_disabled"
        raise DeskError(key, name=target.name)
    if not active:
        _not_the_last_supervisor(ctx, target, acting)
    target.active = active
    ctx.session.add(target)
    action = "enabled" if active else "disabled"
    audit.record(replace(ctx, operator=acting), "operator", target.id, action, {"active": active})
    return target


def reset_pin(ctx: Ctx, name: str, pin: str) -> Operator:
    """A supervisor sets a new PIN for an operator (their own too); the event holds no PIN."""
    acting = acting_supervisor(ctx)
    valid_pin(pin)
    target = find_operator(ctx, name)
    estates.check_reach(ctx, acting, target)
    target.pin_hash = hash_pin(pin)
    ctx.session.add(target)
    audit.record(replace(ctx, operator=acting), "operator", target.id, "pin_reset")
    return target


def all_operators(ctx: Ctx) -> list[Operator]:
    return list(ctx.session.exec(select(Operator).order_by(col(Operator.name))))


def active_operators(ctx: Ctx) -> list[Operator]:
    statement = select(Operator).where(col(Operator.active)).order_by(col(Operator.name))
    return list(ctx.session.exec(statement))


# --- sign-in ---------------------------------------------------------------------------------


def last_signed_in(ctx: Ctx) -> str | None:
    """The name the sign-in screen offers first: whoever signed in last (if still active), or
    the only active operator; None when there is no one to offer."""
    statement = (
        select(AuditEvent.record_id, AuditEvent.data)
        .where(AuditEvent.register_name == "operator", AuditEvent.action == "signed_in")
        .order_by(col(AuditEvent.id).desc())
        .limit(50)
    )
    here = (who for who, data in ctx.session.exec(statement) if estates.signed_in_here(ctx, data))
    last = next(here, None)
    people = active_operators(ctx)
    for person in people:
        if person.id == last:
            return person.name
    return people[0].name if len(people) == 1 else None


def this_terminal() -> str:
    """Which terminal this process runs at: host name and tty device (or "no-tty")."""
    try:
        device = os.ttyname(0)
    except OSError:
        device = "no-tty"
    return f"{socket.gethostname() or 'localhost'}:{device}"[:200]


def attempt_key(terminal: str, name: str) -> str:
    """Where failures are counted: one terminal, one name typed at it."""
    shown = name.encode("utf-8", "backslashreplace").decode("utf-8")  # a lone surrogate too
    return f"{terminal}|{shown}"[:200]


def delay_after(failures: int) -> int:
    """Seconds the next attempt waits after `failures` failures in a row at one terminal."""
    if failures <= FREE_FAILURES:
        return 0
    doublings = min(failures - FREE_FAILURES - 1, 8)
    return int(min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2**doublings))


def wait_seconds(ctx: Ctx, terminal: str) -> int:
    """How long an attempt at `terminal` must still wait (0: it may try now)."""
    state = ctx.session.get(SignInTerminal, terminal)
    if state is None or state.wait_until is None or state.wait_until <= ctx.now:
        return 0
    seconds = math.ceil((state.wait_until - ctx.now).total_seconds())
    # the desk never sets a wait longer than the rule's: one written into the file by hand
    # (until 2099) is not a way to lock a terminal out
    return seconds if seconds <= MAX_DELAY_SECONDS else 0


def _count_failure(session: Session, now: datetime, terminal: str) -> None:
    state = session.get(SignInTerminal, terminal)
    if state is None:
        state = SignInTerminal(terminal=terminal)
    elif state.last_failure_at is not None and now - state.last_failure_at > FORGET_AFTER:
        state.failures = 0
    state.failures += 1
    state.last_failure_at = now
    state.wait_until = now + timedelta(seconds=delay_after(state.failures))
    session.add(state)


def _pin_matches(ctx: Ctx, operator: Operator | None, pin: str, where: str) -> bool:
    """Check `pin` against an active operator's hash (a dummy one for anyone else, as long);
    a match clears the failures counted at `where`."""
    usable = operator is not None and operator.active
    stored = operator.pin_hash if operator is not None and usable else dummy_hash()
    if not check_pin(pin, stored) or not usable:
        return False
    state = ctx.session.get(SignInTerminal, where)
    if state is not None:
        ctx.session.delete(state)
    return True


def confirm_pin(
    ctx: Ctx, operator: Operator | None, typed: str, pin: str, refusal: str, field: str = "pin"
) -> Operator:
    """A PIN asked again inside an action (the handover's sign-off and acknowledgement).

    The same rule as the sign-in: counted per terminal and name typed, the growing wait
    before the next try, an unknown name answered as a wrong PIN (`refusal`, a catalogue key).
    The failure is counted although the action's transaction is rolled back.
    """
    where = attempt_key(this_terminal(), typed.strip())
    if operator is not None and operator.id is not None:
        # as the operator is now: a PIN reset or a disabling since the sign-in counts at once
        operator = ctx.session.get(Operator, operator.id, populate_existing=True)
    seconds = wait_seconds(ctx, where)
    if seconds:
        raise DeskError("signin.pin_wait", field=field, seconds=seconds)
    if not _pin_matches(ctx, operator, pin, where) or operator is None:
        now = ctx.now
        raise LastingRefusal(
            refusal, lasting=lambda session: _count_failure(session, now, where), field=field
        )
    return operator


@dataclass
class SignIn:
    """The outcome of a sign-in attempt; `error` is set when it failed."""

    operator: Operator | None
    error: DeskError | None = None
    # the estates the desk reads from now on (None: every one; desk.services.estates.admit)
    estates: tuple[int, ...] | None = None


def sign_in(ctx: Ctx, name: str, pin: str, terminal: str | None = None) -> SignIn:
    """Check a name and PIN at `terminal` (this process's own by default).

    The failure count is written in this transaction and must be committed even though the
    sign-in failed: the caller commits (it is an outcome, not an exception).
    """
    typed = name.strip()
    # counted per terminal and per name typed there: a clerk's own sign-in does not wipe out
    # the guesses at the supervisor's PIN made at that keyboard, and guesses at one name hold
    # up no one else
    where = attempt_key(terminal or this_terminal(), typed)
    seconds = wait_seconds(ctx, where)
    if seconds:
        return SignIn(None, DeskError("signin.wait", seconds=seconds))
    operator = named(ctx, typed)
    if not _pin_matches(ctx, operator, pin, where) or operator is None:
        _count_failure(ctx.session, ctx.now, where)
        return SignIn(None, DeskError("signin.refused"))
    try:
        reads = estates.admit(ctx, operator)
    except DeskError as refused:
        return SignIn(None, refused)
    at_desk = estates.desk_mark(ctx)  # a shift's holders: those of its own estate's desk
    audit.record(replace(ctx, operator=operator), "operator", operator.id, "signed_in", at_desk)
    return SignIn(operator, estates=reads)
