"""Records made through the real services for the lookup and room-history tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from desk.models import ReceptionCategory
from desk.services import complaint, reception, repair, residents
from desk.services.complaint import ComplaintCreate
from desk.services.reception import ReceptionCreate
from desk.services.repair import RepairCreate
from tests.conftest import NOW, Desk


@dataclass
class Seeded:
    leak: int  # repair 3-1202, 厨房水龙头漏水 (2 h ago)
    door: int  # repair 5-1202, 门禁卡失灵 (1 h ago)
    power: int  # repair 3-0801, 卫生间停电 (4 h ago)
    noise: int  # complaint 3-1202, 楼上漏水到我家天花板 (30 min ago)
    call: int  # reception 3-1202, 咨询停水通知 (3 h ago)


def seed(desk: Desk) -> Seeded:
    with desk.write() as ctx:
        residents.add_resident(ctx, "3", "1202", "王小明", "13812345678", "owner")
        residents.add_resident(ctx, "5", "1202", "王丽", "13900001111", "tenant")
        residents.add_resident(ctx, "3", "0801", "李强", "13700005678", "owner")

        def order(room: str, name: str, phone: str, text: str, hours: float) -> int:
            data = RepairCreate(
                room=room,
                resident_name=name,
                phone=phone,
                description=text,
                category="water",
                reported_at=NOW - timedelta(hours=hours),
            )
            found = repair.register(ctx, data).id
            assert found is not None
            return found

        leak = order("3栋1202", "王小明", "13812345678", "厨房水龙头漏水", 2)
        door = order("5-1202", "王丽", "13900001111", "门禁卡失灵", 1)
        power = order("3-0801", "李强", "13700005678", "卫生间停电", 4)
        case = complaint.register(
            ctx,
            ComplaintCreate(
                complainant="王小明",
                room="3-1202",
                phone="13812345678",
                category="environment",
                what_happened="楼上漏水到我家天花板",
                received_at=NOW - timedelta(minutes=30),
            ),
        )
        entry = reception.log(
            ctx,
            ReceptionCreate(
                person="赵先生",
                room="3-1202",
                phone="13600009999",
                category=ReceptionCategory.enquiry,
                request="咨询停水通知",
                received_at=NOW - timedelta(hours=3),
            ),
        )
        assert case.id is not None and entry.id is not None
        return Seeded(leak, door, power, case.id, entry.id)
