"""Who may do what: the supervisor-only actions, their words in both languages, the refusal."""

from __future__ import annotations

import pytest

from desk.db import Database
from desk.i18n import LANGUAGES, catalogue, set_language
from desk.models import Operator, Role
from desk.services import operators, roles
from desk.services.errors import Forbidden
from tests.conftest import Desk, add_staff


def test_every_rule_has_its_action_and_reason_in_both_languages() -> None:
    messages = catalogue()
    names = [rule.name for rule in roles.ALL]
    assert len(set(names)) == len(names)
    for name in names:
        for part in ("action", "because"):
            entry = messages[f"roles.{part}.{name}"]
            assert all(entry[lang].strip() for lang in LANGUAGES)


@pytest.mark.parametrize("rule", roles.ALL, ids=lambda rule: rule.name)
def test_only_a_supervisor_passes_each_rule(
    db: Database, clerk: Operator, night: Operator, supervisor: Operator, rule: roles.Restricted
) -> None:
    for operator in (clerk, night, None):
        with Desk(db, operator).read() as ctx:
            assert not rule.allows(ctx)
            with pytest.raises(Forbidden) as refused:
                rule.require(ctx)
        message = refused.value.message
        if rule.denial == "role.denied_because":
            assert message == f"only a supervisor may {rule.action}, because {rule.because}"
        else:  # another role may too (the records clerk): the refusal names it
            assert message.startswith("only a supervisor or ") and rule.action in message
    with Desk(db, supervisor).read() as ctx:
        assert rule.allows(ctx)
        rule.require(ctx)


def test_the_refusal_reads_in_chinese(db: Database, clerk: Operator) -> None:
    set_language("zh_CN")
    with Desk(db, clerk).read() as ctx, pytest.raises(Forbidden) as refused:
        roles.REPAIR_CANCEL.require(ctx)
    assert refused.value.message.startswith("只有主管可以撤销维修单，因为取消")


def test_require_role_without_a_reason_keeps_the_short_message(
    db: Database, clerk: Operator
) -> None:
    with Desk(db, clerk).read() as ctx, pytest.raises(Forbidden) as refused:
        operators.require_role(ctx, Role.supervisor, action="do it")
    assert refused.value.message == "only a supervisor may do it"


def test_the_role_is_read_afresh_not_kept_from_the_sign_in(
    db: Database, supervisor: Operator
) -> None:
    """A supervisor demoted (or disabled) by another while signed in loses the rights at once,
    though the desk still holds the operator as signed in."""
    second = add_staff(db, "赵主管", Role.supervisor, "8888")
    signed_in = Desk(db, second)
    with signed_in.read() as ctx:
        roles.PASS_VOID.require(ctx)
    with Desk(db, supervisor).write() as ctx:
        operators.set_role(ctx, "赵主管", Role.clerk)
    assert second.role == Role.supervisor  # what the desk holds
    with signed_in.read() as ctx, pytest.raises(Forbidden):
        roles.PASS_VOID.require(ctx)
    with Desk(db, supervisor).write() as ctx:
        operators.set_role(ctx, "赵主管", Role.supervisor)
        operators.set_active(ctx, "赵主管", False)
    with signed_in.read() as ctx:
        assert not roles.PASS_VOID.allows(ctx)
