"""The records the worker pass tests start from: renovations under permit, and passes.

The renovations are written as rows of the model, not through the renovation's service: the
worker passes were built beside it (an audit event goes with each write once the audit trail
follows the renovation's rows, so the trail still verifies). Once both are on main,
`renovation_row` can make its renovation through that service instead.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, text

from desk.db import Database
from desk.models import ApplicantKind, Renovation, RenovationState
from desk.models.base import Record
from desk.services import audit, audit_rows, renovation_workers
from desk.services.context import Ctx
from desk.services.renovation_workers import WorkerPassCreate
from tests.conftest import NOW, Desk

# 3-1202's works: permit issued two days before NOW, planned to end on the last day of the year
PLANNED_END = date(2026, 12, 31)
PERMIT_AT = NOW - timedelta(days=2)
# 王建's whole ID card number (a valid check character) and its last 4
FULL_ID = "11010519491231002X"
LAST4 = "002X"


def renovation_row(
    desk: Desk,
    *,
    state: RenovationState | str = RenovationState.permit_issued,
    room: str = "3-1202",
    planned_start: date | None = None,
    planned_end: date = PLANNED_END,
    permit_at: datetime | None = PERMIT_AT,
    number: str = "",
    permit_number: str | None = None,
) -> int:
    """A renovation in `state` (its permit issued at `permit_at`), as its service would leave it."""
    with desk.write() as ctx:
        count = len(ctx.session.execute(_all()).all())
        made = Renovation(
            number=number or f"ZX-20261120-{count + 1:03d}",
            room=room,
            applicant="李明",
            applicant_kind=ApplicantKind.owner,
            applicant_phone="13812345678",
            contractor="安居装饰",
            contractor_person="周工",
            contractor_phone="13900002222",
            planned_start=planned_start or (NOW - timedelta(days=1)).date(),
            planned_end=planned_end,
            scope="厨卫翻新",
            state=RenovationState(state),
            permit_number=(
                permit_number
                if permit_number is not None
                else (f"XK-20261121-{count + 1:03d}" if permit_at else "")
            ),
            permit_issued_at=permit_at,
            operator_id=ctx.acting(),
            created_at=ctx.now - timedelta(days=5),
        )
        ctx.session.add(made)
        ctx.session.flush()
        assert made.id is not None
        _audited(ctx, made.id, None, {"room": room})
        return made.id


def _audited(ctx: Ctx, renovation_id: int, action: str | None, data: dict[str, Any]) -> None:
    """An event of the renovation once the audit trail follows its rows (the register that
    does is found by its table): until then its rows are not followed, and need none."""
    register = next((r for r in audit_rows.REGISTERS if r.table == "renovation"), None)
    if register is not None:
        audit.record(ctx, register.name, renovation_id, action or register.creates[0], data)


def _all() -> Any:
    return select(Renovation.id)


def set_renovation_state(desk: Desk, renovation_id: int, state: RenovationState | str) -> None:
    """The renovation moved on (suspended, finished…), as its service would move it."""
    with desk.write() as ctx:
        found = ctx.session.get(Renovation, renovation_id)
        assert found is not None
        found.state = RenovationState(state)
        ctx.session.add(found)
        _audited(ctx, renovation_id, "state_set_by_test", {"to": str(state)})


def worker(renovation: str = "XK-20261121-001", **changes: Any) -> WorkerPassCreate:
    """王建's pass for 3-1202's works, his whole ID number typed, a fee and its receipt."""
    fields: dict[str, Any] = {
        "renovation": renovation,
        "name": "王建",
        "id_number": FULL_ID,
        "photo_taken": True,
        "fee_fen": 1000,
        "fee_receipt": "SJ-0001",
        **changes,
    }
    return WorkerPassCreate(**fields)


def issue_pass(desk: Desk, data: WorkerPassCreate | None = None) -> str:
    with desk.write() as ctx:
        return renovation_workers.issue(ctx, data or worker()).number


def stored_text_of(db: Database) -> str:
    """Everything the database holds, as text: on SQLite its file's bytes (the registers, the
    audit trail and its seals, the lookup index and its full-text table); on PostgreSQL every
    value of every table, the lookup's tokens included."""
    if db.is_sqlite and db.path is not None:
        files = [db.path, db.path.with_name(db.path.name + "-wal")]
        return "\n".join(f.read_bytes().decode("latin-1") for f in files if f.exists())
    parts: list[str] = []
    with db.reading() as session:
        for table in Record.metadata.sorted_tables:
            parts += [repr(tuple(row)) for row in session.execute(select(table))]
        parts += [repr(tuple(row)) for row in session.execute(text("SELECT * FROM search_token"))]
    return "\n".join(parts)
