"""The key cabinet: which keys exist, where they hang, how many copies are in (register "keys").

A cabinet entry's `copies` is how many copies the office has on record; keys reported lost stay
counted against it (available = copies - out - lost) until the clerk edits the entry, e.g. after
a new copy is cut.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import case, func
from sqlmodel import col, select

from desk.models import OPEN_LOAN_STATES, Key, KeyKind, KeyLoan
from desk.services import audit, fetch, roles
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.limits import clean_column
from desk.services.residents import clean_text, normalise_room
from desk.services.submission import gather

REGISTER = "keys"
MAX_COPIES = 99
_TAG = re.compile(r"^[A-Z0-9\u4e00-\u9fff][A-Z0-9\u4e00-\u9fff\-_/.#]{0,39}$")
_KINDS = {
    "": None,
    "unit": KeyKind.unit,
    "facility": KeyKind.facility,
    "单元": KeyKind.unit,
    "房屋": KeyKind.unit,
    "住户": KeyKind.unit,
    "户": KeyKind.unit,
    "设施": KeyKind.facility,
    "設施": KeyKind.facility,
    "公共": KeyKind.facility,
    "公共设施": KeyKind.facility,
}


def clean_tag(value: str, field: str = "tag") -> str:
    tag = value.strip().upper()
    if not tag:
        raise DeskError("field.required", field=field)
    if not _TAG.match(tag):
        raise DeskError("key_error.bad_tag", field=field, value=value.strip())
    return tag


def parse_kind(value: str | KeyKind, room: str = "") -> KeyKind:
    """A kind as typed (unit/facility, 单元/设施); empty means a unit key when a room is given."""
    text = str(value).strip().lower()
    if text not in _KINDS:
        raise DeskError("key_error.bad_kind", field="kind", value=str(value).strip())
    return _KINDS[text] or (KeyKind.unit if room.strip() else KeyKind.facility)


def _copies(value: int) -> int:
    if value < 1 or value > MAX_COPIES:
        raise DeskError("key_error.bad_copies", field="copies", max=MAX_COPIES)
    return value


def get_key(ctx: Ctx, key_id: int) -> Key:
    return fetch.get(ctx, Key, key_id)


def by_tag(ctx: Ctx, tag: str) -> Key | None:
    return fetch.by_number(ctx, Key, tag.strip().upper(), column="tag")


def find_key(ctx: Ctx, ref: str | int, field: str = "key_ref") -> Key:
    """A key by its tag (any case) or its id."""
    text = str(ref).strip()
    if not text:
        raise DeskError("field.required", field=field)
    key = by_tag(ctx, text)
    if key is None and text.isascii() and text.isdigit() and len(text) <= 18:
        key = ctx.session.get(Key, int(text))
    if key is None:
        raise DeskError("key_error.no_such_key", field=field, value=text)
    return key


def cabinet(ctx: Ctx, *, include_retired: bool = False) -> list[Key]:
    statement = select(Key).order_by(col(Key.tag))
    if not include_retired:
        statement = statement.where(col(Key.active))
    return list(ctx.session.exec(statement))


def _entry(
    ctx: Ctx,
    key_id: int | None,
    tag: str,
    opens: str,
    kind: str | KeyKind,
    room: str,
    copies: int,
    hook: str,
    note: str,
) -> dict[str, Any]:
    """A cabinet entry's fields as typed, cleaned; every refusal among them raised at once,
    each beside its field. The tag is no other entry's (`key_id` is the entry being edited)."""

    def unique_tag() -> str:
        cleaned = clean_tag(tag)
        other = by_tag(ctx, cleaned)
        if other is not None and (key_id is None or other.id != key_id):
            raise DeskError("key_error.tag_taken", field="tag", tag=cleaned)
        return cleaned

    checked = gather(
        {
            "tag": unique_tag,
            "opens": lambda: clean_column(opens, Key, "opens", required=True),
            "kind": lambda: parse_kind(kind, room),
            "room": lambda: normalise_room(clean_column(room, Key, "room")),
            "copies": lambda: _copies(copies),
            "hook": lambda: clean_column(hook, Key, "hook"),
            "note": lambda: clean_column(note, Key, "note"),
        }
    )
    # a kind left empty is a unit key when the entry names a room (as it is kept)
    checked["kind"] = parse_kind(kind, checked["room"])
    return checked


def add_key(
    ctx: Ctx,
    tag: str,
    opens: str,
    kind: str | KeyKind = "",
    room: str = "",
    copies: int = 1,
    hook: str = "",
    note: str = "",
) -> Key:
    """Put a key (or key set) in the cabinet; its tag is unique."""
    checked = _entry(ctx, None, tag, opens, kind, room, copies, hook, note)
    key = Key(**checked, operator_id=ctx.operator_id, created_at=ctx.now)
    ctx.session.add(key)
    ctx.session.flush()
    audit.record(ctx, REGISTER, key.id, "added", _key_data(key))
    return key


def _key_data(key: Key) -> dict[str, object]:
    return {
        "tag": key.tag,
        "opens": key.opens,
        "kind": key.kind,
        "room": key.room,
        "copies": key.copies,
        "hook": key.hook,
        "note": key.note,
    }


def update_key(
    ctx: Ctx,
    key_id: int,
    *,
    tag: str,
    opens: str,
    kind: str | KeyKind = "",
    room: str = "",
    copies: int = 1,
    hook: str = "",
    note: str = "",
) -> Key:
    """Edit a cabinet entry; copies cannot drop below the keys out and lost."""
    key = get_key(ctx, key_id)
    before = _key_data(key)
    checked = _entry(ctx, key.id, tag, opens, kind, room, copies, hook, note)
    held = out_count(ctx, key) + lost_count(ctx, key)
    if checked["copies"] < held:
        raise DeskError("key_error.copies_below_out", field="copies", held=held)
    for name, value in checked.items():
        setattr(key, name, value)
    ctx.session.add(key)
    after = _key_data(key)
    changed = {name: after[name] for name in after if after[name] != before[name]}
    if changed:
        audit.record(ctx, REGISTER, key.id, "updated", changed)
    return key


def retire_key(ctx: Ctx, key_id: int, reason: str) -> Key:
    """A supervisor takes an entry out of the cabinet (kept on record), saying why; refused
    while any copy is out."""
    roles.KEY_RETIRE.require(ctx)
    key = get_key(ctx, key_id)
    if not key.active:
        raise DeskError("key_error.already_retired", tag=key.tag)
    why = clean_text(reason, 500, field="reason", required=True)
    if out_count(ctx, key):
        raise DeskError("key_error.retire_out", tag=key.tag)
    key.active = False
    ctx.session.add(key)
    audit.record(ctx, REGISTER, key.id, "retired", reason=why)
    return key


def out_count(ctx: Ctx, key: Key) -> int:
    """Copies of `key` still out on open loans."""
    outstanding = col(KeyLoan.count) - col(KeyLoan.returned_count) - col(KeyLoan.lost_count)
    statement = select(func.coalesce(func.sum(outstanding), 0)).where(
        KeyLoan.key_id == key.id, col(KeyLoan.state).in_(OPEN_LOAN_STATES)
    )
    return int(ctx.session.exec(statement).one())


def lost_count(ctx: Ctx, key: Key) -> int:
    statement = select(func.coalesce(func.sum(KeyLoan.lost_count), 0)).where(
        KeyLoan.key_id == key.id
    )
    return int(ctx.session.exec(statement).one())


def available(ctx: Ctx, key: Key) -> int:
    """Copies in the cabinet now: copies - out - lost."""
    return key.copies - out_count(ctx, key) - lost_count(ctx, key)


def holdings(ctx: Ctx) -> dict[int, tuple[int, int]]:
    """Per key id: (copies out on open loans, copies lost), in one query."""
    outstanding = col(KeyLoan.count) - col(KeyLoan.returned_count) - col(KeyLoan.lost_count)
    is_open = col(KeyLoan.state).in_(OPEN_LOAN_STATES)
    statement = select(
        KeyLoan.key_id,
        func.sum(case((is_open, outstanding), else_=0)),
        func.sum(KeyLoan.lost_count),
    ).group_by(col(KeyLoan.key_id))
    return {
        key_id: (int(out or 0), int(lost or 0)) for key_id, out, lost in ctx.session.exec(statement)
    }
