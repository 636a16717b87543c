"""Register 4: keys — the one place the screens, the board and the handover call.

The work is in four modules, re-exported here: keys_cabinet (the cabinet), keys_loans (loans to
staff), keys_entrusted (owners' entrusted keys and the periodic count) and keys_import (CSV).

Audit events go to one register name per table, so record ids never collide: "keys" (cabinet
entries: added, updated, retired), "key_loans" (lent, returned, lost), "entrusted_keys"
(deposited, taken_out, brought_back, work_done, owner_notified, collected) and "key_counts"
(counted).
"""

from __future__ import annotations

from desk.services import keys_entrusted
from desk.services.context import Ctx
from desk.services.keys_cabinet import (
    MAX_COPIES,
    REGISTER,
    add_key,
    available,
    by_tag,
    cabinet,
    clean_tag,
    find_key,
    get_key,
    holdings,
    lost_count,
    out_count,
    parse_kind,
    retire_key,
    update_key,
)
from desk.services.keys_entrusted import (
    COUNTS,
    CountLine,
    EntrustedCreate,
    bring_back,
    bring_back_key,
    collect,
    count,
    count_due,
    deposit,
    expected_counts,
    in_custody,
    last_count,
    next_count_due,
    notify_owner,
    take_out,
    work_done,
)
from desk.services.keys_import import import_cabinet
from desk.services.keys_loans import (
    LOANS,
    KeyLoanCreate,
    default_due,
    due_at,
    get_loan,
    lend,
    open_loans,
    open_loans_of,
    outstanding,
    overdue_loans,
    recent_loans,
    report_lost,
    returns_of,
    tags,
    take_back,
)
from desk.services.open_item import OpenItem
from desk.services.residents import mask_name

ENTRUSTED = keys_entrusted.REGISTER
__all__ = [
    "COUNTS",
    "ENTRUSTED",
    "LOANS",
    "MAX_COPIES",
    "REGISTER",
    "CountLine",
    "EntrustedCreate",
    "KeyLoanCreate",
    "add_key",
    "available",
    "bring_back",
    "bring_back_key",
    "by_tag",
    "cabinet",
    "clean_tag",
    "collect",
    "count",
    "count_due",
    "default_due",
    "deposit",
    "due_at",
    "expected_counts",
    "find_key",
    "get_key",
    "get_loan",
    "holdings",
    "import_cabinet",
    "in_custody",
    "last_count",
    "lend",
    "lost_count",
    "next_count_due",
    "notify_owner",
    "open_items",
    "open_loans",
    "open_loans_of",
    "out_count",
    "outstanding",
    "overdue_loans",
    "parse_kind",
    "recent_loans",
    "report_lost",
    "retire_key",
    "returns_of",
    "tags",
    "take_back",
    "take_out",
    "update_key",
    "work_done",
]


def open_items(ctx: Ctx) -> list[OpenItem]:
    """Keys still out on loan and entrusted keys in custody, in the board's shape."""
    items: list[OpenItem] = []
    loans = open_loans(ctx)
    names = tags(ctx, {loan.key_id for loan in loans})
    for loan in loans:
        assert loan.id is not None
        items.append(
            OpenItem(
                register=LOANS,
                record_id=loan.id,
                number=loan.number,
                room=loan.room,
                summary=f"{names.get(loan.key_id, '')} x{outstanding(loan)} {loan.borrower}",
                state=loan.state,
                opened_at=loan.out_at,
                due_at=loan.due_at,
                due_kind="key_return",
            )
        )
    for entrusted in in_custody(ctx):
        assert entrusted.id is not None
        done = entrusted.state == "work_done"
        items.append(
            OpenItem(
                register=ENTRUSTED,
                record_id=entrusted.id,
                number=entrusted.number,
                room=entrusted.room,
                summary=f"{entrusted.description} {mask_name(entrusted.owner_name)}",
                state=entrusted.state,
                opened_at=entrusted.deposited_at,
                due_at=None,
                due_kind="owner_collect" if done else "",
            )
        )
    return items
