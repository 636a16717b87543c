"""The key register at fixed clocks: cabinet, loans, entrusted keys, counts, import, export."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from desk.db import Database
from desk.models import EntrustedState, LoanState, Operator
from desk.services import audit, export, keys, keys_import, repair
from desk.services.errors import DeskError, FieldErrors, Forbidden
from desk.services.keys import KeyLoanCreate
from desk.services.repair import RepairCreate
from tests.conftest import NOW, TZ, Desk
from tests.seed import deposit_key, lend_key, stock_cabinet

SHIFT_END = datetime(2026, 11, 23, 17, 30, tzinfo=TZ)


def test_cabinet_tags_are_normalised_unique_and_rooms_make_unit_keys(desk: Desk) -> None:
    stock_cabinet(desk)
    with desk.read() as ctx:
        pump, unit = keys.by_tag(ctx, "K-PUMP-B2"), keys.by_tag(ctx, "k-3-1202")
        assert pump is not None and unit is not None
        assert (pump.kind, unit.kind, unit.room) == ("facility", "unit", "3-1202")
        assert keys.available(ctx, pump) == 2
    with pytest.raises(DeskError) as err, desk.write() as ctx:
        keys.add_key(ctx, "K-PUMP-B2", "again")
    assert (err.value.key, err.value.field) == ("key_error.tag_taken", "tag")


def test_lend_is_due_at_the_end_of_the_shift(desk: Desk) -> None:
    stock_cabinet(desk)
    loan_id = lend_key(desk)
    with desk.read() as ctx:
        loan = keys.get_loan(ctx, loan_id)
        pump = keys.find_key(ctx, "K-PUMP-B2")
        assert loan.number == "JY-20261123-001"
        assert keys.due_at(loan) == SHIFT_END
        assert keys.available(ctx, pump) == 1
        assert [e.action for e in audit.history(ctx, keys.LOANS, loan_id)] == ["lent"]


def test_a_loan_made_at_night_is_due_the_next_morning(desk: Desk) -> None:
    stock_cabinet(desk)
    desk.now = datetime(2026, 11, 23, 22, 0, tzinfo=TZ)
    loan_id = lend_key(desk)
    with desk.read() as ctx:
        assert keys.get_loan(ctx, loan_id).due_at == datetime(2026, 11, 24, 8, 30, tzinfo=TZ)


def test_lending_more_than_the_cabinet_holds_or_nothing_is_refused(desk: Desk) -> None:
    stock_cabinet(desk)
    lend_key(desk, count=1)
    with pytest.raises(DeskError) as err:
        lend_key(desk, count=2)
    assert (err.value.key, err.value.params["available"]) == ("key_error.not_enough", 1)
    with pytest.raises(DeskError) as err:
        lend_key(desk, count=0)
    assert err.value.field == "key_count"
    with pytest.raises(DeskError) as err:
        lend_key(desk, tag="K-NOPE")
    assert err.value.key == "key_error.no_such_key"


def test_a_loan_s_refusals_are_all_said_at_once_each_beside_its_field(desk: Desk) -> None:
    stock_cabinet(desk)
    data = KeyLoanCreate(
        key="K-NOPE", borrower=" ", reason="", count=0, due_at=NOW - timedelta(hours=1)
    )
    with pytest.raises(FieldErrors) as err, desk.write() as ctx:
        keys.lend(ctx, data)
    assert [(e.field, e.key) for e in err.value.errors] == [
        ("key_ref", "key_error.no_such_key"),
        ("borrower", "field.required"),
        ("reason", "field.required"),
        ("key_count", "key_error.count_positive"),
        ("key_due_at", "key_error.due_in_past"),
    ]
    with desk.read() as ctx:
        assert keys.open_loans(ctx) == []


def test_partial_return_keeps_the_rest_out_and_records_who(desk: Desk, clerk: object) -> None:
    stock_cabinet(desk)
    loan_id = lend_key(desk, count=2)
    desk.now = NOW + timedelta(hours=2)
    with desk.write() as ctx:
        loan = keys.take_back(ctx, loan_id, 1, "赵师傅")
        assert loan.state == LoanState.partly_returned
        assert keys.outstanding(loan) == 1
    with desk.read() as ctx:
        (ret,) = keys.returns_of(ctx, loan_id)
        assert (ret.returned_by, ret.count, ret.at) == ("赵师傅", 1, desk.now)
        assert ret.received_by == desk.operator.id  # type: ignore[union-attr]
        assert keys.available(ctx, keys.find_key(ctx, "K-PUMP-B2")) == 1
        assert [loan.id for loan in keys.open_loans(ctx)] == [loan_id]
    with pytest.raises(DeskError) as err, desk.write() as ctx:
        keys.take_back(ctx, loan_id, 2, "赵师傅")
    assert (err.value.key, err.value.params["out"]) == ("key_error.more_than_out", 1)
    with desk.write() as ctx:
        assert keys.take_back(ctx, loan_id, 1, "李建国").state == LoanState.returned
    with pytest.raises(DeskError) as err, desk.write() as ctx:
        keys.take_back(ctx, loan_id, 1, "李建国")
    assert err.value.key == "key_error.loan_closed"
    with pytest.raises(DeskError) as err, desk.write() as ctx:
        keys.take_back(ctx, 999, 1, "李建国")
    assert err.value.key == "key_error.no_such_loan"


def test_lost_keys_close_the_loan_as_lost_and_stay_against_the_cabinet(desk: Desk) -> None:
    stock_cabinet(desk)
    loan_id = lend_key(desk, count=2)
    with desk.write() as ctx:
        keys.take_back(ctx, loan_id, 1, "李建国")
        loan = keys.report_lost(ctx, loan_id, 1, "天台遗失")
        assert (loan.state, loan.lost_count, loan.borrower) == (LoanState.lost, 1, "李建国")
    with desk.read() as ctx:
        pump = keys.find_key(ctx, "K-PUMP-B2")
        assert keys.available(ctx, pump) == 1
        actions = [e.action for e in audit.history(ctx, keys.LOANS, loan_id)]
        assert actions == ["lent", "returned", "lost"]
    with pytest.raises(DeskError) as err, desk.write() as ctx:
        keys.update_key(ctx, pump.id or 0, tag="K-PUMP-B2", opens="水泵房", copies=0)
    assert err.value.field == "copies"


def test_overdue_after_the_due_time(desk: Desk) -> None:
    stock_cabinet(desk)
    first = lend_key(desk)
    second = lend_key(desk, tag="K-3-1202", due_at=NOW + timedelta(days=1))
    with desk.read() as ctx:
        assert keys.overdue_loans(ctx) == []
    desk.now = SHIFT_END + timedelta(minutes=1)
    with desk.read() as ctx:
        assert [loan.id for loan in keys.overdue_loans(ctx)] == [first]
        assert [loan.id for loan in keys.open_loans(ctx)] == [first, second]
        items = keys.open_items(ctx)
    loan_item = items[0]
    assert (loan_item.register, loan_item.due_kind) == ("key_loans", "key_return")
    assert loan_item.overdue(desk.now) and "李建国" in loan_item.summary


def test_entrusted_key_from_deposit_to_collection(desk: Desk) -> None:
    with desk.write() as ctx:
        order = repair.register(
            ctx,
            RepairCreate(room="3-1202", description="卫生间渗水", category="water"),
        )
    entrusted_id = deposit_key(desk, repair_order_number=order.number.lower())
    with desk.write() as ctx:
        use = keys.take_out(ctx, entrusted_id, "李建国", "入户施工")
        with pytest.raises(DeskError) as err:
            keys.take_out(ctx, entrusted_id, "赵师傅", "")
        assert err.value.key == "key_error.entrusted_out"
    with pytest.raises(DeskError) as err, desk.write() as ctx:
        keys.work_done(ctx, entrusted_id, "")
    assert err.value.key == "key_error.entrusted_still_out"
    desk.now = NOW + timedelta(hours=3)
    with desk.write() as ctx:
        assert keys.bring_back(ctx, use.id or 0).back_at == desk.now
        keys.work_done(ctx, entrusted_id, "防水重做，闭水试验合格")
        record = keys.notify_owner(ctx, entrusted_id, "电话通知")
        assert record.owner_notified_at == desk.now
        assert record.repair_order_id == order.id
        (item,) = keys.open_items(ctx)
        assert item.due_kind == "owner_collect"
    with pytest.raises(DeskError) as err, desk.write() as ctx:
        keys.collect(ctx, entrusted_id, "WT-20261123-002", "李明")
    assert (err.value.key, err.value.field) == ("key_error.slip_mismatch", "slip_number")
    with desk.read() as ctx:
        assert keys.in_custody(ctx)[0].state == EntrustedState.work_done
    with desk.write() as ctx:
        record = keys.collect(ctx, entrusted_id, " wt-20261123-001 ", "李明")
        assert (record.state, record.collected_by) == (EntrustedState.collected, "李明")
    with desk.read() as ctx:
        assert keys.in_custody(ctx) == []
        events = audit.history(ctx, "entrusted_keys", entrusted_id)
    assert [e.action for e in events] == [
        "deposited",
        "taken_out",
        "brought_back",
        "work_done",
        "owner_notified",
        "collected",
    ]


def test_entrusted_key_out_with_staff_cannot_be_collected(desk: Desk) -> None:
    entrusted_id = deposit_key(desk)
    with desk.write() as ctx:
        keys.take_out(ctx, entrusted_id, "李建国", "")
    with pytest.raises(DeskError) as err, desk.write() as ctx:
        keys.collect(ctx, entrusted_id, "WT-20261123-001", "李明")
    assert err.value.key == "key_error.entrusted_still_out"
    with pytest.raises(DeskError) as err, desk.write() as ctx:
        keys.notify_owner(ctx, entrusted_id, "")
    assert err.value.key == "key_error.notify_before_done"
    with pytest.raises(DeskError) as err, desk.write() as ctx:
        deposit_key(desk, repair_order_number="WX-20260101-001")
    assert err.value.field == "repair_number"


def test_an_owner_s_key_s_refusals_are_all_said_at_once_each_beside_its_field(
    desk: Desk,
) -> None:
    with pytest.raises(FieldErrors) as err:
        deposit_key(
            desk,
            owner_name="",
            phone="12",
            description=" ",
            count=0,
            repair_order_number="WX-20260101-001",
        )
    assert [(e.field, e.key) for e in err.value.errors] == [
        ("key_owner", "field.required"),
        ("phone", "field.bad_phone"),
        ("description", "field.required"),
        ("key_count", "key_error.count_positive"),
        ("repair_number", "key_error.no_such_repair"),
    ]
    with desk.read() as ctx:
        assert keys.in_custody(ctx) == []


def test_a_cabinet_entry_s_refusals_are_all_said_at_once_each_beside_its_field(
    desk: Desk,
) -> None:
    stock_cabinet(desk)
    with pytest.raises(FieldErrors) as err, desk.write() as ctx:
        keys.add_key(ctx, "k-pump-b2", " ", kind="garage", copies=100)
    assert [(e.field, e.key) for e in err.value.errors] == [
        ("tag", "key_error.tag_taken"),
        ("opens", "field.required"),
        ("kind", "key_error.bad_kind"),
        ("copies", "key_error.bad_copies"),
    ]
    with desk.read() as ctx:
        pump = keys.find_key(ctx, "K-PUMP-B2")
    with pytest.raises(FieldErrors) as err, desk.write() as ctx:
        keys.update_key(ctx, pump.id or 0, tag="K 3", opens="", copies=0)
    assert [(e.field, e.key) for e in err.value.errors] == [
        ("tag", "key_error.bad_tag"),
        ("opens", "field.required"),
        ("copies", "key_error.bad_copies"),
    ]
    with desk.read() as ctx:
        assert [key.tag for key in keys.cabinet(ctx)] == ["K-3-1202", "K-PUMP-B2"]
        assert keys.find_key(ctx, "K-PUMP-B2").opens == "水泵房"


def test_collecting_is_told_the_slip_and_who_at_once(desk: Desk) -> None:
    entrusted_id = deposit_key(desk)
    with pytest.raises(FieldErrors) as err, desk.write() as ctx:
        keys.collect(ctx, entrusted_id, "WT-20261123-009", " ")
    assert [(e.field, e.key) for e in err.value.errors] == [
        ("slip_number", "key_error.slip_mismatch"),
        ("collected_by", "field.required"),
    ]
    with desk.read() as ctx:
        assert [record.id for record in keys.in_custody(ctx)] == [entrusted_id]


def test_count_records_discrepancies(desk: Desk) -> None:
    stock_cabinet(desk)
    lend_key(desk)
    entrusted_id = deposit_key(desk, count=2)
    with desk.read() as ctx:
        assert keys.count_due(ctx)
        expected = {line.ref: line.expected for line in keys.expected_counts(ctx)}
    assert expected == {"K-3-1202": 1, "K-PUMP-B2": 1, "WT-20261123-001": 2}
    found = {"k-pump-b2": 1, "K-3-1202": 0, "WT-20261123-001": 2}
    with desk.write() as ctx:
        record = keys.count(ctx, found, "3-1202 不在挂钩上")
        assert (record.expected, record.found) == (4, 3)
    assert json.loads(record.discrepancies) == [{"ref": "K-3-1202", "expected": 1, "found": 0}]
    with desk.read() as ctx:
        assert not keys.count_due(ctx)
        assert keys.last_count(ctx) is not None
    desk.now = NOW + timedelta(days=7)
    with desk.read() as ctx:
        assert keys.count_due(ctx)
    with pytest.raises(DeskError) as err, desk.write() as ctx:
        keys.count(ctx, {"K-NOPE": 1})
    assert err.value.key == "key_error.count_unknown"
    with pytest.raises(DeskError) as err, desk.write() as ctx:
        keys.count(ctx, {"K-PUMP-B2": 1, "K-3-1202": 0, "WT-20261123-001": 2}, "  ")
    assert err.value.key == "key_error.count_note_needed" and err.value.field == "note"
    with desk.read() as ctx:
        assert keys.last_count(ctx).id == record.id  # type: ignore[union-attr]
    with desk.write() as ctx:
        keys.take_out(ctx, entrusted_id, "李建国", "")
        refs = [line.ref for line in keys.expected_counts(ctx)]
    assert "WT-20261123-001" not in refs


CSV = (
    "tag,opens,kind,room,copies,hook,note\n"
    "K-PUMP-B2,水泵房,,,2,A-01,\n"
    "K-3-1202,空置房,,3-1202,,B-01,\n"
)


def test_import_good_file_then_again_unchanged(db: Database, supervisor: Operator) -> None:
    desk = Desk(db, supervisor)  # loading the cabinet is a supervisor's act
    with desk.write() as ctx:
        result = keys.import_cabinet(ctx, CSV.encode())
    assert (result.imported, result.added) == (True, 2)
    with desk.write() as ctx:
        result = keys.import_cabinet(ctx, CSV.replace("水泵房", "B2 水泵房").encode())
    assert (result.added, result.updated, result.unchanged) == (0, 1, 1)
    with desk.read() as ctx:
        unit = keys.find_key(ctx, "K-3-1202")
    assert (unit.kind, unit.copies) == ("unit", 1)


def test_import_is_a_supervisors_act(desk: Desk) -> None:
    with pytest.raises(Forbidden), desk.write() as ctx:
        keys.import_cabinet(ctx, CSV.encode())
    with desk.read() as ctx:
        assert keys.cabinet(ctx) == []


def test_import_bad_lines_stop_everything_unless_skipped(
    db: Database, supervisor: Operator
) -> None:
    desk = Desk(db, supervisor)  # loading the cabinet is a supervisor's act
    bad = CSV + "K 9,空格,,,1,,\nK-X,,,,1,,\nK-Y,车库,,,lots,,\nK-PUMP-B2,重复,,,1,,\n"
    with desk.write() as ctx:
        result = keys.import_cabinet(ctx, bad.encode())
    assert not result.imported
    assert [line.line for line in result.bad] == [4, 5, 6, 7]
    with desk.read() as ctx:
        assert keys.cabinet(ctx) == []
    with desk.write() as ctx:
        result = keys.import_cabinet(ctx, bad.encode(), skip_bad=True)
    assert (result.imported, result.added) == (True, 2)


def test_import_chinese_headers_in_gbk(db: Database, supervisor: Operator) -> None:
    desk = Desk(db, supervisor)  # loading the cabinet is a supervisor's act
    text = "编号,用途,类型,房号,数量,挂钩位置,备注\nK-ELEC-1,配电房,设施,,3,A-02,总闸\n"
    with desk.write() as ctx:
        result = keys_import.import_cabinet(ctx, text.encode("gbk"))
    assert result.added == 1
    with desk.read() as ctx:
        key = keys.find_key(ctx, "K-ELEC-1")
    assert (key.opens, key.copies, key.hook, key.note) == ("配电房", 3, "A-02", "总闸")


def test_export_has_keys_loans_entrusted_and_counts_with_events(desk: Desk) -> None:
    stock_cabinet(desk)
    loan_id = lend_key(desk, count=2)
    with desk.write() as ctx:
        keys.take_back(ctx, loan_id, 1, "李建国")
    deposit_key(desk)
    with desk.write() as ctx:
        keys.count(ctx, {"K-PUMP-B2": 0}, "两把借出未还")
    with desk.read() as ctx:
        rows = export.export(ctx, ["keys"])["keys"]
    kinds = [row["record"] for row in rows]
    assert kinds == ["key", "key", "loan", "entrusted", "count"]
    loan = rows[2]
    assert [e["action"] for e in loan["events"]] == ["lent", "returned"]
    assert loan["returns"][0]["returned_by"] == "李建国"
    assert loan["operator"] == "王芳"
    assert rows[0]["events"][0]["action"] == "added"
    assert rows[3]["uses"] == [] and rows[3]["events"][0]["action"] == "deposited"
    assert rows[4]["events"][0]["action"] == "counted"
    text = export.to_csv("keys", rows)
    assert text.splitlines()[0].startswith("record,id,tag")
    assert "JY-20261123-001" in text


def test_only_a_supervisor_retires_a_key_saying_why(
    db: Database, desk: Desk, supervisor: Operator
) -> None:
    stock_cabinet(desk)
    loan_id = lend_key(desk)
    with desk.read() as ctx:
        pump_id = keys.find_key(ctx, "K-PUMP-B2").id or 0
    with pytest.raises(Forbidden) as refused, desk.write() as ctx:
        keys.retire_key(ctx, pump_id, "锁芯已更换")
    assert refused.value.message.startswith(
        "only a supervisor may retire a key from the cabinet, because every count and handover"
    )
    boss = Desk(db, supervisor, NOW + timedelta(hours=1))
    with pytest.raises(DeskError) as still_out, boss.write() as ctx:
        keys.retire_key(ctx, pump_id, "锁芯已更换")
    assert still_out.value.key == "key_error.retire_out"
    with desk.write() as ctx:
        keys.take_back(ctx, loan_id, 1, "李建国")
    with desk.read() as ctx:
        assert keys.find_key(ctx, "K-PUMP-B2").active
    with boss.write() as ctx:
        keys.retire_key(ctx, pump_id, "锁芯已更换")
    with desk.read() as ctx:
        assert not keys.find_key(ctx, "K-PUMP-B2").active
        event = audit.history(ctx, keys.REGISTER, pump_id)[-1]
    assert (event.action, event.reason) == ("retired", "锁芯已更换")
    assert (event.operator_id, event.at) == (supervisor.id, boss.now)
