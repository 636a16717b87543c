"""The monthly report against a small November counted by hand (tests/month_fixtures.py; every
figure below)."""

from __future__ import annotations

from datetime import datetime

import pytest

from desk.db import Database
from desk.models import Operator
from desk.services import stats, stats_period
from desk.services.errors import DeskError
from desk.services.stats import Deadline, PaidOrder, Rate, Repeat
from tests.conftest import TZ, Desk
from tests.month_fixtures import at, build_month, november


@pytest.fixture
def month(db: Database, clerk: Operator, supervisor: Operator) -> Desk:
    return build_month(db, clerk, supervisor)


def test_volume_channels_buildings(month: Desk) -> None:
    report = november(month)
    assert report.period.label == "2026-11"
    # reception E1..E5 (October's left out); repairs R1..R5; complaints C1..C6
    assert report.volume["reception"] == 5
    assert report.volume["repairs"] == 5
    assert report.volume["complaints"] == 6
    # phone: E2 E3 | R1 R4 R5 | C1 C3 C5 C6 = 9; online: E4 | R3 | C4 = 3;
    # visit: E1 | R2 | C2 = 3; letter: E5 = 1 (ties in key order)
    assert report.by_channel == {
        "phone": {"reception": 2, "repairs": 3, "complaints": 4},
        "online": {"reception": 1, "repairs": 1, "complaints": 1},
        "visit": {"reception": 1, "repairs": 1, "complaints": 1},
        "letter": {"reception": 1},
    }
    # 3: E1 E2 | R1 R2 | C1 C3 C5 = 7; 2: E5 | R4 | C4; 5: E3 | R3 | C2; public: E4 | R5 | C6
    assert report.by_building == {
        "3": {"reception": 2, "repairs": 2, "complaints": 3},
        "2": {"reception": 1, "repairs": 1, "complaints": 1},
        "5": {"reception": 1, "repairs": 1, "complaints": 1},
        "public": {"reception": 1, "repairs": 1, "complaints": 1},
    }


def test_repair_figures(month: Desk) -> None:
    r = november(month).repairs
    assert r.reported == 5
    assert r.by_category == {"water": 2, "door": 1, "electric": 1, "public": 1}
    # dispatched in this cycle: R1 R3 R4 (all in time); R2 (reopened) and R5 wait, overdue
    assert (r.dispatched, r.dispatched_in_time, r.undispatched_overdue) == (3, 3, 2)
    assert r.dispatch_rate == Rate(3, 5)
    # completed R1 R3 R4; on time R1 (no appointment) and R4 (5 min); R3 was 20 min late
    assert (r.completed, r.on_time) == (3, 2)
    assert r.timeliness == Rate(2, 3)
    # callbacks R1 R2 R3; satisfied R1 R3 -> pass rate 2/3; R2 reopened
    assert (r.called_back, r.satisfied, r.reopened) == (3, 2, 1)
    assert r.pass_rate == Rate(2, 3)
    numbers = [p.number for p in r.paid]
    assert [(p.room, p.labour_fen, p.material_fen) for p in r.paid] == [
        ("3-1202", 1000, 0),  # R6, reported in October, completed 1 Nov
        ("5-801", 5000, 2350),  # R3
        ("2-303", 3000, 0),  # R4
    ]
    assert isinstance(r.paid[1], PaidOrder) and r.paid[1].total_fen == 7350
    assert all(n.startswith("WX") for n in numbers)


def test_complaint_figures(month: Desk) -> None:
    c = november(month).complaints
    assert c.received == 6
    assert c.by_category == {"environment": 3, "facilities": 1, "other": 1, "service": 1}
    assert c.by_severity == {"major": 1, "important": 1, "minor": 4}
    assert c.by_validity == {"valid": 4, "invalid": 1, "pending": 1}
    assert c.deadlines == {
        "escalation": Deadline(met=1, missed=1, pending=0),  # C1 / C2
        "reply": Deadline(met=1, missed=0, pending=0),  # C1
        "resolve": Deadline(met=2, missed=1, pending=2),  # C1 C5 / C2 / C3 C6 (C4 invalid)
    }
    assert (c.reopened, c.called_back, c.satisfied) == (1, 2, 1)  # C2; C1 C2; C1
    assert c.satisfaction == Rate(1, 2)


def test_callbacks_and_repeats(month: Desk) -> None:
    report = november(month)
    # due by 23 Nov 09:30: R6 R1 R2 R3 R4, C1 C2 (C5 falls due at 15:00); R4 not called
    assert report.callbacks == Rate(6, 7)
    assert report.repeats == (
        Repeat("complaints", "3-1202", "environment", 2),  # C3 C5
        Repeat("repairs", "3-1202", "water", 2),  # R1 R2 (R6 is October's)
    )


def test_keys_and_passes(month: Desk) -> None:
    pytest.importorskip("desk.services.keys")
    pytest.importorskip("desk.services.passes")
    report = november(month)
    # K1 on time, K2 back late, K3 out past due, K4 lost before due, K5 out, not yet due
    assert report.volume["keys"] == 5
    k = report.keys
    assert (k.loans, k.returned_late, k.out_overdue, k.lost, k.overdue) == (5, 1, 1, 1, 2)
    # P1 used, P2 partly used, P3 expired, P4 voided, P5 still valid, P6 refused
    p = report.passes
    assert report.volume["passes"] == 6
    assert (p.issued, p.used, p.refused, p.expired, p.voided, p.valid) == (6, 2, 1, 1, 1, 1)
    assert (p.stubs_returned, p.stubs_missing) == (2, 2)  # P1 P6 / P2 P3


def test_an_empty_period_is_zeros(month: Desk) -> None:
    with month.read() as ctx:
        report = stats.monthly(ctx, stats_period.parse("2026-09-01..2026-09-15", TZ))
    assert set(report.volume.values()) == {0}
    assert report.repairs.timeliness.value is None
    assert report.callbacks == Rate(0, 0)
    assert report.repeats == ()


@pytest.mark.parametrize("typed", ["2026-13", "11/2026", "2026-11-15..2026-11-01", ""])
def test_bad_periods_are_refused(typed: str) -> None:
    with pytest.raises(DeskError):
        stats_period.parse(typed, TZ)


def test_a_period_of_days() -> None:
    period = stats_period.parse("2026-11-01..2026-11-15", TZ)
    assert period.start == at(1, 0) and period.end == at(16, 0)
    assert period.label == "2026-11-01..2026-11-15"
    assert stats_period.parse("2026-12", TZ).end == datetime(2027, 1, 1, tzinfo=TZ)
