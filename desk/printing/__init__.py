"""Printouts: fixed-width text that aligns Chinese, PDF with a CJK font, and CUPS printing.

Nothing here imports Textual; the screens and the CLI call these functions. The names below
load their module on first use (PEP 562): the board imports `desk.printing.text` at start-up
and must not pay for the PDF renderers.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "SheetEvent": "complaint_sheet",
    "sheet_lines": "complaint_sheet",
    "sheet_pdf": "complaint_sheet",
    "sheet_text": "complaint_sheet",
    "PrintError": "cups",
    "print_file": "cups",
    "entrusted_slip_lines": "entrusted_slip",
    "entrusted_slip_pdf": "entrusted_slip",
    "entrusted_slip_text": "entrusted_slip",
    "pass_slip_lines": "pass_slip",
    "pass_slip_pdf": "pass_slip",
    "pass_slip_text": "pass_slip",
    "slip_lines": "slip",
    "slip_pdf": "slip",
    "slip_text": "slip",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
