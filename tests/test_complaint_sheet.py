"""The complaint record sheet: every part present, 80 cells wide, in both languages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rich.cells import cell_len

from desk.db import Database
from desk.i18n import set_language
from desk.printing.complaint_sheet import sheet_events, sheet_text
from desk.services import audit, complaint, operators
from desk.services.complaint import ComplaintCreate
from desk.services.repair import CallbackResult
from tests.conftest import NOW, TZ, Desk


def _closed(desk: Desk) -> int:
    data = ComplaintCreate(
        complainant="李明",
        room="3-1202",
        phone="13812345678",
        category="service",
        department="security",
        person_complained="南门值班保安",
        what_happened="晚上十点回小区，南门保安态度恶劣，迟迟不开门" * 3,
        resident_asks="要求保安当面道歉",
        severity="important",
    )
    with desk.write() as ctx:
        item = complaint.register(ctx, data)
        assert item.id is not None
        complaint.judge(ctx, item.id, "valid", "属实")
        complaint.escalate(ctx, item.id, "部门负责人", at=NOW + timedelta(minutes=0))
        complaint.assign(ctx, item.id, "security")
        complaint.reply(ctx, item.id, "安管部主管已电话致歉")
        complaint.resolve(ctx, item.id, "当事保安书面检讨并调岗")
        complaint.call_back(ctx, item.id, CallbackResult(satisfied=True, note="满意"))
        return item.id


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_sheet_carries_every_part_within_80_cells(db: Database, desk: Desk, lang: str) -> None:
    item_id = _closed(desk)
    set_language(lang)
    with desk.read() as ctx:
        item = complaint.get(ctx, item_id)
        events = audit.history(ctx, complaint.REGISTER, item_id)
        names = operators.operator_names(ctx, {item.owner_id})
    printed = sheet_text(
        item,
        db.settings,
        TZ,
        owner=names[item.owner_id],
        events=sheet_events(events, names, db.settings),
    )
    lines = printed.splitlines()
    assert all(cell_len(line) <= 80 for line in lines)
    for text in (
        "TS-20261123-001",
        "南门值班保安",
        "安管部主管已电话致歉",
        "当事保安书面检讨并调岗",
    ):
        assert text in printed
    assert "2026-11-23 09:30" in printed and "王芳" in printed
    if lang == "zh_CN":
        assert "客户投诉登记表" in printed and "[x] 满意" in printed and "重要" in printed
    else:
        assert "Complaint record sheet" in printed and "[x] satisfied" in printed
        assert "called back, satisfied" in printed
