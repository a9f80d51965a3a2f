"""Pilot tests of the detail pane, log panel, chat pane, palette, banner badges and themes."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

from textual.widgets import Static

from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.kube.types import ClusterStatus, DataState, Health, LoadProgress
from kubechat_tui.planner.service import PlannerService
from kubechat_tui.sim import SimServer
from kubechat_tui.tui.app import KubechatApp
from kubechat_tui.tui.backend import default_backend
from kubechat_tui.tui.detail_fetch import fetch_detail
from kubechat_tui.tui.messages import ObjectKey
from kubechat_tui.tui.palette import ConsoleCommands
from kubechat_tui.tui.scope import ViewScope
from kubechat_tui.tui.widgets.chat_pane import ChatInput, ChatPane
from kubechat_tui.tui.widgets.context_banner import ContextBanner, banner_text
from kubechat_tui.tui.widgets.detail_pane import DetailPane
from kubechat_tui.tui.widgets.log_panel import LogPanel
from kubechat_tui.tui.widgets.plan_view import PlanView
from kubechat_tui.tui.widgets.status_bar import StatusBar
from tests.tui.helpers import SIZE, loaded, main_screen, rich_text, wait_for

Factory = Callable[..., KubechatApp]


def detail_text(app: KubechatApp) -> str:
    body = app.screen.query_one("#detail-body", Static)
    return rich_text(body.render())


async def test_detail_describe_yaml_toggle_events_and_logs(make_console: Factory) -> None:
    app = make_console()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, loaded(pilot), what="rows")
        screen = main_screen(pilot)
        await pilot.press("slash", *"cluster:prod-eu status:crash", "enter")
        row = screen.table.selected_row
        assert row is not None and row[2].startswith("payments-api-")
        await wait_for(pilot, lambda: "BackOff" in detail_text(app), what="describe + events")
        text = detail_text(app)
        assert row[2] in text and "Events:" in text
        pane = app.screen.query_one(DetailPane)
        assert str(pane.border_title) == f"describe · prod-eu/{row[2]}"
        logs = app.screen.query_one(LogPanel)
        await wait_for(pilot, lambda: len(logs.lines) > 1, what="log tail")
        assert str(logs.border_title) == f"logs · prod-eu/{row[2]}"
        await pilot.press("y")
        await wait_for(pilot, lambda: "apiVersion: v1" in detail_text(app), what="yaml")
        assert "kind: Pod" in detail_text(app)
        assert str(pane.border_title).startswith("yaml")
        await pilot.press("y")
        await wait_for(pilot, lambda: "apiVersion: v1" not in detail_text(app), what="describe")


def test_secret_values_are_masked_in_the_yaml_view(sim_kubeconfig: Path) -> None:
    fleet = Fleet.from_kubeconfig(Settings(), str(sim_kubeconfig))
    try:
        key = ObjectKey("prod-eu", "secrets", "payments", "payments-db-credentials")
        body, _events = fetch_detail(default_backend(), fleet, key, "yaml")
    finally:
        fleet.close()
    assert "payments-db-credentials" in body
    plain = "pR0d-Ledger!pass-7731"
    assert plain not in body
    assert base64.b64encode(plain.encode()).decode() not in body


async def test_chat_thread_and_history(make_console: Factory) -> None:
    app = make_console()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, loaded(pilot), what="rows")
        await pilot.press("i")
        chat_input = app.screen.query_one(ChatInput)
        assert chat_input.has_focus
        chat_input.insert_text_at_cursor("why is payments down")  # typing is Input's job
        await pilot.press("enter")
        chat_input.insert_text_at_cursor("show events")
        await pilot.press("enter")
        thread = app.screen.query_one(ChatPane).thread
        texts = [rich_text(child.render()) for child in thread.children]
        assert any("why is payments down" in t for t in texts)
        assert any("no planner in this console" in t for t in texts)
        await pilot.press("up")
        assert chat_input.value == "show events"
        await pilot.press("up")
        assert chat_input.value == "why is payments down"
        await pilot.press("down", "down")
        assert chat_input.value == ""
        await pilot.press("escape")
        assert main_screen(pilot).table.has_focus


async def test_palette_offers_context_aware_commands(make_console: Factory) -> None:
    app = make_console(clusters=("prod-eu",), cluster_set="prod")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, loaded(pilot), what="rows")
        provider = ConsoleCommands(app.screen)
        titles = {hit.text: hit async for hit in provider.discover()}
        assert "Show nodes" in titles and "Show pods" not in titles
        assert "Cluster set: prod" not in titles and "Cluster set: staging" in titles
        assert "Namespace: payments" in titles
        assert "Detail: show YAML" in titles
        hits = [hit async for hit in provider.search("only canary")]
        assert hits
        hits[0].command()
        assert main_screen(pilot).scope.clusters == ("canary",)
        await pilot.press("ctrl+p")
        assert app.screen.__class__.__name__ == "CommandPalette"


async def test_banner_shows_identity_and_unreachable_badge(make_console: Factory,
                                                           sim_server: SimServer) -> None:
    sim_server.faults("prod-us").set(unreachable=True)
    try:
        app = make_console()
        async with app.run_test(size=SIZE) as pilot:
            banner = app.screen.query_one(ContextBanner)

            def text() -> str:
                return rich_text(banner.render(), 200)

            await wait_for(pilot, lambda: "prod-eu as admin" in text(), what="identity")
            await wait_for(pilot, lambda: "[unreachable]" in text(), what="unreachable badge")
            assert "PRODUCTION" in text()
            bar = app.screen.query_one(StatusBar)
            await wait_for(pilot, lambda: "prod-us:" in str(bar.render()), what="load error")
    finally:
        sim_server.faults("prod-us").clear()


def test_banner_badges_for_forbidden_and_degraded() -> None:
    scope = ViewScope(clusters=("a", "b", "c"), cluster_set="all", namespace="payments")
    statuses = {
        "a": ClusterStatus("a", Health.FORBIDDEN, identity="viewer"),
        "b": ClusterStatus("b", Health.DEGRADED, identity="admin"),
    }
    progress = {"a": LoadProgress("a", error="403", state=DataState.FAILED),
                "b": LoadProgress("b", rows=1200, done=True, state=DataState.CURRENT)}
    text = rich_text(banner_text(scope, statuses, {"a": False}, progress), 200)
    assert "a as viewer [forbidden] !load" in text
    assert "b as admin [degraded] 1,200" in text
    assert "c as ?" in text
    assert "ns  payments" in text and "PRODUCTION" not in text


def test_banner_names_the_context_serving_a_cluster_named_otherwise() -> None:
    scope = ViewScope(clusters=("prod", "staging"))
    statuses = {"prod": ClusterStatus("prod", Health.OK, True, "sre", context="sre@prod"),
                "staging": ClusterStatus("staging", Health.OK, identity="admin",
                                         context="staging")}
    text = rich_text(banner_text(scope, statuses, {"prod": True}, {}), 200)
    assert "prod via sre@prod as sre" in text and "PRODUCTION" in text
    assert "staging as admin" in text and "staging via" not in text


async def test_theme_from_settings_and_theme_command(make_console: Factory) -> None:
    app = make_console(Settings(theme="kubechat-light"))
    async with app.run_test(size=SIZE) as pilot:
        assert app.theme == "kubechat-light"
        assert {"kubechat-dark", "kubechat-light"} <= set(app.kubechat_themes)
        await pilot.press("colon", *"theme kubechat-dark", "enter")
        assert app.theme == "kubechat-dark"
        await pilot.press("colon", *"theme neon", "enter")
        assert "unknown theme 'neon'" in app.screen.query_one(StatusBar).message


async def test_unknown_theme_in_settings_falls_back(make_console: Factory) -> None:
    app = make_console(Settings(theme="nope"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "textual-dark"
        assert "unknown theme 'nope'" in app.screen.query_one(StatusBar).message


async def test_chat_plans_with_the_rule_planner(make_console: Factory) -> None:
    settings = Settings(cluster_sets={"prod": ["prod-eu"]}, ai=AISettings(enabled=False))
    app = make_console(settings, planner=PlannerService(settings, None, mode="rules"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        app.screen.query_one(ChatInput).insert_text_at_cursor(
            "restart deployment payments-api in staging")
        await pilot.press("enter")
        thread = app.screen.query_one(ChatPane).thread
        await wait_for(pilot, lambda: bool(thread.query(PlanView)), what="plan view")
        plan = thread.query_one(PlanView).plan
        assert plan.steps and any(step.mutating for step in plan.steps)
        await wait_for(pilot, lambda: thread.query_one(PlanView).has_focus,
                       what="the new plan to take the keys")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "not available in this console (no engine)" in
                       rich_text(thread.children[-1].render()), what="submit notice")


async def test_zoom_maximizes_the_focused_pane(make_console: Factory) -> None:
    app = make_console()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, loaded(pilot), what="rows")
        screen = main_screen(pilot)
        await pilot.press("z")
        assert screen.maximized is screen.table
        await pilot.press("escape")
        assert screen.maximized is None
        await pilot.press("i", "f11")
        assert screen.maximized is app.screen.query_one(ChatPane)
        await pilot.press("f11")
        assert screen.maximized is None


async def test_recipe_command_plans_the_runbook_in_the_chat(make_console: Factory) -> None:
    settings = Settings(ai=AISettings(enabled=False))
    app = make_console(settings, planner=PlannerService(settings, None, mode="rules"),
                       clusters=["prod-eu"])
    async with app.run_test(size=SIZE) as pilot:
        thread = app.screen.query_one(ChatPane).thread
        await pilot.press("colon", *"recipe", "enter")

        def listed() -> bool:
            return any("try: recipe scale-deployment namespace= deployment= replicas="
                       in rich_text(message.render(), 200) for message in thread.query(Static))

        await wait_for(pilot, listed, what="the recipe list")
        await pilot.press("colon", *"recipe scale-deployment namespace=payments "
                          "deployment=payments-api replicas=4", "enter")
        await wait_for(pilot, lambda: bool(thread.query(PlanView)), what="plan view")
        plan = thread.query_one(PlanView).plan
        assert plan.planner == "recipe:scale-deployment"
        assert plan.steps[-1].kubectl == \
            "kubectl scale deployments/payments-api -n payments --replicas=4"
        assert app.screen.query_one(ChatInput).history[-1].startswith("recipe scale-deployment")
