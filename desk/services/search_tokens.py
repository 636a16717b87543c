"""The lookup's words: how a document's text becomes index tokens, its rank, and what matches.

One meaning on both engines (desk.services.lookup_words searches it; `matches` is its
definition, and each engine's index only finds candidates for it, in rank order):

- a run of CJK characters in the query is found where a CJK run of the text contains it
  (水 in 停水通知, 漏水 in 厨房水龙头漏水);
- a run of ASCII letters and digits is found where a word of the text starts with it (any case);
- a query of one to three CJK characters is also a name: found where a CJK run of the person's
  name starts with it (王 finds 王小明 and 绿化 王师傅);
- every run of the query must be found (漏水 天花板).

A document's `rank` is the lookup's one order, the same on both engines: its time to the second,
newest first, then its record id (register bits keep ranks unique across registers). It is the
FTS5 rowid on SQLite and the key of `search_token` on PostgreSQL, so each index gives a
register's matches newest first, and a first page of 20 is the first 20 of an index range.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from desk.services.search_sources import REG_TOKENS, REGISTERS

_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[0-9A-Za-z]+")
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_SECONDS_MAX = (1 << 31) - 1  # 2068
_REGISTER_BITS = 4
_RECORD_BITS = 28  # 268 million records per register
# The last of the 16 places is shared: the 16th register and every one after it take it, told
# apart by the top bits of the record part, so their record ids stay below 2**24 (16.7 million).
# Widening the register bits instead would change every stored rank (a rebuild of the index).
_SHARED_PLACE = (1 << _REGISTER_BITS) - 1
_SHARE_BITS = 4
_SHARED_RECORD_BITS = _RECORD_BITS - _SHARE_BITS
REGISTER_NUMBER = {register: number for number, register in enumerate(REGISTERS)}
assert len(REGISTERS) <= _SHARED_PLACE + (1 << _SHARE_BITS)
# ASCII words are indexed on PostgreSQL by their starts up to this length (a longer query
# word is looked up by its start and checked on the candidates)
ASCII_PREFIX = 8
NAME_MARK = ":"


def runs(value: str) -> list[str]:
    """Runs of CJK characters and of ASCII letters/digits, lower-cased; the rest separates."""
    return [match.group(0).lower() for match in _RUN.finditer(value)]


def is_cjk(run: str) -> bool:
    return not run[0].isascii()


def bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def name_tokens(person: str) -> str:
    tokens: list[str] = []
    for run in runs(person):
        for size in (1, 2, 3) if is_cjk(run) else (len(run),):
            if len(run) >= size and run[:size] not in tokens:
                tokens.append(run[:size])
    return " ".join(tokens)


def compact_number(value: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", value.upper())


def reversed_digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())[::-1]


def rank(register: str, record_id: int, at: datetime | str) -> int:
    """The document's place in the lookup's order (larger = shown first); see the docstring."""
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    seconds = min(max((at - EPOCH) // timedelta(seconds=1), 0), _SECONDS_MAX)
    return placed(REGISTER_NUMBER[register], record_id, seconds)


def placed(number: int, record_id: int, seconds: int) -> int:
    """The rank of record `record_id` of the register at `number`, at `seconds` past EPOCH."""
    if number < _SHARED_PLACE:
        assert 0 < record_id < 1 << _RECORD_BITS, record_id
        record_part = record_id
    else:  # the shared last place: the register's turn in it, then the record
        assert 0 < record_id < 1 << _SHARED_RECORD_BITS, record_id
        record_part = (number - _SHARED_PLACE) << _SHARED_RECORD_BITS | record_id
    place = min(number, _SHARED_PLACE)
    return seconds << (_REGISTER_BITS + _RECORD_BITS) | place << _RECORD_BITS | record_part


def estate_token(estate: int | None) -> str:
    """The FTS5 token of a document's estate (column `est`): e1, e2 …"""
    return f"e{1 if estate is None else int(estate)}"


def fts_row(register: str, person: str, body: str) -> dict[str, str]:
    """The FTS5 column values of a document (deterministic: a delete re-derives them).

    Every token carries its register's prefix (`rec漏水`, `rep水`): a lookup reads one doclist
    per register, newest first, instead of intersecting a common character's list with the
    register's (which walked both lists to the end when the register had few matches).
    """
    prefix = REG_TOKENS[register]
    grams: list[str] = []
    unis: dict[str, None] = {}
    for run in runs(body):
        if is_cjk(run):
            grams.extend(bigrams(run))
            unis.update(dict.fromkeys(run))
        else:
            grams.append(run)
    return {
        "reg": prefix,
        "name": " ".join(prefix + token for token in name_tokens(person).split()),
        "grams": " ".join(prefix + gram for gram in grams),
        "unis": " ".join(prefix + uni for uni in unis),
    }


def pg_tokens(register: str, person: str, body: str) -> set[str]:
    """The `search_token` rows of a document on PostgreSQL: each distinct character and
    character pair of its CJK runs, the starts of its ASCII words, and its name's starts
    (marked, so that a name is not found as text), each behind the register's prefix."""
    prefix = REG_TOKENS[register]
    found: set[str] = set()
    for run in runs(body):
        if is_cjk(run):
            found.update(run)
            found.update(bigrams(run))
        else:
            found.update(run[:size] for size in range(1, min(len(run), ASCII_PREFIX) + 1))
    tokens = {prefix + token for token in found}
    for run in runs(person):
        if is_cjk(run):
            tokens.update(prefix + NAME_MARK + run[:size] for size in (1, 2, 3) if len(run) >= size)
    return tokens


def terms(query: str) -> list[list[str]]:
    """The query's whitespace-separated terms, each as its runs of CJK or ASCII characters."""
    return [found for term in query.split() if (found := runs(term))]


def query_runs(query: str) -> list[str]:
    """Every run the words query needs, once each, in order."""
    return list(dict.fromkeys(run for term in terms(query) for run in term))


def run_tokens(register: str, run: str) -> list[str]:
    """The `search_token` tokens a document containing `run` has (see `pg_tokens`)."""
    prefix = REG_TOKENS[register]
    if not is_cjk(run):
        return [prefix + run[:ASCII_PREFIX]]
    if len(run) == 1:
        return [prefix + run]
    return [prefix + gram for gram in dict.fromkeys(bigrams(run))]


def name_token(register: str, query: str) -> str:
    return REG_TOKENS[register] + NAME_MARK + query.strip()


_CJK_CLASS = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"


@lru_cache(maxsize=64)
def matcher(query: str, name: bool) -> Callable[[str, str], bool]:
    """The lookup's meaning of a words query (`name`: it may be a name, see lookup_query) as a
    test of a document's (person, body): a CJK run is found anywhere in the text (it can only
    lie within a CJK run), an ASCII run where a word starts (no letter or digit before it)."""
    needed = []
    for run in query_runs(query):
        before = "" if is_cjk(run) else "(?<![0-9A-Za-z])"
        needed.append(re.compile(before + re.escape(run), re.ASCII | re.IGNORECASE).search)
    named = re.compile(f"(?<![{_CJK_CLASS}]){re.escape(query.strip())}").search if name else None

    def test(person: str, body: str) -> bool:
        if named is not None and named(person):
            return True
        return all(search(body) for search in needed)

    return test


def matches(query: str, name: bool, person: str, body: str) -> bool:
    """Whether a document with `person` and `body` is found by the words query."""
    return matcher(query, name)(person, body)


def ranked(doc: dict[str, Any]) -> dict[str, Any]:
    """The document with its rank."""
    return {**doc, "rank": rank(doc["register_name"], doc["record_id"], doc["at"])}
