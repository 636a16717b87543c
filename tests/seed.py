"""The records tests start from, made through the services as the desk makes them.

Each `register_…` function makes one record as `desk` (its operator, at its clock): the fields
of a base record named here, with the fields a test changes written over them, and returns
the record's id. A test that needs a record of another shape passes its own base.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from desk.db import Database
from desk.models import Complaint, Operator, RepairOrder
from desk.services import complaint, handover, keys, reception, repair, replies
from desk.services.complaint import ComplaintCreate
from desk.services.context import Ctx
from desk.services.handover import CheckCount, HandoverUpdate
from desk.services.keys import EntrustedCreate, KeyLoanCreate
from desk.services.passes import PassCreate, PassItemIn
from desk.services.reception import ReceptionCreate
from desk.services.repair import RepairCompletion, RepairCreate
from tests.conftest import NIGHT_END, NOW, Desk

Fields = Mapping[str, object]

# 李明's kitchen tap leaks in 3-1202: the repair order most tests start from.
KITCHEN_TAP: Fields = {
    "room": "3-1202",
    "resident_name": "李明",
    "phone": "13812345678",
    "description": "厨房水龙头漏水",
    "category": "water",
}
# 张伟's bathroom leaks in 5-0301: the order the screen tests open and call back about.
BATHROOM_LEAK: Fields = {
    "room": "5-0301",
    "resident_name": "张伟",
    "phone": "13900001111",
    "description": "卫生间漏水",
    "category": "water",
}

# 李明 complains of furniture dragged upstairs every night.
NOISE_UPSTAIRS: Fields = {
    "complainant": "李明",
    "room": "3-1202",
    "phone": "13812345678",
    "category": "environment",
    "what_happened": "楼上每晚十一点后拖动家具，噪音扰民",
    "resident_asks": "请管理处上门劝导",
}
# 张伟 complains of things piled in the corridor.
CORRIDOR_CLUTTER: Fields = {
    "complainant": "张伟",
    "room": "3-1202",
    "phone": "13900001111",
    "category": "other",
    "what_happened": "楼道堆放杂物",
}

# 张 from 3栋1202 asks about a monthly parking card.
PARKING_QUESTION: Fields = {"person": "张", "room": "3栋1202", "request": "问停车月卡"}

# 李明 leaves his front-door key for the bathroom's waterproofing rework.
FRONT_DOOR_KEY: Fields = {
    "owner_name": "李明",
    "room": "3-1202",
    "phone": "13812345678",
    "description": "入户门钥匙",
    "reason": "卫生间防水返修",
}

# What 李明 takes out of 3-1202 on a release pass.
PASS_ITEMS = [
    PassItemIn(description="双人沙发", quantity=1),
    PassItemIn(description="冰箱", quantity=1, remark="海尔 双门"),
    PassItemIn(description="纸箱（衣物）", quantity=6),
]


def _made(desk: Desk, make: Callable[[Ctx, Any], Any], data: object) -> int:
    """`make(ctx, data)` as `desk`, in a transaction of its own; the id of the record it made."""
    with desk.write() as ctx:
        record = make(ctx, data)
        assert record.id is not None
        return int(record.id)


def register_repair(desk: Desk, base: Fields = KITCHEN_TAP, /, **changes: object) -> int:
    """A repair order registered from `base` with `changes` over it; its id."""
    return _made(desk, repair.register, RepairCreate.model_validate({**base, **changes}))


def complete_repair(
    desk: Desk, work_done: str, base: Fields = BATHROOM_LEAK, /, **changes: object
) -> int:
    """A repair order registered from `base` with `changes` over it, dispatched to 赵师傅
    and completed (`work_done`), all at `desk`'s clock in one transaction; its id."""
    data = RepairCreate.model_validate({**base, **changes})
    with desk.write() as ctx:
        order = repair.register(ctx, data)
        assert order.id is not None
        repair.dispatch(ctx, order.id, "赵师傅")
        repair.complete(ctx, order.id, RepairCompletion(work_done=work_done))
        return order.id


def stored_repair(desk: Desk, order_id: int | None) -> RepairOrder:
    """The repair order `order_id` as it is stored now."""
    assert order_id is not None
    with desk.read() as ctx:
        return repair.get(ctx, order_id)


def register_complaint(desk: Desk, base: Fields = NOISE_UPSTAIRS, /, **changes: object) -> int:
    """A complaint registered from `base` with `changes` over it; its id."""
    return _made(desk, complaint.register, ComplaintCreate.model_validate({**base, **changes}))


def stored_complaint(desk: Desk, complaint_id: int | None) -> Complaint:
    """The complaint `complaint_id` as it is stored now."""
    assert complaint_id is not None
    with desk.read() as ctx:
        return complaint.get(ctx, complaint_id)


def log_reception(desk: Desk, base: Fields = PARKING_QUESTION, /, **changes: object) -> int:
    """A reception log entry from `base` with `changes` over it; its id."""
    return _made(desk, reception.log, ReceptionCreate.model_validate({**base, **changes}))


def seed_replies(desk: Desk, supervisor: Operator | None) -> None:
    """The demo's standard replies, drafted as `desk`'s operator and approved by `supervisor`
    in the same transaction (replies.seed_demo)."""
    with desk.write() as ctx:
        replies.seed_demo(ctx, Ctx(ctx.session, supervisor, ctx.settings, ctx.now))


def stock_cabinet(desk: Desk) -> None:
    """The key cabinet: two copies of the pump room's key (A-01), one of vacant 3-1202 (B-01)."""
    with desk.write() as ctx:
        keys.add_key(ctx, "k-pump-b2", "水泵房", copies=2, hook="A-01")
        keys.add_key(ctx, "K-3-1202", "3-1202 空置房", room="3栋1202", hook="B-01")


def lend_key(desk: Desk, tag: str = "K-PUMP-B2", count: int = 1, **changes: object) -> int:
    """`count` copies of the key `tag` lent to 李建国 to check the pumps; the loan's id."""
    data = KeyLoanCreate.model_validate(
        {"key": tag, "borrower": "李建国", "reason": "巡检水泵", "count": count, **changes}
    )
    return _made(desk, keys.lend, data)


def deposit_key(desk: Desk, base: Fields = FRONT_DOOR_KEY, /, **changes: object) -> int:
    """A resident's key left with the desk, from `base` with `changes` over it; its id."""
    return _made(desk, keys.deposit, EntrustedCreate.model_validate({**base, **changes}))


def owner_pass(**changes: object) -> PassCreate:
    """The release pass 李明, the owner of 3-1202, applies for, with `changes` over it."""
    fields: dict[str, Any] = {
        "room": "3-1202",
        "applicant": "李明",
        "relationship": "owner",
        "id_type": "id_card",
        "id_last4": "123x",
        "vehicle_plate": "沪a 12345",
        "items": PASS_ITEMS,
        **changes,
    }
    return PassCreate.model_validate(fields)


def seed_registers(desk: Desk) -> None:
    """One open record in each register, some overdue at NOW."""
    early = NOW - timedelta(days=3)
    with desk.write() as ctx:
        ctx.now = early
        order = repair.register(
            ctx, RepairCreate(room="3-1202", resident_name="李明", description="厨房水龙头漏水")
        )
        complaint.register(ctx, ComplaintCreate(room="5-0801", what_happened="楼上装修噪音"))
        reception.log(
            ctx,
            ReceptionCreate(request="询问停水时间", reply_due_at=early + timedelta(minutes=30)),
        )
        assert order.id is not None


def full_update(db: Database, short_radio: bool = False) -> HandoverUpdate:
    """A handover filled in whole: every count as expected (one radio short, held by 李建国,
    when `short_radio`), the desk cleaned, the log read, a note."""
    checks = [
        CheckCount(key=item.key, counted=item.expected) for item in db.settings.handover.checklist
    ]
    if short_radio:
        checks[0] = CheckCount(key="radio", counted=1, holder="李建国")
    return HandoverUpdate(checks=checks, desk_cleaned=True, log_read=True, notes="3栋电梯异响")


def night_handover(db: Database, night: Operator, short_radio: bool = False) -> int:
    """The night shift's handover, opened and filled in whole by `night` at NIGHT_END; its id."""
    desk = Desk(db, night, NIGHT_END)
    with desk.write() as ctx:
        opened = handover.open_handover(ctx)
        assert opened.id is not None
        handover.update(ctx, opened.id, full_update(db, short_radio))
        return opened.id
