"""A register's lifecycle as one table: each step (action) -> the states it may be taken from,
the state it leads to, and who may take it. The register's service refuses by it; its screens
ask it which keys to offer (`offered`), so no screen keeps a copy of the rules.

A step can be offered in more states than it is allowed from, or only when `offer_if` says so:
the key is then there to say why not (e.g. "already marked done") rather than to hide.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from desk.i18n import t
from desk.services import audit
from desk.services.errors import DeskError

if TYPE_CHECKING:
    from desk.services.context import Ctx
    from desk.services.roles import Restricted

S = TypeVar("S", bound=StrEnum)
R = TypeVar("R")


class Stateful(Protocol):
    @property
    def state(self) -> Any: ...


@dataclass(frozen=True)
class Step(Generic[S]):
    """From which states an action may be taken, where it leads (None: it stays, or the outcome
    decides), who may take it (None: anyone at the desk), and where its key is offered."""

    states: tuple[S, ...]
    to: S | None = None
    who: Restricted | None = None
    offered_in: tuple[S, ...] | None = None  # default: `states`
    offer_if: Callable[[Any], bool] | None = None
    refusal: str | None = None  # the catalogue key of the refusal (default: the table's)

    def offers(self, record: Any) -> bool:
        states = self.states if self.offered_in is None else self.offered_in
        if record.state not in states:
            return False
        return self.offer_if is None or self.offer_if(record)


class Lifecycle(Generic[S]):
    """The steps of one register; `refusal` is the catalogue key of "not in a state that allows
    this". A refusal is given the record's number (or topic, for a record named by one), its
    state, and the action; the state in the register's own words when `state_words` names the
    catalogue section that has them (e.g. "key_loan_state")."""

    def __init__(
        self, refusal: str, steps: Mapping[str, Step[S]], *, state_words: str | None = None
    ) -> None:
        self.refusal = refusal
        self.steps = dict(steps)
        self.state_words = state_words

    def __getitem__(self, action: str) -> Step[S]:
        return self.steps[action]

    def allows(self, record: Stateful, action: str) -> bool:
        """May `action` be taken in the record's state (who takes it aside)?"""
        return record.state in self.steps[action].states

    def refusal_of(self, record: Stateful, action: str) -> DeskError | None:
        """Why `action` may not be taken in the record's state (None: it may)."""
        step = self.steps[action]
        if record.state in step.states:
            return None
        params = {
            name: value
            for name in ("number", "topic")
            if (value := getattr(record, name, None)) is not None
        }
        if self.state_words is not None:
            params["state"] = t(f"{self.state_words}.{record.state}")
        if step.refusal is not None:  # a step's own words say what it needs
            return DeskError(step.refusal, **params)
        return DeskError(self.refusal, **{"state": record.state, **params, "action": action})

    def require(self, record: Stateful, action: str) -> None:
        """Refuse `action` unless the record's state allows it."""
        refused = self.refusal_of(record, action)
        if refused is not None:
            raise refused

    def permit(self, ctx: Ctx, action: str) -> None:
        """Refuse `action` (Forbidden, saying why) unless the signed-in role may take it."""
        who = self.steps[action].who
        if who is not None:
            who.require(ctx)

    def take(self, ctx: Ctx, action: str, read: Callable[[], R]) -> R:
        """The record `read` finds, once the signed-in role may take `action` (asked first:
        nobody learns of a record they may not act on) and the record's state allows it."""
        self.permit(ctx, action)
        record = read()
        self.require(record, action)  # type: ignore[arg-type]
        return record

    def move(
        self, ctx: Ctx, record: Any, action: str, register: str, event: str, data: dict[str, Any]
    ) -> None:
        """`action` taken on `record`: its state the step's (when the step names one), the row
        saved and the event audited under `register`."""
        to = self.steps[action].to
        if to is not None:
            record.state = to
        ctx.session.add(record)
        ctx.session.flush()
        audit.record(ctx, register, record.id, event, data)

    def who(self, action: str) -> Restricted | None:
        return self.steps[action].who

    def offered(self, record: Stateful | None) -> frozenset[str]:
        """The actions whose keys a screen offers for this record (none for no record). A key a
        role may not use is offered all the same: pressing it says why (DeskMixin.refused)."""
        if record is None:
            return frozenset()
        return frozenset(name for name, step in self.steps.items() if step.offers(record))
