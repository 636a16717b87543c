"""Operators: PIN hashing, who may manage operators, and sign-in with a delay per terminal.

The defences are tried as an insider would: adding oneself as a second "first supervisor",
acting as a clerk, disabling the last supervisor, guessing names, hammering the supervisor's
PIN from one terminal while she signs in at another. After each refusal nothing has changed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import col, func, select

from desk.db import Database
from desk.models import AuditEvent, Operator, Role, SignInTerminal
from desk.services import operators
from desk.services.context import Ctx
from desk.services.errors import DeskError, Forbidden
from tests.conftest import NOW, add_staff

HERE, THERE = "desk-1:/dev/tty1", "desk-2:/dev/tty2"


def _try(
    db: Database, pin: str, now: datetime = NOW, name: str = "王芳", terminal: str = HERE
) -> operators.SignIn:
    with db.writing() as session:
        return operators.sign_in(Ctx(session, None, db.settings, now), name, pin, terminal)


def _why(outcome: operators.SignIn) -> tuple[str, dict[str, object]] | None:
    """A failed sign-in's message key and parameters; None when it succeeded."""
    return None if outcome.error is None else (outcome.error.key, outcome.error.params)


REFUSED = ("signin.refused", {})


def _rows(db: Database) -> dict[str, object]:
    """What a refusal must leave as it was: every operator's row and the number of events."""
    with db.reading() as session:
        people = [
            (o.id, o.name, o.role, o.active, o.pin_hash)
            for o in session.exec(select(Operator).order_by(col(Operator.id)))
        ]
        events = session.exec(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.register_name != "estates")  # the upgrade's own
        ).one()
    return {"operators": people, "events": events}


def _as(db: Database, operator: Operator | None, action, *args):  # type: ignore[no-untyped-def]
    with db.writing() as session:
        return action(Ctx(session, operator, db.settings, NOW), *args)


def _events(db: Database, action: str) -> list[AuditEvent]:
    with db.reading() as session:
        return list(
            session.exec(
                select(AuditEvent).where(
                    AuditEvent.action == action, AuditEvent.register_name != "estates"
                )
            )
        )


# --- PINs ------------------------------------------------------------------------------------


def test_pin_is_hashed_with_scrypt(clerk: Operator) -> None:
    assert clerk.pin_hash.startswith("scrypt$")
    assert "1234" not in clerk.pin_hash
    assert operators.check_pin("1234", clerk.pin_hash)
    assert not operators.check_pin("4321", clerk.pin_hash)


def test_sign_in_with_the_right_pin(db: Database, clerk: Operator) -> None:
    outcome = _try(db, "1234")
    assert outcome.operator is not None and outcome.operator.name == "王芳"
    (event,) = _events(db, "signed_in")
    assert event.operator_id == clerk.id  # the sign-in names who signed in


def test_bad_operator_data_is_refused(db: Database, clerk: Operator, supervisor: Operator) -> None:
    before = _rows(db)
    for name, role, pin in (
        ("王芳", "clerk", "1234"),
        ("新人", "boss", "1234"),
        ("新人", "clerk", "12"),
    ):
        with pytest.raises(DeskError):
            _as(db, supervisor, operators.add_operator, name, role, pin)
    assert _rows(db) == before
    assert Role.clerk == "clerk"


# --- who may add and change operators --------------------------------------------------------


def test_the_first_supervisor_needs_no_one_and_names_herself(db: Database) -> None:
    first = _as(db, None, operators.add_operator, "陈主管", "supervisor", "9999")
    (event,) = _events(db, "created")
    assert event.operator_id == first.id and event.record_id == first.id
    assert '"first_supervisor": true' in event.data


def test_the_first_operator_must_be_a_supervisor(db: Database) -> None:
    with pytest.raises(DeskError) as refused:
        _as(db, None, operators.add_operator, "王芳", "clerk", "1234")
    assert refused.value.key == "operator.first_supervisor"
    assert _rows(db) == {"operators": [], "events": 0}


@pytest.mark.tampers  # the supervisor is made inactive in the file, as an old desk had it
def test_a_desk_from_before_with_no_active_supervisor_may_get_its_first(
    db: Database, clerk: Operator
) -> None:
    """A database made before supervisors were needed (clerks only): its first supervisor is
    added the same way, and only a supervisor."""
    with db.writing() as session:  # as such a database is: its supervisor long gone
        boss = session.exec(select(Operator).where(Operator.role == Role.supervisor)).one()
        boss.active = False
        session.add(boss)
    with pytest.raises(DeskError):
        _as(db, None, operators.add_operator, "刘洋", "clerk", "2222")
    first = _as(db, None, operators.add_operator, "陈静", "supervisor", "9999")
    assert first.role == Role.supervisor
    with pytest.raises(Forbidden):
        _as(db, None, operators.add_operator, "冒充者", "supervisor", "0000")


def test_a_second_first_supervisor_is_refused(db: Database, supervisor: Operator) -> None:
    """Anyone at the terminal making themselves a supervisor: refused once there is one."""
    before = _rows(db)
    with pytest.raises(Forbidden) as refused:
        _as(db, None, operators.add_operator, "冒充者", "supervisor", "0000")
    assert refused.value.message.startswith("only a supervisor may manage operators")
    assert _rows(db) == before


@pytest.mark.parametrize("role", [Role.clerk, Role.night])
def test_only_a_supervisor_adds_operators(db: Database, supervisor: Operator, role: Role) -> None:
    someone = add_staff(db, "张伟", role, "3333")
    before = _rows(db)
    with pytest.raises(Forbidden) as refused:
        _as(db, someone, operators.add_operator, "冒充者", "supervisor", "0000")
    assert refused.value.message == (
        "only a supervisor may manage operators and their roles, because who may sign in, "
        "and as what, decides who may do everything else"
    )
    assert _rows(db) == before


def test_a_supervisor_adds_and_the_event_names_her(db: Database, supervisor: Operator) -> None:
    added = add_staff(db, "李娜", "night", "4321")
    (event,) = [e for e in _events(db, "created") if e.record_id == added.id]
    assert event.operator_id == supervisor.id
    assert "4321" not in event.data and "scrypt" not in event.data


def test_a_demoted_or_disabled_supervisor_can_no_longer_manage(
    db: Database, supervisor: Operator
) -> None:
    """The acting operator is read afresh: the role in hand at sign-in is not enough."""
    second = add_staff(db, "赵主管", "supervisor", "8888")
    _as(db, supervisor, operators.set_role, "赵主管", "clerk")
    before = _rows(db)
    with pytest.raises(Forbidden):
        _as(db, second, operators.add_operator, "冒充者", "clerk", "0000")
    assert _rows(db) == before
    _as(db, supervisor, operators.set_role, "赵主管", "supervisor")
    _as(db, supervisor, operators.set_active, "赵主管", False)
    before = _rows(db)
    with pytest.raises(Forbidden):
        _as(db, second, operators.reset_pin, "陈主管", "0000")
    assert _rows(db) == before


def test_role_disable_enable_and_pin_are_audited(
    db: Database, supervisor: Operator, clerk: Operator
) -> None:
    _as(db, supervisor, operators.set_role, "王芳", "night")
    _as(db, supervisor, operators.set_active, "王芳", False)
    assert _try(db, "1234").operator is None  # a disabled operator cannot sign in
    _as(db, supervisor, operators.set_active, "王芳", True)
    _as(db, supervisor, operators.reset_pin, "王芳", "5678")
    assert _try(db, "1234").operator is None
    assert _try(db, "5678").operator is not None
    with db.reading() as session:
        events = session.exec(
            select(AuditEvent)
            .where(AuditEvent.record_id == clerk.id, AuditEvent.register_name == "operator")
            .order_by(col(AuditEvent.id))
        ).all()
    acts = [(e.action, e.operator_id) for e in events if e.action != "signed_in"]
    boss = supervisor.id
    assert acts == [
        ("created", boss),
        ("role_changed", boss),
        ("disabled", boss),
        ("enabled", boss),
        ("pin_reset", boss),
    ]
    assert all("5678" not in e.data and "scrypt" not in e.data for e in events)


@pytest.mark.parametrize(
    ("action", "args"),
    [
        (operators.set_role, ("王芳", "supervisor")),
        (operators.set_active, ("王芳", False)),
        (operators.reset_pin, ("王芳", "0000")),
    ],
    ids=["role", "disable", "pin"],
)
def test_a_clerk_cannot_change_operators(
    db: Database,
    clerk: Operator,
    action,
    args,  # type: ignore[no-untyped-def]
) -> None:
    before = _rows(db)
    for someone in (clerk, None):
        with pytest.raises(Forbidden):
            _as(db, someone, action, *args)
    assert _rows(db) == before


def test_the_last_supervisor_cannot_be_disabled_or_demoted(
    db: Database, supervisor: Operator
) -> None:
    before = _rows(db)
    for action, args in (
        (operators.set_active, ("陈主管", False)),
        (operators.set_role, ("陈主管", "clerk")),
    ):
        with pytest.raises(DeskError) as refused:
            _as(db, supervisor, action, *args)
        assert refused.value.key == "operator.last_supervisor"
    assert _rows(db) == before


def test_a_supervisor_cannot_disable_herself_even_with_another(
    db: Database, supervisor: Operator
) -> None:
    add_staff(db, "赵主管", "supervisor", "8888")
    before = _rows(db)
    for action, args in (
        (operators.set_active, ("陈主管", False)),
        (operators.set_role, ("陈主管", "clerk")),
    ):
        with pytest.raises(DeskError) as refused:
            _as(db, supervisor, action, *args)
        assert refused.value.key == "operator.not_yourself"
    assert _rows(db) == before


def test_changes_to_no_one_or_to_nothing_are_refused(
    db: Database, supervisor: Operator, clerk: Operator
) -> None:
    before = _rows(db)
    for action, args, key in (
        (operators.set_role, ("无此人", "clerk"), "operator.not_found"),
        (operators.set_role, ("王芳", "clerk"), "operator.same_role"),
        (operators.set_role, ("王芳", "boss"), "operator.bad_role"),
        (operators.set_active, ("王芳", True), "operator.already_active"),
        (operators.reset_pin, ("王芳", "12"), "operator.bad_pin"),
    ):
        with pytest.raises(DeskError) as refused:
            _as(db, supervisor, action, *args)
        assert refused.value.key == key
    assert _rows(db) == before


# --- sign-in ---------------------------------------------------------------------------------


def test_unknown_name_and_wrong_pin_read_the_same(
    db: Database, clerk: Operator, supervisor: Operator
) -> None:
    _as(db, supervisor, operators.set_active, "王芳", False)
    wrong_pin = _try(db, "0000", name="陈主管").error
    unknown = _try(db, "1234", name="无此人").error
    disabled = _try(db, "1234", name="王芳").error  # the right PIN of a disabled operator
    assert wrong_pin is not None and unknown is not None and disabled is not None
    assert wrong_pin.message == unknown.message == disabled.message == "wrong operator or PIN"
    assert "无此人" not in unknown.message


def test_an_unknown_name_costs_a_scrypt_too(
    db: Database, clerk: Operator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The time does not tell a name apart: the PIN is checked against a dummy hash."""
    checked: list[str] = []
    real = operators.check_pin
    monkeypatch.setattr(
        operators, "check_pin", lambda pin, stored: checked.append(stored) or real(pin, stored)
    )
    for name in ("王芳", "无此人", "\ud800"):
        _try(db, "0000", name=name)
    assert len(checked) == 3 and all(h.startswith("scrypt$16384$8$1$") for h in checked)


def test_failures_make_the_next_attempt_at_that_terminal_wait(
    db: Database, clerk: Operator
) -> None:
    for _ in range(operators.FREE_FAILURES):
        assert _why(_try(db, "0000")) == REFUSED
    assert _try(db, "1234").operator is not None  # three free failures: no wait yet
    delays = []
    for n in range(12):
        error = _try(db, "0000", NOW + timedelta(hours=n)).error
        assert error is not None and error.key == "signin.refused"
        delays.append(operators.delay_after(n + 1))
    assert delays == [0, 0, 0, 2, 4, 8, 16, 32, 60, 60, 60, 60]
    # inside the wait even the right PIN is refused, without being checked
    last = NOW + timedelta(hours=11)
    inside = _try(db, "1234", last + timedelta(seconds=58))
    assert inside.operator is None and _why(inside) == ("signin.wait", {"seconds": 2})
    assert inside.error is not None
    assert inside.error.message == "too many failed sign-ins at this terminal: wait 2 seconds"
    with db.reading() as session:
        state = session.get(SignInTerminal, operators.attempt_key(HERE, "王芳"))
        assert state is not None and state.failures == 12
        assert state.wait_until == last + timedelta(seconds=60)
    assert _try(db, "1234", last + timedelta(seconds=60)).operator is not None
    with db.reading() as session:  # a success starts the count over
        assert session.get(SignInTerminal, operators.attempt_key(HERE, "王芳")) is None


@pytest.mark.tampers
def test_a_wait_written_into_the_file_by_hand_locks_no_one_out(
    db: Database, clerk: Operator
) -> None:
    for _ in range(operators.FREE_FAILURES + 1):
        _try(db, "0000")
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE signin_terminal SET wait_until = :until"),
            {"until": datetime(2099, 1, 1)},
        )
    assert _try(db, "1234").operator is not None


def test_an_attempt_inside_the_wait_is_not_checked_nor_counted(
    db: Database, clerk: Operator, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(operators.FREE_FAILURES + 1):
        _try(db, "0000")
    monkeypatch.setattr(operators, "check_pin", lambda pin, stored: pytest.fail("checked"))
    assert _why(_try(db, "1234", NOW + timedelta(seconds=1))) == ("signin.wait", {"seconds": 1})
    with db.reading() as session:
        state = session.get(SignInTerminal, operators.attempt_key(HERE, "王芳"))
        assert state is not None and state.failures == operators.FREE_FAILURES + 1


def test_someone_hammering_one_terminal_never_locks_the_supervisor_out(
    db: Database, supervisor: Operator
) -> None:
    """The old lock let anyone keep the supervisor out; now only that terminal waits."""
    for n in range(20):
        _try(db, f"{n:04d}", NOW + timedelta(minutes=n), name="陈主管", terminal=THERE)
    later = NOW + timedelta(minutes=19)
    assert _try(db, "9999", later, name="陈主管", terminal=THERE).error is not None
    assert _try(db, "9999", later, name="陈主管", terminal=HERE).operator is not None
    with db.reading() as session:
        boss = session.get(Operator, supervisor.id)
        assert boss is not None and boss.locked_until is None and boss.failed_attempts == 0


def test_a_clerks_own_sign_in_does_not_wipe_out_guesses_at_the_supervisor(
    db: Database, clerk: Operator, supervisor: Operator
) -> None:
    """Three guesses at the supervisor's PIN, then the clerk signs in as herself, over and
    over: the guesses at the supervisor still add up, and soon each one waits."""
    moment = NOW
    for guess in range(operators.FREE_FAILURES + 1):
        moment += timedelta(seconds=1)
        _try(db, f"{guess:04d}", moment, name="陈主管")
        assert _try(db, "1234", moment).operator is not None  # the clerk, as herself
    waited = _try(db, "9999", moment + timedelta(seconds=1), name="陈主管")
    assert _why(waited) == ("signin.wait", {"seconds": 1})


def test_old_failures_are_forgotten_after_a_day(db: Database, clerk: Operator) -> None:
    for _ in range(6):
        _try(db, "0000")
    next_day = NOW + operators.FORGET_AFTER + timedelta(minutes=1)
    assert _why(_try(db, "0000", next_day)) == REFUSED
    with db.reading() as session:
        state = session.get(SignInTerminal, operators.attempt_key(HERE, "王芳"))
        assert state is not None and state.failures == 1 and state.wait_until == next_day


def test_the_terminal_is_the_host_and_tty() -> None:
    terminal = operators.this_terminal()
    host, _, device = terminal.partition(":")
    assert host and (device == "no-tty" or device.startswith("/dev/"))


@pytest.mark.parametrize("name", ["王芳\u200b", "Ｗang", "陈静\u202e", "王\u00adfang"])
def test_a_name_that_would_pass_for_another_is_refused(
    db: Database, supervisor: Operator, name: str
) -> None:
    before = _rows(db)
    with pytest.raises(DeskError) as refused:
        _as(db, supervisor, operators.add_operator, name, "clerk", "2468")
    assert refused.value.key == "operator.lookalike_name"
    assert _rows(db) == before
