"""Regenerate docs/screenshot.svg: the main screen of `kubechat --demo` once the fleet loaded.

    .venv/bin/python docs/make_screenshot.py [--out docs/screenshot.svg]

The same picture on every machine: default settings (your config file and KUBECHAT_*
variables are ignored), the rule planner (no model is contacted), a throwaway data dir.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

from kubechat_tui.cli.main import build_parser
from kubechat_tui.cli.session import open_session
from kubechat_tui.tui.app import build_app
from kubechat_tui.tui.screens.main_screen import MainScreen

SIZE = (160, 48)
DOCS = Path(__file__).resolve().parent


async def capture(out: Path) -> None:
    session = open_session(build_parser().parse_args(["--demo"]))
    try:
        app = build_app(session)
        async with app.run_test(size=SIZE) as pilot:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                await pilot.pause(0.1)
                screen = app.screen
                if isinstance(screen, MainScreen):
                    progress = screen.feed.progress()
                    if progress and all(p.done for p in progress.values()) and \
                            screen.table.model.total:
                        break
            await pilot.press("slash", *"status:crash", "enter")
            await pilot.pause(1.0)  # detail, events and logs of the first crashing pod
            app.save_screenshot(filename=out.name, path=str(out.parent))
    finally:
        session.close()
    print(f"wrote {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DOCS / "screenshot.svg")
    out = parser.parse_args().out.resolve()
    for name in [n for n in os.environ if n.startswith("KUBECHAT_")]:
        del os.environ[name]
    with tempfile.TemporaryDirectory(prefix="kubechat-screenshot-") as scratch:
        os.environ["KUBECHAT_CONFIG"] = str(Path(scratch) / "config.yaml")  # absent: defaults
        os.environ["KUBECHAT_DATA_DIR"] = scratch
        os.environ["KUBECHAT_AI__ENABLED"] = "false"
        asyncio.run(capture(out))


if __name__ == "__main__":
    main()
