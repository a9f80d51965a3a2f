"""Pilot helpers: wait for a condition instead of sleeping a fixed time."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

from rich.console import Console
from textual import events
from textual.app import App
from textual.keys import _character_to_key, key_to_character
from textual.pilot import Pilot
from textual.widgets import Input

from kubechat_tui.kube.types import Health
from kubechat_tui.tui.screens.confirm_screen import ConfirmScreen
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
def burst(app: App[Any], *keys: str) -> None:
    """Queue key presses the way a paste, a macro or a fast typist delivers them: all of them
    before the app handles the first (pilot.press waits for the app after every key). A
    single character is typed as such (`":"`, `"a"`); a longer name is a key (`"enter"`)."""
    for key in keys:
        if len(key) == 1:
            app.post_message(events.Key(_character_to_key(key), key))
        else:
            app.post_message(events.Key(key, key_to_character(key)))


async def dialog(pilot: Pilot[Any]) -> ConfirmScreen:
    """The confirmation dialog on top, once its first input has focus."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen)
                   and isinstance(app.focused, Input), what="the confirmation dialog")
    screen = app.screen
    assert isinstance(screen, ConfirmScreen)
    return screen


async def confirm(pilot: Pilot[Any], justification: str = "") -> None:
    """Answer the dialog on top as a person does: the justification (if any), then the
    code it shows, each with enter."""
    screen = await dialog(pilot)
    if justification:
        await pilot.press(*justification, "enter")
    await pilot.press(*screen.code, "enter")
    await wait_for(pilot, lambda: pilot.app.screen is not screen, what="the dialog to close")
