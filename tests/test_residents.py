"""Room codes as typed, masking, and completion from the residents directory."""

from __future__ import annotations

import pytest

from desk.services import residents
from desk.services.residents import RoomCode, mask_name, mask_phone, parse_room
from tests.conftest import Desk


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("3-1202", RoomCode("3", "1202")),
        ("3栋1202", RoomCode("3", "1202")),
        ("3栋1202室", RoomCode("3", "1202")),
        ("3#1202", RoomCode("3", "1202")),
        ("3号楼1202", RoomCode("3", "1202")),
        (" 1202 ", RoomCode(None, "1202")),
        ("b-0201", RoomCode("B", "0201")),
    ],
)
def test_room_forms(typed: str, code: RoomCode) -> None:
    assert parse_room(typed) == code


def test_not_a_room() -> None:
    assert parse_room("门口大堂东侧") is None


def test_masking() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_name("王小明") == "王**"
    assert mask_phone("123") == "***"


def test_completion_fills_resident(desk: Desk) -> None:
    with desk.write() as ctx:
        residents.add_resident(ctx, "3", "1202", "李明", "13812345678", "owner")
        residents.add_resident(ctx, "3", "1203", "周红", "13900001111", "tenant")
        residents.add_resident(ctx, "5", "1202", "吴刚", "13700002222", "owner")
    with desk.read() as ctx:
        assert [m.code for m in residents.complete_room(ctx, "3-120")] == ["3-1202", "3-1203"]
        found = residents.complete_room(ctx, "3栋1202")
        assert found[0].name == "李明" and found[0].phone == "13812345678"
        assert {m.code for m in residents.complete_room(ctx, "1202")} == {"3-1202", "5-1202"}
        assert residents.find_unit(ctx, "1203") is not None  # unique across buildings
        assert residents.find_unit(ctx, "1202") is None  # ambiguous


def test_adding_again_updates_phone(desk: Desk) -> None:
    with desk.write() as ctx:
        first = residents.add_resident(ctx, "3", "1202", "李明", "13812345678", "owner")
        again = residents.add_resident(ctx, "3", "1202", "李明", "13800000000", "owner")
    assert first.id == again.id
    assert again.phone == "13800000000"
