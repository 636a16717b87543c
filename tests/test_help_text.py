"""F1 help reads right in both languages: Markdown would join a Chinese paragraph's lines with a
space, so a paragraph of Chinese is one line in the catalogue."""

from __future__ import annotations

from itertools import pairwise

import pytest
from rich.cells import get_character_cell_size

from desk.app import make_app
from desk.db import Database
from desk.i18n import catalogue, t
from desk.models import Operator
from desk.screens.help import HelpScreen, key_table
from tests.conftest import NOW
from tests.pilot_support import until, until_screen


def _wide(ch: str) -> bool:
    return get_character_cell_size(ch) == 2


def test_no_chinese_paragraph_is_broken_across_lines() -> None:
    body = catalogue()["help.body"]["zh_CN"]
    lines = body.splitlines()
    for before, after in pairwise(lines):
        if not before.strip() or not after.strip() or after.startswith(("|", "#")):
            continue
        assert not (_wide(before.rstrip()[-1]) and _wide(after.lstrip()[0])), (before, after)


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
async def test_help_opens_with_f1_and_names_ctrl_n_truly(
    db: Database, clerk: Operator, lang: str
) -> None:
    app = make_app(db, lang=lang, clock=lambda: NOW, operator=clerk)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f1")
        await until_screen(pilot, HelpScreen)
        assert isinstance(app.screen, HelpScreen)
        shown = key_table() + t("help.body")
        assert "Ctrl+N" in shown
        assert "（报修）" not in shown and "(repair order)" not in shown
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, HelpScreen))
        assert not isinstance(app.screen, HelpScreen)


async def test_help_fits_an_80_column_terminal(db: Database, clerk: Operator) -> None:
    from textual.containers import VerticalScroll

    app = make_app(db, lang="en", clock=lambda: NOW, operator=clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        await until_screen(pilot, HelpScreen)
        box = app.screen.query_one(VerticalScroll)
        assert box.region.right <= 80


def test_f1_lists_every_letter_of_the_board() -> None:
    """The board's letters open a register each and are not in the footer: F1 is where a
    clerk learns them, so each is there, as the board's, with its words."""
    from desk import commands as registry
    from desk.i18n import set_language, t
    from desk.screens.help import key_rows

    set_language("en")
    rows = dict(key_rows())
    letters = [c for c in registry.rows("board") if len(c.key) == 1 or c.key_display]
    assert {"r", "c", "w", "o", "f", "i", "p", "m", "s"} <= {c.key for c in letters}
    for command in letters:
        shown = f"{command.key_display or command.key} (board)"
        assert shown in rows and t(rows[shown]) == t(command.description)
