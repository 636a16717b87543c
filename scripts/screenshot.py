"""Save SVG screenshots of the desk on a fresh demo database (for the README).

Run: .venv/bin/python scripts/screenshot.py [OUT_DIR]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import select

from desk import demo
from desk.app import make_app
from desk.db import open_database
from desk.models import Operator


async def shoot(out: Path) -> None:
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp:
        database = open_database(Path(tmp) / "demo.db")
        demo.build_demo(database, now=now)
        with database.reading() as session:
            clerk = session.exec(select(Operator).where(Operator.name == "王芳")).one()
        for lang in ("zh_CN", "en"):
            app = make_app(database, lang=lang, clock=lambda: now, operator=clerk)
            async with app.run_test(size=(120, 36)) as pilot:
                await pilot.pause()
                app.save_screenshot(str(out / f"board-{lang}.svg"))
                await pilot.press("f3")
                await pilot.pause()
                app.save_screenshot(str(out / f"repairs-{lang}.svg"))
        database.dispose()


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs")
    target.mkdir(exist_ok=True)
    asyncio.run(shoot(target))
    print(f"screenshots written to {target}/")
