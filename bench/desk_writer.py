"""A desk writing records through the real services, and the checks that every saved one is there.

    .venv/bin/python bench/desk_writer.py --db FILE [--seed N] [--mix all|clerk|gate]

opens the desk database (desk.db.open_database) and writes until it is killed, picking at random
among every service function that saves something, with arguments drawn from what is in the file:
reception (log, refer, answer, close, a call that becomes a repair order or a complaint: two
records and a link in one transaction), repairs (register, dispatch, on site, complete, callback
satisfied / not satisfied / not reached, cancel, refer out), complaints (register, judge valid /
dismissed, escalate, assign, reply, resolve, callback, close, reopen, merge), the key cabinet (add,
update, retire, lend, return partly or fully, report lost, count), entrusted keys (deposit, take
out, bring back, work done, owner told, collect), release passes (issue to the owner or with the
owner's confirmation by phone, gate all out / partly / refused, void, stub returned), the night log
(log, close, transfer to a repair order or a complaint in the morning), the handover (open,
checklist, sign off with a PIN, acknowledge or refuse with the other clerk's PIN), standard replies
(draft, revise, approve, retire), residents (add, update), the site calendar (set, clear a day) and
operators (sign in, add).

Each write is one `Database.writing()` transaction (BEGIN IMMEDIATE). Lines of JSON go to stdout,
each with a single `os.write` (whole or absent when the process dies): {"begin": op} before a
transaction, {"committing": op, "records": [...]} inside it just before COMMIT, and {"op": op,
"records": [...]} right after it committed. A record names what the write saved: the register, the
row (table and key), its audit event (register, record id, action and the event's id), the values
the row holds now, the rows it added (pass items, a key return, a use of an entrusted key) and
whether it has a lookup document.

Used by bench/crash_loop.py (this writer killed at random moments) and bench/two_desks.py (two
writers and a reader on one file). `prepare` makes a fresh database for them; `check_saved`,
`check_doubtful` and `check_whole` read it back with plain sqlite3 (independent of the ORM) and
list every problem.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import select

from desk.config import load_settings
from desk.db import Database, open_database
from desk.models import GateResult, Operator, Role
from desk.services import (
    calendar,
    complaint,
    handover,
    keys,
    keys_entrusted,
    nightlog,
    operators,
    passes,
    reception,
    repair,
    replies,
    residents,
)
from desk.services.complaint import ComplaintCreate
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.keys import KeyLoanCreate
from desk.services.keys_entrusted import EntrustedCreate
from desk.services.nightlog import NightLogCreate
from desk.services.passes import PassCreate, PassItemIn
from desk.services.reception import ReceptionCreate
from desk.services.repair import CallbackResult, RepairCompletion, RepairCreate

CLERKS = ("王芳", "刘洋")
SUPERVISOR = "张主管"
PIN = "1111"
UNITS = [(str(b), f"{f}0{u}") for b in (1, 2, 3) for f in (3, 8, 12) for u in (1, 2)]
OWNERS = ("张伟", "李娜", "陈静", "赵敏", "孙强", "周丽")
KEY_TAGS = [f"K-{n:02d}" for n in range(1, 11)]
KEY_COPIES = 99
TECHNICIANS = ("李师傅", "王师傅", "陈师傅")
GOODS = ("沙发", "纸箱", "冰箱", "床垫", "书柜", "洗衣机")
REQUESTS = ("咨询停车费", "问物业费发票", "门禁卡补办", "快递代收", "装修申请")
REPAIRS = ("厨房水龙头漏水", "卫生间下水堵塞", "客厅灯不亮", "防盗门锁坏", "空调滴水")
GRIEVANCES = ("楼上噪音扰民", "保洁不及时", "电梯经常停运", "保安态度差", "绿化带垃圾")
DEPARTMENTS = ("engineering", "security", "cleaning", "service")
# the site calendar's days the writer marks and clears: far ahead, no deadline falls there
CALENDAR_DAYS = [date(2031, 3, 2) + timedelta(days=n) for n in range(40)]

# one record a committed transaction saved or changed (see the module's docstring)
Saved = dict[str, Any]

# audit register -> its table
TABLES = {
    "reception": "reception_entry",
    "repairs": "repair_order",
    "complaints": "complaint",
    "keys": "key",
    "key_loans": "key_loan",
    "key_counts": "key_count",
    "entrusted_keys": "entrusted_key",
    "passes": "release_pass",
    "nightlog": "night_log_entry",
    "handover": "handover",
    "replies": "standard_reply",
    "residents": "resident",
    "calendar": "calendar_day",
    "operator": "operator",
}
# registers with a lookup document per record (desk.services.search_index)
LOOKUP = {"reception", "repairs", "complaints", "key_loans", "entrusted_keys", "passes"}
LOOKUP |= {"nightlog", "residents"}
PREFIXES = {
    "reception": "JD",
    "repairs": "WX",
    "complaints": "TS",
    "key_loans": "JY",
    "entrusted_keys": "WT",
    "passes": "FX",
}


def now() -> datetime:
    return datetime.now(UTC)


def prepare(path: Path) -> None:
    """A fresh, migrated desk database: two clerks, a supervisor, units with owners, a cabinet."""
    database = open_database(path, settings=load_settings())
    try:
        with database.writing() as session:
            first = Ctx(session, None, database.settings, now())
            boss = operators.add_operator(first, SUPERVISOR, Role.supervisor, PIN)
            ctx = Ctx(session, boss, database.settings, now())  # the supervisor sets up the rest
            for name in CLERKS:
                operators.add_operator(ctx, name, Role.clerk, PIN)
            for i, (building, room) in enumerate(UNITS):
                residents.add_resident(
                    ctx, building, room, OWNERS[i % len(OWNERS)], f"1381234{i:04d}", "owner"
                )
            for tag in KEY_TAGS:
                keys.add_key(ctx, tag, f"设备房 {tag}", copies=KEY_COPIES)
    finally:
        database.dispose()


def clerk(database: Database, name: str) -> Operator:
    with database.reading() as session:
        return session.exec(select(Operator).where(Operator.name == name)).one()


# --- the writes -------------------------------------------------------------------------------


@dataclass
class Writes:
    """The writes of one desk: each op runs in the caller's transaction and says what it saved.

    An op that finds nothing to act on (no order waiting for dispatch…) makes one instead.
    """

    rng: random.Random
    tag: str
    seq: int = 0
    marks: int = 0

    def label(self) -> str:
        self.seq += 1
        return f"[{self.tag}-{self.seq}]"

    def unit(self) -> tuple[str, str]:
        i = self.rng.randrange(len(UNITS))
        building, room = UNITS[i]
        return f"{building}-{room}", OWNERS[i % len(OWNERS)]

    def supervisor(self, ctx: Ctx) -> Ctx:
        """The same transaction, acted in by the supervisor (for the acts only they may do)."""
        boss = ctx.session.exec(select(Operator).where(Operator.name == SUPERVISOR)).one()
        return Ctx(ctx.session, boss, ctx.settings, ctx.now)

    def other_clerk(self, ctx: Ctx) -> str:
        me = ctx.operator.name if ctx.operator else ""
        return next(name for name in CLERKS if name != me)

    # --- reception ---

    def reception(self, ctx: Ctx) -> list[Saved]:
        room, person = self.unit()
        data = ReceptionCreate(
            person=person,
            room=room,
            phone="13812345678",
            request=f"{self.rng.choice(REQUESTS)} {self.label()}",
            action_taken="已答复",
        )
        if self.rng.random() < 0.4:  # referred to a department, the resident owed a reply
            data.department = self.rng.choice(DEPARTMENTS)
            data.reply_due_at = ctx.now + timedelta(hours=4)
        entry = reception.log(ctx, data)
        expect = {"request": data.request, "person": person, "room": room, "state": entry.state}
        return [record(ctx, "reception", entry.id, "logged", expect, entry.number, new=True)]

    def reception_answer(self, ctx: Ctx) -> list[Saved]:
        ids = pick(ctx, "SELECT id FROM reception_entry WHERE state IN ('open', 'referred')")
        if not ids:
            return self.reception(ctx)
        answer = f"已电话回复 {self.label()}"
        entry = reception.answer(ctx, self.rng.choice(ids), answer)
        expect = {"answer": answer, "state": "answered"}
        return [record(ctx, "reception", entry.id, "answered", expect, entry.number)]

    def reception_close(self, ctx: Ctx) -> list[Saved]:
        ids = pick(
            ctx,
            "SELECT id FROM reception_entry WHERE state IN ('open', 'referred', 'answered') "
            "AND linked_id IS NULL",
        )
        if not ids:
            return self.reception(ctx)
        reason = f"已办结 {self.label()}"
        entry = reception.close(self.supervisor(ctx), self.rng.choice(ids), reason)
        expect = {"close_reason": reason, "state": "closed"}
        return [record(ctx, "reception", entry.id, "closed", expect, entry.number)]

    def call_to_repair(self, ctx: Ctx) -> list[Saved]:
        """A call about a repair: the reception entry, the order and the link, one transaction."""
        room, person = self.unit()
        what = f"{self.rng.choice(REPAIRS)} {self.label()}"
        entry = reception.log(
            ctx, ReceptionCreate(person=person, room=room, request=what, category="repair")
        )
        logged = record(ctx, "reception", entry.id, "logged", {}, entry.number, new=True)
        order = repair.register(
            ctx,
            RepairCreate(resident_name=person, room=room, description=what, reception_id=entry.id),
        )
        expect_order = {"description": what, "reception_id": entry.id, "state": "registered"}
        return [
            logged,
            record(
                ctx,
                "reception",
                entry.id,
                "linked",
                {"request": what, "linked_register": "repairs", "linked_id": order.id},
                entry.number,
            ),
            record(ctx, "repairs", order.id, "registered", expect_order, order.number, new=True),
        ]

    def call_to_complaint(self, ctx: Ctx) -> list[Saved]:
        room, person = self.unit()
        what = f"{self.rng.choice(GRIEVANCES)} {self.label()}"
        entry = reception.log(
            ctx, ReceptionCreate(person=person, room=room, request=what, category="complaint")
        )
        logged = record(ctx, "reception", entry.id, "logged", {}, entry.number, new=True)
        case = complaint.register(ctx, complaint.from_reception(entry))
        expect = {"what_happened": what, "reception_id": entry.id, "state": "registered"}
        return [
            logged,
            record(
                ctx,
                "reception",
                entry.id,
                "linked",
                {"linked_register": "complaints", "linked_id": case.id},
                entry.number,
            ),
            record(ctx, "complaints", case.id, "registered", expect, case.number, new=True),
        ]

    # --- repairs ---

    def repair(self, ctx: Ctx) -> list[Saved]:
        room, person = self.unit()
        data = RepairCreate(
            resident_name=person,
            room=room,
            description=f"{self.rng.choice(REPAIRS)} {self.label()}",
            category=self.rng.choice(("water", "electric", "leak", "door", "other")),
        )
        order = repair.register(ctx, data)
        expect = {
            "description": data.description,
            "resident_name": person,
            "room": room,
            "state": "registered",
        }
        return [record(ctx, "repairs", order.id, "registered", expect, order.number, new=True)]

    def _order(self, ctx: Ctx, *states: str) -> int | None:
        wanted = ", ".join(f"'{state}'" for state in states)
        ids = pick(ctx, f"SELECT id FROM repair_order WHERE state IN ({wanted}) ORDER BY id DESC")
        return self.rng.choice(ids) if ids else None

    def dispatch(self, ctx: Ctx) -> list[Saved]:
        order_id = self._order(ctx, "registered")
        if order_id is None:
            return self.repair(ctx)
        technician = f"{self.rng.choice(TECHNICIANS)}{self.label()}"
        order = repair.dispatch(ctx, order_id, technician)
        expect = {"technician": technician, "state": "dispatched"}
        return [record(ctx, "repairs", order.id, "dispatched", expect, order.number)]

    def on_site(self, ctx: Ctx) -> list[Saved]:
        order_id = self._order(ctx, "dispatched")
        if order_id is None:
            return self.dispatch(ctx)
        order = repair.arrive(ctx, order_id)
        return [record(ctx, "repairs", order.id, "on_site", {"state": "on_site"}, order.number)]

    def complete(self, ctx: Ctx) -> list[Saved]:
        order_id = self._order(ctx, "dispatched", "on_site")
        if order_id is None:
            return self.dispatch(ctx)
        work = f"已更换配件 {self.label()}"
        leak = ctx.now if repair.get(ctx, order_id).category == "leak" else None
        order = repair.complete(
            ctx, order_id, RepairCompletion(work_done=work, resident_signed=True, leak_test_at=leak)
        )
        expect = {"work_done": work, "state": "completed"}
        return [record(ctx, "repairs", order.id, "completed", expect, order.number)]

    def repair_reopen(self, ctx: Ctx) -> list[Saved]:
        return self.repair_callback(ctx, roll=0.3)

    def repair_callback(self, ctx: Ctx, roll: float | None = None) -> list[Saved]:
        """Satisfied (closed), not reached (a retry), or not satisfied (back to maintenance)."""
        order_id = self._order(ctx, "completed")
        if order_id is None:
            return self.complete(ctx)
        note = f"回访 {self.label()}"
        roll = self.rng.random() if roll is None else roll
        if roll < 0.2:
            retry = ctx.now + timedelta(hours=3)
            result = CallbackResult(reached=False, note=note, retry_at=retry)
            action, expect = "callback_missed", {"state": "completed"}
        elif roll < 0.4:
            result = CallbackResult(reached=True, satisfied=False, note=note)
            action, expect = "reopened", {"state": "registered", "callback_note": note}
        else:
            result = CallbackResult(reached=True, satisfied=True, note=note)
            action, expect = "called_back", {"state": "closed", "callback_note": note}
        order = repair.call_back(ctx, order_id, result)
        return [record(ctx, "repairs", order.id, action, expect, order.number)]

    def repair_cancel(self, ctx: Ctx) -> list[Saved]:
        order_id = self._order(ctx, "registered", "dispatched", "on_site")
        if order_id is None:
            return self.repair(ctx)
        reason = f"业主重复报修 {self.label()}"
        order = repair.cancel(self.supervisor(ctx), order_id, reason)
        expect = {"close_reason": reason, "state": "cancelled"}
        return [record(ctx, "repairs", order.id, "cancelled", expect, order.number)]

    def refer_out(self, ctx: Ctx) -> list[Saved]:
        order_id = self._order(ctx, "registered", "dispatched")
        if order_id is None:
            return self.repair(ctx)
        where = f"燃气公司 {self.label()}"
        order = repair.refer_out(ctx, order_id, where, "不属物业维修范围")
        expect = {"referred_to": where, "state": "referred_out"}
        return [record(ctx, "repairs", order.id, "referred_out", expect, order.number)]

    # --- complaints ---

    def complaint(self, ctx: Ctx) -> list[Saved]:
        room, person = self.unit()
        what = f"{self.rng.choice(GRIEVANCES)} {self.label()}"
        case = complaint.register(
            ctx, ComplaintCreate(complainant=person, room=room, what_happened=what)
        )
        expect = {"what_happened": what, "complainant": person, "state": "registered"}
        return [record(ctx, "complaints", case.id, "registered", expect, case.number, new=True)]

    def _case(self, ctx: Ctx, *states: str, where: str = "") -> int | None:
        wanted = ", ".join(f"'{state}'" for state in states)
        ids = pick(
            ctx, f"SELECT id FROM complaint WHERE state IN ({wanted}) {where} ORDER BY id DESC"
        )
        return self.rng.choice(ids) if ids else None

    def judge(self, ctx: Ctx) -> list[Saved]:
        case_id = self._case(ctx, "registered")
        if case_id is None:
            return self.complaint(ctx)
        note = f"核实 {self.label()}"
        if self.rng.random() < 0.15:
            case = complaint.judge(self.supervisor(ctx), case_id, "invalid", note)
            expect = {"validity": "invalid", "validity_note": note, "state": "closed"}
        else:
            case = complaint.judge(ctx, case_id, "valid", note)
            expect = {"validity": "valid", "validity_note": note, "state": "judged"}
        return [record(ctx, "complaints", case.id, "judged", expect, case.number)]

    def assign(self, ctx: Ctx) -> list[Saved]:
        case_id = self._case(ctx, "judged", "assigned", "replied")
        if case_id is None:
            return self.judge(ctx)
        department = self.rng.choice(DEPARTMENTS)
        case = complaint.assign(ctx, case_id, department)
        expect = {"assigned_department": department, "state": case.state}
        return [record(ctx, "complaints", case.id, "assigned", expect, case.number)]

    def escalate(self, ctx: Ctx) -> list[Saved]:
        case_id = self._case(ctx, "judged", "assigned", "replied")
        if case_id is None:
            return self.judge(ctx)
        to_whom = ctx.settings.escalation_roles[0].key  # a role on the site's list
        case = complaint.escalate(ctx, case_id, to_whom)
        expect = {"escalated_to": to_whom, "state": case.state}
        return [record(ctx, "complaints", case.id, "escalated", expect, case.number)]

    def complaint_reply(self, ctx: Ctx) -> list[Saved]:
        case_id = self._case(ctx, "judged", "assigned", "replied")
        if case_id is None:
            return self.judge(ctx)
        text = f"已安排处理，三日内答复 {self.label()}"
        case = complaint.reply(ctx, case_id, text)
        expect = {"reply_text": text, "state": "replied"}
        return [record(ctx, "complaints", case.id, "replied", expect, case.number)]

    def resolve(self, ctx: Ctx) -> list[Saved]:
        case_id = self._case(ctx, "judged", "assigned", "replied")
        if case_id is None:
            return self.judge(ctx)
        text = f"已处理完毕 {self.label()}"
        case = complaint.resolve(ctx, case_id, text)
        expect = {"resolution": text, "state": "resolved"}
        return [record(ctx, "complaints", case.id, "resolved", expect, case.number)]

    def complaint_callback(self, ctx: Ctx) -> list[Saved]:
        case_id = self._case(ctx, "resolved")
        if case_id is None:
            return self.resolve(ctx)
        note = f"回访 {self.label()}"
        if self.rng.random() < 0.3:
            result = CallbackResult(reached=True, satisfied=False, note=note)
            case = complaint.call_back(ctx, case_id, result)
            expect = {"callback_note": note, "state": case.state, "resolution": ""}
            return [record(ctx, "complaints", case.id, "reopened", expect, case.number)]
        result = CallbackResult(reached=True, satisfied=True, note=note)
        case = complaint.call_back(ctx, case_id, result)
        expect = {"callback_note": note, "state": "closed"}
        return [record(ctx, "complaints", case.id, "called_back", expect, case.number)]

    def complaint_close(self, ctx: Ctx) -> list[Saved]:
        case_id = self._case(
            ctx, "judged", "assigned", "replied", "resolved", where="AND callback_at IS NOT NULL"
        )
        if case_id is None:
            return self.complaint_callback(ctx)
        reason = f"最终答复已告知 {self.label()}"
        case = complaint.close(self.supervisor(ctx), case_id, reason)
        expect = {"close_reason": reason, "state": "closed"}
        return [record(ctx, "complaints", case.id, "closed", expect, case.number)]

    def complaint_reopen(self, ctx: Ctx) -> list[Saved]:
        case_id = self._case(ctx, "resolved", "closed", where="AND validity = 'valid'")
        if case_id is None:
            return self.resolve(ctx)
        case = complaint.reopen(ctx, case_id, f"业主提供新情况 {self.label()}")
        expect = {"state": case.state, "resolution": "", "reopen_count": case.reopen_count}
        return [record(ctx, "complaints", case.id, "reopened", expect, case.number)]

    def merge(self, ctx: Ctx) -> list[Saved]:
        ids = pick(
            ctx,
            "SELECT id FROM complaint WHERE state IN ('registered', 'judged', 'assigned', "
            "'replied', 'resolved') ORDER BY id DESC",
        )
        if len(ids) < 2:
            return self.complaint(ctx)
        newer, older = self.rng.sample(ids, 2)
        reason = f"同一事项 {self.label()}"
        case = complaint.merge(ctx, newer, older, reason)
        into = complaint.get(ctx, older)
        expect = {"state": "merged", "merged_into_id": older, "close_reason": reason}
        return [
            record(ctx, "complaints", case.id, "merged", expect, case.number),
            record(ctx, "complaints", into.id, "merged_from", {}, into.number),
        ]

    # --- the key cabinet ---

    def add_key(self, ctx: Ctx) -> list[Saved]:
        label = self.label()
        tag = f"N{label.strip('[]')}".upper()
        key = keys.add_key(ctx, tag, f"配电室 {label}", copies=self.rng.randint(1, 5))
        expect = {"tag": tag, "opens": f"配电室 {label}", "active": 1}
        return [record(ctx, "keys", key.id, "added", expect, new=True)]

    def update_key(self, ctx: Ctx) -> list[Saved]:
        ids = pick(ctx, "SELECT id FROM key WHERE active = 1 ORDER BY id DESC")
        key = keys.get_key(ctx, self.rng.choice(ids))
        note = f"钥匙扣已更换 {self.label()}"
        keys.update_key(
            ctx,
            key.id or 0,
            tag=key.tag,
            opens=key.opens,
            kind=key.kind,
            room=key.room,
            copies=key.copies,
            hook=key.hook,
            note=note,
        )
        return [record(ctx, "keys", key.id, "updated", {"note": note})]

    def retire_key(self, ctx: Ctx) -> list[Saved]:
        ids = pick(
            ctx,
            "SELECT id FROM key k WHERE active = 1 AND tag LIKE 'N%' AND NOT EXISTS (SELECT 1 "
            "FROM key_loan l WHERE l.key_id = k.id AND l.state IN ('out', 'partly_returned'))",
        )
        if not ids:
            return self.add_key(ctx)
        key = keys.retire_key(
            self.supervisor(ctx), self.rng.choice(ids), f"锁已更换 {self.label()}"
        )
        return [record(ctx, "keys", key.id, "retired", {"active": 0})]

    def lend(self, ctx: Ctx) -> list[Saved]:
        key = keys.by_tag(ctx, self.rng.choice(KEY_TAGS))
        assert key is not None
        if keys.available(ctx, key) < 2:
            return self.take_back(ctx)
        count = self.rng.randint(1, 2)
        reason = f"检修 {self.label()}"
        loan = keys.lend(
            ctx,
            KeyLoanCreate(
                key=key.tag, borrower=self.rng.choice(TECHNICIANS), reason=reason, count=count
            ),
        )
        expect = {"reason": reason, "count": count, "key_id": key.id, "state": "out"}
        return [record(ctx, "key_loans", loan.id, "lent", expect, loan.number, new=True)]

    def take_back(self, ctx: Ctx) -> list[Saved]:
        ids = pick(ctx, "SELECT id FROM key_loan WHERE state IN ('out', 'partly_returned')")
        if not ids:
            return self.lend(ctx)
        loan = keys.get_loan(ctx, self.rng.choice(ids))
        left = keys.outstanding(loan)
        back = self.rng.randint(1, left)
        who = f"{loan.borrower}{self.label()}"
        loan = keys.take_back(ctx, loan.id or 0, back, who)
        expect = {"state": loan.state, "returned_count": loan.returned_count}
        row = ["key_return", {"loan_id": loan.id, "returned_by": who, "count": back}, 1]
        return [record(ctx, "key_loans", loan.id, "returned", expect, loan.number, rows=[row])]

    def report_lost(self, ctx: Ctx) -> list[Saved]:
        ids = pick(ctx, "SELECT id FROM key_loan WHERE state IN ('out', 'partly_returned')")
        if not ids:
            return self.lend(ctx)
        loan_id = self.rng.choice(ids)
        note = f"丢失 {self.label()}"
        loan = keys.report_lost(ctx, loan_id, 1, note)
        expect = {"state": loan.state, "lost_count": loan.lost_count}
        row = ["key_return", {"loan_id": loan.id, "note": note, "lost": 1, "count": 0}, 1]
        return [record(ctx, "key_loans", loan.id, "lost", expect, loan.number, rows=[row])]

    def key_count(self, ctx: Ctx) -> list[Saved]:
        lines = keys.expected_counts(ctx)
        found = {line.ref: line.expected for line in lines}
        note = ""
        if lines and self.rng.random() < 0.3:
            found[lines[0].ref] = max(lines[0].expected - 1, 0)
            note = f"少一把，待查 {self.label()}"
        counted = keys.count(ctx, found, note or "")
        expect = {"expected": counted.expected, "found": counted.found, "note": note}
        return [record(ctx, "key_counts", counted.id, "counted", expect, new=True)]

    # --- entrusted keys ---

    def deposit(self, ctx: Ctx) -> list[Saved]:
        room, owner = self.unit()
        reason = f"装修整改 {self.label()}"
        entrusted = keys.deposit(
            ctx,
            EntrustedCreate(
                owner_name=owner, room=room, description="入户门钥匙", count=2, reason=reason
            ),
        )
        expect = {"reason": reason, "room": room, "state": "deposited"}
        return [
            record(
                ctx, "entrusted_keys", entrusted.id, "deposited", expect, entrusted.number, new=True
            )
        ]

    def _entrusted(self, ctx: Ctx, where: str) -> int | None:
        ids = pick(ctx, f"SELECT id FROM entrusted_key e WHERE {where} ORDER BY id DESC")
        return self.rng.choice(ids) if ids else None

    OUT = (
        "EXISTS (SELECT 1 FROM entrusted_key_use u WHERE u.entrusted_id = e.id "
        "AND u.back_at IS NULL)"
    )

    def take_out(self, ctx: Ctx) -> list[Saved]:
        entrusted_id = self._entrusted(ctx, f"state != 'collected' AND NOT {self.OUT}")
        if entrusted_id is None:
            return self.deposit(ctx)
        who = f"{self.rng.choice(TECHNICIANS)}{self.label()}"
        use = keys.take_out(ctx, entrusted_id, who, "整改施工")
        number = keys_entrusted.get(ctx, entrusted_id).number
        row = ["entrusted_key_use", {"entrusted_id": use.entrusted_id, "taken_by": who}, 1]
        return [record(ctx, "entrusted_keys", entrusted_id, "taken_out", {}, number, rows=[row])]

    def bring_back(self, ctx: Ctx) -> list[Saved]:
        entrusted_id = self._entrusted(ctx, self.OUT)
        if entrusted_id is None:
            return self.take_out(ctx)
        use = keys.bring_back_key(ctx, entrusted_id)
        number = keys_entrusted.get(ctx, entrusted_id).number
        rows = [["entrusted_key_use", {"id": use.id, "back_at": None}, 0]]
        return [record(ctx, "entrusted_keys", entrusted_id, "brought_back", {}, number, rows=rows)]

    def work_done(self, ctx: Ctx) -> list[Saved]:
        entrusted_id = self._entrusted(ctx, f"state = 'deposited' AND NOT {self.OUT}")
        if entrusted_id is None:
            return self.deposit(ctx)
        entrusted = keys.work_done(ctx, entrusted_id, f"整改完成 {self.label()}")
        expect = {"state": "work_done"}
        number = entrusted.number
        return [record(ctx, "entrusted_keys", entrusted.id, "work_done", expect, number)]

    def notify_owner(self, ctx: Ctx) -> list[Saved]:
        entrusted_id = self._entrusted(ctx, "state = 'work_done'")
        if entrusted_id is None:
            return self.deposit(ctx)
        note = f"已电话通知业主 {self.label()}"
        entrusted = keys.notify_owner(ctx, entrusted_id, note)
        expect = {"notify_note": note, "state": "work_done"}
        number = entrusted.number
        return [record(ctx, "entrusted_keys", entrusted.id, "owner_notified", expect, number)]

    def collect(self, ctx: Ctx) -> list[Saved]:
        entrusted_id = self._entrusted(ctx, f"state = 'work_done' AND NOT {self.OUT}")
        if entrusted_id is None:
            return self.work_done(ctx)
        number = keys_entrusted.get(ctx, entrusted_id).number
        who = f"业主本人{self.label()}"
        entrusted = keys.collect(ctx, entrusted_id, number, who)
        expect = {"collected_by": who, "state": "collected"}
        return [record(ctx, "entrusted_keys", entrusted.id, "collected", expect, number)]

    # --- release passes ---

    def issue_pass(self, ctx: Ctx) -> list[Saved]:
        room, owner = self.unit()
        label = self.label()
        items = [
            {"description": f"{self.rng.choice(GOODS)}{label}", "quantity": self.rng.randint(1, 3)}
            for _ in range(self.rng.randint(1, 4))
        ]
        data = PassCreate(
            room=room, applicant=owner, id_last4="1234", items=[PassItemIn(**i) for i in items]
        )
        if self.rng.random() < 0.3:  # a tenant: the owner confirmed by phone
            data.applicant, data.relationship = f"租户{label}", "tenant"
            data.owner_phone_called, data.owner_confirmed_by = "13812345678", owner
            data.owner_confirmed = True
        issued = passes.issue(ctx, data)
        expect = {
            "room": room,
            "applicant": data.applicant,
            "id_last4": "1234",
            "state": "issued",
            "owner_confirmed": data.owner_confirmed,
        }
        rows = [
            ["pass_item", {"pass_id": issued.id, "line_no": n, **item}, 1]
            for n, item in enumerate(items, start=1)
        ]
        return [
            record(ctx, "passes", issued.id, "issued", expect, issued.number, new=True, rows=rows)
            | {"items": items}
        ]

    def gate(self, ctx: Ctx) -> list[Saved]:
        numbers = pick(
            ctx,
            "SELECT number FROM release_pass WHERE state = 'issued' AND stub_returned_at IS NULL "
            "ORDER BY id DESC",
        )
        if not numbers:
            return self.issue_pass(ctx)
        guard = f"门岗{self.label()}"
        result, note, state = self.rng.choice(
            (
                (GateResult.all_out, "", "used"),
                (GateResult.all_out, "", "used"),
                (GateResult.partly, "冰箱留下", "partly_used"),
                (GateResult.refused, "物品与放行条不符", "refused"),
            )
        )
        checked = passes.gate_check(ctx, self.rng.choice(numbers), result, guard, note)
        expect = {"guard_name": guard, "state": state, "gate_note": note}
        return [record(ctx, "passes", checked.id, "gate_checked", expect, checked.number)]

    def void_pass(self, ctx: Ctx) -> list[Saved]:
        ids = pick(ctx, "SELECT id FROM release_pass WHERE state = 'issued' ORDER BY id DESC")
        if not ids:
            return self.issue_pass(ctx)
        reason = f"业主取消搬出 {self.label()}"
        voided = passes.void(self.supervisor(ctx), self.rng.choice(ids), reason)
        expect = {"void_reason": reason, "state": "voided"}
        return [record(ctx, "passes", voided.id, "voided", expect, voided.number)]

    def return_stub(self, ctx: Ctx) -> list[Saved]:
        numbers = pick(
            ctx,
            "SELECT number FROM release_pass WHERE stub_returned_at IS NULL AND state != 'issued' "
            "ORDER BY id DESC",
        )
        if not numbers:
            return self.gate(ctx)
        back = passes.return_stub(ctx, self.rng.choice(numbers))
        expect = {"stub_received_by": ctx.operator_id}
        return [record(ctx, "passes", back.id, "stub_returned", expect, back.number)]

    # --- the night log ---

    def night(self, ctx: Ctx) -> list[Saved]:
        room, person = self.unit()
        what = f"{self.rng.choice(REPAIRS + GRIEVANCES)} {self.label()}"
        handled = self.rng.random() < 0.3
        data = NightLogCreate(
            caller=person,
            room=room,
            what=what,
            emergency=self.rng.random() < 0.1,
            action_taken="已关闭总阀" if handled else "",
        )
        entry = nightlog.log(ctx, data)
        expect = {"what": what, "state": "handled" if handled else "left_for_morning"}
        return [record(ctx, "nightlog", entry.id, "logged", expect, new=True)]

    def _left(self, ctx: Ctx) -> int | None:
        ids = pick(ctx, "SELECT id FROM night_log_entry WHERE state = 'left_for_morning'")
        return self.rng.choice(ids) if ids else None

    def night_close(self, ctx: Ctx) -> list[Saved]:
        entry_id = self._left(ctx)
        if entry_id is None:
            return self.night(ctx)
        reason = f"来电人已自行解决 {self.label()}"
        entry = nightlog.close(ctx, entry_id, reason)
        expect = {"close_reason": reason, "state": "closed"}
        return [record(ctx, "nightlog", entry.id, "closed", expect)]

    def night_to_record(self, ctx: Ctx) -> list[Saved]:
        """In the morning: the entry becomes a repair order or a complaint, and is linked."""
        entry_id = self._left(ctx)
        if entry_id is None:
            return self.night(ctx)
        if self.rng.random() < 0.5:
            register, number_of = "repairs", repair.get
            new_id = nightlog.transfer_to_repair(ctx, entry_id)
            made = number_of(ctx, new_id)
        else:
            register = "complaints"
            new_id = nightlog.transfer_to_complaint(ctx, entry_id)
            made = complaint.get(ctx, new_id)
        expect = {"state": "transferred", "transferred_to": register, "transferred_id": new_id}
        return [
            record(
                ctx, register, new_id, "registered", {"state": "registered"}, made.number, new=True
            ),
            record(ctx, "nightlog", entry_id, "transferred", expect),
        ]

    # --- the handover ---

    def handover_refuse(self, ctx: Ctx) -> list[Saved]:
        return self.handover(ctx, refuse=True)

    def handover(self, ctx: Ctx, refuse: bool = False) -> list[Saved]:
        """The pending handover one step on: open, checklist, sign off, acknowledge (or, with
        `refuse`, refuse)."""
        found = handover.pending(ctx)
        if found is None or found.id is None:
            opened = handover.open_handover(ctx)
            return [record(ctx, "handover", opened.id, "opened", {"state": "open"}, new=True)]
        if found.state in ("open", "refused") and found.checklist == "[]":
            checks = [
                handover.CheckCount(key=item.key, counted=item.expected)
                for item in ctx.settings.handover.checklist
            ]
            note = f"无异常 {self.label()}"
            data = handover.HandoverUpdate(
                checks=checks, desk_cleaned=True, log_read=True, notes=note
            )
            updated = handover.update(ctx, found.id, data)
            return [record(ctx, "handover", updated.id, "updated", {"notes": note})]
        if found.state in ("open", "refused"):
            signed = handover.sign_off(ctx, found.id, PIN)
            expect = {"state": "signed_off", "outgoing_id": ctx.operator_id}
            return [record(ctx, "handover", signed.id, "signed_off", expect)]
        incoming = self.other_clerk(ctx) if found.outgoing_id == ctx.operator_id else CLERKS[0]
        if refuse:
            reason = f"桌面未清理 {self.label()}"
            refused = handover.refuse(ctx, found.id, incoming, PIN, reason)
            expect = {"state": "refused", "refusal_reason": reason}
            return [record(ctx, "handover", refused.id, "refused", expect)]
        taken = handover.acknowledge(ctx, found.id, incoming, PIN)
        return [record(ctx, "handover", taken.id, "acknowledged", {"state": "acknowledged"})]

    # --- operators ---

    def sign_in(self, ctx: Ctx) -> list[Saved]:
        """The other clerk signs in at this desk (the shift's holders are read from these)."""
        signed = operators.sign_in(ctx, self.other_clerk(ctx), PIN)
        assert signed.operator is not None, signed.error
        expect = {"failed_attempts": 0, "locked_until": None}
        return [record(ctx, "operator", signed.operator.id, "signed_in", expect)]

    def add_operator(self, ctx: Ctx) -> list[Saved]:
        name = f"值班员{self.label()}"
        added = operators.add_operator(self.supervisor(ctx), name, Role.clerk, "2222")
        expect = {"name": name, "role": "clerk", "active": 1}
        return [record(ctx, "operator", added.id, "created", expect, new=True)]

    # --- standard replies, residents, the calendar ---

    def draft_reply(self, ctx: Ctx) -> list[Saved]:
        topic = f"停车收费{self.label()}"
        reply = replies.draft(ctx, topic, "停车 收费", "地面停车每月三百元。")
        expect = {"topic": topic, "state": "draft"}
        return [record(ctx, "replies", reply.id, "drafted", expect, new=True)]

    def change_reply(self, ctx: Ctx) -> list[Saved]:
        rows = pick(ctx, "SELECT id, state FROM standard_reply WHERE state != 'retired'", rows=True)
        if not rows:
            return self.draft_reply(ctx)
        reply_id, _ = self.rng.choice(rows)
        current = replies.get(ctx, reply_id)
        body = f"地面停车每月三百元，地下四百元。{self.label()}"
        reply = replies.revise(ctx, reply_id, current.topic, current.keywords, body)
        return [record(ctx, "replies", reply.id, "revised", {"body": body, "state": "draft"})]

    def approve_reply(self, ctx: Ctx) -> list[Saved]:
        ids = pick(ctx, "SELECT id FROM standard_reply WHERE state = 'draft'")
        if not ids:
            return self.draft_reply(ctx)
        reply = replies.approve(self.supervisor(ctx), self.rng.choice(ids))
        return [record(ctx, "replies", reply.id, "approved", {"state": "approved"})]

    def retire_reply(self, ctx: Ctx) -> list[Saved]:
        ids = pick(ctx, "SELECT id FROM standard_reply WHERE state != 'retired'")
        if len(ids) < 3:  # a few are kept
            return self.draft_reply(ctx)
        boss = self.supervisor(ctx)
        reply = replies.retire(boss, self.rng.choice(ids), f"收费标准已调整 {self.label()}")
        return [record(ctx, "replies", reply.id, "retired", {"state": "retired"})]

    def resident(self, ctx: Ctx) -> list[Saved]:
        building, room = self.rng.choice(UNITS)
        if self.rng.random() < 0.5:
            name, kind, action = f"租户{self.label()}", "tenant", "created"
        else:
            name, kind, action = OWNERS[UNITS.index((building, room)) % len(OWNERS)], "owner", ""
        phone = f"139{self.rng.randrange(10**8):08d}"
        person = residents.add_resident(ctx, building, room, name, phone, kind)
        action = action or "updated"
        expect = {"name": name, "phone": phone, "kind": kind}
        return [record(ctx, "residents", person.id, action, expect, new=action == "created")]

    def calendar_clear(self, ctx: Ctx) -> list[Saved]:
        marked = pick(ctx, "SELECT day FROM calendar_day")
        if not marked:
            return self.calendar_day(ctx)
        day = date.fromisoformat(self.rng.choice(marked))
        day_id, key = int(day.strftime("%Y%m%d")), ["day", day.isoformat()]
        calendar.clear_site_day(self.supervisor(ctx), day)
        return [record(ctx, "calendar", day_id, "cleared", {}, key=key, gone=True)]

    def calendar_day(self, ctx: Ctx) -> list[Saved]:
        day = self.rng.choice(CALENDAR_DAYS)
        boss = self.supervisor(ctx)
        day_id = int(day.strftime("%Y%m%d"))
        key = ["day", day.isoformat()]
        self.marks += 1
        kind = ("holiday", "workday")[self.marks % 2]  # each in turn
        note = f"物业自定 {self.label()}"
        calendar.set_site_day(boss, day, kind, note)
        return [record(ctx, "calendar", day_id, kind, {"kind": kind, "note": note}, key=key)]


def record(
    ctx: Ctx,
    register: str,
    record_id: int | None,
    action: str,
    expect: dict[str, Any],
    number: str = "",
    *,
    new: bool = False,
    gone: bool = False,
    rows: list[list[Any]] | None = None,
    key: list[Any] | None = None,
) -> Saved:
    """What one write saved, with the id of its audit event (flushed: it is in this transaction)."""
    assert record_id is not None
    ctx.session.flush()
    event_id = (
        ctx.session.connection()
        .exec_driver_sql(
            "SELECT max(id) FROM audit_event WHERE register_name = ? AND record_id = ? "
            "AND action = ?",
            (register, record_id, action),
        )
        .scalar()
    )
    assert event_id is not None, f"{register} {record_id} {action}: no audit event"
    column, value = key or ["id", record_id]
    found = (
        ctx.session.connection()
        .exec_driver_sql(f"SELECT * FROM {TABLES[register]} WHERE {column} = ?", (value,))
        .mappings()
        .first()
    )
    return {
        "register": register,
        "table": TABLES[register],
        "key": key or ["id", record_id],
        "id": record_id,
        "number": number,
        "action": action,
        "event": event_id,
        "expect": {name: plain(value) for name, value in expect.items()},
        "new": new,
        "gone": gone,
        "rows": rows or [],
        "row": None if found is None else snapshot(found),
    }


# columns left out of a row's snapshot: the handover's frozen summary (kilobytes of JSON)
UNSNAPPED = {"summary"}


def snapshot(row: Any) -> dict[str, Any]:
    """A row as this transaction leaves it (read after the flush, before COMMIT)."""
    return {name: value for name, value in dict(row).items() if name not in UNSNAPPED}


def plain(value: Any) -> Any:
    return value.value if hasattr(value, "value") else value


def pick(ctx: Ctx, sql: str, limit: int = 20, rows: bool = False) -> list[Any]:
    """Up to `limit` candidates (the newest), read inside the write transaction."""
    result = ctx.session.connection().exec_driver_sql(f"{sql} LIMIT {limit}")
    if rows:
        return [tuple(row) for row in result]
    return list(result.scalars())


# name, share of the writes
MIXES: dict[str, list[tuple[str, int]]] = {
    "all": [
        ("reception", 8),
        ("reception_answer", 4),
        ("reception_close", 3),
        ("call_to_repair", 5),
        ("call_to_complaint", 3),
        ("repair", 5),
        ("dispatch", 5),
        ("on_site", 3),
        ("complete", 4),
        ("repair_callback", 3),
        ("repair_reopen", 1),
        ("repair_cancel", 1),
        ("refer_out", 1),
        ("complaint", 3),
        ("judge", 3),
        ("assign", 2),
        ("escalate", 1),
        ("complaint_reply", 2),
        ("resolve", 3),
        ("complaint_callback", 2),
        ("complaint_close", 1),
        ("complaint_reopen", 1),
        ("merge", 1),
        ("add_key", 1),
        ("update_key", 1),
        ("retire_key", 1),
        ("lend", 5),
        ("take_back", 4),
        ("report_lost", 1),
        ("key_count", 1),
        ("deposit", 2),
        ("take_out", 2),
        ("bring_back", 2),
        ("work_done", 1),
        ("notify_owner", 1),
        ("collect", 2),
        ("issue_pass", 5),
        ("gate", 4),
        ("void_pass", 1),
        ("return_stub", 2),
        ("night", 4),
        ("night_close", 1),
        ("night_to_record", 2),
        ("handover", 2),
        ("handover_refuse", 1),
        ("draft_reply", 1),
        ("change_reply", 1),
        ("approve_reply", 1),
        ("retire_reply", 1),
        ("resident", 2),
        ("calendar_day", 1),
        ("calendar_clear", 1),
        ("sign_in", 1),
        ("add_operator", 1),
    ],
    # the clerk at the desk
    "clerk": [
        ("reception", 30),
        ("call_to_repair", 20),
        ("repair", 10),
        ("dispatch", 15),
        ("lend", 13),
        ("take_back", 12),
    ],
    # the second desk: passes at the counter and their check at the gate, the odd visitor
    "gate": [("issue_pass", 40), ("gate", 35), ("reception", 25)],
}


def chooser(rng: random.Random, mix: str) -> Callable[[], str]:
    names = [name for name, _ in MIXES[mix]]
    weights = [share for _, share in MIXES[mix]]
    return lambda: rng.choices(names, weights=weights)[0]


@dataclass
class Outcome:
    """One attempted write: what was saved (empty when refused) and how long it waited."""

    op: str
    records: list[Saved]
    wait_s: float
    total_s: float
    refused: str = ""


def write_once(
    database: Database,
    operator: Operator,
    writes: Writes,
    op: str,
    before_commit: Callable[[list[Saved]], None] | None = None,
) -> Outcome:
    """One write transaction. A DeskError (a rule said no) rolls it back.

    `before_commit` hears what the transaction saved after its last statement, before COMMIT.
    """
    began = time.perf_counter()
    records: list[Saved] = []
    refused = ""
    wait = 0.0
    try:
        with database.writing() as session:
            session.connection()  # BEGIN IMMEDIATE: the wait for the write lock is here
            wait = time.perf_counter() - began
            ctx = Ctx(session, operator, database.settings, now())
            records = getattr(writes, op)(ctx)
            if before_commit is not None:
                before_commit(records)
    except DeskError as error:
        records, refused = [], error.key
    return Outcome(op, records, wait, time.perf_counter() - began, refused)


def emit(fd: int, payload: dict[str, Any]) -> None:
    """One whole line with one write(2): a reader sees all of it or none of it."""
    line = (json.dumps(payload, ensure_ascii=False) + "\n").encode()
    assert len(line) < 65536, "a line must fit in the pipe"
    written = os.write(fd, line)
    assert written == len(line)


def run(path: Path, seed: int, mix: str = "all", out_fd: int = 1, who: str = CLERKS[0]) -> None:
    """Write until killed: "ready" once the database is open, then a line before each
    transaction ({"begin": op}), one just before its COMMIT ({"committing": …}) and one after it
    committed (what it saved)."""
    rng = random.Random(seed)
    database = open_database(path, settings=load_settings())
    operator = clerk(database, who)
    writes = Writes(rng, f"s{seed}")
    choose = chooser(rng, mix)
    emit(out_fd, {"ready": os.getpid()})
    while True:
        op = choose()
        emit(out_fd, {"begin": op})

        def committing(records: list[Saved], op: str = op) -> None:
            emit(out_fd, {"committing": op, "records": records})

        outcome = write_once(database, operator, writes, op, committing)
        emit(out_fd, {"op": op, "records": outcome.records, "refused": outcome.refused})


# --- the checks -------------------------------------------------------------------------------


@dataclass
class Check:
    """What a read-back found."""

    confirmed: int = 0
    found: int = 0
    problems: list[str] = field(default_factory=list)
    per_register: dict[str, int] = field(default_factory=dict)
    failed: set[int] = field(default_factory=set)  # the events of the writes not found whole

    @property
    def lost(self) -> int:
        return self.confirmed - self.found


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30)
    conn.row_factory = sqlite3.Row
    return conn


def _row_key(record: Saved) -> tuple[str, str, Any]:
    column, value = record["key"]
    return record["table"], column, value


def name(record: Saved) -> str:
    return f"{record['register']} {record['number'] or record['id']} {record['action']}"


def check_saved(conn: sqlite3.Connection, lines: Iterable[dict[str, Any]]) -> Check:
    """Every write a writer said it saved is there whole: its audit event, the rows it added, and
    — for the last write to each row, by the order of their events — the row in the state that
    write left it, with its lookup document in that state."""
    records = [record for line in lines for record in line["records"]]
    latest: dict[tuple[str, str, Any], int] = {}
    for record in records:
        row = _row_key(record)
        latest[row] = max(latest.get(row, 0), record["event"])
    result = Check()
    for record in records:
        result.confirmed += 1
        register = record["register"]
        result.per_register[register] = result.per_register.get(register, 0) + 1
        last = latest.get(_row_key(record)) == record["event"]
        problem = _saved_problem(conn, record, last)
        if problem:
            result.problems.append(f"{name(record)}: {problem}")
            result.failed.add(record["event"])
        else:
            result.found += 1
    return result


def _event_there(conn: sqlite3.Connection, record: Saved) -> bool:
    found = conn.execute(
        "SELECT count(*) FROM audit_event WHERE id = ? AND register_name = ? AND record_id = ? "
        "AND action = ?",
        (record["event"], record["register"], record["id"], record["action"]),
    ).fetchone()[0]
    return bool(found)


def _rows_problem(conn: sqlite3.Connection, record: Saved, committed: bool) -> str:
    for table, match, count in record["rows"]:
        where = " AND ".join(f"{column} IS ?" for column in match)
        n = conn.execute(f"SELECT count(*) FROM {table} WHERE {where}", tuple(match.values()))
        found = n.fetchone()[0]
        wanted = count if committed else (0 if count else found)
        if found != wanted:
            return f"{found} {table} rows of {match}, wanted {wanted}"
    return ""


def _saved_problem(conn: sqlite3.Connection, record: Saved, last: bool) -> str:
    table, column, value = _row_key(record)
    row = conn.execute(f"SELECT * FROM {table} WHERE {column} = ?", (value,)).fetchone()
    if row is None and last and not record["gone"]:
        return f"{column} {value} missing"  # (a later write may delete it: a calendar day)
    if not _event_there(conn, record):
        return f"no '{record['action']}' audit event (id {record['event']})"
    problem = _rows_problem(conn, record, committed=True)
    if problem:
        return problem
    if record["gone"] or row is None:
        return f"{column} {value} still there" if last and row is not None else ""
    if record["number"] and row["number"] != record["number"]:
        return f"{column} {value} has number {row['number']}"
    if not last:
        return ""  # a later write changed the row: that write's values are checked
    for field_name, wanted in [*record["expect"].items(), *(record["row"] or {}).items()]:
        if row[field_name] != wanted:
            return f"{field_name} is {row[field_name]!r}, written {wanted!r}"
    if record["register"] in LOOKUP:
        return _lookup_problem(conn, record, row)
    return ""


def _lookup_problem(conn: sqlite3.Connection, record: Saved, row: sqlite3.Row) -> str:
    doc = conn.execute(
        "SELECT * FROM search_doc WHERE register_name = ? AND record_id = ?",
        (record["register"], record["id"]),
    ).fetchone()
    if doc is None:
        return "no lookup document"
    if record["register"] == "residents":
        state = row["kind"] if row["active"] else "inactive"
    else:
        state = row["state"]
    if doc["state"] != state:
        return f"lookup document says {doc['state']!r}, the row {state!r}"
    if record["number"] and doc["number"] != record["number"]:
        return f"lookup document numbered {doc['number']!r}"
    return ""


def check_doubtful(conn: sqlite3.Connection, records: list[Saved]) -> tuple[bool, list[str]]:
    """A write killed between its last statement and the end of COMMIT: committed whole (all its
    events and rows there, and the row in its new state) or not at all (none of them there).

    Asked right after the writer died, before anything else writes. (committed?, problems)
    """
    there = [_event_there(conn, record) for record in records]
    if not records or not any(there):
        problems = []
        for record in records:
            table, column, value = _row_key(record)
            if record["new"]:
                row = conn.execute(f"SELECT 1 FROM {table} WHERE {column} = ?", (value,))
                if row.fetchone() is not None:
                    problems.append(f"{name(record)}: not committed, yet its new row is there")
            problem = _rows_problem(conn, record, committed=False)
            if problem:
                problems.append(f"{name(record)}: not committed, yet {problem}")
        return False, problems
    if not all(there):
        return True, [
            f"{name(r)}: half committed, its event {'there' if t else 'missing'}"
            for r, t in zip(records, there, strict=True)
        ]
    check = check_saved(conn, [{"records": records}])
    return True, check.problems


def _state_event(table: str, register: str, condition: str, action: str) -> tuple[str, str]:
    return (
        f"{register} record {condition} without its '{action}' event",
        f"SELECT t.id FROM {table} t WHERE ({condition}) AND NOT EXISTS (SELECT 1 FROM "
        f"audit_event a WHERE a.register_name = '{register}' AND a.record_id = t.id "
        f"AND a.action = '{action}')",
    )


def _events(register: str, action: str) -> str:
    return (
        f"(SELECT count(*) FROM audit_event a WHERE a.register_name = '{register}' "
        f"AND a.record_id = t.id AND a.action = '{action}')"
    )


# (what is wrong, SQL returning one row per offending record)
WHOLE = [
    # every record has the event that made it
    *[
        _state_event(TABLES[register], register, "1", action)
        for register, action in (
            ("reception", "logged"),
            ("repairs", "registered"),
            ("complaints", "registered"),
            ("keys", "added"),
            ("key_loans", "lent"),
            ("key_counts", "counted"),
            ("entrusted_keys", "deposited"),
            ("passes", "issued"),
            ("nightlog", "logged"),
            ("handover", "opened"),
            ("replies", "drafted"),
            ("residents", "created"),
            ("operator", "created"),
        )
    ],
    # and each state it is in, the event that put it there
    _state_event("reception_entry", "reception", "t.state = 'closed'", "closed"),
    _state_event("reception_entry", "reception", "t.answer != ''", "answered"),
    _state_event("reception_entry", "reception", "t.linked_id IS NOT NULL", "linked"),
    _state_event("repair_order", "repairs", "t.technician != ''", "dispatched"),
    _state_event("repair_order", "repairs", "t.on_site_at IS NOT NULL", "on_site"),
    _state_event("repair_order", "repairs", "t.completed_at IS NOT NULL", "completed"),
    _state_event("repair_order", "repairs", "t.state = 'closed'", "called_back"),
    _state_event("repair_order", "repairs", "t.state = 'cancelled'", "cancelled"),
    _state_event("repair_order", "repairs", "t.state = 'referred_out'", "referred_out"),
    _state_event("complaint", "complaints", "t.validity != 'pending'", "judged"),
    _state_event("complaint", "complaints", "t.escalated_at IS NOT NULL", "escalated"),
    _state_event("complaint", "complaints", "t.assigned_department != ''", "assigned"),
    _state_event("complaint", "complaints", "t.reply_text != ''", "replied"),
    _state_event("complaint", "complaints", "t.resolution != ''", "resolved"),
    _state_event("complaint", "complaints", "t.state = 'merged'", "merged"),
    _state_event("complaint", "complaints", "t.satisfied = 1", "called_back"),
    _state_event("key", "keys", "t.active = 0", "retired"),
    _state_event("entrusted_key", "entrusted_keys", "t.work_done_at IS NOT NULL", "work_done"),
    _state_event(
        "entrusted_key", "entrusted_keys", "t.owner_notified_at IS NOT NULL", "owner_notified"
    ),
    _state_event("entrusted_key", "entrusted_keys", "t.state = 'collected'", "collected"),
    _state_event("release_pass", "passes", "t.gate_checked_at IS NOT NULL", "gate_checked"),
    _state_event("release_pass", "passes", "t.state = 'voided'", "voided"),
    _state_event("release_pass", "passes", "t.stub_returned_at IS NOT NULL", "stub_returned"),
    _state_event("night_log_entry", "nightlog", "t.state = 'transferred'", "transferred"),
    _state_event("night_log_entry", "nightlog", "t.state = 'closed'", "closed"),
    _state_event("handover", "handover", "t.signed_off_at IS NOT NULL", "signed_off"),
    _state_event("handover", "handover", "t.state = 'acknowledged'", "acknowledged"),
    _state_event("handover", "handover", "t.refused_at IS NOT NULL", "refused"),
    _state_event("handover", "handover", "t.checklist != '[]'", "updated"),
    _state_event("standard_reply", "replies", "t.approved_at IS NOT NULL", "approved"),
    _state_event("standard_reply", "replies", "t.state = 'retired'", "retired"),
    (
        "repair order reopened a different number of times than its 'reopened' events",
        "SELECT t.number FROM repair_order t WHERE t.reopen_count != "
        + _events("repairs", "reopened"),
    ),
    (
        "complaint reopened a different number of times than its 'reopened' events",
        "SELECT t.number FROM complaint t WHERE t.reopen_count != "
        + _events("complaints", "reopened"),
    ),
    (
        "entrusted key whose uses differ from its 'taken_out' / 'brought_back' events",
        "SELECT t.number FROM entrusted_key t WHERE (SELECT count(*) FROM entrusted_key_use u "
        f"WHERE u.entrusted_id = t.id) != {_events('entrusted_keys', 'taken_out')} OR (SELECT "
        "count(*) FROM entrusted_key_use u WHERE u.entrusted_id = t.id AND u.back_at IS NOT NULL) "
        f"!= {_events('entrusted_keys', 'brought_back')}",
    ),
    (
        "repair order from a call whose reception entry is not linked to it",
        "SELECT r.number FROM repair_order r LEFT JOIN reception_entry e ON e.id = r.reception_id "
        "WHERE r.reception_id IS NOT NULL AND (e.id IS NULL OR e.linked_id IS NOT r.id "
        "OR e.linked_register != 'repairs')",
    ),
    (
        "complaint from a call whose reception entry is not linked to it",
        "SELECT r.number FROM complaint r LEFT JOIN reception_entry e ON e.id = r.reception_id "
        "WHERE r.reception_id IS NOT NULL AND (e.id IS NULL OR e.linked_id IS NOT r.id "
        "OR e.linked_register != 'complaints')",
    ),
    (
        "reception entry linked to a record that does not point back",
        "SELECT e.number FROM reception_entry e LEFT JOIN repair_order r ON "
        "e.linked_register = 'repairs' AND r.id = e.linked_id LEFT JOIN complaint c ON "
        "e.linked_register = 'complaints' AND c.id = e.linked_id WHERE e.linked_id IS NOT NULL "
        "AND r.reception_id IS NOT e.id AND c.reception_id IS NOT e.id",
    ),
    (
        "night entry transferred to a record that is not there",
        "SELECT n.id FROM night_log_entry n WHERE n.state = 'transferred' AND NOT EXISTS (SELECT 1 "
        "FROM repair_order r WHERE n.transferred_to = 'repairs' AND r.id = n.transferred_id) AND "
        "NOT EXISTS (SELECT 1 FROM complaint c WHERE n.transferred_to = 'complaints' "
        "AND c.id = n.transferred_id)",
    ),
    (
        "merged complaint pointing nowhere",
        "SELECT c.number FROM complaint c WHERE c.state = 'merged' AND NOT EXISTS (SELECT 1 "
        "FROM complaint o WHERE o.id = c.merged_into_id)",
    ),
    (
        "pass without items",
        "SELECT number FROM release_pass p WHERE NOT EXISTS "
        "(SELECT 1 FROM pass_item i WHERE i.pass_id = p.id)",
    ),
    (
        "pass whose items differ from its 'issued' event",
        "SELECT p.number FROM release_pass p LEFT JOIN audit_event a ON a.register_name = "
        "'passes' AND a.record_id = p.id AND a.action = 'issued' WHERE a.id IS NULL OR "
        "json_array_length(a.data, '$.items') != (SELECT count(*) FROM pass_item i "
        "WHERE i.pass_id = p.id)",
    ),
    (
        "key loan whose returned or lost count is not the sum of its returns and their events",
        "SELECT number FROM key_loan t WHERE t.returned_count != (SELECT coalesce(sum(count), 0) "
        "FROM key_return k WHERE k.loan_id = t.id) OR t.lost_count != (SELECT "
        "coalesce(sum(lost), 0) FROM key_return k WHERE k.loan_id = t.id) OR (SELECT count(*) "
        "FROM key_return k WHERE k.loan_id = t.id) != "
        f"{_events('key_loans', 'returned')} + {_events('key_loans', 'lost')}",
    ),
    (
        "more keys out than the cabinet holds",
        "SELECT k.tag FROM key k WHERE k.copies < (SELECT coalesce(sum(count - returned_count "
        "- lost_count), 0) FROM key_loan l WHERE l.key_id = k.id AND l.state IN "
        "('out', 'partly_returned'))",
    ),
    (
        "site calendar day whose last event is not its mark",
        "SELECT d.day FROM calendar_day d WHERE coalesce((SELECT a.action FROM audit_event a "
        "WHERE a.register_name = 'calendar' AND a.record_id = CAST(strftime('%Y%m%d', d.day) "
        "AS INTEGER) ORDER BY a.id DESC LIMIT 1), '') != d.kind",
    ),
    (
        "site calendar day marked in its last event but not there",
        "SELECT a.record_id FROM audit_event a WHERE a.register_name = 'calendar' AND a.id = "
        "(SELECT max(b.id) FROM audit_event b WHERE b.register_name = 'calendar' AND "
        "b.record_id = a.record_id) AND a.action != 'cleared' AND NOT EXISTS (SELECT 1 FROM "
        "calendar_day d WHERE CAST(strftime('%Y%m%d', d.day) AS INTEGER) = a.record_id)",
    ),
    *[
        (
            f"audit event of a {register} record that does not exist",
            f"SELECT a.id FROM audit_event a WHERE a.register_name = '{register}' AND NOT EXISTS "
            f"(SELECT 1 FROM {table} t WHERE t.id = a.record_id)",
        )
        for register, table in TABLES.items()
        if register != "calendar"
    ],
    *[
        (
            f"{register} record without its lookup document in its state",
            f"SELECT t.id FROM {TABLES[register]} t WHERE NOT EXISTS (SELECT 1 FROM search_doc d "
            f"WHERE d.register_name = '{register}' AND d.record_id = t.id AND d.state = "
            + (
                "CASE WHEN t.active THEN t.kind ELSE 'inactive' END)"
                if register == "residents"
                else "t.state)"
            ),
        )
        for register in sorted(LOOKUP)
    ],
    *[
        (
            f"{prefix} day counter not equal to the {register} records numbered that day",
            f"SELECT c.key FROM counter c WHERE c.key LIKE '{prefix}-%' AND c.value != "
            f"(SELECT count(*) FROM {TABLES[register]} t WHERE t.number LIKE c.key || '-%')",
        )
        for register, prefix in PREFIXES.items()
    ],
]


def check_whole(conn: sqlite3.Connection, integrity: bool = True) -> list[str]:
    """No half-written record anywhere; `PRAGMA integrity_check` and the foreign keys hold."""
    problems = []
    for what, sql in WHOLE:
        rows = [str(row[0]) for row in conn.execute(sql).fetchmany(5)]
        if rows:
            problems.append(f"{what}: {', '.join(rows)}")
    if integrity:
        verdict = [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]
        if verdict != ["ok"]:
            problems.append(f"integrity_check: {'; '.join(verdict[:5])}")
    broken = conn.execute("PRAGMA foreign_key_check").fetchmany(5)
    if broken:
        problems.append(f"foreign_key_check: {[tuple(row) for row in broken]}")
    return problems


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows of every register (the site calendar's days come and go: not counted)."""
    return {
        register: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for register, table in TABLES.items()
        if register != "calendar"
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mix", choices=sorted(MIXES), default="all")
    parser.add_argument("--prepare", action="store_true", help="make a fresh database and stop")
    args = parser.parse_args(argv)
    if args.prepare:
        prepare(args.db)
        return
    run(args.db, args.seed, args.mix)


if __name__ == "__main__":
    sys.exit(main())
