"""What the clerk sees, at 80×24, in both languages: the board, each register's list and its
new-record form, the handover and the lookup, compared with the SVG snapshots kept in
tests/__snapshots__/test_snapshots/ (pytest-textual-snapshot).

A change to what a screen shows fails here with a side-by-side report (snapshot_report.html).
When the change is meant, regenerate every snapshot with one command and look at the diff:

    .venv/bin/pytest tests/test_snapshots.py --snapshot-update

Every run shows the same thing: one small site built through the services at a fixed moment
(the records two hours before NOW), the desk's clock stopped at NOW, no cursor blinking.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, TextArea

from desk.config import load_settings
from desk.db import Database, open_database
from desk.models import Operator, Role
from desk.services import (
    complaint,
    keys_cabinet,
    keys_loans,
    nightlog,
    passes,
    reception,
    repair,
    residents,
)
from desk.services.complaint import ComplaintCreate
from desk.services.keys_loans import KeyLoanCreate
from desk.services.nightlog import NightLogCreate
from desk.services.passes import PassCreate, PassItemIn
from desk.services.reception import ReceptionCreate
from desk.services.repair import RepairCreate
from tests.conftest import NOW, Desk, add_staff
from tests.pilot_support import desk_app, until

SIZE = (80, 24)
CLERK = "王芳"
LANGS = ["zh_CN", "en"]


def seed(db: Database) -> None:
    """One record open in each register, logged two hours before NOW by the clerk."""
    clerk = add_staff(db, CLERK, Role.clerk, "1234")
    desk = Desk(db, clerk, NOW - timedelta(hours=2))
    with desk.write() as ctx:
        residents.add_resident(ctx, "3", "1202", "李明", "13812345678", "owner")
        residents.add_resident(ctx, "5", "301", "张伟", "13900001111", "owner")
    with desk.write() as ctx:
        reception.log(
            ctx,
            ReceptionCreate(
                person="李明", room="3-1202", phone="13812345678", request="询问物业费缴费时间"
            ),
        )
    with desk.write() as ctx:
        repair.register(
            ctx,
            RepairCreate(
                room="5-301",
                resident_name="张伟",
                phone="13900001111",
                description="卫生间漏水",
                category="water",
            ),
        )
    with desk.write() as ctx:
        complaint.register(
            ctx,
            ComplaintCreate(
                complainant="张伟",
                room="5-301",
                phone="13900001111",
                what_happened="楼上装修噪音",
                resident_asks="午休时间停止施工",
            ),
        )
    with desk.write() as ctx:
        keys_cabinet.add_key(ctx, "K-001", "3号楼天台门", copies=2, hook="A-01")
    with desk.write() as ctx:
        keys_loans.lend(ctx, KeyLoanCreate(key="K-001", borrower="李建国", reason="检修水箱"))
    with desk.write() as ctx:
        items = [PassItemIn(description="纸箱", quantity=2)]
        passes.issue(ctx, PassCreate(room="3-1202", applicant="李明", id_last4="1234", items=items))
    with desk.write() as ctx:
        nightlog.log(
            ctx,
            NightLogCreate(caller="李明", room="3-1202", what="楼道灯不亮", left_for_morning=True),
        )


@pytest.fixture(scope="session")
def site_file(tmp_path_factory: pytest.TempPathFactory, migrated_file: Path) -> Path:
    """The seeded site, built once per test process; each test gets its own copy."""
    path = tmp_path_factory.mktemp("snapshot-site") / "desk.db"
    shutil.copyfile(migrated_file, path)
    database = open_database(path, settings=load_settings())
    try:
        seed(database)
    finally:
        database.dispose()  # checkpoints: one whole file
    return path


@dataclass
class Site:
    db: Database
    clerk: Operator


@pytest.fixture
def site(site_file: Path, tmp_path: Path) -> Iterator[Site]:
    shutil.copyfile(site_file, tmp_path / "desk.db")
    database = open_database(tmp_path / "desk.db", settings=load_settings())
    with database.reading() as session:
        clerk = session.exec(select(Operator).where(Operator.name == CLERK)).one()
    yield Site(database, clerk)
    database.dispose()


# What the clerk presses from the board to reach each view; every key opens a new screen.
VIEWS: dict[str, tuple[str, ...]] = {
    "board": (),
    "reception": ("f2",),
    "repairs": ("f3",),
    "repair_form": ("f3", "ctrl+n"),
    "complaints": ("f4",),
    "complaint_form": ("f4", "ctrl+n"),
    "keys": ("f5",),
    "key_loan_form": ("f5", "ctrl+n"),
    "passes": ("f6",),
    "pass_form": ("f6", "ctrl+n"),
    "nightlog": ("f11",),
    "nightlog_form": ("f11", "ctrl+n"),
    "handover": ("f7",),
    "lookup": ("f8",),
}
# typed into the view once it is open, and what shows it was taken in
TYPED: dict[str, str] = {"lookup": "3-1202"}


def _has_rows(pilot: Pilot[None]) -> bool:
    return any(table.row_count for table in pilot.app.screen.query(DataTable))


def _steps(view: str) -> Callable[[Pilot[None]], object]:
    async def run_before(pilot: Pilot[None]) -> None:
        app = pilot.app
        await until(pilot, lambda: app.current_mode == "board" and _has_rows(pilot))
        for key in VIEWS[view]:
            before = app.screen
            await pilot.press(key)
            await until(pilot, lambda before=before: app.screen is not before)
        if view in TYPED:
            await pilot.press(*TYPED[view])
            await until(pilot, lambda: _has_rows(pilot))
        await app.workers.wait_for_complete()
        # a blinking cursor would be caught on or off by chance
        for field in app.screen.query(Input):
            field.cursor_blink = False
        for area in app.screen.query(TextArea):
            area.cursor_blink = False

    return run_before


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("view", list(VIEWS))
def test_what_the_clerk_sees(
    snap_compare: Callable[..., bool], site: Site, view: str, lang: str
) -> None:
    app = desk_app(site.db, site.clerk, lang)
    assert snap_compare(app, terminal_size=SIZE, run_before=_steps(view))
