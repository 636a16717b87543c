"""Which estate a session works in: its reads filtered, its new rows stamped.

Every session of a `desk.db.Database` carries, in `session.info`, the estates it reads
(`ESTATES`: a tuple of ids, or None for every estate) and the estate its new rows go to
(`ESTATE`: an id, or None when none is chosen yet — the call-centre desk chooses per call).
Two listeners do the rest, so no service has to know about estates to stay inside its own:

- `scope_reads` adds `estate_id IN (...)` to every ORM select, update and delete of a table
  marked `InEstate` (SQLAlchemy's `with_loader_criteria`), joins and subqueries included;
- `stamp_new_rows` writes the session's estate on each new row of such a table before it is
  flushed, and refuses a row whose estate is not one the session may write.

Plain SQL (the lookup's queries, the bulk imports, the bench) names `estate_id` itself.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, Table, column, inspect, text
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from desk.models.estate import DEFAULT_ESTATE, InEstate
from desk.services.errors import DeskError, Forbidden

# SQLAlchemy's `with_loader_criteria` first calls its criteria with the mixin itself; a plain
# column stands in there (each table's own `estate_id` replaces it). Set here, not on the
# mixin's body, where pydantic would see every table's field shadowing it.
InEstate.estate_id = column("estate_id")  # type: ignore[assignment]

ESTATE = "desk_estate"
ESTATES = "desk_estates"


class EstateNotChosen(DeskError):
    """A new record at the call-centre desk before its estate is chosen: refused, not put
    anywhere (the clerk is told to choose the estate of the call)."""

    def __init__(self, what: str = "") -> None:
        super().__init__("estate.not_chosen")
        self.what = what


class OutsideEstates(Forbidden):
    """A row written into an estate the session may not write (a script's or an attacker's:
    the screens never offer it)."""

    def __init__(self, estate: object = None) -> None:
        super().__init__("estate.outside")
        self.estate = estate


def bind(session: Session, estate: int | None, estates: Iterable[int] | None) -> None:
    """Set what `session` reads (`estates`, None = all) and where its new rows go (`estate`)."""
    session.info[ESTATE] = estate
    session.info[ESTATES] = None if estates is None else tuple(sorted(set(estates)))


def estate_of(session: Session) -> int | None:
    """The estate new rows of `session` go to (None: not chosen)."""
    found = session.info.get(ESTATE, DEFAULT_ESTATE)
    return None if found is None else int(found)


def estates_of(session: Session) -> tuple[int, ...] | None:
    """The estates `session` reads (None: every estate)."""
    found = session.info.get(ESTATES, (DEFAULT_ESTATE,))
    return None if found is None else tuple(found)


def choose(session: Session, estate: int) -> None:
    """`session` works in `estate` from now on (one it reads): its new rows go there and it
    reads that estate's rows only, as that estate's own desk does."""
    readable = estates_of(session)
    if readable is not None and estate not in readable:
        raise OutsideEstates(estate)
    session.info[ESTATE] = estate
    session.info[ESTATES] = (estate,)


@contextmanager
def within(session: Session, estate: int) -> Iterator[None]:
    """`session` works in `estate` for a while (a report per estate), then as it did."""
    before = session.info.get(ESTATE, DEFAULT_ESTATE), session.info.get(ESTATES)
    choose(session, estate)
    try:
        yield
    finally:
        session.info[ESTATE], session.info[ESTATES] = before


def _estate_at_hand(session: Session) -> int:
    """At the call-centre desk with no estate chosen: the estate of the records this unit of
    work has read or changed, when they are all of one (a callback on an estate's repair
    writes into that estate); none, or several, and the new row is refused."""
    found = {
        obj.estate_id
        for obj in [*session.identity_map.values(), *session.new]
        if isinstance(obj, InEstate) and obj.estate_id is not None
    }
    if len(found) != 1:
        raise EstateNotChosen()
    return int(found.pop())


def scoped(session: Session, statement: Select[Any]) -> Select[Any]:
    """A core select (plain table columns, run on the session's connection, which the ORM's
    criteria never see) limited to the session's estates: each of its tables that has an
    `estate_id` gets the condition."""
    estates = estates_of(session)
    if estates is None:
        return statement
    for table in statement.get_final_froms():
        if isinstance(table, Table) and "estate_id" in table.c:
            statement = statement.where(table.c.estate_id.in_(estates))
    return statement


def scope_reads(state: ORMExecuteState) -> None:
    """do_orm_execute: an ORM statement of a session bound to some estates sees only theirs."""
    if state.is_column_load or state.is_relationship_load:
        return  # loads of an object already read: its criteria came with it
    if not (state.is_select or state.is_update or state.is_delete):
        return
    estates = estates_of(state.session)
    if estates is None:
        return
    if len(estates) == 1:
        only = estates[0]
        criteria = with_loader_criteria(
            InEstate, lambda cls: cls.estate_id == only, include_aliases=True
        )
    else:
        criteria = with_loader_criteria(
            InEstate, lambda cls: cls.estate_id.in_(estates), include_aliases=True
        )
    state.statement = state.statement.options(criteria)


def stamp_new_rows(session: Session, _context: Any, _instances: Any) -> None:
    """before_flush: each new row of an estate's table gets the session's estate; a row set to
    another estate must be one the session may write."""
    readable = estates_of(session)
    for obj in session.new:
        if not isinstance(obj, InEstate):
            continue
        if obj.estate_id is None:
            estate = estate_of(session)
            obj.estate_id = _estate_at_hand(session) if estate is None else estate
        elif readable is not None and obj.estate_id not in readable:
            raise OutsideEstates(obj.estate_id)
    for obj in session.dirty:
        if not isinstance(obj, InEstate):
            continue
        # a record stays in its estate, whatever the session reads (the call centre: all)
        was = inspect(obj).attrs.estate_id.history.deleted
        if was and was[0] is not None and was[0] != obj.estate_id:
            raise OutsideEstates(obj.estate_id)
        if readable is not None and obj.estate_id not in readable:
            raise OutsideEstates(obj.estate_id)


# --- which estate a desk opens in --------------------------------------------------------

# the code given to this invocation (`desk --estate CODE`); before it, DESK_ESTATE, then the
# site file's [site] estate
CHOSEN: ContextVar[str | None] = ContextVar("chosen_estate", default=None)
EVERY = ("*", "ALL")


@dataclass(frozen=True)
class Binding:
    """Where a desk works: one estate (`estate` = its id, `estates` = (id,)) or, the
    call-centre desk, every estate (`estate` None, `estates` None until an operator signs in)."""

    estate: int | None
    estates: tuple[int, ...] | None
    overrides: str = ""

    @property
    def every(self) -> bool:
        return self.estate is None


def chosen_code(site_choice: str) -> str:
    return (CHOSEN.get() or os.environ.get("DESK_ESTATE") or site_choice or "").strip()


def resolve(conn: Connection, code: str) -> Binding:
    """The binding for `code` ("" = the only estate; "*" = every estate); EstateUnknown when
    there is no such estate or the database holds several and none was chosen."""
    rows = conn.execute(
        text("SELECT id, code, settings FROM estate WHERE active ORDER BY id")
    ).all()
    if code.upper() in EVERY:
        return Binding(None, None)
    if not code:
        if len(rows) == 1:
            return Binding(int(rows[0].id), (int(rows[0].id),), str(rows[0].settings or ""))
        raise EstateUnknown("", [str(row.code) for row in rows])
    for row in rows:
        if str(row.code).casefold() == code.casefold():
            return Binding(int(row.id), (int(row.id),), str(row.settings or ""))
    raise EstateUnknown(code, [str(row.code) for row in rows])


class EstateUnknown(Exception):
    def __init__(self, code: str, codes: list[str]) -> None:
        super().__init__(code)
        self.code = code
        self.codes = codes
