"""The handover of a night with incidents: every incident still open and every one closed in
the shift, each with its nine steps' marks; printed at ≤ 80 cells, in both languages."""

from __future__ import annotations

import unicodedata
from datetime import timedelta

import pytest

from desk.db import Database
from desk.i18n import set_language
from desk.models import Operator
from desk.printing.summary_html import summary_html
from desk.printing.summary_text import summary_lines
from desk.printing.text import cell_len
from desk.services import handover, incident
from desk.services.context import Ctx
from tests.conftest import NIGHT_END, TZ, Desk
from tests.incident_seed import done, open_lift
from tests.seed import night_handover


@pytest.mark.parametrize("lang", ("zh_CN", "en"))
def test_the_nights_incidents_are_handed_over_with_their_steps(
    lang: str, db: Database, night: Operator
) -> None:
    set_language(lang)
    duty = Desk(db, night, NIGHT_END - timedelta(hours=2))
    running = open_lift(duty)
    finished = open_lift(duty, severity="minor")
    for step in range(1, 10):
        if step == 8:
            with duty.write() as ctx:
                incident.record_cause(ctx, finished, "停电")
        done(duty, finished, step, reference="95598-001")
    done(duty, running, 1)
    with duty.write() as ctx:
        incident.not_needed(ctx, running, 5, "无需")
        incident.close(ctx, finished)
    handover_id = night_handover(db, night)
    with db.reading() as session:
        ctx = Ctx(session, None, db.settings, NIGHT_END)
        summary = handover.summary(ctx, handover.get(ctx, handover_id))
    (open_one,) = summary.sections["incidents"]
    (closed_one,) = summary.sections["incidents_closed"]
    assert open_one.what.startswith("[x...-....]") and open_one.due_kind == "incident_duty_staff"
    assert closed_one.what.startswith("[xxxxxxxxx]") and closed_one.state == "closed"
    assert summary.also_listed().get("incidents_closed") == 1
    assert summary.counts["incidents"] == 2
    lines = summary_lines(summary, TZ)
    assert all(cell_len(line) <= 80 for line in lines), [x for x in lines if cell_len(x) > 80]
    text = "\n".join(lines)
    assert not [ch for ch in text if unicodedata.east_asian_width(ch) == "A"]
    assert open_one.number in text and closed_one.number in text
    assert open_one.number in summary_html(summary, TZ)
