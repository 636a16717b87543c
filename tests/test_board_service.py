"""The board's service: today's counts per register and the open items."""

from __future__ import annotations

from datetime import timedelta

from desk.services import board, reception, repair
from desk.services.reception import ReceptionCreate
from desk.services.repair import RepairCreate
from tests.conftest import NOW, Desk


def test_today_counts_what_each_register_took_in_since_midnight(desk: Desk) -> None:
    with desk.read() as ctx:
        assert board.today_counts(ctx) == board.Counts(0, 0, 0, 0, 0)
    with desk.write() as ctx:
        reception.log(ctx, ReceptionCreate(request="问停车", received_at=NOW - timedelta(hours=1)))
        reception.log(ctx, ReceptionCreate(request="问快递"))
        # last night, 23:30: yesterday's
        reception.log(
            ctx, ReceptionCreate(request="夜里来电", received_at=NOW - timedelta(hours=10))
        )
        repair.register(ctx, RepairCreate(description="厨房漏水", room="3-1202"))
    with desk.read() as ctx:
        assert board.today_counts(ctx) == board.Counts(2, 1, 0, 0, 0)
        opened = board.open_items(ctx)
    assert [item.register for item in opened] == ["repairs"]  # no reply owed at reception
    assert opened[0].due_kind == "dispatch" and opened[0].due_at is not None
