"""Architecture gates: the domain layers import without Textual; migrations know their head."""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory

from desk.migrations import HEAD, alembic_config

ROOT = Path(__file__).resolve().parent.parent


def test_models_services_db_config_and_printing_import_without_textual() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check-imports")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "without Textual" in done.stdout


def test_the_import_check_sees_every_service_module() -> None:
    script = runpy.run_path(str(ROOT / "scripts" / "check-imports"))
    checked = set(script["domain_modules"]())
    services = {f"desk.services.{p.stem}" for p in (ROOT / "desk" / "services").glob("*.py")}
    services.discard("desk.services.__init__")
    assert services <= checked
    assert {"desk.models", "desk.db", "desk.config", "desk.printing.slip"} <= checked


def test_the_import_check_finds_a_lazy_cycle_and_an_import_up_a_layer(tmp_path: Path) -> None:
    """A cycle made by an import inside a function, and a service importing a screen, in a
    tree of our own: both are found; an import under TYPE_CHECKING is no cycle."""
    tree = tmp_path / "desk"
    for folder in ("services", "screens"):
        (tree / folder).mkdir(parents=True)
        (tree / folder / "__init__.py").write_text("")
    (tree / "__init__.py").write_text("")
    (tree / "services" / "a.py").write_text("def f():\n    from desk.services import b\n")
    (tree / "services" / "b.py").write_text("from desk.services.a import f\n")
    (tree / "services" / "c.py").write_text("from desk.screens import board\n")
    (tree / "screens" / "board.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from desk.app import App\n"
    )
    script = runpy.run_path(str(ROOT / "scripts" / "check-imports"))
    script["cycles"].__globals__["ROOT"] = tmp_path
    assert script["cycles"]() == [["desk.services.a", "desk.services.b"]]
    assert script["layer_breaches"]() == ["desk.services.c imports desk.screens.board"]


def test_migrations_head_constant_matches_the_scripts() -> None:
    config = alembic_config()
    scripts = ScriptDirectory.from_config(config)  # type: ignore[arg-type]
    assert scripts.get_current_head() == HEAD
