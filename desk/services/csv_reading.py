"""Reading a CSV file someone brings: its encoding told honestly, then its rows one at a time.

One reader for every CSV import (residents, the key cabinet). `decode` reads UTF-8, with or
without a BOM; else GB18030 (a superset of GBK and GB2312) only when the text it gives is
plausibly Chinese (`plausible_chinese`); else it refuses the file, naming the first line that is
not UTF-8, where in it, and its bytes — and the caller may name the encoding (any Python codec).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from desk.services.errors import DeskError

_IDEOGRAPHS = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F))
_IDEOGRAPH_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]+")
# besides ideographs, what Chinese text holds: · × dashes, quotes and … ; Ⅰ-Ⅻ; ① ② ; ○ ● □ ;
# the ideographic space and punctuation (，。、《》【】); full-width forms (，：（）Ａ１)
_CHINESE_MARKS = (
    (0x00B7, 0x00B7),
    (0x00D7, 0x00D7),
    (0x2010, 0x203F),
    (0x2160, 0x217F),
    (0x2460, 0x24FF),
    (0x25A0, 0x25FF),
    (0x3000, 0x303F),
    (0xFF00, 0xFFEF),
)
# shares of the ideographs (see plausible_chinese)
COMMON_SHARE = 0.9
IN_WORDS_SHARE = 0.5
_UTF8_BOM = codecs.BOM_UTF8


def _within(code: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(low <= code <= high for low, high in ranges)


def _common(character: str) -> bool:
    """One of GB2312's characters: the 6,763 hanzi of everyday text (and its symbols)."""
    try:
        character.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def plausible_chinese(text: str) -> bool:
    """Whether text decoded as GB18030 reads as Chinese rather than as another encoding's bytes.

    Any byte string of Latin-1 or CP1252 text whose accented letters are each followed by a
    letter decodes "successfully" as GB18030: Müller reads as M黮ler, Señora as Se駉ra, Gößling as
    G鲞ling. Real Chinese text differs in three ways, all required here:

    - every non-ASCII character is an ideograph or a mark Chinese text uses (punctuation,
      full-width forms, ① or Ⅲ), never kana, Cyrillic, box drawing or a private-use character;
    - at least COMMON_SHARE of the ideographs are common ones (GB2312's); an accented letter
      before an ASCII letter always lands outside GB2312 (黮, 駉);
    - at least IN_WORDS_SHARE of the ideographs stand in runs of two or more (names, 业主, 楼栋);
      two accented letters in a row (öß) may land in GB2312 (鲞), but alone, inside a Latin word.

    A short file that fails only the last two (a single name with a rare character, written in
    pinyin beside 3栋) is refused too: its encoding can be named (`--encoding gbk`).
    """
    counts = Counter(character for character in text if not character.isascii())
    ideographs = common = 0
    for character, count in counts.items():
        if _within(ord(character), _IDEOGRAPHS):
            ideographs += count
            common += count if _common(character) else 0
        elif not _within(ord(character), _CHINESE_MARKS):
            return False
    if not ideographs:
        return False
    in_words = sum(len(run) for run in _IDEOGRAPH_RUN.findall(text) if len(run) > 1)
    return common >= COMMON_SHARE * ideographs and in_words >= IN_WORDS_SHARE * ideographs


def _where(data: bytes, start: int) -> dict[str, Any]:
    """The line, position and first few bytes of an undecodable spot, for the message."""
    line_start = data.rfind(b"\n", 0, start) + 1
    line_end = data.find(b"\n", start)
    if line_end < 0:
        line_end = len(data)
    shown = data[start : min(start + 4, line_end)] or data[start : start + 1]
    return {
        "line": data.count(b"\n", 0, start) + 1,
        "column": start - line_start + 1,
        "bytes": shown.hex(" ").upper(),
    }


def _decode_as(data: bytes, encoding: str) -> str:
    """The text in the named encoding (any Python text codec)."""
    try:
        info = codecs.lookup(encoding)
    except (LookupError, ValueError, TypeError):
        raise DeskError("csv_import.unknown_encoding", value=encoding) from None
    if not getattr(info, "_is_text_encoding", True):  # rot13, base64: not a text encoding
        raise DeskError("csv_import.unknown_encoding", value=encoding)
    try:
        text = data.decode(info.name)
    except UnicodeDecodeError as exc:
        raise DeskError(
            "csv_import.not_in_encoding", encoding=encoding, **_where(data, exc.start)
        ) from None
    except UnicodeError:
        raise DeskError("csv_import.not_in_encoding_at_all", encoding=encoding) from None
    return text.removeprefix("\ufeff")


def decode(data: bytes, encoding: str | None = None) -> str:
    """The file's text: in `encoding` when given; else UTF-8 (a BOM is dropped); else GB18030
    when it reads as Chinese (plausible_chinese) and has no UTF-8 BOM; else refused, naming the
    first line that is not UTF-8, where in it (counting the file's bytes), and its bytes."""
    if encoding is not None:
        return _decode_as(data, encoding)
    bom = data.startswith(_UTF8_BOM)
    body = data[len(_UTF8_BOM) :] if bom else data
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        where = _where(data, exc.start + (len(_UTF8_BOM) if bom else 0))
    try:
        text = None if bom else body.decode("gb18030")  # a UTF-8 BOM says what was meant
    except UnicodeDecodeError:
        text = None
    if text is not None and plausible_chinese(text):
        return text
    raise DeskError("csv_import.not_utf8", **where)


def lines(
    text: str, headers: Mapping[str, str], required: Sequence[str], missing: str
) -> Iterator[tuple[int, dict[str, str]]]:
    """Each non-empty line of a CSV file with a header row: its line number and its cells by
    column name. `headers` maps a title as written (lower case) to a column; a file without
    a header, or without one of the `required` columns (`missing`: the catalogue key saying
    which), is refused before any line is read."""
    reader = csv.reader(io.StringIO(text, newline=""))
    found = _rows(reader)
    header = next(found, None)
    if header is None or not any(cell.strip() for cell in header):
        raise DeskError("csv_import.empty")
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        column = headers.get(title.strip().lower())
        if column is not None and column not in positions:
            positions[column] = index
    for column in required:
        if column not in positions:
            raise DeskError(missing, column=column)
    for row in found:
        if any(cell.strip() for cell in row):
            yield (
                reader.line_num,
                {column: row[i] if i < len(row) else "" for column, i in positions.items()},
            )


def _rows(reader: Any) -> Iterator[list[str]]:
    """The rows of a csv reader; a line the csv module cannot read refuses the whole file."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # e.g. a cell over the csv module's 128 KiB limit
            raise DeskError("csv_import.bad_csv", line=reader.line_num) from exc
        yield row
