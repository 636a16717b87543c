"""The message catalogue is complete: both languages, every key the code uses, same placeholders."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from desk.i18n import LANGUAGES, catalogue, set_language, t

DESK = Path(__file__).resolve().parent.parent / "desk"
# t("a.b"), DeskError("a.b"), NotFound("a.b"), PrintError("a.b") … with a literal dotted key;
# keys built at run time (t(f"fields.{name}")) are exempt.
KEY_CALL = re.compile(
    r"""\b(t|\w*Error|NotFound|Forbidden)\(\s*["']([a-z0-9_]+(?:\.[a-z0-9_]+)+)["']"""
)
# DeskError(..., field="x") shows the label t("fields.x")
FIELD_ARG = re.compile(r"""\bfield\s*=\s*["']([a-z0-9_]+)["']""")


def _sources() -> list[Path]:
    return sorted(DESK.rglob("*.py"))


def _placeholders(message: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(message) if name is not None}


def test_every_message_has_both_languages() -> None:
    incomplete = [
        key
        for key, entry in catalogue().items()
        if any(not entry.get(lang, "").strip() for lang in LANGUAGES)
    ]
    assert incomplete == []


def test_both_languages_take_the_same_placeholders() -> None:
    mismatched = [
        key
        for key, entry in catalogue().items()
        if _placeholders(entry["zh_CN"]) != _placeholders(entry["en"])
    ]
    assert mismatched == []


def test_every_literal_key_in_the_code_is_in_the_catalogue() -> None:
    messages = catalogue()
    missing = sorted(
        f"{path.relative_to(DESK.parent)}: {match.group(2)}"
        for path in _sources()
        for match in KEY_CALL.finditer(path.read_text(encoding="utf-8"))
        if match.group(2) not in messages
    )
    assert missing == []


def test_every_field_named_in_an_error_has_a_label() -> None:
    messages = catalogue()
    missing = sorted(
        f"{path.relative_to(DESK.parent)}: fields.{name}"
        for path in _sources()
        for name in FIELD_ARG.findall(path.read_text(encoding="utf-8"))
        if f"fields.{name}" not in messages
    )
    assert missing == []


def test_the_key_scan_finds_keys() -> None:
    # guards the regular expression itself: a scan that finds nothing would pass vacuously
    found = {
        match.group(2)
        for path in _sources()
        for match in KEY_CALL.finditer(path.read_text(encoding="utf-8"))
    }
    assert "repair.room_required" in found
    assert "slip.title" in found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_messages_format_in_each_language(lang: str) -> None:
    set_language(lang)
    assert t("printing.lp_missing", path="/tmp/x.pdf").endswith("/tmp/x.pdf")
    assert t("no.such.key") == "no.such.key"


def test_a_list_of_names_is_written_as_each_language_writes_one() -> None:
    from desk.i18n import listed, set_language

    set_language("zh_CN")
    assert listed(["李建国", "赵师傅"]) == "李建国、赵师傅"
    set_language("en")
    assert listed(["李建国", "赵师傅"]) == "李建国, 赵师傅"
    assert listed([]) == ""
