"""What every service call needs: the session, who is acting, the site settings and the time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from desk.config import Settings
from desk.models import Operator
from desk.services.deadlines import due
from desk.services.workdays import WorkCalendar, site_calendar


@dataclass
class Ctx:
    """One unit of work at the desk, inside one transaction."""

    session: Session
    operator: Operator | None
    settings: Settings
    now: datetime
    _calendar: WorkCalendar | None = field(default=None, repr=False)

    @property
    def calendar(self) -> WorkCalendar:
        """The working-day calendar (official plus the site's own days), read once per unit."""
        if self._calendar is None:
            self._calendar = site_calendar(self.session)
        return self._calendar

    @property
    def tz(self) -> ZoneInfo:
        return self.settings.tz

    @property
    def operator_id(self) -> int | None:
        return self.operator.id if self.operator else None

    def acting(self) -> int:
        """The signed-in operator's id; records are never written anonymously."""
        if self.operator is None or self.operator.id is None:
            from desk.services.errors import DeskError

            raise DeskError("app.not_signed_in")
        return self.operator.id

    def due(self, start: datetime, spec: str) -> datetime:
        return due(start, spec, self.tz, self.calendar)

    def local_day(self, moment: datetime | None = None) -> str:
        return (moment or self.now).astimezone(self.tz).strftime("%Y%m%d")
