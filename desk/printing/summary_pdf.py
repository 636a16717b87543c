"""The shift-change summary on paper: PDF (CJK font), files archived beside the database, and
CUPS `lp`. Each printed copy is recorded, so a past handover can be found and reprinted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

from desk.files import private_folder, write_whole
from desk.i18n import t
from desk.models import HandoverPrint
from desk.printing.cups import PrintError, print_file
from desk.printing.fonts import FontNotFound
from desk.printing.pdf import write_pdf
from desk.printing.summary_html import summary_html
from desk.printing.summary_text import summary_lines, summary_text
from desk.services import handover as handovers
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.summary import Summary

FORMATS = ("text", "html", "pdf")
_SUFFIX = {"text": "txt", "html": "html", "pdf": "pdf"}


def summary_pdf(
    summary: Summary, tz: tzinfo, path: Path, printed_at: datetime | None = None
) -> Path:
    """Write the summary as an A4 PDF (the text page, cell for cell).

    Raises:
        PrintError: when no Chinese font is installed.
    """
    try:
        return write_pdf(summary_lines(summary, tz, printed_at), path, title=t("summary.title"))
    except FontNotFound as exc:
        raise PrintError("printing.no_font", message=str(exc)) from exc


def write(
    summary: Summary, tz: tzinfo, fmt: str, path: Path, printed_at: datetime | None = None
) -> Path:
    if fmt not in FORMATS:
        raise DeskError("summary.bad_format", value=fmt, known=", ".join(FORMATS))
    if fmt == "pdf":
        return summary_pdf(summary, tz, path, printed_at)
    private_folder(path.parent)
    body = summary_text(summary, tz, printed_at) if fmt == "text" else summary_html(summary, tz)
    return write_whole(path, body)


def archive_folder(db_path: Path | None) -> Path:
    """printed/handovers/ beside the database (the working directory for a server database)."""
    base = db_path.parent if db_path is not None else Path.cwd()
    return base / "printed" / "handovers"


@dataclass(frozen=True)
class Printed:
    """The archived copy, and the PDF to send to the printer (when one was asked for)."""

    path: Path
    paper: Path | None = None


def print_handover(
    ctx: Ctx,
    handover_id: int,
    *,
    fmt: str = "pdf",
    folder: Path,
    output: Path | None = None,
    printer: str = "",
) -> Printed:
    """Write the handover's summary in `fmt`, archive it and record the copy; with a printer,
    with a printer, also write the PDF that `send` queues (plain text through CUPS garbles
    Chinese). Archiving is committed before lp is asked, so a refused print loses nothing.
    """
    from desk.services import audit_chain
    from desk.services.audit_verify import anchor

    record = handovers.get(ctx, handover_id)
    summary = handovers.summary(ctx, record)
    # the page carries the chain as it stands: `desk audit verify --head` checks it later
    summary.audit_head = anchor(*audit_chain.head(ctx.session))
    stamp = ctx.now.astimezone(ctx.tz).strftime("%Y%m%d-%H%M%S")
    name = f"handover-{handover_id:05d}-{record.shift_key}-{stamp}"
    path = write(summary, ctx.tz, fmt, folder / f"{name}.{_SUFFIX.get(fmt, fmt)}", ctx.now)
    if output is not None:
        write(summary, ctx.tz, fmt, output, ctx.now)
    paper: Path | None = None
    if printer:
        paper = (
            path if fmt == "pdf" else summary_pdf(summary, ctx.tz, folder / f"{name}.pdf", ctx.now)
        )
    rows = [(path, fmt, printer if paper == path else "")]
    if paper is not None and paper != path:
        rows.append((paper, "pdf", printer))
    for copy, kind, queue in rows:
        ctx.session.add(
            HandoverPrint(
                handover_id=handover_id,
                format=kind,
                path=str(copy),
                printer=queue,
                printed_at=ctx.now,
                operator_id=ctx.operator_id,
            )
        )
    ctx.session.flush()
    return Printed(path=path, paper=paper)


def send(printed: Printed, printer: str) -> str:
    """Queue the PDF of an archived copy on `printer` (call after the archive is committed).

    Raises:
        PrintError: when lp is missing or refuses; the archived files stay.
    """
    if printed.paper is None:
        return ""
    return print_file(printed.paper, printer)


def copies(ctx: Ctx, handover_id: int) -> list[HandoverPrint]:
    """Every archived copy of a handover's summary, oldest first."""
    from sqlmodel import col, select

    statement = (
        select(HandoverPrint)
        .where(HandoverPrint.handover_id == handover_id)
        .order_by(col(HandoverPrint.id))
    )
    return list(ctx.session.exec(statement))
