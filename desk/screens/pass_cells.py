"""The cells a pass is shown with: on the register's list, its own page and the reconciliation."""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.text import Text

from desk.i18n import t
from desk.models import ReleasePass
from desk.screens.tones import ALARM, ERROR, SUCCESS, WARNING
from desk.services import passes
from desk.services.passes import PassStatus, StubStatus

STATUS_STYLE = {
    PassStatus.valid: "bold",
    PassStatus.not_yet: "italic",
    PassStatus.used: SUCCESS,
    PassStatus.partly: WARNING,
    PassStatus.refused: ERROR,
    PassStatus.expired: "dim",
    PassStatus.voided: "dim strike",
}


def status_cell(found: ReleasePass, now: datetime, tz: tzinfo | None = None) -> Text:
    status = passes.status_of(found, now, tz)
    return Text(t(f"pass_status.{status}"), style=STATUS_STYLE.get(status, ""))


def stub_cell(found: ReleasePass, now: datetime) -> Text:
    stub = passes.stub_of(found, now)
    style = {StubStatus.missing: ALARM, StubStatus.returned: SUCCESS}.get(stub, "dim")
    return Text(t(f"pass_stub.{stub}"), style=style)
