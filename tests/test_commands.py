"""The command registry (desk/commands.py): one declaration per key, no two actions on one key
in one place, words in both languages, the F1 table and the palette made from it."""

from __future__ import annotations

from collections import defaultdict

import pytest

from desk import commands
from desk.app import DeskApp, make_app
from desk.db import Database
from desk.i18n import catalogue, set_language, t
from desk.models import Operator
from desk.screens.help import key_table
from desk.screens.repairs import RepairsScreen
from tests.conftest import NOW
from tests.pilot_support import until_screen

# the gate is an app of its own (desk gate): its F-keys are its own, not the desk's
OWN_APPS = {"gate"}
# F1 on the help closes it: the same key, on purpose
TOGGLES = {("help", "f1")}
# F3 on a record's page starts a repair for its room (the list it would open is the one the
# page was opened from): on purpose too (desk.screens.new_here)
TOGGLES |= {
    (page, "f3")
    for page in (
        "record_new",
        "repair_detail",
        "complaint_detail",
        "reception_detail",
        "pass_detail",
        "renovation_detail",
        "card_detail",
    )
}


def test_no_two_actions_share_a_key_in_one_place_or_hide_a_desk_key() -> None:
    desk_keys = {command.key: command.action for command in commands.rows("app")}
    clashes = []
    for place in commands.all_places():
        actions: dict[str, set[str]] = defaultdict(set)
        for command in commands.rows(place):
            actions[command.key].add(command.action)
            hidden = desk_keys.get(command.key)
            if (
                place not in OWN_APPS | {"app"}
                and (place, command.key) not in TOGGLES
                and hidden not in (None, command.action)
            ):
                clashes.append(f"{place}: {command.key} hides the desk's {hidden}")
        clashes += [
            f"{place}: {key} does {sorted(done)}" for key, done in actions.items() if len(done) > 1
        ]
    assert clashes == []


def test_a_clash_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above can fail: a second action on ctrl+d on the repair page is found."""
    extra = commands.Command("repair_detail", "ctrl+d", "delete_everything", "keys.open")
    monkeypatch.setattr(commands, "COMMANDS", (*commands.COMMANDS, extra))
    with pytest.raises(AssertionError, match="ctrl\\+d does"):
        test_no_two_actions_share_a_key_in_one_place_or_hide_a_desk_key()


def test_ids_are_unique_and_every_word_is_in_both_languages() -> None:
    rows = [entry for entry in commands.COMMANDS if isinstance(entry, commands.Command)]
    ids = [row.id for row in rows if row.id]
    assert len(ids) == len(set(ids))
    words = catalogue()
    missing = [
        row.description
        for row in rows
        if row.description
        and not ({"zh_CN", "en"} <= set(words.get(row.description, {})))
        and row.description not in ("Open link",)
    ]
    assert missing == []


def test_a_mistyped_place_is_refused() -> None:
    with pytest.raises(ValueError, match="no keys declared for repairz"):
        commands.bindings("repairz")


def test_every_place_is_used_by_a_screen_and_every_screen_key_is_declared() -> None:
    """No row is dead: each place is taken by a class's BINDINGS (or spliced into one)."""
    import importlib
    import pkgutil

    import desk.forms
    import desk.screens

    for package in (desk.screens, desk.forms):
        for info in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{info.name}")
    import desk.app

    declared = {
        (row.key, row.action) for place in commands.all_places() for row in commands.rows(place)
    }
    seen = set()
    from textual.dom import DOMNode

    def walk(cls: type) -> None:
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("desk."):
                own = sub.__dict__.get("BINDINGS", [])
                seen.update((b.key, b.action) for b in own if hasattr(b, "action"))
            walk(sub)

    walk(DOMNode)
    assert seen <= declared
    assert declared - seen == set()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_f1_table_lists_the_desk_keys_and_the_common_ones(lang: str) -> None:
    set_language(lang)
    table = key_table()
    for key, words in (("F2", "help_keys.f2"), ("Ctrl+P", "help_keys.ctrl_p")):
        assert f"| {key} | {t(words)} |" in table
    assert f"| Ctrl+S | {t('help_keys.ctrl_s')} |" in table
    assert f"| F9 | {t('keys.board')} |" in table  # no longer words: the key's own
    assert table.count("| Esc |") == 1


async def test_the_palette_lists_the_registry_actions(db: Database, clerk: Operator) -> None:
    app: DeskApp = make_app(db, lang="en", clock=lambda: NOW, operator=clerk)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("f3")
        await until_screen(pilot, RepairsScreen)
        titles = [command.title for command in app.get_system_commands(app.screen)]
    for row in commands.rows("app"):
        if row.id not in ("quit", "palette"):
            assert any(title.startswith(t(row.description)) for title in titles), row
    assert any(title.startswith(t("keys.new")) for title in titles)
