"""Reading the patrol register: rounds by id or number, their checkpoints, the list, and the
schedule (which rounds the routes call for, which were walked, which were missed)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func
from sqlmodel import col, select

from desk.config import UNSCHEDULED, Checkpoint, PatrolRoute
from desk.i18n import current_language
from desk.models import PatrolPoint, PatrolRound, PatrolState
from desk.services import estates, fetch
from desk.services.context import Ctx
from desk.services.open_item import OpenItem

REGISTER = "patrols"
# the board's and the handover's line of a round the schedule calls for (no record of its own)
DUE_REGISTER = "patrol_due"
PREFIX = "XC"
_NUMBER = re.compile(r"^(?:([A-Z0-9]{2,8}?)XC|XC)(\d{8})(\d{3,4})$")


def get(ctx: Ctx, round_id: int) -> PatrolRound:
    return fetch.get(ctx, PatrolRound, round_id)


def canonical_number(typed: str, estate: str = "") -> str | None:
    """`XC-20261123-001` (`HG-XC-…` in estate HG) from what was typed, any case, dashes or not."""
    compact = re.sub(r"[^0-9A-Z]", "", typed.upper())
    match = _NUMBER.match(compact)
    if match is None:
        return None
    code = match.group(1) or estate
    start = f"{code}-" if code else ""
    return f"{start}{PREFIX}-{match.group(2)}-{match.group(3)}"


def find(ctx: Ctx, number: str) -> PatrolRound | None:
    here = estates.number_prefix(ctx).rstrip("-") if estates.chosen(ctx) else ""
    canonical = canonical_number(number, here)
    if canonical is None:
        return None
    return fetch.by_number(ctx, PatrolRound, canonical)


def points_of(ctx: Ctx, round_id: int) -> list[PatrolPoint]:
    statement = (
        select(PatrolPoint)
        .where(PatrolPoint.round_id == round_id)
        .order_by(col(PatrolPoint.position), col(PatrolPoint.id))
    )
    return list(ctx.session.exec(statement))


def of_renovation(ctx: Ctx, renovation_id: int) -> list[PatrolRound]:
    """The rounds that were a renovation's supervision visits, oldest first."""
    statement = (
        select(PatrolRound)
        .where(PatrolRound.renovation_id == renovation_id)
        .order_by(col(PatrolRound.started_at), col(PatrolRound.id))
    )
    return list(ctx.session.exec(statement))


def listing(ctx: Ctx, *, everything: bool = False, limit: int = 500) -> list[PatrolRound]:
    """Rounds under way and those of the last week (every one when `everything`), newest first."""
    statement = select(PatrolRound)
    if not everything:
        since = ctx.now - timedelta(days=7)
        statement = statement.where(
            (col(PatrolRound.state) == PatrolState.under_way)
            | (col(PatrolRound.started_at) >= since)
        )
    statement = statement.order_by(col(PatrolRound.started_at).desc(), col(PatrolRound.id).desc())
    return list(ctx.session.exec(statement.limit(limit)))


def route(ctx: Ctx, key: str) -> PatrolRoute | None:
    return ctx.settings.patrol.route(key)


def route_name(ctx: Ctx, key: str, lang: str = "") -> str:
    found = route(ctx, key)
    return found.label(lang or current_language()) if found is not None else key


def checkpoint(ctx: Ctx, route_key: str, key: str) -> Checkpoint | None:
    found = route(ctx, route_key)
    if found is None:
        return None
    return next((c for c in found.checkpoints if c.key == key), None)


def checkpoint_name(ctx: Ctx, route_key: str, key: str, lang: str = "") -> str:
    found = checkpoint(ctx, route_key, key)
    return found.label(lang or current_language()) if found is not None else key


# --- the schedule --------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """One round a route calls for: its period (a day, a week), and whether it is past."""

    route: str
    index: int  # the route's place in the site's list
    first: date
    last: date
    due_at: datetime
    missed: bool

    @property
    def key(self) -> int:
        """A number naming this route's period (the board's row key)."""
        return self.index * 1_000_000 + self.first.toordinal()


def _local_day(ctx: Ctx, moment: datetime) -> date:
    return moment.astimezone(ctx.tz).date()


def _period(every: str, day: date) -> tuple[date, date]:
    if every == "weekly":
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=6)
    return day, day


def _end(ctx: Ctx, day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=ctx.tz)


def schedule(ctx: Ctx) -> list[Due]:
    """The rounds the routes call for that were not walked: the current day's (or week's) while
    it lasts, and the past ones missed — counted back `missed_within_days` at most, and never
    before a route's first round in this estate (a route never walked at this desk owes
    nothing yet: its schedule starts with its first round). Heavy-rain rounds are walked when
    it rains: never due, never missed."""
    today = _local_day(ctx, ctx.now)
    horizon = today - timedelta(days=ctx.settings.patrol.missed_within_days)
    since = datetime.combine(horizon - timedelta(days=7), time(0, 0), tzinfo=ctx.tz)
    walked: dict[str, set[date]] = {}
    statement = select(PatrolRound.route, PatrolRound.started_at).where(
        col(PatrolRound.started_at) >= since, col(PatrolRound.state) == PatrolState.done
    )
    for key, started in ctx.session.exec(statement):
        walked.setdefault(key, set()).add(_local_day(ctx, started))
    firsts = dict(
        ctx.session.exec(
            select(PatrolRound.route, func.min(PatrolRound.started_at)).group_by(
                col(PatrolRound.route)
            )
        ).all()
    )
    out: list[Due] = []
    for index, found in enumerate(ctx.settings.patrol.routes):
        if found.every in UNSCHEDULED:
            continue
        first_round = firsts.get(found.key)
        if first_round is None:
            continue  # the schedule of a route starts with its first round at this desk
        start = max(_local_day(ctx, first_round), horizon)
        days = walked.get(found.key, set())
        # the current period always (due while it lasts), then each earlier one back to `start`
        periods = [_period(found.every, today)]
        while True:
            earlier = _period(found.every, periods[-1][0] - timedelta(days=1))
            if earlier[1] < start:
                break
            periods.append(earlier)
        for first, last in periods:
            if any(first <= day <= last for day in days):
                continue
            out.append(Due(found.key, index, first, last, _end(ctx, last), missed=last < today))
    return out


def missed(ctx: Ctx) -> list[Due]:
    return [due for due in schedule(ctx) if due.missed]


def due_item(ctx: Ctx, due: Due, lang: str = "") -> OpenItem:
    """A round the schedule calls for, as the board and the handover show it."""
    label = route_name(ctx, due.route, lang)
    period = (
        due.first.isoformat() if due.first == due.last else f"{due.first:%m-%d}~{due.last:%m-%d}"
    )
    return OpenItem(
        register=DUE_REGISTER,
        record_id=due.key,
        number=period,
        room="",
        summary=label,
        state="missed" if due.missed else "due",
        opened_at=datetime.combine(due.first, time(0, 0), tzinfo=ctx.tz),
        due_at=due.due_at,
        due_kind="patrol",
    )


def open_items(ctx: Ctx, lang: str = "") -> list[OpenItem]:
    """Rounds under way (to finish), and the rounds the schedule calls for, due or missed."""
    items = [due_item(ctx, due, lang) for due in schedule(ctx)]
    statement = (
        select(PatrolRound)
        .where(col(PatrolRound.state) == PatrolState.under_way)
        .order_by(col(PatrolRound.started_at))
        .limit(200)
    )
    for found in ctx.session.exec(statement):
        items.append(
            OpenItem(
                register=REGISTER,
                record_id=found.id or 0,
                number=found.number,
                room="",
                summary=f"{route_name(ctx, found.route, lang)} {found.patrolled_by}",
                state=found.state,
                opened_at=found.started_at,
                due_at=None,
                due_kind="",
            )
        )
    return items
