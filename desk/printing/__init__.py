"""Printouts: fixed-width text that aligns Chinese, PDF with a CJK font, and CUPS printing.

Nothing here imports Textual; the screens and the CLI call these functions.
"""

from desk.printing.complaint_sheet import SheetEvent, sheet_lines, sheet_pdf, sheet_text
from desk.printing.cups import PrintError, print_file
from desk.printing.entrusted_slip import (
    entrusted_slip_lines,
    entrusted_slip_pdf,
    entrusted_slip_text,
)
from desk.printing.pass_slip import pass_slip_lines, pass_slip_pdf, pass_slip_text
from desk.printing.slip import slip_lines, slip_pdf, slip_text

__all__ = [
    "PrintError",
    "SheetEvent",
    "entrusted_slip_lines",
    "entrusted_slip_pdf",
    "entrusted_slip_text",
    "pass_slip_lines",
    "pass_slip_pdf",
    "pass_slip_text",
    "print_file",
    "sheet_lines",
    "sheet_pdf",
    "sheet_text",
    "slip_lines",
    "slip_pdf",
    "slip_text",
]
