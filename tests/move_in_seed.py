"""The move-ins tests start from, made through the services as the desk makes them.

王芳 collects the keys of 3-1202 on 2026-11-23 10:00 (the desk's clock is 09:30): `book()` makes
the case; `to_inspected()` takes it through the papers and the meters to the inspection;
`one_problem()` raises a leaking window found there (repairs: a repair order).
"""

from __future__ import annotations

from datetime import timedelta

from desk.models import MoveIn
from desk.services import findings, move_in, residents
from desk.services.findings import FindingIn, RecheckIn
from desk.services.move_in import MetersIn, MoveInIn, PapersIn
from tests.conftest import NOW, Desk
from tests.finding_seed import complete_order

ALL_DOCS = {"doc_id": True, "doc_notice": True, "doc_contract": True}
SIGNED = PapersIn(
    sign_resident_form=True,
    sign_covenant=True,
    sign_management=True,
    sign_bank_mandate=True,
    sign_fire_pledge=True,
    fee_fen=360000,
    fee_receipt="SJ-2026-0101",
    keys_handed=3,
    handbook_handed=True,
    drawings_handed=True,
    items_signed_by="王芳",
)
HANDOVER = MetersIn(water=12.5, electricity=230, gas=3, read_by="刘师傅", confirmed_by="王芳")


def add_room(desk: Desk) -> None:
    with desk.write() as ctx:
        residents.add_resident(ctx, "3", "1202", "王芳", "13812345678", "owner")


def book(desk: Desk, **changes: object) -> int:
    data = {
        "room": "3-1202",
        "owner_name": "王芳",
        "phone": "13812345678",
        "booked_for": NOW + timedelta(minutes=30),
        **changes,
    }
    with desk.write() as ctx:
        found = move_in.book(ctx, MoveInIn(**data))
    assert found.id is not None
    return found.id


def stored(desk: Desk, case_id: int) -> MoveIn:
    with desk.read() as ctx:
        return move_in.get(ctx, case_id)


def to_inspected(desk: Desk, case_id: int) -> None:
    with desk.write() as ctx:
        move_in.check_documents(ctx, case_id, ALL_DOCS)
        move_in.papers(ctx, case_id, SIGNED)
        move_in.meters(ctx, case_id, HANDOVER)
        move_in.inspect(ctx, case_id, "刘师傅")


def one_problem(desk: Desk, case_id: int) -> int:
    with desk.write() as ctx:
        found = move_in.raise_problem(ctx, case_id, FindingIn(place="主卧窗", what="窗框渗水"))
    assert found.id is not None
    return found.id


def rectify(desk: Desk, finding_id: int) -> None:
    """The problem sent (a repair order), the order completed, the finding rectified."""
    if stored_finding(desk, finding_id).state == "open":
        with desk.write() as ctx:
            findings.send(ctx, finding_id)
    order = stored_finding(desk, finding_id).repair_id
    assert order is not None
    complete_order(desk, order)
    with desk.write() as ctx:
        findings.rectified(ctx, finding_id, "更换密封条")


def accept(desk: Desk, case_id: int, finding_id: int) -> None:
    with desk.write() as ctx:
        move_in.reinspect(ctx, case_id, finding_id, RecheckIn(accepted=True, checked_by="王芳"))


def stored_finding(desk: Desk, finding_id: int):  # type: ignore[no-untyped-def]
    with desk.read() as ctx:
        return findings.get(ctx, finding_id)
