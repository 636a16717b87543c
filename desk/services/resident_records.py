"""A resident's record written the one way: by the residents import and by an owner record change.

The import (desk.services.residents_import, thousands at once) and an applied declaration
(desk.services.owner_changes, one room's few) change the directory through `create` and
`change` here: the rows written with core statements, their lookup documents, what the audit
chain seals (desk.changes.note), and one audit event per resident in one shape:

- `created`: {"unit": "3-1202", "name": …, "kind": …, "by": …};
- `updated`, or `moved_out` when the resident leaves the room (made inactive): each changed
  field's new value, `was` with its old one, and `by`.

`by` is what made the change: "import", or the declaration's number (BG-20261123-001). An ID's
keyed hash (`id_proof`) is never in an event: the event says only that one was recorded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import bindparam, update

from desk import estates as binding
from desk.changes import note
from desk.models import Resident
from desk.services import audit, search_index, search_sources
from desk.services.bulk import insert_many
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.residents_csv import Stored

REGISTER = "residents"
BY_IMPORT = "import"
# what a change may set: the columns the directory keeps of a resident
FIELDS = ("name", "phone", "kind", "active", "id_kind", "id_last4", "id_proof")
_RESIDENTS = Resident.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class NewResident:
    """A resident to put on record."""

    unit_id: int
    room: str  # the unit's code
    name: str
    phone: str
    kind: str
    id_kind: str = ""
    id_last4: str = ""
    id_proof: str = ""


def estate(ctx: Ctx) -> int:
    """The estate the core statements write into (they name it themselves)."""
    found = binding.estate_of(ctx.session)
    if found is None:
        raise DeskError("estate.not_chosen")
    return found


def created_data(room: str, name: str, kind: str, by: str) -> dict[str, Any]:
    return {"unit": room, "name": name, "kind": kind, "by": by}


def change_data(before: Any, values: dict[str, Any], by: str) -> tuple[str, dict[str, Any]]:
    """The audit action and data of a resident's change from `before` (a row, or an object with
    its fields) by `values` (the new values of the fields that change)."""
    data: dict[str, Any] = {}
    was: dict[str, Any] = {}
    for name, value in values.items():
        if name == "id_proof":
            data["id_proof"] = bool(value)  # recorded (or taken away), never the hash itself
            continue
        data[name] = value
        was[name] = getattr(before, name, "")
    data["was"] = was
    data["by"] = by
    action = "moved_out" if values.get("active") is False else "updated"
    return action, data


def create(
    ctx: Ctx,
    people: Sequence[NewResident],
    *,
    by: str,
    documents: Sequence[tuple[dict[str, Any], dict[str, str]]] | None = None,
) -> list[Stored]:
    """Put `people` on record (one executemany), with their lookup documents (`documents`: made
    beforehand by the caller, outside the write lock, as the import does) and a `created` event
    each. The acting operator must be signed in."""
    if not people:
        return []
    operator_id = ctx.acting()
    here = estate(ctx)
    ctx.session.flush()
    conn = ctx.session.connection()
    ids = insert_many(
        conn,
        _RESIDENTS,
        [
            {
                "unit_id": person.unit_id,
                "name": person.name,
                "phone": person.phone,
                "kind": person.kind,
                "active": True,
                "operator_id": operator_id,
                "created_at": ctx.now,
                "estate_id": here,
                "id_kind": person.id_kind,
                "id_last4": person.id_last4,
                "id_proof": person.id_proof,
            }
            for person in people
        ],
    )
    made = [
        Stored(
            row_id,
            person.unit_id,
            person.name,
            person.phone,
            person.kind,
            True,
            operator_id,
            ctx.now,
            person.id_kind,
            person.id_last4,
        )
        for person, row_id in zip(people, ids, strict=True)
    ]
    source = search_sources.BY_REGISTER[REGISTER]
    if documents is None:
        docs = [
            search_index.document(conn, source, row, person.room)
            for row, person in zip(made, people, strict=True)
        ]
        search_index.write_many(conn, docs)
    else:
        search_index.write_many(
            conn,
            [
                {
                    **doc,
                    "record_id": row.id,
                    "at": ctx.now,
                    "operator_id": operator_id,
                    "estate_id": here,
                }
                for row, (doc, _words) in zip(made, documents, strict=True)
            ],
            [words for _doc, words in documents],
        )
    note(ctx.session, "resident", ids)
    audit.record_many(
        ctx,
        REGISTER,
        [
            (row.id, "created", created_data(person.room, person.name, person.kind, by))
            for row, person in zip(made, people, strict=True)
        ],
    )
    return made


def change(
    ctx: Ctx,
    edits: Sequence[tuple[Stored, dict[str, Any]]],
    rooms: dict[int, str],
    *,
    by: str,
) -> list[Stored]:
    """Write each edit (a resident as on file, the new values of the fields that change) with
    one executemany per set of fields, rewrite their lookup documents (`rooms`: each unit's
    code), note what the chain seals, and write one event each (`updated` / `moved_out`).
    Returns the residents as they now are; the session's copies of them are expired."""
    edits = [(row, values) for row, values in edits if values]
    if not edits:
        return []
    unknown = {name for _row, values in edits for name in values} - set(FIELDS)
    if unknown:
        raise ValueError(f"not a resident's field: {sorted(unknown)}")
    ctx.acting()
    ctx.session.flush()
    conn = ctx.session.connection()
    groups: dict[tuple[str, ...], list[tuple[Stored, dict[str, Any]]]] = defaultdict(list)
    for row, values in edits:
        groups[tuple(sorted(values))].append((row, values))
    for names, group in groups.items():
        conn.execute(
            update(_RESIDENTS)
            .where(_RESIDENTS.c.id == bindparam("row_id"))
            .values({name: bindparam(f"new_{name}") for name in names}),
            [
                {"row_id": row.id, **{f"new_{name}": values[name] for name in names}}
                for row, values in group
            ],
        )
        note(ctx.session, "resident", [row.id for row, _values in group], names)
    events = []
    now: list[Stored] = []
    for row, values in edits:
        action, data = change_data(row, values, by)
        events.append((row.id, action, data))
        shown = {name: value for name, value in values.items() if name != "id_proof"}
        now.append(replace(row, **shown))
    source = search_sources.BY_REGISTER[REGISTER]
    search_index.write_many(
        conn, [search_index.document(conn, source, row, rooms[row.unit_id]) for row in now]
    )
    audit.record_many(ctx, REGISTER, events)
    changed = {row.id for row in now}
    for obj in list(ctx.session.identity_map.values()):
        if isinstance(obj, Resident) and obj.id in changed:
            ctx.session.expire(obj)  # written underneath the session
    return now


def stored(resident: Resident) -> Stored:
    """A resident loaded through the session, as `change` takes it."""
    assert resident.id is not None
    return Stored(
        resident.id,
        resident.unit_id,
        resident.name,
        resident.phone,
        str(resident.kind),
        resident.active,
        resident.operator_id,
        resident.created_at,
        resident.id_kind,
        resident.id_last4,
    )
