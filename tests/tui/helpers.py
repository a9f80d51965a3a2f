"""Pilot helpers: wait for a condition instead of sleeping a fixed time."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

from rich.console import Console
from textual.app import App
from textual.pilot import Pilot

from kubechat_tui.kube.types import Health
from kubechat_tui.tui.screens.main_screen import MainScreen

SIZE = (160, 48)


async def wait_for(pilot: Pilot[Any], predicate: Callable[[], bool], timeout: float = 10.0,
                   what: str = "condition") -> None:
    """Pump the app until `predicate()` holds; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


def main_screen(pilot: Pilot[Any]) -> MainScreen:
    """The app's main screen."""
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    return screen


def loaded(pilot: Pilot[Any]) -> Callable[[], bool]:
    """True once every cluster is probed and loaded, and the rows are in the table."""

    def check() -> bool:
        screen = pilot.app.screen
        if not isinstance(screen, MainScreen):
            return False
        progress = screen.feed.progress()
        settled = all(p.done or p.error for p in progress.values())
        probed = all(s.health is not Health.CONNECTING for s in screen.statuses.values())
        return bool(progress) and settled and probed and not screen.feed.pending and \
            screen.table.model.total > 0

    return check


def rich_text(renderable: object, width: int = 120) -> str:
    """Plain text of a Rich renderable."""
    console = Console(width=width, file=io.StringIO(), record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def screen_text(app: App[Any]) -> str:
    """Every character the app would write to the terminal for its current screen (the
    text of each segment, without the style sequences Textual adds around it)."""
    update = app.screen._compositor.render_full_update(simplify=True)
    return "\n".join("".join(segment.text for strip in line for segment in strip)
                     for line in update.strips)
