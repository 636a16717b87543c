"""`desk lookup QUERY`: the quick lookup on the command line, as an aligned table or JSON."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from desk.cli.common import _fail, _guard, _options, _say
from desk.clock import fmt
from desk.config import Settings
from desk.db import open_database
from desk.i18n import t
from desk.printing.text import pad
from desk.safe_text import json_text, printable
from desk.services import lookup
from desk.services.context import Ctx
from desk.services.lookup import Group, Hit

# (column, width in cells); the summary takes what is left of the line
_COLUMNS = (("number", 19), ("time", 16), ("room", 9), ("person", 8), ("state", 10), ("due", 16))


def _cells(hit: Hit, settings: Settings, now: datetime) -> dict[str, str]:
    due = fmt(hit.due_at, settings.tz) if hit.due_at else ""
    if hit.overdue(now):
        due = f"{due} {t('lookup_ui.overdue')}"
    return {
        "number": hit.number,
        "time": fmt(hit.at, settings.tz),
        "room": hit.room,
        "person": hit.person,
        "state": t(lookup.state_key(hit.register, hit.state)),
        "due": due,
        "summary": hit.summary,
    }


def as_text(groups: list[Group], settings: Settings, now: datetime) -> str:
    """The groups as text tables whose Chinese columns line up (two cells per character)."""
    lines: list[str] = []
    header = "  ".join(pad(t(f"lookup_ui.col_{name}"), width) for name, width in _COLUMNS)
    for group in groups:
        label = t(f"registers.{group.register}")
        lines.append(t("cli.lookup.group", register=label, count=len(group.hits)))
        lines.append(f"  {header}  {t('lookup_ui.col_summary')}")
        for hit in group.hits:
            cells = _cells(hit, settings, now)
            row = "  ".join(pad(cells[name], width) for name, width in _COLUMNS)
            lines.append(f"  {row}  {cells['summary']}".rstrip())
        lines.append("")
    return "\n".join(printable(line, one_line=True) for line in lines)


def as_json(groups: list[Group], settings: Settings, now: datetime) -> list[dict[str, Any]]:
    def when(moment: datetime | None) -> str | None:
        return moment.astimezone(settings.tz).isoformat() if moment else None

    return [
        {
            "register": group.register,
            "label": t(f"registers.{group.register}"),
            "hits": [
                {
                    "record_id": hit.record_id,
                    "number": hit.number,
                    "at": when(hit.at),
                    "room": hit.room,
                    "person": hit.person,
                    "summary": hit.summary,
                    "state": hit.state,
                    "state_label": t(lookup.state_key(hit.register, hit.state)),
                    "due_at": when(hit.due_at),
                    "overdue": hit.overdue(now),
                }
                for hit in group.hits
            ],
        }
        for group in groups
    ]


def lookup_command(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument()],
    as_json_output: Annotated[bool, typer.Option("--json")] = False,
    limit: Annotated[int, typer.Option("--limit", "-n")] = 20,
) -> None:
    """Find records by room, name, phone, number or words, grouped by register, newest first."""
    options = _options(ctx)
    if not query.strip():
        _fail(t("lookup.empty_query"))
    if not 1 <= limit <= 500:
        _fail(t("lookup.bad_limit"))
    with _guard(ctx):
        database = open_database(options.db)
        now = datetime.now(UTC)
        with database.reading() as session:
            work = Ctx(session, None, database.settings, now)
            results = lookup.search(work, query, limit=limit)
        database.dispose()
    if as_json_output:
        # JSON is data: names exactly as stored, control characters as JSON's \u escapes
        data = as_json(results.groups, database.settings, now)
        _say(json_text(data, indent=2))
    elif not results.groups:
        _say(t("cli.lookup.nothing", query=results.query))
    else:
        _say(as_text(results.groups, database.settings, now), nl=False)
