"""The words part of the quick lookup: each register's newest matches, the same on both engines.

Each engine's index gives a register's candidates newest first (by rank, see
desk.services.search_tokens): on SQLite the FTS5 table `search_fts` (rowid = rank), on
PostgreSQL the b-tree of `search_token` (token, rank), walked from the query's rarest token
with the other tokens checked on each candidate. Every candidate is then checked against the
lookup's meaning (`search_tokens.matches`); a register whose page lost candidates to the check
reads its next page, so no real match is ever cut: the first `limit` matches of a register are
the same records in the same order on both engines.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, Protocol

from desk.services.lookup_query import fts_expression
from desk.services.search_tokens import matcher, name_token, query_runs, run_tokens

# how many of a token's rows are counted to find the query's rarest token
RARE_PROBE = 500
# a page after the first (a register whose first page lost candidates to the check)
MORE = 100


def in_list(estates: tuple[int, ...]) -> str:
    """`estates` as SQL's `(1, 2)`: ids, written in the statement (no parameter to expand)."""
    return "(" + ", ".join(str(int(estate)) for estate in estates) + ")" if estates else "(NULL)"


class Runner(Protocol):
    """What the words lookup needs of the caller's transaction: its engine and a way to run SQL."""

    @property
    def dialect(self) -> str: ...

    def rows(self, sql: str, params: dict[str, Any]) -> list[Any]: ...


def _docs_sql(columns: str, candidates: str, *, lateral: bool = False) -> str:
    """Each candidate (part = its register's place, found = its rank) with its document; a
    candidate without one (never written so; a left join all the same) still counts as read.
    On PostgreSQL a lateral join: each document by its rank, never a scan of every document
    (which the planner chose for a small table; OFFSET 0 keeps the subquery its own)."""
    if lateral:
        return (
            f"SELECT part, found, d.* FROM ({candidates}) AS c LEFT JOIN LATERAL "
            f"(SELECT {columns}, estate_id FROM search_doc WHERE rank = c.found OFFSET 0) AS d "
            "ON true"
        )
    return (
        f"SELECT part, found, {columns}, estate_id FROM ({candidates}) AS c "
        "LEFT JOIN search_doc ON search_doc.rank = c.found"
    )


@cache
def _fts_statement(columns: str, registers: tuple[bool, ...]) -> str:
    """One statement for every register: each register's newest :n ranks of its MATCH (below
    :b{i} where the flag is set), then their documents."""
    part = "SELECT * FROM (SELECT {i} AS part, rowid AS found FROM search_fts "
    part += "WHERE search_fts MATCH :q{i} {below}"
    part += "ORDER BY rowid DESC LIMIT :n)"
    union = " UNION ALL ".join(
        part.format(i=i, below=f"AND rowid < :b{i} " if paged else "")
        for i, paged in enumerate(registers)
    )
    return _docs_sql(columns, union)


def _pg_part(
    i: int, tokens: list[str], *, name: bool, paged: bool, estates: str, rare: bool
) -> str:
    """PostgreSQL: register i's newest :n ranks: the first token's index range in rank order
    (the rarest), each other token looked up by (token, rank). When the first is rare, each of
    its few rows is looked up in the others (OFFSET 0 keeps the planner from merging a rare
    list with a common one, which would walk the common one to its end); when every token is
    common, the planner merges the lists, newest first, until :n match."""
    where = estates + (f" AND t0.rank < :b{i}" if paged else "")
    words = ""
    if tokens:
        words = f"SELECT t0.rank FROM search_token t0 WHERE t0.token = :t{i}_0{where}"
        for j in range(1, len(tokens)):
            words += (
                f" AND EXISTS (SELECT 1 FROM search_token t{j} WHERE t{j}.token = :t{i}_{j}"
                f" AND t{j}.rank = t0.rank{' OFFSET 0' if rare else ''})"
            )
        words += " ORDER BY t0.rank DESC LIMIT :n"
    if not name:
        return f"SELECT {i} AS part, rank AS found FROM ({words}) AS p{i}"
    named = f"SELECT t0.rank FROM search_token t0 WHERE t0.token = :m{i}{where}"
    named += " ORDER BY t0.rank DESC LIMIT :n"
    if not tokens:
        return f"SELECT {i} AS part, rank AS found FROM ({named}) AS p{i}"
    return (
        f"SELECT {i} AS part, rank AS found FROM (SELECT rank FROM (({named}) UNION ({words})) "
        f"AS u{i} ORDER BY rank DESC LIMIT :n) AS p{i}"
    )


_PROBE = (
    "SELECT t, (SELECT count(*) FROM (SELECT 1 FROM search_token WHERE token = t "
    f"LIMIT {RARE_PROBE}) AS c) FROM unnest(CAST(:tokens AS text[])) AS t"
)


def _rarest_first(ctx: Runner, lists: dict[str, list[str]]) -> dict[str, tuple[list[str], bool]]:
    """Each register's tokens, the rarest first (rows counted up to RARE_PROBE), and whether
    that one is rare; a register with a token no document has is left out (nothing can match
    there). One statement of one shape, whatever the query."""
    probed = sorted({token for tokens in lists.values() if len(tokens) > 1 for token in tokens})
    count = dict(ctx.rows(_PROBE, {"tokens": probed})) if probed else {}
    ordered = {}
    for register, tokens in lists.items():
        if len(tokens) == 1:
            ordered[register] = (tokens, False)
        elif min(count[token] for token in tokens) > 0:
            tokens = sorted(tokens, key=lambda token: count[token])
            ordered[register] = (tokens, count[tokens[0]] < RARE_PROBE)
    return ordered


class _Words:
    """One words query: what each register's next page reads."""

    def __init__(
        self, ctx: Runner, query: str, name: bool, estates: tuple[int, ...] | None
    ) -> None:
        self.ctx = ctx
        self.query = query
        self.name = name
        # the token index holds each row's estate: a walk skips the others' rows in the index
        self.estates = "" if estates is None else f" AND t0.estate_id IN {in_list(estates)}"
        self.scope = estates
        self.sqlite = ctx.dialect == "sqlite"
        self.tokens: dict[str, tuple[list[str], bool]] = {}

    def prepare(self, registers: Sequence[str]) -> list[str]:
        """The registers worth reading (on PostgreSQL, those where every token occurs)."""
        if self.sqlite:
            # the FTS5 table holds each document's estate: asked only when the file holds
            # others (one estate's file reads no estate list)
            if self.scope is not None:
                (held,) = self.ctx.rows("SELECT count(*) FROM estate", {})[0]
                if held <= len(self.scope):
                    self.scope = None
            return list(registers)
        runs = query_runs(self.query)
        lists = {
            register: list(dict.fromkeys(t for run in runs for t in run_tokens(register, run)))
            for register in registers
        }
        self.tokens = _rarest_first(self.ctx, lists)
        if self.name:  # a name query's words may be absent: its name token is read anyway
            for register in registers:
                self.tokens.setdefault(register, ([], False))
            return list(registers)
        return [register for register in registers if register in self.tokens]

    def page(self, pages: dict[str, int | None], size: int, columns: str) -> list[Any]:
        """Documents of each register's next `size` candidates (below its rank, if given)."""
        registers = list(pages)
        params: dict[str, Any] = {"n": size}
        for i, register in enumerate(registers):
            if pages[register] is not None:
                params[f"b{i}"] = pages[register]
        flags = tuple(pages[register] is not None for register in registers)
        if self.sqlite:
            for i, register in enumerate(registers):
                params[f"q{i}"] = fts_expression(
                    self.query, name=self.name, register=register, estates=self.scope
                )
            return self.ctx.rows(_fts_statement(columns, flags), params)
        parts = []
        for i, register in enumerate(registers):
            tokens, rare = self.tokens[register]
            params.update({f"t{i}_{j}": token for j, token in enumerate(tokens)})
            if self.name:
                params[f"m{i}"] = name_token(register, self.query)
            parts.append(
                _pg_part(i, tokens, name=self.name, paged=flags[i], estates=self.estates, rare=rare)
            )
        return self.ctx.rows(_docs_sql(columns, " UNION ALL ".join(parts), lateral=True), params)


def words_docs(
    ctx: Runner,
    query: str,
    registers: Sequence[str],
    limit: int,
    *,
    name: bool,
    estates: tuple[int, ...] | None,
    columns: str,
) -> list[Any]:
    """The first `limit` matches of `query` in each register within `estates` (None: every
    estate), newest first (rows of `columns`
    in FIELDS order; `ctx` runs SQL: `.rows(sql, params)` and `.dialect`)."""
    words = _Words(ctx, query, name, estates)
    pending: dict[str, int | None] = dict.fromkeys(words.prepare(registers))
    kept: dict[str, list[Any]] = {register: [] for register in registers}
    size = limit
    found_by = matcher(query, name)
    while pending:
        registers_read = list(pending)
        found: dict[str, list[Any]] = {register: [] for register in pending}
        for row in words.page(pending, size, columns):
            found[registers_read[row[0]]].append(row)
        more: dict[str, int | None] = {}
        for register, rows in found.items():
            rows.sort(key=lambda row: row[1], reverse=True)  # rank
            kept[register] += [
                row[2:-1]
                for row in rows
                if row[2] is not None
                and (estates is None or row[-1] in estates)
                and found_by(row[7], row[12])  # person, body
            ]
            if len(kept[register]) < limit and len(rows) == size:
                more[register] = rows[-1][1]
        pending, size = more, MORE
    return [row for register in registers for row in kept[register][:limit]]
