"""Stored text made safe to show, print and export: control characters become visible marks.

The services refuse control characters on input (`residents.clean_text`), but a database can
hold text they never saw: an import, another program, a PostgreSQL client. Such text must not
move the supervisor's terminal cursor, clear the screen, retitle the window or reorder what a
line shows, so everything read from the database passes `printable` on its way to the screen,
the printer and the CLI.

Control characters become caret notation (`^[` for ESC, `^G` BEL, `^M` a lone CR, `^@` NUL,
`^?` DEL), as `cat -v`, `less` and vim show them; C1 controls (0x80-0x9f), the bidirectional
overrides and isolates, and a lone surrogate become their code point, `<U+009B>`. Both are plain
ASCII: they survive every font a printout may use (the CJK fonts lack the Unicode "control
pictures"), a GBK terminal and a spreadsheet, and they say *which* character was there, which a
U+FFFD would not.
Newlines, tabs and CRLF line ends stay (`one_line=True` makes them spaces); a lone CR, which
sends the cursor back over what the line already showed, does not.
"""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any

__all__ = [
    "REFUSED",
    "UNSAFE",
    "escape_html",
    "json_text",
    "printable",
    "refused_character",
    "spreadsheet_cell",
]

# C0 but tab and newline (and a CR that ends a line with its LF), DEL, C1, the bidi
# embeddings/overrides (U+202A-202E) and isolates (U+2066-2069) that make a line read in another
# order than it is stored, and lone surrogates (no encoding can write them out).
UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]|\r(?!\n)"
)
# What a form or an import refuses to store (desk.services.residents.clean_text): every control
# character but the newline (a tab too: a list cannot show it), and the invisible marks that
# change the order or the direction a line reads in (LRM, RLM, ALM, the embeddings, overrides and
# isolates, the line and paragraph separators, the interlinear annotations), and the invisible
# spaces that make one room or name two (zero-width space, word joiner, a stray BOM). The
# joiners and variation selectors that emoji sequences need (U+200D, U+FE0F) are not among them.
REFUSED = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e"
    "\u2060\u2066-\u2069\ufeff\ufff9-\ufffb]"
)
# What json.dumps(ensure_ascii=False) leaves raw although a terminal may act on it.
_JSON_RAW = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# A spreadsheet reads a cell starting with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t")
# ... unless it is a plain number (or a lone sign, the "no figure" of a report).
_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d+)?%?)?")


def _mark(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20 or code == 0x7F:
        return "^" + chr(code ^ 0x40)
    return f"<U+{code:04X}>"


def refused_character(text: str) -> str | None:
    """The first character of `text` a form refuses (see REFUSED), as a mark (`^[`, `<U+202E>`);
    None when there is none."""
    found = REFUSED.search(text)
    if found is None:
        return None
    code = ord(found.group())
    return "^" + chr(code ^ 0x40) if code < 0x20 or code == 0x7F else f"<U+{code:04X}>"


def printable(text: str | None, *, one_line: bool = False) -> str:
    """`text` with every control character shown as a harmless mark (see the module docstring).

    The result never holds a character a terminal acts on, other than newline, tab and the CR
    of a CRLF (and not those with `one_line`); applying it twice changes nothing more.
    """
    if not text:
        return ""
    if one_line:
        text = text.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    if UNSAFE.search(text) is None:
        return text
    return UNSAFE.sub(_mark, text)


def spreadsheet_cell(text: str) -> str:
    """A text cell for CSV or xlsx: printable, and never read as a formula.

    A cell starting with = + - @ (or a tab) gets a leading apostrophe, as the spreadsheet
    programs themselves mark text, unless it is a plain number (-12, +8613800000000, 3.5%)
    or a lone sign.
    """
    text = printable(text)
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def escape_html(text: str) -> str:
    """`text` for an HTML page: printable, then HTML-escaped (quotes too)."""
    return escape(printable(text))


def json_text(data: Any, *, indent: int | None = None) -> str:
    """JSON of `data` with the text exact but no raw byte a terminal acts on.

    JSON escapes C0 itself; DEL, C1 and the bidi controls it would leave raw (with
    `ensure_ascii=False`, which keeps Chinese readable) are written as \\u escapes, which
    are only ever inside strings, so the data reads back unchanged.
    """
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
