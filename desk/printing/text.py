"""Fixed-width text layout that counts display cells, so Chinese columns line up on paper.

A Chinese character takes two cells, a Latin letter one (rich's cell table). Labels and rules
on printouts avoid East-Asian *ambiguous* characters (— … ① ○ □ ※), which some terminals and
printers draw two cells wide and others one.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from rich.cells import cell_len, get_character_cell_size

from desk.safe_text import printable

__all__ = ["cell_len", "centre", "clip", "label_value", "pad", "page_text", "two_columns", "wrap"]


def _clean(text: str) -> str:
    """One line for the grid: tabs and newlines become a space, control characters visible
    marks (desk.safe_text), and other invisible format characters (zero-width …) go."""
    text = printable(text, one_line=True)
    return "".join(ch for ch in text if ch == " " or unicodedata.category(ch)[0] != "C")


def page_text(lines: Iterable[str]) -> str:
    """The lines as the text of a printout, ending with a newline; whatever a renderer put on
    a line without the helpers above, no control character reaches the file or the printer."""
    return "".join(printable(line, one_line=True) + "\n" for line in lines)


def clip(text: str, width: int) -> str:
    """`text` cut to at most `width` cells (a wide character that would straddle is dropped)."""
    text = _clean(text)
    if cell_len(text) <= width:
        return text
    out: list[str] = []
    used = 0
    for ch in text:
        size = get_character_cell_size(ch)
        if used + size > width:
            break
        out.append(ch)
        used += size
    return "".join(out)


def pad(text: str, width: int, *, align: str = "left") -> str:
    """`text` clipped and padded with spaces to exactly `width` cells."""
    text = clip(text, width)
    gap = width - cell_len(text)
    if align == "right":
        return " " * gap + text
    if align == "centre":
        return " " * (gap // 2) + text + " " * (gap - gap // 2)
    return text + " " * gap


def centre(text: str, width: int) -> str:
    """`text` centred in `width` cells, without trailing spaces."""
    return pad(text, width, align="centre").rstrip()


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` cells: Chinese breaks anywhere, Latin words at spaces.

    Newlines in `text` are kept as line breaks; an empty text gives one empty line.
    """
    if width < 2:
        raise ValueError("width must be at least 2 cells")
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines.extend(_wrap_paragraph(_clean(paragraph).rstrip(), width))
    return lines


def _wrap_paragraph(text: str, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for token in _tokens(text):
        if cell_len(line + token) <= width:
            line += token
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = token.lstrip()
        # a single word longer than the line is cut where it must be
        while cell_len(line) > width:
            head = clip(line, width)
            lines.append(head)
            line = line[len(head) :]
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def _tokens(text: str) -> Iterable[str]:
    """Words with their leading spaces; each wide (CJK) character is a token of its own."""
    word = ""
    for ch in text:
        wide = get_character_cell_size(ch) == 2
        if ch == " " and word.strip():
            yield word
            word = ch
        elif wide:
            if word:
                yield word
            yield ch
            word = ""
        else:
            word += ch
    if word:
        yield word


def label_value(label: str, value: str, *, label_width: int, width: int) -> list[str]:
    """`label  value`, the value wrapped under itself (a hanging indent) within `width`."""
    indent = label_width + 2
    body = wrap(value, max(width - indent, 2))
    head = pad(label, label_width) + "  "
    return [(head if i == 0 else " " * indent) + part for i, part in enumerate(body)]


def two_columns(
    left: tuple[str, str], right: tuple[str, str] | None, *, label_width: int, width: int
) -> str:
    """One line holding two `label  value` pairs, each in half of `width` (values clipped)."""
    half = width // 2
    value_width = half - label_width - 2
    # at least two spaces before the right-hand label
    first = pad(left[0], label_width) + "  " + pad(clip(left[1], value_width - 2), value_width)
    if right is None:
        return first.rstrip()
    second = pad(right[0], label_width) + "  " + clip(right[1], width - half - label_width - 2)
    return (first + second).rstrip()
