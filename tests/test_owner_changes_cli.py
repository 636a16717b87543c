"""`desk export --register owner_changes`: every declaration with its events, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json

import pytest

from desk.models import Role
from desk.services import owner_changes, residents
from tests.conftest import Desk, add_staff
from tests.test_export import cli
from tests.test_owner_changes_service import (
    LI_MING,
    WANG_QIANG,
    apply,
    by_phone,
    declare,
    fast_proofs,  # noqa: F401  (autouse)
    refused,
)


@pytest.fixture
def site(desk: Desk) -> Desk:
    with desk.write() as ctx:
        residents.add_resident(ctx, "3", "1202", "李明", "13812345678", "owner")
    return desk


@pytest.fixture
def records(site: Desk) -> Desk:
    return Desk(site.db, add_staff(site.db, "周档", Role.records, "4444"))


def test_export_owner_changes_as_json_and_csv(site: Desk, records: Desk) -> None:
    applied = declare(site)
    apply(records, applied.id)
    call = by_phone(id_number=WANG_QIANG, new_phone="13900007777")
    refused(site, lambda ctx: owner_changes.declare(ctx, call))
    code, output = cli(site.db, "--register", "owner_changes")
    assert code == 0, output
    data = json.loads(output)
    assert list(data) == ["owner_changes"]
    first, second = data["owner_changes"]
    assert (first["number"], first["state"], first["applied_by"]) == (
        applied.number,
        "applied",
        records.operator.id,  # type: ignore[union-attr]
    )
    assert first["phone_from"] == "13812345678" and first["phone_to"] == "13900002222"
    assert [e["action"] for e in first["events"]] == ["declared", "applied"]
    assert first["events"][1]["operator"] == "周档" and first["operator"] == "王芳"
    assert (second["state"], second["refusal"]) == ("refused", "no_match")
    assert [e["action"] for e in second["events"]] == ["refused"]
    assert "id_proof" not in first and LI_MING not in output and WANG_QIANG not in output
    code, output = cli(site.db, "--register", "owner_changes", "--format", "csv")
    assert code == 0, output
    rows = list(csv.DictReader(io.StringIO(output)))
    assert [row["number"] for row in rows] == [first["number"], second["number"]]
    assert "id_proof" not in rows[0] and json.loads(rows[1]["events"])[0]["action"] == "refused"
