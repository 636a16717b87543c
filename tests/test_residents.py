"""Room codes as typed, masking, and completion from the residents directory."""

from __future__ import annotations

import pytest

from desk.services import residents
from desk.services.errors import DeskError
from desk.services.residents import RoomCode, mainland_phone, mask_name, mask_phone, parse_room
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
        ("b-0201", RoomCode("B", "201")),
        ("03-1202", RoomCode("3", "1202")),
        ("3 1202", RoomCode("3", "1202")),
        ("3-0301", RoomCode("3", "301")),
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


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("0086-19912345678", "19912345678"),
        ("021-5555 1234", "021-55551234"),
        ("02155551234", "021-55551234"),
        ("010-6512 3456", "010-65123456"),
        ("0755-2345678", "0755-2345678"),
        ("(0755) 2345 6789", "0755-23456789"),
        ("021-55551234-802", "021-55551234-802"),
        ("021-5555 1234 转 802", "021-55551234-802"),
        ("0571-8888 7777 ext. 12", "0571-88887777-12"),
        ("", ""),
        ("  ", ""),
    ],
)
def test_mainland_phones_as_written(written: str, stored: str) -> None:
    assert mainland_phone(written) == stored


@pytest.mark.parametrize(
    "written",
    [
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "12812345678",  # 12x is not a mobile prefix
        "5555 1234",  # a landline without its area code
        "021-0555 1234",  # a local number never begins with 0
        "021-5555123",  # Shanghai numbers have 8 digits
        "0123-4567890",  # 010 is the only area code in 01x
        "0755-234567",  # 6 digits
        "+852 9123 4567",  # Hong Kong
        "+1 415 555 0100",
        "13812345678 / 13912345678",
        "not-a-phone",
        "١٣٨١٢٣٤٥٦٧٨",  # Arabic-Indic digits
        "１３８１２３４５６７８",  # full-width digits
        "021-55551234-1234567",  # an extension of 7 digits
    ],
)
def test_anything_else_is_not_a_phone(written: str) -> None:
    with pytest.raises(DeskError) as refused:
        mainland_phone(written)
    assert refused.value.key == "field.not_mainland_phone"
    assert refused.value.field == "phone"
