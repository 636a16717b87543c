"""The command line's help in both languages, from the catalogue, wrapped by display cells."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer.main
from rich.cells import cell_len
from typer.core import TyperCommand, TyperGroup
from typer.testing import CliRunner

from desk.cli import app
from desk.cli.help import help_key
from desk.i18n import catalogue

runner = CliRunner()


def _commands(
    command: TyperCommand | TyperGroup, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], TyperCommand | TyperGroup]]:
    found = [(path, command)]
    if isinstance(command, TyperGroup):
        for name, sub in command.commands.items():
            found.extend(_commands(sub, (*path, name)))
    return found


ALL = _commands(typer.main.get_command(app))


def test_the_walk_finds_every_command() -> None:
    paths = {" ".join(path) for path, _ in ALL}
    assert {"", "export", "operator add", "calendar add-holiday", "audit verify"} <= paths
    assert len(paths) > 25


@pytest.mark.parametrize("path, command", ALL, ids=[" ".join(p) or "desk" for p, _ in ALL])
def test_every_command_and_option_has_its_help_in_the_catalogue(
    path: tuple[str, ...], command: TyperCommand | TyperGroup
) -> None:
    messages = catalogue()
    assert help_key(path) in messages
    for parameter in command.params:
        assert parameter.name is not None
        key = help_key(path, parameter.name)
        assert key in messages, f"{' '.join(path)} {parameter.name}: no {key}"
        assert messages[key]["zh_CN"] != messages[key]["en"]


@pytest.mark.parametrize("path, _command", ALL, ids=[" ".join(p) or "desk" for p, _ in ALL])
def test_chinese_help_is_chinese_and_fits_the_terminal(
    path: tuple[str, ...], _command: TyperCommand | TyperGroup
) -> None:
    result = runner.invoke(app, ["--lang", "zh", *path, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("用法：")
    assert "选项：" in result.output and "显示本帮助并退出。" in result.output
    assert "Usage" not in result.output and "Show this message" not in result.output
    widest = max(cell_len(line) for line in result.output.splitlines())
    assert widest <= 80, result.output


def test_english_help_reads_as_before() -> None:
    result = runner.invoke(app, ["--lang", "en", "export", "--help"])
    assert result.exit_code == 0
    assert result.output.startswith("Usage: ") and "export [OPTIONS]" in result.output
    assert "FULL phone numbers" in result.output
    assert "json or csv. [default: json]" in result.output
    assert "Show this message and exit." in result.output


def test_what_click_adds_to_an_option_is_translated() -> None:
    result = runner.invoke(app, ["--lang", "zh", "operator", "add", "--help"])
    assert "supervisor（主管）。 [必填]" in result.output  # the role list, wrapped
    result = runner.invoke(app, ["--lang", "zh", "export", "--help"])
    assert "json 或 csv。 [默认：json]" in result.output


def test_the_language_comes_from_desk_lang_without_the_option() -> None:
    result = runner.invoke(app, ["--help"], env={"DESK_LANG": "zh"})
    assert result.output.startswith("用法：")
    assert "导出所选登记簿的全部记录" in result.output
    result = runner.invoke(app, ["--help"], env={"DESK_LANG": "en"})
    assert result.output.startswith("Usage: ")


def test_the_option_beats_the_environment_in_either_spelling() -> None:
    for args in (["--lang", "en", "--help"], ["--lang=en", "--help"]):
        result = runner.invoke(app, args, env={"DESK_LANG": "zh"})
        assert result.output.startswith("Usage: "), args


def test_a_broken_site_file_still_gives_help(tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_text("this is [ not toml", encoding="utf-8")
    result = runner.invoke(
        app, ["--db", str(tmp_path / "desk.db"), "--help"], env={"DESK_LANG": "en"}
    )
    assert result.exit_code == 0
    assert result.output.startswith("Usage: ")


@pytest.mark.parametrize(
    "args, zh, en",
    [
        (["export", "--bogus"], "没有 --bogus 这个选项", "No such option: --bogus"),
        (["exprt"], "没有 exprt 这个命令，是不是要 'export'", "No such command 'exprt'."),
        (["operator", "add"], "缺少参数 name", "Missing argument 'name'."),
        (["operator", "add", "X"], "缺少选项 --role", "Missing option '--role'."),
        (["export", "--format"], "选项 --format 后面要跟一个值", "requires an argument"),
        (["lookup", "x", "--limit", "abc"], "'--limit' / '-n' 要填整数", "a whole number"),
        (["lookup", "a", "b"], "多出了参数：b", "unexpected extra argument(s) (b)"),
    ],
)
def test_usage_errors_are_one_line_in_either_language(args: list[str], zh: str, en: str) -> None:
    for lang, expected in (("zh", zh), ("en", en)):
        result = runner.invoke(app, ["--lang", lang, *args])
        assert result.exit_code == 2
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("desk: "), result.output
        assert expected in lines[0], (lang, lines[0])
