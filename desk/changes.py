"""Which rows, and which of their columns, a writing session changed through the desk.

Every writing session of a `desk.db.Database` notes, as it flushes, each row it inserted (all
its columns), updated (the columns whose value changed) or deleted; a bulk write made with core
statements notes its rows itself (`note`). The audit chain seals, with each event, only what
the desk changed (desk.services.audit_chain): a change made to the file behind the desk's back
is never taken into the chain by the desk's next change to that record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

_KEY = "desk_changed"


@dataclass
class Change:
    """What a session did to one row: every column (`whole`, a new row) or these `columns`;
    `refs` are its values of the columns that name another row (a pass item's pass_id)."""

    whole: bool = False
    columns: set[str] = field(default_factory=set)
    refs: dict[str, Any] = field(default_factory=dict)


def changes(session: Session) -> dict[tuple[str, int], Change]:
    """The rows `session` changed so far, by (table, id)."""
    found: dict[tuple[str, int], Change] = session.info.setdefault(_KEY, {})
    return found


def forget(session: Session) -> None:
    session.info[_KEY] = {}


def note(
    session: Session, table: str, ids: Iterable[int], columns: Iterable[str] | None = None
) -> None:
    """Note rows a core statement wrote: `columns` None for new rows (every column)."""
    found = changes(session)
    for row_id in ids:
        change = found.setdefault((table, int(row_id)), Change())
        if columns is None:
            change.whole = True
        else:
            change.columns.update(columns)


def after_flush(session: Session, _context: object) -> None:
    """Note what this flush wrote (the session's lists still show it, as SQLAlchemy documents
    for after_flush)."""
    found = changes(session)
    for obj, whole in [(o, True) for o in session.new] + [(o, False) for o in session.dirty]:
        _note_object(found, obj, whole)
    for obj in session.deleted:
        _note_object(found, obj, True)


def _note_object(found: dict[tuple[str, int], Change], obj: Any, whole: bool) -> None:
    table = getattr(obj, "__table__", None)
    state = inspect(obj)
    # a row inserted by this flush has its id already, though not yet its identity key
    identity = state.mapper.primary_key_from_instance(obj)
    # the registers' rows have one integer id; others (a terminal's name, a calendar day) are
    # not followed by the chain
    if table is None or not identity or len(identity) != 1 or not isinstance(identity[0], int):
        return
    change = found.setdefault((table.name, int(identity[0])), Change())
    mapper = state.mapper
    for column in table.columns:
        if column.foreign_keys:
            change.refs[column.name] = getattr(obj, column.name, None)
    if whole:
        change.whole = True
        return
    for attr in mapper.column_attrs:
        if state.attrs[attr.key].history.has_changes():
            change.columns.update(column.name for column in attr.columns)
