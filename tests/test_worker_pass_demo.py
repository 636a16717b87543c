"""The demo's renovation worker passes: every status a pass can show, on the board, at handover,
checked at the gate, and not one whole ID number anywhere."""

from __future__ import annotations

from collections import Counter

from sqlmodel import select

from desk.db import Database
from desk.models import WorkerPass
from desk.services import board, renovation_workers, summary
from desk.services.context import Ctx
from desk.services.renovation_workers import WorkerPassStatus
from tests.conftest import NOW


def test_the_demo_has_worker_passes_in_every_status(demo_database: Database) -> None:
    with demo_database.reading() as session:
        ctx = Ctx(session, None, demo_database.settings, NOW)
        found = list(session.exec(select(WorkerPass)))
        statuses = Counter(
            renovation_workers.status_of(ctx, p, renovation_workers.renovation_of(ctx, p))
            for p in found
        )
        on_board = [i for i in board.open_items(ctx) if i.register == "worker_passes"]
        sections = summary.open_sections(ctx)
    assert set(statuses) == set(WorkerPassStatus) - {WorkerPassStatus.suspended}
    assert statuses[WorkerPassStatus.valid] >= 4 and statuses[WorkerPassStatus.revoked] >= 3
    assert len(on_board) >= 3 and sections["worker_passes"] and sections["worker_revoked"]
    assert any(p.gate_checks for p in found) and all(len(p.id_last4) == 4 for p in found)
    assert {p.fee_fen for p in found} == {0, 1000}
