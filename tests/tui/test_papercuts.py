"""Regression tests for the papercuts a new user hit (issue 12): `n` then enter, ctrl+r
feedback, copy through OSC 52 (and saying when it cannot), j/k in the help screen, and the
RESTARTS column (no stale or `<invalid>` "ago", sorted by value)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from textual.app import App
from textual.containers import VerticalScroll

from kubechat_tui.domain.ages import restarts_shown, restarts_since
from kubechat_tui.tui.app import KubechatApp
from kubechat_tui.tui.clipboard import copy_text
from kubechat_tui.tui.screens.help_screen import HelpScreen
from kubechat_tui.tui.table_model import TableModel
from kubechat_tui.tui.widgets.status_bar import StatusBar
from tests.tui.helpers import SIZE, loaded, main_screen, wait_for

Factory = Callable[..., KubechatApp]
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


async def test_n_then_enter_keeps_the_namespace(make_console: Factory) -> None:
    app = make_console(namespace="payments")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, loaded(pilot), what="rows")
        screen = main_screen(pilot)
        await pilot.press("n", "enter")
        await pilot.pause()
        assert screen.scope.namespace == "payments" and screen.scope.kind == "pods"
        assert screen.query_one(StatusBar).message.startswith("namespace unchanged: payments")
        await pilot.press("colon", *"ns all", "enter")
        await wait_for(pilot, lambda: screen.scope.namespace is None, what=":ns all")
        assert screen.query_one(StatusBar).message == "namespace: all namespaces"


async def test_ctrl_r_says_it_reloads(make_console: Factory) -> None:
    app = make_console()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, loaded(pilot), what="rows")
        generation = main_screen(pilot).feed.generation
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert main_screen(pilot).feed.generation == generation + 1
        assert main_screen(pilot).query_one(StatusBar).message == \
            "reloading pods from 4 cluster(s)…"


async def test_c_copies_the_selected_rows_name(make_console: Factory) -> None:
    app = make_console(namespace="payments")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, loaded(pilot), what="rows")
        screen = main_screen(pilot)
        await wait_for(pilot, lambda: screen.selected is not None, what="a selected row")
        await pilot.press("c")
        assert screen.selected is not None and app.clipboard == screen.selected.name
        assert "copied name" in screen.query_one(StatusBar).message


def test_copy_says_when_the_terminal_cannot_take_it() -> None:
    app: App[object] = App()
    copied, said = copy_text(app, "x", "name x", {"TERM": "xterm-256color"})
    assert copied and said == "copied name x (OSC 52)" and app.clipboard == "x"
    copied, said = copy_text(app, "y", "name y", {"TERM": "screen-256color", "TMUX": "/t,1,0"})
    assert copied and "set -g set-clipboard on" in said
    copied, said = copy_text(app, "z", "name z", {"TERM": "linux"})
    assert not copied and "has no OSC 52 clipboard" in said and app.clipboard == "y"


async def test_j_and_k_scroll_the_help_screen(make_console: Factory) -> None:
    app = make_console()
    async with app.run_test(size=(100, 20)) as pilot:
        await wait_for(pilot, loaded(pilot), what="rows")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        scroll = app.screen.query_one(VerticalScroll)
        await pilot.press("j", "j", "j")
        await pilot.pause()
        assert scroll.scroll_y == 3
        await pilot.press("k")
        await pilot.pause()
        assert scroll.scroll_y == 2


def test_restarts_are_read_as_a_time_and_shown_as_a_fresh_age() -> None:
    read = restarts_since("17 (3m ago)", NOW)
    assert read == "17 (2026-11-25T11:57:00Z)"
    assert restarts_shown(read, NOW) == "17 (3m ago)"
    later = datetime(2026, 11, 25, 12, 10, tzinfo=UTC)
    assert restarts_shown(read, later) == "17 (13m ago)"  # the "ago" does not go stale
    assert restarts_since("4 (<invalid> ago)", NOW) == "4"  # never "(<invalid> ago)"
    assert restarts_since("0", NOW) == "0"


def test_restarts_sort_by_value_not_text() -> None:
    model = TableModel(("CLUSTER", "NAME", "RESTARTS"))
    model.set_rows([("c", "a", "17 (2026-11-25T11:57:00Z)"), ("c", "b", "3"),
                    ("c", "c", "3 (2026-11-25T11:50:00Z)"), ("c", "d", "120")])
    model.set_sort(2)
    assert [row[1] for row in model.view] == ["b", "c", "a", "d"]
