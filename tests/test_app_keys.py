"""The desk's keys as a clerk meets them: the footer, the command palette, Textual's own keys."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.binding import Binding
from textual.command import CommandList, CommandPalette
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Input, Select

from desk.app import DeskApp
from desk.compat import miss_current_stylesheet
from desk.db import Database, open_database
from desk.forms.fields import FormField
from desk.i18n import set_language, t
from desk.models import Operator
from desk.screens.board import BoardScreen
from desk.screens.repair_detail import RepairDetailScreen
from desk.screens.repair_entry import RepairFormScreen
from desk.screens.signin import SignInScreen
from desk.services import repair
from desk.services.repair import RepairCreate
from desk.widgets.base import DeskFooter, DeskScreen
from tests.conftest import Desk
from tests.pilot_support import desk_app as _app
from tests.pilot_support import press_for_screen, until, until_screen

# every register screen by its key, ending back on the board
F_KEYS = ("f2", "f3", "f4", "f5", "f6", "f7", "f8", "f10", "f11", "f12", "f9")


def _options(palette: CommandPalette) -> list[str]:
    listed = palette.query_one(CommandList)
    return [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]


def _footer(app: DeskApp) -> str:
    return str(app.screen.query_one(DeskFooter).render())


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@pytest.mark.parametrize("size", [(120, 30), (160, 40)])
async def test_a_wide_footer_shows_every_register_key_and_the_palette(
    db: Database, clerk: Operator, lang: str, size: tuple[int, int]
) -> None:
    app = _app(db, clerk, lang)
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: _footer(app))
        footer = _footer(app)
        for key, label in (
            ("f11", "keys.nightlog"),
            ("f12", "keys.replies"),
            ("^p", "keys.palette"),
            ("^o", "keys.sign_out"),
            ("f1", "keys.help"),
        ):
            assert f"{key} {t(label)}" in footer, footer
        assert app.screen.query_one(DeskFooter).size.height <= 2
        assert footer.endswith(f"^p {t('keys.palette')}")  # "More": the palette lists them all


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
        await until(pilot, lambda: isinstance(app.focused, Select))
        assert isinstance(app.screen, SignInScreen)
        assert isinstance(app.focused, Select)
        await pilot.press("enter")  # opens the operators' list
        await until(pilot, lambda: f"esc {t('keys.dismiss_menu')}" in _footer(app))
        footer = _footer(app)
        assert f"esc {t('keys.dismiss_menu')}" in footer, footer
        assert "Dismiss menu" not in footer


async def _every_register(app: DeskApp) -> tuple[list[list[str]], int]:
    """Each F-key screen's widgets with the styles they were given, and how often the
    stylesheet was parsed again."""
    reparsed = 0
    styled = []
    async with app.run_test(size=(100, 30)) as pilot:
        await until_screen(pilot, BoardScreen)
        sheet = app.stylesheet
        reparse = sheet.reparse

        def counted() -> None:
            nonlocal reparsed
            reparsed += 1
            reparse()

        sheet.reparse = counted  # type: ignore[method-assign]
        for key in F_KEYS:
            await press_for_screen(pilot, key)
            styled.append(
                [
                    f"{type(w).__name__}#{w.id} {w.rich_style} {w.styles.base.css_lines}"
                    for w in app.screen.walk_children(with_self=True)
                ]
            )
    return styled, reparsed


async def test_register_screens_are_styled_alike_without_reparsing_the_css(
    db: Database, clerk: Operator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """desk.app._screen_factory spares a new mode's screen Textual's two re-parses of the whole
    stylesheet; every screen must look exactly as it does with them."""
    import desk.app as desk_app

    assert db.path is not None
    shutil.copyfile(db.path, tmp_path / "twin.db")  # the same records for the second run
    twin = open_database(tmp_path / "twin.db", settings=db.settings)
    shots, reparsed = await _every_register(_app(db, clerk, "zh_CN"))
    assert reparsed == 0

    made = desk_app._screen_factory

    def textual_way(app: DeskApp, module: str, name: str) -> object:
        build = made(app, module, name)

        def plain() -> object:
            screen = build()
            miss_current_stylesheet(screen)  # as Textual leaves a new screen
            return screen

        return plain

    monkeypatch.setattr(desk_app, "_screen_factory", textual_way)
    alike, reparsed = await _every_register(_app(twin, clerk, "zh_CN"))
    twin.dispose()
    assert reparsed > 0  # the comparison is with Textual's own way
    assert len(shots) == len(alike) == 11
    for ours, theirs in zip(shots, alike, strict=True):
        assert ours == theirs


def _one_row_at_80_columns(app: DeskApp, where: str) -> str:
    """The footer's one row; it ends with "More" and shows the screen's enabled keys before any
    F-key (the F-keys stay in F1 help and the palette)."""
    footer = app.screen.query_one(DeskFooter)
    rows = footer._lines(footer.size.width)
    assert footer.size.height == len(rows) == 1, (where, [str(row) for row in rows])
    row = str(rows[0])
    assert cell_len(row) <= 80, (where, row)
    shown = [f"{app.get_key_display(b)} {b.description}" for b in _own_enabled(app)]
    places = [row.index(pair) for pair in shown if pair in row]
    assert shown[:1] == [pair for pair in shown[:1] if pair in row], (where, row)  # the first
    f_keys = [row.index(f" f{n} ") for n in range(2, 13) if f" f{n} " in row]
    assert not places or not f_keys or max(places) < min(f_keys), (where, row)
    if isinstance(app.screen, DeskScreen):
        assert row.endswith(f"^p {t('keys.palette')}"), (where, row)
    return row


def _own_enabled(app: DeskApp) -> list[Binding]:
    """The keys of the screen (or its focused widget) shown and enabled now."""
    found: dict[str, Binding] = {}
    for node, binding, enabled, _tip in app.screen.active_bindings.values():
        if node is not app and enabled and binding.show:
            found.setdefault(binding.action, binding)
    return list(found.values())


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
async def test_at_80_by_24_every_footer_is_one_row_and_the_new_repair_dialog_never_scrolls(
    db: Database, clerk: Operator, lang: str
) -> None:
    with Desk(db, clerk).write() as ctx:
        repair.register(
            ctx,
            RepairCreate(
                room="1-101", resident_name="张伟", phone="13700002222", description="漏水"
            ),
        )
    set_language(lang)
    app = _app(db, clerk, lang)
    async with app.run_test(size=(80, 24)) as pilot:
        for key in F_KEYS:  # every register, the board last
            await press_for_screen(pilot, key)
            _one_row_at_80_columns(app, key)
        board = _one_row_at_80_columns(app, "board")
        assert f"f12 {t('keys.replies')}" not in board  # left out: it does not fit
        await press_for_screen(pilot, "f3")
        await until(pilot, lambda: app.screen.query_one("#orders", DataTable).row_count == 1)
        _one_row_at_80_columns(app, "repairs")
        await pilot.press("enter")
        page = await until_screen(pilot, RepairDetailScreen)
        row = _one_row_at_80_columns(app, "repair page")
        assert row.startswith(f"^d {t('repair_ui.keys.dispatch')}"), row  # its next step first
        await pilot.press("f3")  # a new repair for the page's room
        form = await until_screen(pilot, RepairFormScreen)
        assert page is not form
        await until(pilot, lambda: form.query_one("#room", Input).value == "1-101")
        _one_row_at_80_columns(app, "new repair")
        body = form.query_one("#dialog-body", VerticalScroll)
        assert body.max_scroll_y == 0  # every field seen at once, none scrolled out of sight
        for field in form.query(FormField):
            assert body.region.contains_region(field.region), field.field_name
