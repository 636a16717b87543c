"""desk.safe_text: control characters shown as marks, spreadsheet cells, terminal-safe JSON."""

from __future__ import annotations

import json

import pytest

from desk.i18n import set_language, t
from desk.safe_text import UNSAFE, escape_html, json_text, printable, spreadsheet_cell

# Every character a terminal may act on: C0 but tab/newline, DEL, C1, the bidi controls.
DANGEROUS = [
    *(chr(c) for c in range(0x20) if chr(c) not in "\t\n"),
    "\x7f",
    *(chr(c) for c in range(0x80, 0xA0)),
    *(chr(c) for c in range(0x202A, 0x202F)),
    *(chr(c) for c in range(0x2066, 0x206A)),
]


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("王芳", "王芳"),
        ("\x1b[2J王芳", "^[[2J王芳"),
        ("\x1b]0;pwned\x07", "^[]0;pwned^G"),
        ("\x9b2J", "<U+009B>2J"),
        ("a\x08b\x00c\x7f", "a^Hb^@c^?"),
        ("bad\rgood", "bad^Mgood"),
        ("line one\r\nline two", "line one\r\nline two"),
        ("3-\u202e2021", "3-<U+202E>2021"),
        ("\u2066x\u2069", "<U+2066>x<U+2069>"),
        ("tab\there\nnext", "tab\there\nnext"),
        ("[bold red]王", "[bold red]王"),  # markup is the screens' business, not this
        ("", ""),
    ],
)
def test_printable_marks_every_control_character(stored: str, shown: str) -> None:
    assert printable(stored) == shown


def test_printable_leaves_nothing_a_terminal_acts_on() -> None:
    everything = "".join(DANGEROUS) + "王 abc \t\n\r\n"
    shown = printable(everything)
    assert not any(ch in shown for ch in DANGEROUS if ch != "\r")
    assert "\r" not in shown.replace("\r\n", "")
    assert UNSAFE.search(shown) is None
    assert shown.isascii() or set(shown) - set(map(chr, range(128))) == {"王"}


def test_printable_is_idempotent_and_accepts_none() -> None:
    once = printable("".join(DANGEROUS))
    assert printable(once) == once
    assert printable(None) == ""


def test_one_line_turns_breaks_and_tabs_into_spaces() -> None:
    assert printable("a\nb\tc\r\nd\re", one_line=True) == "a b c d^Me"


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x","王")', '\'=HYPERLINK("http://x","王")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("-12.50", "-12.50"),
        ("+8613800000000", "+8613800000000"),
        ("12.5%", "12.5%"),
        ("-", "-"),
        ("3-1202", "3-1202"),
        ("王芳", "王芳"),
        ("\x1b[2J=1", "^[[2J=1"),
        ("=\x9b", "'=<U+009B>"),
    ],
)
def test_spreadsheet_cells_never_start_a_formula(cell: str, written: str) -> None:
    assert spreadsheet_cell(cell) == written


def test_html_is_escaped_and_printable() -> None:
    assert escape_html('<b>"王"</b>\x1b[2J') == "&lt;b&gt;&quot;王&quot;&lt;/b&gt;^[[2J"


def test_json_keeps_the_data_but_no_raw_control_byte() -> None:
    data = {"name": "王\x1b[2J\x9b\u202e\x7f芳", "note": "a\nb"}
    text = json_text(data, indent=2)
    assert json.loads(text) == data
    assert UNSAFE.search(text) is None
    assert "王" in text  # Chinese stays readable
    assert "\\u009b" in text and "\\u202e" in text and "\\u007f" in text


def test_catalogue_messages_show_their_text_params_printable() -> None:
    set_language("en")
    message = t("cli.lookup.nothing", query="\x1b]0;pwned\x07王")
    assert "\x1b" not in message and "\x07" not in message
    assert "^[]0;pwned^G王" in message


def test_a_lone_surrogate_is_marked_and_escaped_in_json() -> None:
    assert printable("王\udcff") == "王<U+DCFF>"
    assert printable("王\udcff").encode("utf-8")
    assert json_text("\udcff").encode("utf-8") == b'"\\udcff"'
