"""Who may do what: the actions only a supervisor may take, and why — one table for TUI and CLI.

A clerk or the night duty does the routine work of every register, including the normal end of
a record's life (an answered entry filed, a repair referred out, a night entry closed because the
caller sorted it out). Withdrawing a record that should not stand, dropping a promise made to a
resident, changing what every deadline is counted from, and deciding who may sign in and as
what (desk.services.operators) are a supervisor's acts: the service refuses anyone else,
naming the action and why, and records who, when and why in the audit.

Each rule's words are catalogue keys `roles.action.<name>` and `roles.because.<name>`.
"""

from __future__ import annotations

from dataclasses import dataclass

from desk.i18n import t
from desk.models import Operator, Role
from desk.services.context import Ctx
from desk.services.errors import Forbidden


def require_role(
    ctx: Ctx, *roles: Role, action: str, because: str = "", denial: str = "role.denied_because"
) -> None:
    """Refuse, with a reason, an action the signed-in operator's role does not allow.

    `action` and `because` are already in the current language ("void a release pass", "…");
    the Restricted rules below are the table of such actions. The role is the one in the database
    now, not the one the operator signed in with.
    """
    # read afresh: a role changed, or an operator disabled, since the sign-in counts at once
    current = None
    if ctx.operator is not None and ctx.operator.id is not None:
        current = ctx.session.get(Operator, ctx.operator.id)
    if current is None or not current.active or current.role not in roles:
        if because:
            raise Forbidden(denial, action=action, because=because)
        raise Forbidden("role.denied", action=action)


@dataclass(frozen=True)
class Restricted:
    """An action only `roles` may take; `name` keys its words in the catalogue."""

    name: str
    roles: tuple[Role, ...] = (Role.supervisor,)
    # the words of a refusal: "only a supervisor may …" unless another role may too
    denial: str = "role.denied_because"

    @property
    def action(self) -> str:
        return t(f"roles.action.{self.name}")

    @property
    def because(self) -> str:
        return t(f"roles.because.{self.name}")

    def allows(self, ctx: Ctx) -> bool:
        try:
            self.require(ctx)
        except Forbidden:
            return False
        return True

    def require(self, ctx: Ctx) -> None:
        """Raise Forbidden ("only a supervisor may …, because …") unless the operator may."""
        require_role(ctx, *self.roles, action=self.action, because=self.because, denial=self.denial)


RECEPTION_CLOSE_OWING = Restricted("reception_close_owing")
REPAIR_CANCEL = Restricted("repair_cancel")
COMPLAINT_DISMISS = Restricted("complaint_dismiss")
COMPLAINT_CLOSE = Restricted("complaint_close")
KEY_RETIRE = Restricted("key_retire")
PASS_VOID = Restricted("pass_void")
REPLY_APPROVE = Restricted("reply_approve")
REPLY_RETIRE = Restricted("reply_retire")
CALENDAR_EDIT = Restricted("calendar_edit")
ESTATES_MANAGE = Restricted("estates_manage")
RESIDENT_ERASE = Restricted("resident_erase")
CABINET_IMPORT = Restricted("keys_import")
OPERATORS_MANAGE = Restricted("operators_manage")
# renovation: a permit suspended by supervision is lifted, any part of a deposit kept
RENOVATION_RESUME = Restricted("renovation_resume")
RENOVATION_WITHHOLD = Restricted("renovation_withhold")
# a finding raised in error is withdrawn (nothing else closes one but its acceptance)
FINDING_WITHDRAW = Restricted("finding_withdraw")
# a booked move-in called off (the owner's appointment and the papers prepared for it)
MOVE_IN_CANCEL = Restricted("move_in_cancel")
# the clerk who wrote a record may correct it too (desk.services.corrections)
RECORD_CORRECT = Restricted("record_correct")
# an owner record change is applied to the directory by the records clerk (001 资料管理人员) or a
# supervisor; neither applies one they declared themselves, unless a supervisor
# (desk.services.owner_changes)
OWNER_CHANGE_APPLY = Restricted(
    "owner_change_apply", (Role.supervisor, Role.records), "role.denied_records_because"
)
# the fee desk: finance's balances imported (they replace the open ones), a debt handed to legal
FEES_IMPORT = Restricted("fees_import")
FEES_LEGAL = Restricted("fees_legal")

ALL: tuple[Restricted, ...] = (
    RECEPTION_CLOSE_OWING,
    REPAIR_CANCEL,
    COMPLAINT_DISMISS,
    COMPLAINT_CLOSE,
    KEY_RETIRE,
    PASS_VOID,
    REPLY_APPROVE,
    REPLY_RETIRE,
    CALENDAR_EDIT,
    ESTATES_MANAGE,
    RESIDENT_ERASE,
    CABINET_IMPORT,
    OPERATORS_MANAGE,
    RECORD_CORRECT,
    OWNER_CHANGE_APPLY,
    RENOVATION_RESUME,
    RENOVATION_WITHHOLD,
    FINDING_WITHDRAW,
    FEES_IMPORT,
    FEES_LEGAL,
    MOVE_IN_CANCEL,
)
