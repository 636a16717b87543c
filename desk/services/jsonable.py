"""One serialiser for every value a register's row can hold: `plain` (JSON data) and `dumps`.

Every export (JSON and CSV) and the audit trail's event data go through here, so a new field type
is taught once. What each type becomes:

- datetime: ISO 8601; an aware one in the site's zone when `tz` is given
  (2026-11-23T09:30:00+08:00), a naive one as it is (no zone is invented for it);
- date, time: ISO 8601 (2026-11-23, 08:30:00);
- Decimal: its exact text ("12.50"), never a float that would round it;
- Enum: its value (made plain in turn); UUID: its text; bytes: base64 text;
- a float that is not finite: its text ("nan", "inf"), JSON having no such numbers;
- None, bool, int, str, finite float: as they are;
- dict, list, tuple, set and frozenset: made plain inside (a dict's keys become text; a set is
  sorted by its JSON, so the same set always gives the same text).

Anything else is a programming error: it raises TypeError naming the type rather than writing a
`repr` nobody can read back.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from desk.safe_text import json_text

__all__ = ["dumps", "plain"]


def plain(value: Any, tz: tzinfo | None = None) -> Any:
    """`value` as JSON-able data: only None, bool, int, float, str, list and dict (with str keys).

    `tz`: the zone aware datetimes are written in (the site's); None keeps each one's own offset.
    """
    # bool before int (a bool is an int), and Enum before str/int (a StrEnum is a str).
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, Enum):
        return plain(value.value, tz)
    if isinstance(value, str | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, datetime):  # before date: a datetime is a date
        if tz is not None and value.tzinfo is not None:
            value = value.astimezone(tz)
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Mapping):
        return {_key(key, tz): plain(item, tz) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item, tz) for item in value]
    if isinstance(value, set | frozenset):
        items = [plain(item, tz) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    raise TypeError(f"no JSON form for a value of type {type(value).__name__}")


def _key(key: Any, tz: tzinfo | None) -> str:
    made = plain(key, tz)
    return made if isinstance(made, str) else json.dumps(made)


def dumps(obj: Any, *, tz: tzinfo | None = None, indent: int | None = None) -> str:
    """JSON text of `obj` made plain: Chinese kept readable, no raw byte a terminal acts on.

    Control characters stay in the data, written as JSON's \\u escapes (desk.safe_text.json_text),
    so the text reads back (json.loads) exactly as stored.
    """
    return json_text(plain(obj, tz), indent=indent)
