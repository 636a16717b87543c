"""The desk's keys as a clerk meets them: the footer, the command palette, Textual's own keys."""

from __future__ import annotations

import pytest
from textual.command import CommandList, CommandPalette
from textual.widgets import Input, Select

from desk.app import DeskApp, make_app
from desk.db import Database
from desk.i18n import set_language, t
from desk.models import Operator
from desk.screens.base import DeskFooter
from desk.screens.signin import SignInScreen
from tests.conftest import NOW


def _app(db: Database, operator: Operator | None, lang: str) -> DeskApp:
    return make_app(db, lang=lang, clock=lambda: NOW, operator=operator)


def _options(palette: CommandPalette) -> list[str]:
    listed = palette.query_one(CommandList)
    return [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]


def _footer(app: DeskApp) -> str:
    return str(app.screen.query_one(DeskFooter).render())


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@pytest.mark.parametrize("size", [(120, 30), (80, 24)])
async def test_the_footer_shows_every_register_key_and_the_palette(
    db: Database, clerk: Operator, lang: str, size: tuple[int, int]
) -> None:
    app = _app(db, clerk, lang)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        footer = _footer(app)
        for key, label in (
            ("f11", "keys.nightlog"),
            ("f12", "keys.replies"),
            ("^p", "keys.palette"),
            ("^o", "keys.sign_out"),
            ("f1", "keys.help"),
        ):
            assert f"{key} {t(label)}" in footer, footer
        assert app.screen.query_one(DeskFooter).size.height <= 3


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
async def test_the_palette_lists_each_action_once_in_the_desks_language(
    db: Database, clerk: Operator, lang: str
) -> None:
    app = _app(db, clerk, lang)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause(0.5)
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        assert palette.query_one(Input).placeholder == t("palette.placeholder")
        titles = [str(command.title) for command in app.get_system_commands(app.screen_stack[-2])]
        assert len(titles) == len(set(titles)), titles
        assert all(title and not title.startswith(" ") for title in titles)
        assert f"{t('keys.nightlog')} (f11)" in titles and t("keys.settings") in titles
        assert not [title for title in titles if t("keys.palette") in title]
        assert not [title for title in titles if "palette" in title.lower()]
        shown = _options(palette)
        assert shown and not [line for line in shown if "\n" in line]
        await pilot.press(*"zzzz")
        await pilot.pause(1.0)
        shown = _options(palette)
        assert any(t("palette.no_matches") in line for line in shown), shown


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
async def test_an_open_choice_list_says_its_key_in_the_desks_language(
    db: Database, clerk: Operator, lang: str
) -> None:
    set_language(lang)
    app = _app(db, None, lang)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        assert isinstance(app.focused, Select)
        await pilot.press("enter")  # opens the operators' list
        await pilot.pause()
        footer = _footer(app)
        assert f"esc {t('keys.dismiss_menu')}" in footer, footer
        assert "Dismiss menu" not in footer
