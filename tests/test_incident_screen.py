"""Incidents at the keyboard, at 80×24: ! on the board opens the form at once; the night duty
opens an incident from a night-log entry flagged emergency, records a step and marks another not
needed; the incident then leads the board with its next step."""

from __future__ import annotations

from desk.db import Database
from desk.forms.incident_form import IncidentFormDialog
from desk.models import Operator, StepState
from desk.screens.incident_detail import IncidentDetailScreen
from desk.screens.incident_dialogs import NotNeededDialog, StepDialog
from desk.screens.nightlog_detail import NightLogDetailScreen
from desk.services import incident
from tests.conftest import NOW, Desk
from tests.incident_seed import emergency_entry
from tests.pilot_support import (
    desk_app,
    field_error,
    open_row,
    screen_lines,
    settle,
    until,
    until_screen,
)

SIZE = (80, 24)


async def test_the_night_duty_opens_an_incident_from_an_emergency_entry(
    db: Database, night: Operator
) -> None:
    duty = Desk(db, night, NOW)
    entry_id = emergency_entry(duty)
    app = desk_app(db, night, "zh_CN")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("exclamation_mark")  # one key on the board: the form at once
        await until_screen(pilot, IncidentFormDialog)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("f11")
        await settle(pilot)
        await open_row(pilot, "#morning", str(entry_id), NightLogDetailScreen)
        await pilot.press("ctrl+e")  # an emergency: to an incident, prefilled from the entry
        form = await until_screen(pilot, IncidentFormDialog)
        assert form.query_one("#what").value == "厨房天花板漏水，水流不止"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        page = await until_screen(pilot, IncidentDetailScreen)
        with duty.read() as ctx:
            (found,) = incident.listing(ctx)
        assert found.night_log_id == entry_id and found.room == "3-1202"
        assert any(found.number in line for line in screen_lines(app))

        await pilot.press("ctrl+a")  # step 1 done: who judged, at the time offered (now)
        dialog = await until_screen(pilot, StepDialog)
        await pilot.press("ctrl+s")  # nobody named: refused beside the field
        await until(pilot, lambda: field_error(dialog, "called").strip())
        await pilot.press(*"张伟", "ctrl+s")  # the refused field has the focus
        await until_screen(pilot, IncidentDetailScreen)

        await pilot.press("ctrl+n")  # step 2 not needed: a reason, required
        dialog = await until_screen(pilot, NotNeededDialog)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: field_error(dialog, "reason").strip())
        await pilot.press(*"值班电工即部门值班员", "ctrl+s")
        await until_screen(pilot, IncidentDetailScreen)
        assert page.incident is not None
        with duty.read() as ctx:
            steps = incident.steps_of(ctx, found.id or 0)
        assert (steps[0].state, steps[0].called) == (StepState.done, "张伟")
        assert (steps[1].state, steps[1].reason) == (StepState.not_needed, "值班电工即部门值班员")

        await pilot.press("escape")  # the entry's page names its incident, and no longer offers it
        await until_screen(pilot, NightLogDetailScreen)
        await until(pilot, lambda: any(found.number in line for line in screen_lines(app)))

        await pilot.press("f9")  # the running incident leads the board, its next step due
        await settle(pilot)
        first = next(line for line in screen_lines(app) if "TF-" in line or "WX-" in line)
        assert found.number in first and "3 通知主管" in first
