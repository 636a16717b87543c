"""The audit chain, attacked as an insider with the database file would attack it.

Each test makes real records through the services, then changes the database behind the desk's
back (raw SQL on the file or the server, the append-only triggers dropped or disabled and put
back where the attack needs it) and asserts that `desk audit verify` finds it, naming the
register, the record and what differs. Runs on SQLite and on PostgreSQL (DESK_TEST_POSTGRES).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection
from typer.testing import CliRunner

from desk.cli import app
from desk.db import Database
from desk.services import audit_chain, audit_rows, audit_verify, repair
from tests.conftest import NOW, Desk, verify_audit
from tests.seed import register_repair

# every test here attacks the audit trail
pytestmark = pytest.mark.tampers

runner = CliRunner()


def _dispatched(desk: Desk) -> int:
    order_id = register_repair(desk, description="水龙头漏水")
    with desk.write() as ctx:
        repair.dispatch(ctx, order_id, "赵师傅")
    return order_id


def _codes(report: audit_verify.Report) -> set[tuple[str, int | None, str]]:
    return {(p.register, p.record_id, p.code) for p in report.problems}


@contextmanager
def _behind_the_desk(db: Database) -> Iterator[Connection]:
    """A raw connection with the append-only triggers out of the way, put back afterwards."""
    with db.engine.begin() as conn:
        if db.is_sqlite:
            triggers = conn.execute(
                text(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                    "AND tbl_name IN ('audit_event', 'audit_seal')"
                )
            ).all()
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            for name, _sql in triggers:
                conn.exec_driver_sql(f"DROP TRIGGER {name}")
            yield conn
            for _name, sql in triggers:
                conn.exec_driver_sql(sql)
        else:
            for table in ("audit_event", "audit_seal"):
                conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
            yield conn
            for table in ("audit_event", "audit_seal"):
                conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER ALL")


def test_records_made_through_the_services_verify_and_the_chain_runs_on(desk: Desk) -> None:
    first = _dispatched(desk)
    report = verify_audit(desk.db)
    assert report.ok, [p.text for p in report.problems]
    seq, _ = report.head
    register_repair(desk, description="水龙头漏水")
    later = verify_audit(desk.db)
    assert later.ok
    assert later.head[0] > seq
    with desk.db.reading() as session:
        links = session.execute(text("SELECT seq, prev_hash, hash FROM audit_seal ORDER BY seq"))
        rows = links.all()
    assert [row[0] for row in rows] == list(range(1, len(rows) + 1))
    assert all(rows[i][1] == rows[i - 1][2] for i in range(1, len(rows)))
    assert first


def test_a_row_edited_outside_the_desk_is_named_with_what_differs(desk: Desk) -> None:
    order_id = _dispatched(desk)
    with desk.db.engine.begin() as conn:
        conn.execute(
            text("UPDATE repair_order SET technician = '某人', state = 'closed' WHERE id = :id"),
            {"id": order_id},
        )
    report = verify_audit(desk.db)
    assert _codes(report) == {("repairs", order_id, "row_differs")}
    shown = report.problems[0].text
    assert f"repairs #{order_id}" in shown
    assert "technician: 赵师傅 → 某人" in shown
    assert "state: dispatched → closed" in shown


def test_an_event_rewritten_with_the_triggers_dropped_and_put_back(desk: Desk) -> None:
    order_id = _dispatched(desk)
    with _behind_the_desk(desk.db) as conn:
        conn.execute(
            text(
                'UPDATE audit_event SET data = \'{"technician": "钱师傅"}\' '
                "WHERE register_name = 'repairs' AND record_id = :id AND action = 'dispatched'"
            ),
            {"id": order_id},
        )
    report = verify_audit(desk.db)
    assert _codes(report) == {("repairs", order_id, "event_changed")}


def test_a_forged_event_appended_is_not_in_the_chain(desk: Desk) -> None:
    order_id = _dispatched(desk)
    with desk.db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_event (at, operator_id, register_name, record_id, action, "
                "data, reason) SELECT at, operator_id, register_name, record_id, 'cancelled', "
                "'{}', 'forged' FROM audit_event WHERE register_name = 'repairs' "
                "AND record_id = :id AND action = 'registered'"
            ),
            {"id": order_id},
        )
    assert ("repairs", order_id, "unsealed") in _codes(verify_audit(desk.db))


def test_a_forged_seal_for_a_forged_event_breaks_the_chain(desk: Desk) -> None:
    order_id = _dispatched(desk)
    register_repair(desk, description="灯不亮")
    with desk.db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_event (at, operator_id, register_name, record_id, action, "
                "data, reason) SELECT at, operator_id, register_name, record_id, 'cancelled', "
                "'{}', '' FROM audit_event WHERE record_id = :id AND action = 'registered' "
                "AND register_name = 'repairs'"
            ),
            {"id": order_id},
        )
        forged = conn.execute(text("SELECT max(id) FROM audit_event")).scalar_one()
        seq = conn.execute(text("SELECT max(seq) FROM audit_seal")).scalar_one()
        # a link that claims to follow the head, with a made-up hash
        conn.execute(
            text(
                "INSERT INTO audit_seal (seq, event_id, prev_hash, hash, row) "
                "VALUES (:seq, :event, 'abc', :hash, NULL)"
            ),
            {"seq": seq + 1, "event": forged, "hash": "f" * 64},
        )
    codes = {code for _, _, code in _codes(verify_audit(desk.db))}
    assert "chain_broken" in codes


def test_a_record_and_its_events_deleted(desk: Desk) -> None:
    gone = _dispatched(desk)
    kept = register_repair(desk, description="灯不亮")
    with _behind_the_desk(desk.db) as conn:
        ids = [
            row[0]
            for row in conn.execute(
                text(
                    "SELECT id FROM audit_event WHERE register_name = 'repairs' AND record_id = :r"
                ),
                {"r": gone},
            )
        ]
        for event_id in ids:
            conn.execute(text("DELETE FROM audit_seal WHERE event_id = :e"), {"e": event_id})
            conn.execute(text("DELETE FROM audit_event WHERE id = :e"), {"e": event_id})
        conn.execute(text("DELETE FROM search_doc WHERE record_id = :r"), {"r": gone})
        conn.execute(text("DELETE FROM repair_order WHERE id = :r"), {"r": gone})
    codes = {code for _, _, code in _codes(verify_audit(desk.db))}
    assert "chain_gap" in codes
    assert kept


def test_the_last_events_cut_off_are_caught_by_a_head_written_down(desk: Desk) -> None:
    register_repair(desk, description="水龙头漏水")
    written_down = verify_audit(desk.db).head_text
    last = _dispatched(desk)
    assert verify_audit(desk.db, head=written_down).ok
    with _behind_the_desk(desk.db) as conn:
        conn.execute(text("DELETE FROM audit_seal"))
    # everything sealed is gone: the file alone cannot tell a chain that never was…
    report = verify_audit(desk.db, head=written_down)
    assert ("audit_seal", None, "head_missing") in _codes(report)
    assert last


def test_a_chain_recomputed_by_someone_who_knows_how_is_caught_only_by_the_head(
    desk: Desk,
) -> None:
    """The honest limit: whoever holds the file and this code can rebuild a consistent chain;
    only a head written down outside the file (summary, backup) shows it."""
    order_id = _dispatched(desk)
    written_down = verify_audit(desk.db).head_text
    with _behind_the_desk(desk.db) as conn:
        conn.execute(
            text("UPDATE repair_order SET technician = '某人' WHERE id = :id"), {"id": order_id}
        )
        conn.execute(text("DELETE FROM audit_seal"))
        audit_chain.seal_unsealed(conn)
    assert verify_audit(desk.db).ok
    assert ("audit_seal", None, "head_missing") in _codes(verify_audit(desk.db, head=written_down))


def test_phone_numbers_never_enter_the_trail_in_full(desk: Desk) -> None:
    order_id = register_repair(desk, description="水龙头漏水")
    with desk.db.reading() as session:
        data = session.execute(text("SELECT data FROM audit_event")).scalars().all()
        rows = session.execute(text("SELECT row FROM audit_seal")).scalars().all()
    everything = " ".join(data) + " ".join(r or "" for r in rows)
    assert "13812345678" not in everything
    assert "138****5678" in everything
    assert order_id


def test_a_pin_hash_swapped_in_the_file_is_caught(desk: Desk, supervisor: Any) -> None:
    """Taking over the supervisor by writing a PIN hash of one's own into the file."""
    from desk.services.operators import hash_pin

    with desk.db.engine.begin() as conn:
        conn.execute(
            text("UPDATE operator SET pin_hash = :h WHERE id = :id"),
            {"h": hash_pin("0000"), "id": supervisor.id},
        )
    report = verify_audit(desk.db)
    assert ("operator", supervisor.id, "row_differs") in _codes(report)
    assert "pin_hash" in report.problems[0].text


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("0755-12345678", "075*****5678"),
        ("12345", "*2345"),
        ("110", "***"),
        ("", ""),
        ("138****5678", "138****5678"),
    ],
)
def test_mask_phone(value: str, shown: str) -> None:
    assert audit_rows.mask_phone(value) == shown


def test_masked_reaches_nested_phones() -> None:
    data = {"phone": "13812345678", "items": [{"owner_phone_called": "13900001111"}], "n": 1}
    assert json.dumps(audit_rows.masked(data), ensure_ascii=False) == (
        '{"phone": "138****5678", "items": [{"owner_phone_called": "139****1111"}], "n": 1}'
    )


def test_cli_verify_prints_the_head_and_checks_a_given_one(desk: Desk) -> None:
    _dispatched(desk)
    base = ["--lang", "en", "--db", desk.db.url, "audit", "verify"]
    result = runner.invoke(app, base)
    assert result.exit_code == 0, result.output
    head = result.output.strip().splitlines()[-1].removeprefix("Audit chain: ")
    seq, _, hex_part = head.partition(":")
    assert int(seq) > 0 and len(hex_part) == 16
    assert runner.invoke(app, [*base, "--head", head]).exit_code == 0
    wrong = f"{seq}:{'0' * 16}"
    result = runner.invoke(app, [*base, "--head", wrong])
    assert result.exit_code == 1
    assert f"does not hold the link {wrong}" in result.output
    result = runner.invoke(app, [*base, "--head", "nonsense"])
    assert result.exit_code == 2
    assert "--head is written SEQ:HEX" in result.output


def test_a_passs_goods_edited_in_the_file_are_caught(desk: Desk) -> None:
    """The items of a release pass are what the guard lets out: an edit to them in the file is
    named on the pass (its items are followed as part of it)."""
    from desk.services import passes, residents
    from tests.seed import owner_pass

    with desk.write() as ctx:
        residents.add_resident(ctx, "3", "1202", "李明", "13812345678", "owner")
        issued = passes.issue(ctx, owner_pass())
    assert verify_audit(desk.db).ok
    with desk.db.engine.begin() as conn:
        conn.execute(
            text("UPDATE pass_item SET quantity = 50 WHERE pass_id = :id"), {"id": issued.id}
        )
    report = verify_audit(desk.db)
    assert _codes(report) == {("passes", issued.id, "row_differs")}
    assert "pass_item" in report.problems[0].text


def test_an_edit_in_the_file_is_not_hidden_by_the_desks_next_change_to_the_record(
    desk: Desk, supervisor: Any
) -> None:
    """A clerk makes herself supervisor in the file, then signs in and acts: the desk's own
    events seal only what the desk changed, so verify keeps naming the edit."""
    from desk.services import operators

    clerk = desk.operator
    assert clerk is not None
    with desk.db.engine.begin() as conn:
        conn.execute(
            text("UPDATE operator SET role = 'supervisor' WHERE id = :id"), {"id": clerk.id}
        )
    with desk.write() as ctx:
        assert operators.sign_in(ctx, clerk.name, "1234").operator is not None
    order_id = _dispatched(desk)  # and the record's own next change, through the desk
    with desk.db.engine.begin() as conn:
        conn.execute(
            text("UPDATE repair_order SET technician = '某人' WHERE id = :id"), {"id": order_id}
        )
    with desk.write() as ctx:
        repair.arrive(ctx, order_id)
    codes = _codes(verify_audit(desk.db))
    assert ("operator", clerk.id, "row_differs") in codes
    assert ("repairs", order_id, "row_differs") in codes


def test_two_desks_saving_at_once_are_no_finding(desk: Desk) -> None:
    """Each desk takes its event's time before it waits for the write lock: events of one
    record may commit a few seconds out of time order, which is not tampering."""
    from desk.services import operators

    clerk = desk.operator
    assert clerk is not None
    for seconds in (8, 3):  # the second desk's sign-in was timed before it waited
        with Desk(desk.db, None, NOW + timedelta(seconds=seconds)).write() as ctx:
            assert operators.sign_in(ctx, clerk.name, "1234").operator is not None
    assert verify_audit(desk.db).ok


def test_a_value_that_cannot_be_read_is_a_finding_and_the_rest_is_still_checked(
    desk: Desk,
) -> None:
    if not desk.db.is_sqlite:
        pytest.skip("only SQLite lets a time column hold any text")
    order_id = _dispatched(desk)
    clerk = desk.operator
    assert clerk is not None
    with desk.db.engine.begin() as conn:
        conn.execute(
            text("UPDATE repair_order SET reported_at = 'junk' WHERE id = :id"), {"id": order_id}
        )
        conn.execute(text("UPDATE operator SET name = '别人' WHERE id = :id"), {"id": clerk.id})
    codes = _codes(verify_audit(desk.db))
    assert ("repairs", None, "unreadable") in codes
    assert ("operator", clerk.id, "row_differs") in codes


def test_an_edited_key_return_is_not_carried_into_the_chain_by_the_next_return(
    desk: Desk,
) -> None:
    """A loan's returns are followed row by row: the desk's next return seals that return only,
    and the one edited in the file is still named."""
    from desk.services import keys

    with desk.write() as ctx:
        keys.add_key(ctx, "K-PUMP", "水泵房", copies=5)
        loan = keys.lend(
            ctx, keys.KeyLoanCreate(key="K-PUMP", borrower="李建国", reason="检修", count=3)
        )
    with desk.write() as ctx:
        keys.take_back(ctx, loan.id, 1, "李建国")
    with desk.db.engine.begin() as conn:
        conn.execute(text("UPDATE key_return SET returned_by = '路人甲'"))
    with desk.write() as ctx:
        keys.take_back(ctx, loan.id, 1, "李建国")
    report = verify_audit(desk.db)
    assert _codes(report) == {("key_loans", loan.id, "row_differs")}
    assert "key_return" in report.problems[0].text


def test_a_retired_key_listed_again_by_an_import_is_back_with_its_event(
    db: Database, supervisor: Any
) -> None:
    from desk.services import keys, keys_import

    boss = Desk(db, supervisor)
    with boss.write() as ctx:
        key = keys.add_key(ctx, "K-PUMP", "水泵房", copies=2)
    with boss.write() as ctx:
        keys.retire_key(ctx, key.id, "换锁")
    with boss.write() as ctx:
        keys_import.import_text(ctx, "tag,opens,copies\nK-PUMP,水泵房,2\n")
    assert verify_audit(db).ok
    with db.reading() as session:
        actions = (
            session.execute(
                text("SELECT action FROM audit_event WHERE register_name = 'keys' ORDER BY id")
            )
            .scalars()
            .all()
        )
    assert actions[-1] == "reactivated"
