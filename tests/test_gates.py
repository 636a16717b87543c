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


def test_migrations_head_constant_matches_the_scripts() -> None:
    config = alembic_config()
    scripts = ScriptDirectory.from_config(config)  # type: ignore[arg-type]
    assert scripts.get_current_head() == HEAD
