"""Operators: PINs hashed with scrypt, sign-in with a lockout after repeated wrong PINs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import col, select

from desk.models import Operator, Role
from desk.services import audit
from desk.services.context import Ctx
from desk.services.errors import DeskError, Forbidden
from desk.services.residents import clean_text, storable

_N, _R, _P = 2**14, 8, 1
_PIN = re.compile(r"^\d{4,8}$")


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


def add_operator(ctx: Ctx, name: str, role: Role | str, pin: str) -> Operator:
    name = name.strip()
    if not name or len(name) > 40:
        raise DeskError("operator.bad_name", field="name")
    name = clean_text(name, 40, field="name")
    try:
        role = Role(role)
    except ValueError as exc:
        raise DeskError("operator.bad_role", field="role", role=role) from exc
    if not _PIN.match(pin):
        raise DeskError("operator.bad_pin", field="pin")
    if ctx.session.exec(select(Operator).where(Operator.name == name)).first():
        raise DeskError("operator.exists", field="name", name=name)
    operator = Operator(name=name, role=role, pin_hash=hash_pin(pin), created_at=ctx.now)
    ctx.session.add(operator)
    ctx.session.flush()
    audit.record(ctx, "operator", operator.id, "created", {"name": name, "role": role})
    return operator


def active_operators(ctx: Ctx) -> list[Operator]:
    statement = select(Operator).where(col(Operator.active)).order_by(col(Operator.name))
    return list(ctx.session.exec(statement))


@dataclass
class SignIn:
    """The outcome of a sign-in attempt; `error` is set when it failed."""

    operator: Operator | None
    error: DeskError | None = None


def sign_in(ctx: Ctx, name: str, pin: str) -> SignIn:
    """Check a PIN. Failures are counted and committed; too many lock the operator for a while."""
    typed = name.strip()
    operator = None
    if storable(typed):
        operator = ctx.session.exec(select(Operator).where(Operator.name == typed)).first()
    if operator is None or not operator.active:
        return SignIn(None, DeskError("signin.unknown", name=name))
    rules = ctx.settings.signin
    if operator.locked_until and operator.locked_until > ctx.now:
        minutes = int((operator.locked_until - ctx.now).total_seconds() // 60) + 1
        return SignIn(None, DeskError("signin.locked", minutes=minutes))
    if not check_pin(pin, operator.pin_hash):
        operator.failed_attempts += 1
        left = rules.max_failures - operator.failed_attempts
        if left <= 0:
            operator.failed_attempts = 0
            operator.locked_until = ctx.now + timedelta(minutes=rules.lockout_minutes)
            ctx.session.add(operator)
            audit.record(ctx, "operator", operator.id, "locked", {"until": operator.locked_until})
            return SignIn(None, DeskError("signin.locked", minutes=rules.lockout_minutes))
        ctx.session.add(operator)
        return SignIn(None, DeskError("signin.wrong_pin", left=left))
    operator.failed_attempts = 0
    operator.locked_until = None
    ctx.session.add(operator)
    audit.record(ctx, "operator", operator.id, "signed_in")
    return SignIn(operator)


def require_role(ctx: Ctx, *roles: Role, action: str, because: str = "") -> None:
    """Refuse, with a reason, an action the signed-in operator's role does not allow.

    `action` and `because` are already in the current language ("void a release pass", "…");
    desk.services.roles keeps the table of such actions.
    """
    if ctx.operator is None or ctx.operator.role not in roles:
        if because:
            raise Forbidden("role.denied_because", action=action, because=because)
        raise Forbidden("role.denied", action=action)


def operator_names(ctx: Ctx, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = ctx.session.exec(select(Operator.id, Operator.name).where(col(Operator.id).in_(ids)))
    return {row[0]: row[1] for row in rows if row[0] is not None}
