"""Message catalogue: every string a user sees, in zh_CN and en.

Catalogues are TOML files beside this module, one per area; each message is a table with a
`zh_CN` and an `en` entry, e.g. `[board] title = { zh_CN = "值班台", en = "Board" }`.

The language spoken is a context variable, not a module global. Who sets it: each command-line
invocation, as it starts (desk.cli: the help's language, then --lang / DESK_LANG / the site's
setting; desk.cli_passes for the gate's --lang), and each Textual app as it is made (DeskApp,
GateApp), before it runs, so that every task of the app inherits it. Tests set it per test
(tests/conftest.py). A context where nothing set it speaks the language last set on the main
thread (zh_CN before any): a thread started without a copy of the context (Textual's thread
workers run in asyncio's executor, which copies none) speaks its app's language.

The compiled catalogue is kept in the user's cache folder ($XDG_CACHE_HOME/desk, by default
~/.cache/desk), never inside the package; when that cannot be written there is no cache.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import threading
import tomllib
from collections.abc import Iterable
from contextlib import suppress
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

from desk.files import private_folder, write_whole
from desk.safe_text import printable

LANGUAGES = ("zh_CN", "en")
_HERE = Path(__file__).resolve().parent
DEFAULT_LANGUAGE = "zh_CN"
_language: ContextVar[str] = ContextVar("desk_language")
# for a context where nothing set the language, e.g. a thread started without a copy (above)
_main_thread_language = DEFAULT_LANGUAGE


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
    """All messages, keyed by dotted id.

    Read from the TOML files once and kept, compiled, in the user's cache folder (as Python
    keeps its byte code): reading 23 TOML files costs ~50 ms of every start, the compiled copy
    ~2 ms. The copy names the files' sizes and times, so an edited file is read afresh; its
    name carries the package's folder, so two installs keep a copy each.
    """
    paths = sorted(_HERE.glob("*.toml"))
    stamp = [(path.name, *_signature(path)) for path in paths]
    cached = _read_compiled(stamp)
    if cached is not None:
        return cached
    out: dict[str, dict[str, str]] = {}
    for path in paths:
        with path.open("rb") as handle:
            _flatten("", tomllib.load(handle), out)
    _write_compiled(stamp, out)
    return out


def _cache_file() -> Path | None:
    """Where the compiled catalogue is kept: $XDG_CACHE_HOME/desk (default ~/.cache/desk), named
    after this package's folder and the Python; None when there is no home to keep it in."""
    folder = os.environ.get("XDG_CACHE_HOME", "")
    try:
        base = Path(folder) if os.path.isabs(folder) else Path.home() / ".cache"
    except (RuntimeError, KeyError):  # no home directory known
        return None
    package = hashlib.sha256(str(_HERE).encode("utf-8")).hexdigest()[:12]
    return base / "desk" / f"catalogue-{package}.{sys.implementation.cache_tag}.marshal"


_COMPILED = _cache_file()


def _signature(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_size, info.st_mtime_ns


def _read_compiled(stamp: list[tuple[str, int, int]]) -> dict[str, dict[str, str]] | None:
    if _COMPILED is None:
        return None
    try:
        with _COMPILED.open("rb") as handle:
            kept_stamp, messages = marshal.load(handle)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if kept_stamp != stamp or not isinstance(messages, dict):
        return None
    return messages


def _write_compiled(stamp: list[tuple[str, int, int]], messages: dict[str, dict[str, str]]) -> None:
    """Best effort, as Python's own byte code: with no writable cache folder the TOML is read
    each time. The folder is made 0700 and the copy 0600 (the user's own cache)."""
    if _COMPILED is None:
        return
    with suppress(OSError):
        private_folder(_COMPILED.parent)
        write_whole(_COMPILED, marshal.dumps((stamp, messages)))


def set_language(lang: str) -> None:
    """Speak `lang` in this context (and in the tasks it starts from now on)."""
    global _main_thread_language
    if lang not in LANGUAGES:
        raise ValueError(lang)
    _language.set(lang)
    if threading.current_thread() is threading.main_thread():
        _main_thread_language = lang


def current_language() -> str:
    """The language of this context; where none was set, the main thread's (module doc)."""
    return _language.get(_main_thread_language)


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


def listed(items: Iterable[str]) -> str:
    """Names in a row, as each language writes a list: 李建国、赵师傅 / 李建国, 赵师傅."""
    return t("app.list_separator").join(items)


def t(key: str, /, **params: Any) -> str:
    """The message `key` in the current language, formatted with `params`.

    Text among the params (a name, a room, a description from the database) is made printable
    first: a control character in it must not reach a terminal or a printout (desk.safe_text).
    """
    entry = catalogue().get(key)
    if entry is None:
        return key
    text = entry.get(current_language()) or entry.get("en") or key
    if not params:
        return text
    shown = {name: printable(v) if isinstance(v, str) else v for name, v in params.items()}
    return text.format(**shown)
