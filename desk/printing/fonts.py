"""Finding a font that can draw Chinese, for PDF printouts."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

# Debian's packages, best first. NotoSansCJK-Regular.ttc holds JP, KR, SC, TC … faces;
# face 2 is Simplified Chinese. Face 1 of wqy-microhei.ttc is its monospaced variant.
KNOWN_FONTS: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansMonoCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
)
FONT_ENV = "DESK_CJK_FONT"


@dataclass(frozen=True)
class FontFace:
    """One face of a font file (a .ttc collection holds several)."""

    path: Path
    index: int = 0


class FontNotFound(Exception):
    """No font on this machine can draw Chinese."""


def find_cjk_font() -> FontFace:
    """The font for printouts: DESK_CJK_FONT (`path` or `path#index`), a known file, or fontconfig.

    Raises:
        FontNotFound: with the Debian packages that would provide one.
    """
    explicit = os.environ.get(FONT_ENV)
    if explicit:
        path, _, index = explicit.partition("#")
        face = FontFace(Path(path), int(index or 0))
        if not face.path.is_file():
            raise FontNotFound(f"{FONT_ENV}={explicit}: no such font file")
        return face
    for known, face_index in KNOWN_FONTS:
        if Path(known).is_file():
            return FontFace(Path(known), face_index)
    found = _from_fontconfig()
    if found is None:
        raise FontNotFound(
            "no Chinese font found: install fonts-noto-cjk or fonts-wqy-microhei, "
            f"or set {FONT_ENV}=/path/to/font.ttf"
        )
    return found


def _from_fontconfig() -> FontFace | None:
    """Ask fontconfig for Simplified Chinese faces; prefer regular sans ones marked SC."""
    if shutil.which("fc-list") is None:
        return None
    try:
        listing = subprocess.run(
            ["fc-list", ":lang=zh-cn", "--format", "%{file}|%{index}|%{family}|%{style}\n"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    candidates: list[tuple[int, FontFace]] = []
    for line in listing.splitlines():
        parts = line.split("|")
        if len(parts) != 4 or not parts[1].isdigit():
            continue
        file, index, family, style = parts
        if not file.lower().endswith((".ttf", ".ttc", ".otf", ".otc")):
            continue
        score = 0
        score += 4 if "Regular" in style or "Book" in style else 0
        score += 2 if " SC" in family or "Hei" in family or "Sans" in family else 0
        score += 1 if "Mono" not in family else 0
        candidates.append((score, FontFace(Path(file), int(index))))
    if not candidates:
        return None
    return max(candidates, key=lambda item: item[0])[1]
