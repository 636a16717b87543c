"""Operators: PIN hashing, sign-in, lockout after five wrong PINs."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desk.db import Database
from desk.models import Operator, Role
from desk.services import operators
from desk.services.context import Ctx
from desk.services.errors import DeskError
from tests.conftest import NOW


def _try(db: Database, pin: str, now=NOW) -> operators.SignIn:  # type: ignore[no-untyped-def]
    with db.writing() as session:
        return operators.sign_in(Ctx(session, None, db.settings, now), "王芳", pin)


def test_pin_is_hashed_with_scrypt(clerk: Operator) -> None:
    assert clerk.pin_hash.startswith("scrypt$")
    assert "1234" not in clerk.pin_hash
    assert operators.check_pin("1234", clerk.pin_hash)
    assert not operators.check_pin("4321", clerk.pin_hash)


def test_sign_in_with_the_right_pin(db: Database, clerk: Operator) -> None:
    outcome = _try(db, "1234")
    assert outcome.operator is not None and outcome.operator.name == "王芳"


def test_five_wrong_pins_lock_sign_in(db: Database, clerk: Operator) -> None:
    messages = [_try(db, "0000").error for _ in range(5)]
    assert messages[0] is not None and messages[0].key == "signin.wrong_pin"
    assert messages[-1] is not None and messages[-1].key == "signin.locked"
    locked = _try(db, "1234")  # even the right PIN is refused while locked
    assert locked.operator is None and locked.error is not None
    assert locked.error.key == "signin.locked"
    later = _try(db, "1234", NOW + timedelta(minutes=16))
    assert later.operator is not None


def test_bad_operator_data_is_refused(db: Database, clerk: Operator) -> None:
    with db.writing() as session:
        ctx = Ctx(session, None, db.settings, NOW)
        for name, role, pin in (
            ("王芳", "clerk", "1234"),
            ("新人", "boss", "1234"),
            ("新人", "clerk", "12"),
        ):
            with pytest.raises(DeskError):
                operators.add_operator(ctx, name, role, pin)
    assert Role.clerk == "clerk"
