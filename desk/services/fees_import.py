"""Finance's file of what each room owes, read honestly and written in one short transaction.

Columns (English or Chinese headers, any order): room/房号, kind/费用类型, from/起始月,
to/截止月, and the amount — amount_fen/金额(分) in fen, or amount/金额 in yuan (two decimals at
most). A kind is a key or a label of the site's `[fees] kinds`; months are YYYY-MM (2026-01,
2026/1, 202601, 2026年1月 are read too). The file is a CSV (UTF-8 or GBK, desk.services.
csv_reading) or an XLSX workbook (its first sheet, read with openpyxl).

`check` validates every line and names each bad one (the room must be on file); nothing is
written while any line is bad. `write` (a supervisor's, `roles.FEES_IMPORT`) then, in one
transaction, compares the file with the open balances: a line the same as an open balance (what
is left to pay of it) leaves it alone; a changed one supersedes the open balance (kept, marked
superseded by this import) and adds the new one; an open balance the file no longer lists is
superseded (the room paid finance). A room in 托管 is charged the site's share of the
management fee. Every balance added or superseded is an audit event; a room left owing
nothing has its reminder ladder settled.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlmodel import col, select

from desk.models import BalanceState, FeeBalance, FeeStep, Unit
from desk.services import audit, fees, roles
from desk.services.context import Ctx
from desk.services.csv_reading import decode, lines
from desk.services.errors import DeskError
from desk.services.numbering import next_number
from desk.services.residents import parse_room

IMPORT_PREFIX = "FI"
_HEADERS = {
    "room": "room",
    "房号": "room",
    "房號": "room",
    "房间号": "room",
    "kind": "kind",
    "费用类型": "kind",
    "费用": "kind",
    "收费项目": "kind",
    "from": "from",
    "起始月": "from",
    "开始月份": "from",
    "to": "to",
    "截止月": "to",
    "结束月份": "to",
    "amount_fen": "fen",
    "金额(分)": "fen",
    "金额（分）": "fen",
    "amount": "yuan",
    "金额": "yuan",
    "欠费金额": "yuan",
    "应收金额": "yuan",
}
_MONTH = re.compile(r"^\s*(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*月?|(\d{2}))\s*$")
MAX_FEN = fees.MAX_FEN
# months ahead of this one a balance may end (a file of prepayments is not what is owed)
MONTHS_AHEAD = 12


@dataclass(frozen=True)
class FeeLine:
    line: int
    room: str
    kind: str
    from_month: str
    to_month: str
    fen: int

    @property
    def months(self) -> int:
        return fees.months_between(self.from_month, self.to_month)


@dataclass(frozen=True)
class BadLine:
    line: int
    reason: str


@dataclass
class FeeImportResult:
    """What an import did; `imported` is False while bad lines stop it. `updated` counts the
    balances that changed, `cleared` those the file no longer lists (superseded)."""

    good: list[FeeLine] = field(default_factory=list)
    bad: list[BadLine] = field(default_factory=list)
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    cleared: int = 0
    custody: int = 0
    number: str = ""
    imported: bool = False
    written: int = 0
    rooms_cleared: list[str] = field(default_factory=list)


def month(text: str, name: str) -> str:
    found = _MONTH.match(text)
    if found is None:
        raise DeskError("fees_import.bad_month", column=name, value=text.strip())
    year, number = int(found.group(1)), int(found.group(2) or found.group(3))
    if not (1 <= number <= 12 and 2000 <= year <= 2100):
        raise DeskError("fees_import.bad_month", column=name, value=text.strip())
    return f"{year:04d}-{number:02d}"


def _amount(cells: dict[str, str]) -> int:
    if cells.get("fen", "").strip():
        text = cells["fen"].strip().replace(",", "")
        if not re.fullmatch(r"\d+", text):
            raise DeskError("fees_import.bad_amount", value=text)
        fen = int(text)
    else:
        text = cells.get("yuan", "").strip().replace(",", "").removeprefix("¥")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise DeskError("fees_import.bad_amount", value=text) from None
        if value != value.quantize(Decimal("0.01")):
            raise DeskError("fees_import.bad_amount", value=text)
        fen = int(value * 100)
    if fen <= 0 or fen > MAX_FEN:
        raise DeskError("fees_import.bad_amount", value=text)
    return fen


def _check_line(ctx: Ctx, number: int, cells: dict[str, str], units: set[str]) -> FeeLine:
    typed = cells.get("room", "").strip()
    parsed = parse_room(typed)
    if parsed is None or not parsed.building:
        raise DeskError("fees_import.bad_room", value=typed)
    if parsed.code not in units:
        raise DeskError("fees_import.unknown_room", value=parsed.code)
    kind_text = cells.get("kind", "").strip()
    kind = ctx.settings.fees.kind(kind_text)
    if kind is None:
        known = ", ".join(k.key for k in ctx.settings.fees.kinds)
        raise DeskError("fees_import.bad_kind", value=kind_text, known=known)
    first = month(cells.get("from", ""), "from")
    last = month(cells.get("to", "") or cells.get("from", ""), "to")
    if last < first:
        raise DeskError("fees_import.months_backwards", first=first, last=last)
    this = fees.today(ctx)
    limit = fees.month_start(f"{this.year:04d}-{this.month:02d}")
    ahead = fees.months_between(f"{limit.year:04d}-{limit.month:02d}", last) - 1
    if ahead > MONTHS_AHEAD:
        raise DeskError("fees_import.too_far_ahead", month=last)
    return FeeLine(number, parsed.code, kind.key, first, last, _amount(cells))


def _unit_codes(ctx: Ctx) -> set[str]:
    return set(ctx.session.exec(select(Unit.code)).all())


def check(ctx: Ctx, text: str) -> FeeImportResult:
    """Read and validate the whole file; writes nothing."""
    result = FeeImportResult()
    units = _unit_codes(ctx)
    seen: dict[tuple[str, str, str], int] = {}
    for number, cells in lines(
        text, _HEADERS, ("room", "kind", "from"), "csv_import.missing_column"
    ):
        try:
            if "fen" not in cells and "yuan" not in cells:
                raise DeskError("csv_import.missing_column", column="amount")
            line = _check_line(ctx, number, cells, units)
        except DeskError as error:
            result.bad.append(BadLine(number, error.message))
            continue
        key = (line.room, line.kind, line.from_month)
        if key in seen:
            result.bad.append(
                BadLine(number, DeskError("csv_import.duplicate", line=seen[key]).message)
            )
            continue
        seen[key] = number
        result.good.append(line)
    return result


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def xlsx_text(data: bytes) -> str:
    """The first sheet of a workbook as CSV text (a month cell as YYYY-MM)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # a damaged or foreign file: said, not a traceback
        raise DeskError("fees_import.bad_workbook", message=str(error)[:200]) from None
    sheet = book.worksheets[0]
    out = io.StringIO()
    writer = csv.writer(out)
    for row in sheet.iter_rows(values_only=True):
        writer.writerow([_cell(value) for value in row])
    book.close()
    return out.getvalue()


def read_file(data: bytes, encoding: str | None = None) -> str:
    """The file's text: an XLSX workbook (a zip) read by openpyxl, else CSV text."""
    if data[:4] == b"PK\x03\x04":
        return xlsx_text(data)
    return decode(data, encoding)


def allowed(ctx: Ctx) -> None:
    roles.FEES_IMPORT.require(ctx)


def write(ctx: Ctx, result: FeeImportResult) -> FeeImportResult:
    """Write the checked file in the caller's transaction (nothing while a line is bad)."""
    if result.bad:
        return result
    allowed(ctx)
    operator = ctx.acting()
    number = next_number(ctx, IMPORT_PREFIX)
    result.number = number
    stored = ctx.session.exec(
        select(FeeBalance)
        .where(col(FeeBalance.state).in_((BalanceState.open, BalanceState.paid)))
        .order_by(col(FeeBalance.id))
    ).all()
    # the balance each line of the file is about: the open one, else the last one paid
    current: dict[tuple[str, str, str], FeeBalance] = {}
    for balance in stored:
        key = (balance.room, balance.kind, balance.from_month)
        if key not in current or current[key].state != BalanceState.open:
            current[key] = balance
    open_now = {key: b for key, b in current.items() if b.state == BalanceState.open}
    custody = fees.custody_rooms(ctx)
    listed: set[tuple[str, str, str]] = set()
    added: list[FeeBalance] = []
    gone: list[FeeBalance] = []
    for line in result.good:
        key = (line.room, line.kind, line.from_month)
        listed.add(key)
        in_custody = line.room in custody and line.kind == fees.MANAGEMENT
        amount = fees.charged(ctx, line.kind, line.fen, in_custody)
        result.custody += in_custody
        before = current.get(key)
        if before is not None:
            left = before.amount_fen - before.paid_fen
            # finance's figure as it was (its books have not caught up with the payments taken
            # here: they still stand), or finance's figure net of them: nothing to change
            as_before = (before.to_month, before.file_fen, before.custody)
            if as_before == (line.to_month, line.fen, in_custody) or (
                before.state == BalanceState.open
                and (before.to_month, left, before.custody) == (line.to_month, amount, in_custody)
            ):
                result.unchanged += 1
                continue
            if before.state == BalanceState.open:
                gone.append(before)
                result.updated += 1
            else:  # a balance paid here stays paid; a new figure for its months is a new debt
                result.added += 1
        else:
            result.added += 1
        added.append(
            FeeBalance(
                room=line.room,
                kind=line.kind,
                from_month=line.from_month,
                to_month=line.to_month,
                months=line.months,
                file_fen=line.fen,
                amount_fen=amount,
                custody=in_custody,
                import_number=number,
                operator_id=operator,
                created_at=ctx.now,
            )
        )
    cleared = [b for key, b in open_now.items() if key not in listed]
    result.cleared = len(cleared)
    for balance in [*gone, *cleared]:
        balance.state = BalanceState.superseded
        balance.superseded_at = ctx.now
        balance.superseded_by = number
        ctx.session.add(balance)
    ctx.session.add_all(added)
    ctx.session.flush()
    events: list[tuple[int, str, dict[str, Any]]] = [
        (
            b.id or 0,
            "imported",
            {
                "import": number,
                "room": b.room,
                "kind": b.kind,
                "months": f"{b.from_month}..{b.to_month}",
                "file_fen": b.file_fen,
                "amount_fen": b.amount_fen,
                "custody": b.custody,
            },
        )
        for b in added
    ]
    events += [
        (b.id or 0, "superseded", {"import": number, "owing_fen": b.amount_fen - b.paid_fen})
        for b in [*gone, *cleared]
    ]
    audit.record_many(ctx, fees.REGISTER, events)
    owing_rooms = {b.room for b in added} | {
        b.room for key, b in open_now.items() if key in listed and b not in gone
    }
    ladder_rooms = set(
        ctx.session.exec(select(FeeStep.room).where(FeeStep.settled_at == None)).all()  # noqa: E711
    )
    for room in sorted(ladder_rooms - owing_rooms):
        if fees.settle_if_clear(ctx, room):
            result.rooms_cleared.append(room)
    result.written = len(result.good)
    result.imported = True
    return result


def import_bytes(ctx: Ctx, data: bytes, encoding: str | None = None) -> FeeImportResult:
    """Check, then write (when every line is good), in the caller's transaction."""
    return write(ctx, check(ctx, read_file(data, encoding)))
