"""Message catalogue: every string a user sees, in zh_CN and en.

Catalogues are TOML files beside this module, one per area; each message is a table with a
`zh_CN` and an `en` entry, e.g. `[board] title = { zh_CN = "值班台", en = "Board" }`.
"""

from __future__ import annotations

import os
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from desk.safe_text import printable

LANGUAGES = ("zh_CN", "en")
_HERE = Path(__file__).resolve().parent
_current = "zh_CN"


def _flatten(prefix: str, node: dict[str, Any], out: dict[str, dict[str, str]]) -> None:
    if set(node) <= set(LANGUAGES) and node and all(isinstance(v, str) for v in node.values()):
        if prefix in out:
            raise ValueError(f"message {prefix} is defined twice")
        out[prefix] = node
        return
    for key, value in node.items():
        if not isinstance(value, dict):
            raise ValueError(f"catalogue entry {prefix}.{key} is not a message table")
        _flatten(f"{prefix}.{key}" if prefix else key, value, out)


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """All messages, keyed by dotted id."""
    out: dict[str, dict[str, str]] = {}
    for path in sorted(_HERE.glob("*.toml")):
        with path.open("rb") as handle:
            _flatten("", tomllib.load(handle), out)
    return out


def set_language(lang: str) -> None:
    global _current
    if lang not in LANGUAGES:
        raise ValueError(lang)
    _current = lang


def current_language() -> str:
    return _current


def normalise_language(value: str | None) -> str | None:
    """Map what a user may type (zh, zh_CN, zh-cn, en, en_US…) to a catalogue language."""
    if not value:
        return None
    lowered = value.lower().replace("-", "_")
    if lowered.startswith("zh"):
        return "zh_CN"
    if lowered.startswith("en"):
        return "en"
    return None


def resolve_language(explicit: str | None, site_language: str = "auto") -> str:
    """--lang beats DESK_LANG beats the site setting; "auto" follows the locale."""
    for candidate in (explicit, os.environ.get("DESK_LANG")):
        lang = normalise_language(candidate)
        if lang:
            return lang
    if site_language and site_language != "auto":
        return normalise_language(site_language) or "zh_CN"
    env_locale = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or ""
    env_locale = env_locale or os.environ.get("LANG") or ""
    return "zh_CN" if env_locale.lower().startswith("zh") else "en"


def label_or(key: str, fallback: str) -> str:
    """The message `key` when the catalogue has it, else `fallback` (a site's own names)."""
    return t(key) if key in catalogue() else fallback


def t(key: str, /, **params: Any) -> str:
    """The message `key` in the current language, formatted with `params`.

    Text among the params (a name, a room, a description from the database) is made printable
    first: a control character in it must not reach a terminal or a printout (desk.safe_text).
    """
    entry = catalogue().get(key)
    if entry is None:
        return key
    text = entry.get(_current) or entry.get("en") or key
    if not params:
        return text
    shown = {name: printable(v) if isinstance(v, str) else v for name, v in params.items()}
    return text.format(**shown)
