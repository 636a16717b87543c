"""The registers' rows as the audit chain follows them: which tables, and each row's fields.

A record is followed as its row's plain values plus its part rows (a pass's items, a loan's
returns) as one field; columns that change without an event of the record are left out. Phone
numbers never enter the chain in full (`mask_phone`): a resident's number can be erased from
the registers without breaking it. The hash of an operator's PIN enters as a digest of it.
desk.services.audit_chain seals what changed of these rows; desk.services.audit_verify replays
them from the seals.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, Table, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from desk.services.jsonable import plain

CHUNK = 500


@dataclass(frozen=True)
class Register:
    """A register of the audit trail and the table its records are rows of."""

    name: str  # AuditEvent.register_name
    table: str
    creates: tuple[str, ...]  # the action(s) the service writes when it makes a row
    # rows that belong to a record and change only with an event of it: (table, its column
    # naming the record); they are followed as one field of the record, named after the table
    parts: tuple[tuple[str, str], ...] = ()


# The action names are those the services pass to audit.record() when a row is made.
REGISTERS: tuple[Register, ...] = (
    Register("reception", "reception_entry", ("logged",)),
    Register("repairs", "repair_order", ("registered",), (("repair_completion", "order_id"),)),
    Register("complaints", "complaint", ("registered",)),
    Register("keys", "key", ("added",)),
    Register("key_loans", "key_loan", ("lent",), (("key_return", "loan_id"),)),
    Register("key_counts", "key_count", ("counted",)),
    Register(
        "entrusted_keys", "entrusted_key", ("deposited",), (("entrusted_key_use", "entrusted_id"),)
    ),
    Register("passes", "release_pass", ("issued",), (("pass_item", "pass_id"),)),
    Register("cards", "resident_card", ("applied", "replacement_issued")),
    Register("worker_passes", "worker_pass", ("issued",)),
    Register("nightlog", "night_log_entry", ("logged",)),
    Register(
        "renovations",
        "renovation",
        ("applied",),
        (("renovation_inspection", "renovation_id"), ("renovation_visit", "renovation_id")),
    ),
    Register("services", "service_booking", ("booked",), (("service_round", "booking_id"),)),
    Register(
        "incidents",
        "incident",
        ("opened",),
        (
            ("incident_step", "incident_id"),
            ("incident_stand_in", "incident_id"),
            ("incident_follow_up", "incident_id"),
        ),
    ),
    Register("fees", "fee_balance", ("imported",)),
    Register("fee_payments", "fee_payment", ("paid",)),
    Register("fee_steps", "fee_step", ("recorded",)),
    Register("fee_appointments", "fee_appointment", ("booked",)),
    Register("fee_custody", "fee_custody", ("marked",)),
    Register("move_ins", "move_in", ("booked",), (("move_in_reading", "move_in_id"),)),
    # a finding of any register (desk.services.findings), its re-inspections as its part
    Register("findings", "finding", ("raised",), (("finding_check", "finding_id"),)),
    Register("patrols", "patrol_round", ("started",), (("patrol_point", "round_id"),)),
    Register("handover", "handover", ("opened",)),
    Register("replies", "standard_reply", ("drafted",)),
    Register("operator", "operator", ("created",), (("operator_estate", "operator_id"),)),
    Register("estates", "estate", ("created",)),
    Register("residents", "resident", ("created",)),
    # a declaration is made, or an identity check that failed is kept (desk.services.owner_changes)
    Register("owner_changes", "owner_change", ("declared", "refused")),
)


BY_NAME = {register.name: register for register in REGISTERS}
# Columns that change without an event of their record, so the chain does not follow them.
UNFOLLOWED = {"operator": frozenset({"failed_attempts", "locked_until"})}
# Columns whose value enters the chain as a digest (a secret's hash is not for an export; nor is
# an ID number's keyed hash, desk.services.id_numbers).
DIGESTED = frozenset({"pin_hash", "id_proof"})
_NOT_DIGITS = re.compile(r"\D")
# Values JSON writes as they are (no conversion needed).
_AS_IS = frozenset({str, int, bool, float})


def mask_phone(value: str) -> str:
    """A phone number as the audit trail keeps it: the last four digits (and a mobile's first
    three) with stars between; a value already masked is left as it is."""
    if not value or "*" in value:
        return value
    digits = _NOT_DIGITS.sub("", value)
    if len(digits) <= 4:
        return "*" * len(digits)
    head = digits[:3] if len(digits) >= 11 else ""
    return head + "*" * (len(digits) - len(head) - 4) + digits[-4:]


def is_phone(name: str) -> bool:
    return "phone" in name and not name.endswith("_rev")


def masked(data: Mapping[str, Any]) -> dict[str, Any]:
    """`data` with every phone number in it masked (keys naming a phone, at any depth)."""
    return {key: _masked_value(key, value) for key, value in data.items()}


def _masked_value(key: str, value: Any) -> Any:
    if isinstance(value, str) and is_phone(key):
        return mask_phone(value)
    if isinstance(value, Mapping):
        return masked(value)
    if isinstance(value, list):
        return [_masked_value(key, item) for item in value]
    return value


def digest(text_value: str) -> str:
    return hashlib.sha256(text_value.encode("utf-8", "surrogatepass")).hexdigest()


# Columns a later migration adds, left out while an older migration seals rows (its revision's
# tables do not have them yet): set by that migration around its sealing (`as_of_older`).
LATER_COLUMNS: ContextVar[frozenset[str]] = ContextVar("later_columns", default=frozenset())


@contextmanager
def as_of_older(columns: Iterable[str]) -> Iterator[None]:
    """Seal rows as an older revision's tables have them: without `columns`."""
    token = LATER_COLUMNS.set(frozenset(columns))
    try:
        yield
    finally:
        LATER_COLUMNS.reset(token)


def _table(name: str) -> Table:
    from desk.models.base import Record

    table = Record.metadata.tables[name]
    assert isinstance(table, Table)
    return table


def _read(table: Table) -> Select[Any]:
    """A select of `table`'s columns: all, or those an older revision has (`as_of_older`: a
    column's name, or `table.column` for one table's only)."""
    later = LATER_COLUMNS.get()
    if not later:
        return select(table)
    return select(
        *[
            column
            for column in table.c
            if column.name not in later and f"{table.name}.{column.name}" not in later
        ]
    )


def row_fields(register: str, row: Mapping[Any, Any]) -> dict[str, Any]:
    """A register row as the chain follows it: plain values, phones masked, secrets digested."""
    skipped = UNFOLLOWED.get(register, frozenset())
    fields: dict[str, Any] = {}
    for name, value in row.items():
        if name in skipped:
            continue
        shown = value if value is None or type(value) in _AS_IS else plain(value)
        if isinstance(shown, str) and is_phone(name):
            shown = mask_phone(shown)
        elif name in DIGESTED and isinstance(shown, str):
            shown = digest(shown)[:16]
        fields[name] = shown
    return fields


def current_rows(
    conn: Connection | Session, register: str, ids: Iterable[int]
) -> dict[int, dict[str, Any]]:
    """The rows of `ids` in `register`'s table as the chain follows them."""
    table = _table(BY_NAME[register].table)
    found: dict[int, dict[str, Any]] = {}
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), CHUNK):
        part = wanted[start : start + CHUNK]
        for row in conn.execute(_read(table).where(table.c.id.in_(part))).mappings():
            found[int(row["id"])] = row_fields(register, row)
        _add_parts(conn, register, {i: found[i] for i in part if i in found})
    return found


def _add_parts(
    conn: Connection | Session, register: str, records: dict[int, dict[str, Any]]
) -> None:
    """Each record's part rows (a pass's items, a loan's returns) as one field of it."""
    for part_table, column in BY_NAME[register].parts:
        if not records:
            return
        table = _table(part_table)
        for fields in records.values():
            fields[part_table] = []
        statement = _read(table).where(table.c[column].in_(list(records))).order_by(table.c.id)
        for row in conn.execute(statement).mappings():
            records[int(row[column])][part_table].append(row_fields(part_table, row))


def all_rows(conn: Connection | Session, register: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Every row of `register`'s table, by id, as the chain follows it."""
    table = _table(BY_NAME[register].table)
    result = conn.execute(
        select(table).order_by(table.c.id).execution_options(yield_per=2000)
    ).mappings()
    batch: dict[int, dict[str, Any]] = {}
    for row in result:
        batch[int(row["id"])] = row_fields(register, row)
        if len(batch) >= CHUNK:
            _add_parts(conn, register, batch)
            yield from batch.items()
            batch = {}
    _add_parts(conn, register, batch)
    yield from batch.items()


def changed(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of `after` that differ from `before` (all of them when there was none)."""
    if before is None:
        return dict(after)
    missing = object()
    return {name: value for name, value in after.items() if before.get(name, missing) != value}


def fold(state: dict[str, Any] | None, row: str | None) -> dict[str, Any] | None:
    """A record's state after one more seal's `row` (the fields that seal says changed)."""
    if row is None:
        return state
    fields = json.loads(row)
    return {**(state or {}), **fields} if isinstance(fields, dict) else state
