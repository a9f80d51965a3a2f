"""Pilot tests: every key of the console does what the help screen says."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kubechat_tui.config.settings import Settings
from kubechat_tui.tui.app import KubechatApp
from kubechat_tui.tui.bindings import binding_ids
from kubechat_tui.tui.screens.help_screen import HelpScreen, help_table
from kubechat_tui.tui.widgets.context_banner import ContextBanner
from kubechat_tui.tui.widgets.status_bar import StatusBar
from tests.tui.helpers import SIZE, loaded, main_screen, rich_text, wait_for

Factory = Callable[..., KubechatApp]


async def test_vim_movement_and_page_keys(make_console: Factory) -> None:
    app = make_console()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, loaded(pilot), what="rows")
        table = main_screen(pilot).table

        def page() -> int:
            """Rows visible now (a horizontal scrollbar that comes or goes changes it)."""
            return table.scrollable_content_region.height - 1

        await pilot.press("j", "j", "down")
        assert table.cursor == 3
        await pilot.press("k", "up")
        assert table.cursor == 1
        await pilot.press("G")
        assert table.cursor == table.row_count - 1
        assert table.scroll_y > 0  # the cursor row is scrolled into view
        await pilot.press("g")
        assert (table.cursor, table.scroll_y) == (0, 0)
        await pilot.press("ctrl+d")
        assert table.cursor == page() // 2
        await pilot.press("ctrl+u")
        assert table.cursor == 0
        await pilot.press("pagedown")
        assert table.cursor == page()
        await pilot.press("pageup")
        assert table.cursor == 0


async def test_sort_keys_cycle_and_reverse(make_console: Factory) -> None:
    app = make_console()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, loaded(pilot), what="rows")
        table = main_screen(pilot).table
        await pilot.press("G")
        followed = table.selected_row
        assert followed is not None and followed[0] == "canary"

        def settled_on_last() -> bool:
            key = main_screen(pilot).selected
            return key is not None and key.name == followed[2]

        await wait_for(pilot, settled_on_last, what="selection of the last row")
        await pilot.press("s")
        assert table.sort_label() == "CLUSTER ▲"
        assert table.selected_row == followed  # the cursor follows the object, not the index
        await pilot.press("s", "s")
        assert table.sort_label() == "NAME ▲"
        names = [row[2] for row in table.model.view]
        assert names == sorted(names, key=str.lower)
        await pilot.press("S")
        assert table.sort_label() == "NAME ▼"
        assert [row[2] for row in table.model.view] == sorted(names, key=str.lower, reverse=True)
        assert "sort NAME ▼" in str(app.screen.query_one(StatusBar).render())


async def test_command_mode_switches_kind_context_and_namespace(make_console: Factory) -> None:
    app = make_console()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, loaded(pilot), what="rows")
        screen = main_screen(pilot)
        await pilot.press("colon", *"ctx prod-eu", "enter")
        assert screen.scope.clusters == ("prod-eu",)
        await wait_for(pilot, loaded(pilot), what="prod-eu rows")
        assert {row[0] for row in screen.table.model.view} == {"prod-eu"}
        await pilot.press("colon", *"ns payments", "enter")
        await wait_for(pilot, lambda: screen.scope.namespace == "payments" and loaded(pilot)())
        assert {row[1] for row in screen.table.model.view} == {"payments"}
        await pilot.press("colon", *"nodes", "enter")
        assert screen.scope.kind == "nodes"
        assert screen.table.model.columns[:2] == ("CLUSTER", "NAME")
        await pilot.press("colon", *"events", "enter")
        assert screen.scope.kind == "events"
        assert "REASON" in screen.table.model.columns
        await pilot.press("colon", *"deploy", "enter")
        assert screen.scope.kind == "deployments"
        await wait_for(pilot, loaded(pilot), what="deployments")
        assert "payments-api" in {row[2] for row in screen.table.model.view}
        await pilot.press("colon", *"pods", "enter")
        assert screen.scope.kind == "pods"
        await pilot.press("colon", *"ctx", "enter")
        assert screen.scope.cluster_set == "all"


async def test_unknown_command_is_one_line_in_status_bar(make_console: Factory) -> None:
    app = make_console()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("colon", *"frobnicate", "enter")
        bar = app.screen.query_one(StatusBar)
        assert bar.has_class("-error")
        assert bar.message.startswith("unknown command or kind :frobnicate")
        await pilot.press("colon", *"ctx nowhere", "enter")
        assert "unknown cluster 'nowhere'" in bar.message
        assert main_screen(pilot).table.has_focus


async def test_filter_narrows_and_escape_clears(make_console: Factory) -> None:
    app = make_console()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, loaded(pilot), what="rows")
        table = main_screen(pilot).table
        total = table.row_count
        await pilot.press("slash", *"status:crash")
        assert 0 < table.row_count < total
        assert all(row[4] == "CrashLoopBackOff" for row in table.model.view)
        await pilot.press("enter")
        assert table.has_focus and table.model.filter_text == "status:crash"
        await pilot.press("escape")
        assert table.row_count == total
        await pilot.press("slash", *"pod-0001", "escape")
        assert table.row_count == total


async def test_cycle_and_jump_cluster_sets_flash_the_banner(
        make_console: Factory, monkeypatch: pytest.MonkeyPatch) -> None:
    # a flash long enough to outlast a key press on a loaded CI machine
    monkeypatch.setattr("kubechat_tui.tui.widgets.context_banner.FLASH_SECONDS", 30.0)
    app = make_console()
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(pilot)
        banner = app.screen.query_one(ContextBanner)
        assert not banner.has_class("-flash")
        await pilot.press("right_square_bracket")
        assert screen.scope.cluster_set == "prod"
        assert screen.scope.clusters == ("prod-eu", "prod-us")
        assert banner.has_class("-flash")
        assert "PRODUCTION" in str(banner.render())
        await pilot.press("right_square_bracket")
        assert screen.scope.cluster_set == "staging"
        assert "PRODUCTION" not in str(banner.render())
        await pilot.press("left_square_bracket")
        assert screen.scope.cluster_set == "prod"
        await pilot.press("3")
        assert screen.scope.clusters == ("canary",)
        await pilot.press("0")
        assert screen.scope.cluster_set == "all"
        await pilot.press("7")
        assert "no cluster set 7" in app.screen.query_one(StatusBar).message


async def test_namespace_key_prefills_ns_command(make_console: Factory) -> None:
    app = make_console()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, loaded(pilot), what="rows")
        screen = main_screen(pilot)
        await pilot.press("n")
        assert screen.query_one("#command-input").value == "ns "  # type: ignore[attr-defined]
        await pilot.press(*"checkout", "enter")
        assert screen.scope.namespace == "checkout"


async def test_help_lists_every_binding_with_keymap_overrides(make_console: Factory) -> None:
    app = make_console(Settings(keymap={"table.down": "x", "main.help": "f1"}))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, loaded(pilot), what="rows")
        await pilot.press("x")  # rebound table.down
        assert main_screen(pilot).table.cursor == 1
        await pilot.press("question_mark")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        text = rich_text(help_table(app.settings.keymap))
        for description in ("Down", "Half page down", "cluster set N", "Filter", "Palette"):
            assert description in text
        assert ":ctx" in text and "x" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_unknown_keymap_id_is_reported(make_console: Factory) -> None:
    app = make_console(Settings(keymap={"table.flyaway": "z"}))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "unknown binding id 'table.flyaway'" in app.screen.query_one(StatusBar).message
    assert "table.down" in binding_ids()


async def test_label_selector_recreates_the_inventory(make_console: Factory) -> None:
    app = make_console()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, loaded(pilot), what="rows")
        screen = main_screen(pilot)
        first = screen.feed.generation
        await pilot.press("colon", *"label app=payments-api", "enter")
        assert screen.scope.label_selector == "app=payments-api"
        assert screen.feed.generation == first + 1
        await wait_for(pilot, loaded(pilot), what="selected rows")
        names = {row[2] for row in screen.table.model.view}
        assert names and all(name.startswith("payments-api-") for name in names)
        await pilot.press("ctrl+r")
        assert screen.feed.generation == first + 2
        await pilot.press("colon", *"label", "enter")
        assert screen.scope.label_selector is None


async def test_q_quits(make_console: Factory) -> None:
    app = make_console()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, loaded(pilot), what="rows")
        await pilot.press("q")
    assert app.return_code == 0
