"""Where keys go when they come fast: after `:`, `/`, `n` or `i` every key belongs to that
input (a paste, a macro, a fast typist), keys typed while the console starts are dropped,
and the keys of dangerous acts are chords that mean nothing else."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from kubechat_tui.tui import app as app_module
from kubechat_tui.tui.app import KubechatApp
from kubechat_tui.tui.bindings import GROUPS
from kubechat_tui.tui.confirmations import new_code
from kubechat_tui.tui.screens.main_screen import MainScreen
from kubechat_tui.tui.widgets.chat_pane import ChatInput
from kubechat_tui.tui.widgets.command_line import CommandLine
from kubechat_tui.tui.widgets.status_bar import StatusBar
from tests.tui.helpers import SIZE, burst, main_screen, wait_for

Factory = Callable[..., KubechatApp]
# Ids whose keys start an act on a cluster or a decision (each opens a confirmation).
CONFIRMED = ("preview.confirm", "preview.rollback", "preview.break_glass",
             "approvals.approve", "approvals.reject")
# On the main screen: `a` opens approvals (without an engine: a status line), `q` quits,
# `y` toggles YAML, `x`/`L`/`]` act too; none of this may happen while typing.
SHORTCUT_LETTERS = "aqyxL]"


def untouched(app: KubechatApp, screen: MainScreen) -> None:
    """No main-screen shortcut ran: still running, same scope, describe mode, no message."""
    assert app.is_running and app.screen is screen
    assert screen.detail_mode == "describe" and screen.scope.cluster_set == "all"
    assert "not available" not in screen.query_one(StatusBar).message


@pytest.mark.parametrize("typed", ["approvals", "q", "a", "x", "y", SHORTCUT_LETTERS])
async def test_keys_right_after_colon_land_in_the_command_line(make_console: Factory,
                                                               typed: str) -> None:
    app = make_console()
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(pilot)
        burst(app, ":", *typed)
        line = screen.query_one(CommandLine)
        await wait_for(pilot, lambda: line.input.value == typed, what="the typed command")
        assert line.has_class("-open") and app.focused is line.input
        untouched(app, screen)
        burst(app, "escape")
        await wait_for(pilot, lambda: screen.table.has_focus, what="the table again")
        assert not line.has_class("-open")


async def test_keys_right_after_slash_land_in_the_filter(make_console: Factory) -> None:
    app = make_console()
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(pilot)
        burst(app, "/", *SHORTCUT_LETTERS)
        await wait_for(pilot, lambda: screen.table.model.filter_text == SHORTCUT_LETTERS,
                       what="the filter")
        assert screen.query_one(CommandLine).input.value == SHORTCUT_LETTERS
        untouched(app, screen)


async def test_keys_right_after_n_land_in_the_namespace_command(make_console: Factory) -> None:
    app = make_console()
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(pilot)
        burst(app, "n", *"payq", "enter")
        await wait_for(pilot, lambda: screen.scope.namespace == "payq", what=":ns payq")
        untouched(app, screen)


async def test_keys_right_after_i_land_in_the_chat(make_console: Factory) -> None:
    app = make_console()
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(pilot)
        sentence = "yes approve a rollback: quit now /y i"
        burst(app, "i", *sentence)
        chat = screen.query_one(ChatInput)
        await wait_for(pilot, lambda: chat.value == sentence, what="the chat text")
        assert app.focused is chat and not screen.query_one(CommandLine).has_class("-open")
        untouched(app, screen)


async def test_keys_after_enter_start_the_next_chat_message(make_console: Factory) -> None:
    app = make_console()
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(pilot)
        burst(app, "i", *"first message", "enter", *"second")
        chat = screen.query_one(ChatInput)
        await wait_for(pilot, lambda: chat.history == ["first message"]
                       and chat.value == "second", what="two messages apart")


async def test_a_colon_typed_in_an_input_is_text(make_console: Factory) -> None:
    app = make_console()
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(pilot)
        line = screen.query_one(CommandLine)
        burst(app, "/", *"ns:payments /x", "enter")
        await wait_for(pilot, lambda: screen.table.model.filter_text == "ns:payments /x"
                       and not line.has_class("-open") and screen.table.has_focus,
                       what="the filter, then the table")
        burst(app, "i", *"look: /here")
        chat = screen.query_one(ChatInput)
        await wait_for(pilot, lambda: chat.value == "look: /here", what="the chat text")
        assert not line.has_class("-open")


async def test_keys_after_enter_are_not_added_to_the_command(make_console: Factory) -> None:
    app = make_console()
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(pilot)
        burst(app, ":", *"ctx staging", "enter", *"frob", "enter")
        await wait_for(pilot, lambda: screen.scope.clusters == ("staging",), what=":ctx")
        await pilot.pause()
        assert app.is_running and screen.query_one(StatusBar).message == ""


class TypedDuringStartup(KubechatApp):
    """Keys arrive before the main screen exists (typed ahead while the console starts)."""

    CSS_PATH = str(Path(app_module.__file__).with_name("app.tcss"))

    def on_mount(self) -> None:  # runs before KubechatApp.on_mount pushes the main screen
        burst(self, ":", *"ctx staging", "enter", *SHORTCUT_LETTERS, "i", "3")


async def test_keys_typed_while_the_console_starts_are_dropped(make_console: Factory) -> None:
    app = make_console(app_class=TypedDuringStartup)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(pilot)
        await wait_for(pilot, lambda: screen.table.has_focus, what="the table")
        await pilot.pause(0.2)
        untouched(app, screen)
        assert screen.table.has_focus and not screen.query_one(CommandLine).has_class("-open")
        assert screen.query_one(CommandLine).input.value == ""
        typed = len(":ctx staging") + 1 + len(SHORTCUT_LETTERS) + 2
        assert app.keys_dropped == typed
        assert screen.query_one(StatusBar).message == \
            f"ignored {typed} key(s) typed while the console was starting"
        burst(app, ":", *"ctx staging", "enter")  # from now on keys work
        await wait_for(pilot, lambda: screen.scope.clusters == ("staging",), what=":ctx")


def _keys(binding_id: str) -> set[str]:
    return {k.strip() for group in GROUPS.values() for b in group if b.id == binding_id
            for k in b.key.split(",")}


def test_a_key_that_starts_a_dangerous_act_means_nothing_else() -> None:
    others = {k.strip(): b.id for group in GROUPS.values() for b in group
              if b.id not in CONFIRMED for k in b.key.split(",")}
    for binding_id in CONFIRMED:
        for key in _keys(binding_id):
            assert key.startswith("ctrl+"), f"{binding_id}: {key} is not a chord"
            assert key not in others, f"{key} is {binding_id} and {others[key]}"
    assert _keys("main.toggle_yaml") == {"y"} and "y" not in _keys("preview.confirm")


def test_confirmation_codes_are_fresh_and_never_words() -> None:
    codes = {new_code() for _ in range(200)}
    assert all(re.fullmatch(r"[a-hj-km-np-z][2-9][a-hj-km-np-z][2-9]", c) for c in codes)
    assert len(codes) > 150  # 23*8*23*8 possibilities: a repeat is rare
