"""Shared set-up of the fee desk's tests: rooms with owners, finance's file, a debt."""

from __future__ import annotations

from desk.services import fees, fees_import, residents
from desk.services.fees_import import FeeImportResult
from tests.conftest import Desk

FILE = """room,kind,from,to,amount_fen
3-1202,management,2026-05,2026-10,120000
3-1202,water,2026-09,2026-10,8650
5-801,物业管理费,2026-10,2026-11,40000
"""


def add_rooms(desk: Desk) -> None:
    with desk.write() as ctx:
        residents.add_resident(ctx, "3", "1202", "李明", "13812345678", "owner")
        residents.add_resident(ctx, "5", "0801", "孙丽", "13600002222", "owner")
        residents.add_resident(ctx, "7", "0303", "周强", "13900003333", "owner")


def load(boss: Desk, text: str = FILE) -> FeeImportResult:
    with boss.write() as ctx:
        return fees_import.write(ctx, fees_import.check(ctx, text))


def balance_id(desk: Desk, room: str, kind: str = "management") -> int:
    with desk.read() as ctx:
        found = fees.debt(ctx, room)
    return next(b.id for b in found.balances if b.kind == kind and b.id is not None)
