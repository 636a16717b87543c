"""Shift handover at fixed clocks: what it pulls in, PINs, freezing, refusal, the board notice."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from desk import errorlog
from desk.db import Database
from desk.models import Handover, HandoverState, Operator
from desk.services import handover, nightlog, repair
from desk.services.errors import DeskError, FieldErrors
from desk.services.handover import CheckCount
from desk.services.nightlog import NightLogCreate
from tests.conftest import NIGHT_END, NOW, TZ, Desk
from tests.seed import full_update, night_handover, seed_registers


def test_open_handover_pulls_in_every_register(db: Database, desk: Desk, night: Operator) -> None:
    seed_registers(desk)
    night_desk = Desk(db, night, NIGHT_END - timedelta(hours=3))
    with night_desk.write() as ctx:
        nightlog.log(ctx, NightLogCreate(caller="刘", room="2-0301", what="卫生间漏水"))
    handover_id = night_handover(db, night, short_radio=True)
    with Desk(db, night, NIGHT_END).read() as ctx:
        record = handover.get(ctx, handover_id)
        assert record.shift_key == "night"
        assert record.shift_start == datetime(2026, 11, 22, 17, 30, tzinfo=TZ)
        assert record.shift_end == datetime(2026, 11, 23, 8, 30, tzinfo=TZ)
        summary = handover.summary(ctx, record)
    sections = {key: [item.what for item in items] for key, items in summary.sections.items()}
    assert sections["repairs"] == ["厨房水龙头漏水"]
    assert sections["complaints"] == ["楼上装修噪音"]
    assert sections["reception"] == ["询问停水时间"]
    assert sections["nightlog"] == ["卫生间漏水"]
    assert summary.sections["repairs"][0].overdue  # dispatch was due three days ago
    assert summary.counts["nightlog"] == 1 and summary.counts["repairs"] == 0
    (radio,) = summary.discrepancies()
    assert (radio.key, radio.missing, radio.holder) == ("radio", 1, "李建国")
    assert summary.outgoing == "张伟" and summary.notes == "3栋电梯异响"


def test_sign_off_with_a_wrong_pin_is_refused(db: Database, night: Operator) -> None:
    handover_id = night_handover(db, night)
    with pytest.raises(DeskError, match="wrong PIN"), Desk(db, night, NIGHT_END).write() as ctx:
        handover.sign_off(ctx, handover_id, "0000")
    with Desk(db, night, NIGHT_END).read() as ctx:
        assert handover.get(ctx, handover_id).state == HandoverState.open


def test_short_item_needs_who_has_it(db: Database, night: Operator) -> None:
    handover_id = night_handover(db, night)
    update = full_update(db)
    update.checks[1] = CheckCount(key="torch", counted=1)
    with (
        pytest.raises(DeskError, match="say who has it"),
        Desk(db, night, NIGHT_END).write() as ctx,
    ):
        handover.update(ctx, handover_id, update)
        handover.sign_off(ctx, handover_id, "3333")


@pytest.mark.parametrize(("counted", "refusal"), [(-1, "cannot be negative"), (10**20, "at most")])
def test_a_count_below_zero_or_far_over_is_refused(
    db: Database, night: Operator, counted: int, refusal: str
) -> None:
    handover_id = night_handover(db, night)
    update = full_update(db)
    update.checks[1] = CheckCount(key="torch", counted=counted)
    with pytest.raises(DeskError, match=refusal), Desk(db, night, NIGHT_END).write() as ctx:
        handover.update(ctx, handover_id, update)
    with Desk(db, night, NIGHT_END).read() as ctx:
        assert counted not in [
            c.counted for c in handover.checks(ctx, handover.get(ctx, handover_id))
        ]


def test_every_bad_count_is_said_at_once_and_nothing_is_saved(
    db: Database, night: Operator
) -> None:
    handover_id = night_handover(db, night)
    update = full_update(db)
    update.checks[0] = CheckCount(key="radio", counted=-1)
    update.checks[1] = CheckCount(key="torch", counted=10**20)
    with pytest.raises(FieldErrors) as refused, Desk(db, night, NIGHT_END).write() as ctx:
        handover.update(ctx, handover_id, update)
    keys = [error.key for error in refused.value.errors]
    assert keys == ["handover_ui.error.bad_count", "handover_ui.error.too_many"]
    with Desk(db, night, NIGHT_END).read() as ctx:
        counted = [c.counted for c in handover.checks(ctx, handover.get(ctx, handover_id))]
    assert -1 not in counted and 10**20 not in counted


def test_acknowledge_freezes_the_summary(
    db: Database, desk: Desk, clerk: Operator, night: Operator
) -> None:
    seed_registers(desk)
    handover_id = night_handover(db, night)
    with Desk(db, night, NIGHT_END).write() as ctx:
        handover.sign_off(ctx, handover_id, "3333")
    at = NIGHT_END + timedelta(minutes=10)
    with pytest.raises(DeskError, match="wrong PIN"), Desk(db, clerk, at).write() as ctx:
        handover.acknowledge(ctx, handover_id, "王芳", "9876")
    with Desk(db, clerk, at).write() as ctx:
        done = handover.acknowledge(ctx, handover_id, "王芳", "1234")
        assert done.state == HandoverState.acknowledged and done.acknowledged_at == at
        stored = done.summary
    # a record changes afterwards: the handed-over summary does not
    with desk.write() as ctx:
        (order,) = repair.open_orders(ctx)
        assert order.id is not None
        repair.dispatch(ctx, order.id, "李建国")
    with desk.read() as ctx:
        record = handover.get(ctx, handover_id)
        assert record.summary == stored
        frozen = handover.summary(ctx, record)
        with pytest.raises(DeskError):
            handover.update(ctx, handover_id, full_update(db))
    assert frozen.incoming == "王芳" and frozen.outgoing == "张伟"
    assert frozen.sections["repairs"][0].state == "registered"
    assert json.loads(stored)["acknowledged_at"].startswith("2026-11-23T08:30")


def test_refusal_keeps_the_shift_open_and_the_board_says_so(
    db: Database, clerk: Operator, night: Operator
) -> None:
    handover_id = night_handover(db, night)
    with Desk(db, night, NIGHT_END).write() as ctx:
        handover.sign_off(ctx, handover_id, "3333")
    with Desk(db, clerk, NIGHT_END + timedelta(minutes=5)).write() as ctx:
        refused = handover.refuse(ctx, handover_id, "王芳", "1234", "桌面没有清理")
        assert refused.state == HandoverState.refused
    with Desk(db, clerk, NOW).read() as ctx:
        record = handover.get(ctx, handover_id)
        assert record.refusal_reason == "桌面没有清理" and record.refused_at is not None
        assert handover.pending(ctx) is not None
        notice = handover.board_notice(ctx, NOW)
    assert notice is not None and "Night" in notice and "refused" in notice
    # the outgoing fixes it and signs again; the clerk takes over; the board is quiet
    with Desk(db, night, NOW).write() as ctx:
        handover.sign_off(ctx, handover_id, "3333")
    with Desk(db, clerk, NOW).write() as ctx:
        handover.acknowledge(ctx, handover_id, "王芳", "1234")
    with Desk(db, clerk, NOW).read() as ctx:
        assert handover.board_notice(ctx, NOW) is None


def test_no_handover_at_all_for_the_last_shift_is_noticed(
    db: Database, clerk: Operator, night: Operator
) -> None:
    with Desk(db, night, NIGHT_END - timedelta(days=1)).write() as ctx:
        old = handover.open_handover(ctx)
        old.state = HandoverState.acknowledged
        ctx.session.add(old)
    with Desk(db, clerk, NOW).read() as ctx:
        notice = handover.board_notice(ctx, NOW)
        assert ctx.session.get(Handover, old.id) is not None
    assert notice is not None and "11-22" in notice


@pytest.mark.parametrize(
    ("moment", "key", "start"),
    [
        (datetime(2026, 11, 23, 17, 45, tzinfo=TZ), "night", datetime(2026, 11, 23, 17, 30)),
        (datetime(2026, 7, 1, 17, 45, tzinfo=TZ), "day", datetime(2026, 7, 1, 8, 30)),
        (datetime(2026, 7, 1, 18, 5, tzinfo=TZ), "night", datetime(2026, 7, 1, 18, 0)),
        (datetime(2026, 11, 24, 2, 0, tzinfo=TZ), "night", datetime(2026, 11, 23, 17, 30)),
    ],
)
def test_the_shift_comes_from_the_clock_with_summer_times(
    db: Database, moment: datetime, key: str, start: datetime
) -> None:
    """Night starts 17:30, 18:00 in summer (site.toml), and runs past midnight to 08:30."""
    with Desk(db, None, moment).read() as ctx:
        shift, began, ended = handover.current(ctx)
    assert shift.key == key and began == start.replace(tzinfo=TZ)
    assert ended.time().strftime("%H:%M") == ("08:30" if key == "night" else "18:00")


def test_after_an_early_takeover_the_desk_opens_the_next_shifts_handover(
    db: Database, clerk: Operator, night: Operator
) -> None:
    handover_id = night_handover(db, night)  # signed off at 08:20, the night ends at 08:30
    with Desk(db, night, NIGHT_END).write() as ctx:
        handover.sign_off(ctx, handover_id, "3333")
    with Desk(db, clerk, NIGHT_END + timedelta(minutes=2)).write() as ctx:
        handover.acknowledge(ctx, handover_id, "王芳", "1234")
    # F7 again at 08:25, still inside the night's hours: the day shift's, not a second night's
    with Desk(db, clerk, NIGHT_END + timedelta(minutes=5)).write() as ctx:
        opened = handover.open_handover(ctx)
    assert opened.id != handover_id and opened.shift_key == "day"
    assert opened.shift_start == datetime(2026, 11, 23, 8, 30, tzinfo=TZ)
    with Desk(db, clerk, NOW).read() as ctx:
        assert handover.board_notice(ctx, NOW) is None
        assert [h.shift_key for h in handover.history(ctx)] == ["day", "night"]


def test_an_unknown_incoming_name_is_answered_as_a_wrong_pin(
    db: Database, desk: Desk, clerk: Operator, night: Operator
) -> None:
    """Acknowledging a handover must not tell which names exist (as the sign-in does not)."""
    handover_id = night_handover(db, night)
    with Desk(db, night, NIGHT_END).write() as ctx:
        handover.sign_off(ctx, handover_id, "3333")
    messages = []
    for name in ("王芳", "无此人"):
        with pytest.raises(DeskError) as refused, Desk(db, clerk, NIGHT_END).write() as ctx:
            handover.acknowledge(ctx, handover_id, name, "9876")
        messages.append((refused.value.key, refused.value.field))
    assert messages[0] == messages[1] == ("handover_ui.error.wrong_pin", "pin")


# --- attacks: guessing a PIN at the handover ---------------------------------------------------


def _failures(db: Database) -> dict[str, int]:
    from desk.models import SignInTerminal

    with db.reading() as session:
        return {row.terminal: row.failures for row in session.exec(select(SignInTerminal))}


def test_guessing_the_outgoing_pin_is_counted_and_slowed(db: Database, night: Operator) -> None:
    """Someone left alone at a signed-in desk tries PIN after PIN at the sign-off: each wrong
    one is counted although its transaction rolls back, and after three the next must wait,
    even with the right PIN; the handover is untouched."""
    handover_id = night_handover(db, night)
    for guess in ("0000", "1111", "2222", "4444"):
        with pytest.raises(DeskError, match="wrong PIN"), Desk(db, night, NIGHT_END).write() as ctx:
            handover.sign_off(ctx, handover_id, guess)
    (count,) = _failures(db).values()
    assert count == 4
    with (
        pytest.raises(DeskError, match=r"too many wrong PINs for this name.*wait 2 seconds"),
        Desk(db, night, NIGHT_END).write() as ctx,
    ):
        handover.sign_off(ctx, handover_id, "3333")
    with Desk(db, night, NIGHT_END).read() as ctx:
        assert handover.get(ctx, handover_id).state == HandoverState.open
    with Desk(db, night, NIGHT_END + timedelta(seconds=3)).write() as ctx:
        handover.sign_off(ctx, handover_id, "3333")  # after the wait: signed, count cleared
    assert _failures(db) == {}


def test_guessing_at_the_acknowledgement_is_counted_per_name(
    db: Database, night: Operator, clerk: Operator
) -> None:
    """Guesses at the incoming clerk's PIN, and at a name that does not exist, are each
    counted against the name typed and answered alike; the wait for one name holds up no one
    else."""
    handover_id = night_handover(db, night)
    with Desk(db, night, NIGHT_END).write() as ctx:
        handover.sign_off(ctx, handover_id, "3333")
    at = NIGHT_END + timedelta(minutes=1)
    for name in ("王芳", "王芳", "王芳", "王芳", "没有此人"):
        with pytest.raises(DeskError) as refused, Desk(db, night, at).write() as ctx:
            handover.acknowledge(ctx, handover_id, name, "0000")
        assert refused.value.message == "PIN: wrong PIN"
    assert sorted(_failures(db).values()) == [1, 4]
    with pytest.raises(DeskError, match="wait 2 seconds"), Desk(db, night, at).write() as ctx:
        handover.acknowledge(ctx, handover_id, "王芳", "1234")
    with pytest.raises(DeskError, match="wait 2 seconds"), Desk(db, night, at).write() as ctx:
        handover.refuse(ctx, handover_id, "王芳", "1234", "台面未清理")
    with Desk(db, night, at + timedelta(seconds=2)).write() as ctx:
        handover.acknowledge(ctx, handover_id, "王芳", "1234")
    with Desk(db, night, at).read() as ctx:
        assert handover.get(ctx, handover_id).state == HandoverState.acknowledged


def test_the_sign_off_checks_the_pin_as_it_is_now_not_as_signed_in(
    db: Database, night: Operator, supervisor: Operator
) -> None:
    """The night operator's PIN leaked: a supervisor resets it while the desk is still signed
    in. The old PIN no longer signs the handover; the new one does. Disabled, nothing does."""
    from desk.services import operators

    handover_id = night_handover(db, night)
    with Desk(db, supervisor).write() as ctx:
        operators.reset_pin(ctx, "张伟", "5678")
    with pytest.raises(DeskError, match="wrong PIN"), Desk(db, night, NIGHT_END).write() as ctx:
        handover.sign_off(ctx, handover_id, "3333")  # the desk still holds the old hash
    with Desk(db, supervisor).write() as ctx:
        operators.set_active(ctx, "张伟", False)
    with pytest.raises(DeskError, match="wrong PIN"), Desk(db, night, NIGHT_END).write() as ctx:
        handover.sign_off(ctx, handover_id, "5678")
    with Desk(db, supervisor).write() as ctx:
        operators.set_active(ctx, "张伟", True)
    with Desk(db, night, NIGHT_END).write() as ctx:
        assert handover.sign_off(ctx, handover_id, "5678").state == HandoverState.signed_off


def test_a_busy_file_after_the_rollback_still_says_wrong_pin(
    db: Database, night: Operator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """When the count cannot be written (another process holds the file past the timeout),
    the operator is still told "wrong PIN", and the failure is logged, not raised."""
    from sqlalchemy.exc import OperationalError

    from desk.services import operators

    def busy(*_args: object) -> None:
        raise OperationalError("UPDATE", {}, Exception("database is locked"))

    handover_id = night_handover(db, night)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr(operators, "_count_failure", busy)
    with pytest.raises(DeskError, match="wrong PIN"), Desk(db, night, NIGHT_END).write() as ctx:
        handover.sign_off(ctx, handover_id, "0000")
    # beside the database; on PostgreSQL in the state folder
    logs = [folder / errorlog.LOG_NAME for folder in errorlog.log_folders(db.path)]
    assert "database is locked" in next(log for log in logs if log.exists()).read_text()
