"""Printouts: fixed-width text that aligns Chinese, PDF with a CJK font, and CUPS printing.

Nothing here imports Textual; the screens and the CLI call these functions.
"""

from desk.printing.complaint_sheet import SheetEvent, sheet_lines, sheet_pdf, sheet_text
from desk.printing.cups import PrintError, print_file
from desk.printing.slip import slip_lines, slip_pdf, slip_text

__all__ = [
    "PrintError",
    "SheetEvent",
    "print_file",
    "sheet_lines",
    "sheet_pdf",
    "sheet_text",
    "slip_lines",
    "slip_pdf",
    "slip_text",
]
