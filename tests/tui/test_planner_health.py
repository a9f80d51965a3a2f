"""Planner provider health in the chat title: probed in a worker after the first paint,
updated when a plan falls back to the rules; a broken policy refuses execution."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.engine.wiring import open_fleet_engine
from kubechat_tui.planner.llm import LLMPlanner
from kubechat_tui.planner.service import PlannerService
from kubechat_tui.tui.app import KubechatApp
from kubechat_tui.tui.engine_slot import EngineSlot
from kubechat_tui.tui.widgets.chat_pane import ChatInput, ChatPane
from kubechat_tui.tui.widgets.plan_view import PlanView
from kubechat_tui.tui.widgets.status_bar import StatusBar
from tests.planner.llm_stub import LLMStub
from tests.tui.conftest import CLUSTER_SETS
from tests.tui.helpers import SIZE, main_screen, rich_text, wait_for

Factory = Callable[..., KubechatApp]
RESTART = "restart deployment payments-api in staging"


def ai_settings(api_base: str) -> Settings:
    return Settings(cluster_sets=CLUSTER_SETS,
                    ai=AISettings(provider="ollama", model="llama3.1", api_base=api_base,
                                  timeout_seconds=2))


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def warm_ups(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Record warm-up calls (thread names) instead of importing litellm (seconds)."""
    calls: list[str] = []
    monkeypatch.setattr(LLMPlanner, "warm_up",
                        lambda self: calls.append(threading.current_thread().name))
    yield calls


def title(app: KubechatApp) -> str:
    return str(app.screen.query_one(ChatPane).border_title)


def chat_lines(app: KubechatApp) -> list[str]:
    return [rich_text(c.render()) for c in app.screen.query_one(ChatPane).thread.children]


async def test_the_rule_planner_is_named(make_console: Factory) -> None:
    settings = Settings(cluster_sets=CLUSTER_SETS, ai=AISettings(enabled=False))
    app = make_console(settings, planner=PlannerService(settings, None))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "planner: rules" in title(app), what="the title")


async def test_a_dead_provider_shows_unreachable_and_the_fallback(
        make_console: Factory, warm_ups: list[str]) -> None:
    settings = ai_settings(f"http://127.0.0.1:{closed_port()}")
    app = make_console(settings, planner=PlannerService(settings, None))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "unreachable → rules" in title(app), what="the probe")
        assert "llm:ollama/llama3.1 unreachable → rules" in title(app)
        assert warm_ups and warm_ups[0] != threading.main_thread().name  # in a worker
        assert any("the rule planner answers until it is back" in t for t in chat_lines(app))
        await pilot.press("i")
        app.screen.query_one(ChatInput).insert_text_at_cursor(RESTART)
        await pilot.press("enter")
        thread = app.screen.query_one(ChatPane).thread
        await wait_for(pilot, lambda: bool(thread.query(PlanView)), what="the rules' plan")
        assert any("AI provider unavailable" in t and "used the rule planner" in t
                   for t in chat_lines(app))
        assert "unreachable → rules" in title(app)


async def test_a_healthy_provider_is_ok_after_the_first_paint(
        make_console: Factory, monkeypatch: pytest.MonkeyPatch) -> None:
    stub = LLMStub()
    stub.start()
    release = threading.Event()
    monkeypatch.setattr(LLMPlanner, "warm_up", lambda self: release.wait(10))
    try:
        settings = ai_settings(stub.base_url)
        app = make_console(settings, planner=PlannerService(settings, None))
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: "checking" in title(app), what="first paint")
            main_screen(pilot)  # the console is up while the model still imports
            release.set()
            await wait_for(pilot, lambda: "llm:ollama/llama3.1 ok" in title(app),
                           what="the healthy probe")
    finally:
        release.set()
        stub.stop()


async def test_a_broken_policy_refuses_every_change(make_console: Factory,
                                                    tmp_path: Path) -> None:
    bad = tmp_path / "policy.yaml"
    bad.write_text("version: 1\nrules: [\n")
    settings = Settings(cluster_sets=CLUSTER_SETS, ai=AISettings(enabled=False),
                        policy_file=bad)
    slot = EngineSlot(lambda: open_fleet_engine(settings, app.fleet, tmp_path / "data",
                                                ["staging"]))
    app = make_console(settings, planner=PlannerService(settings, None), engine=slot)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        app.screen.query_one(ChatInput).insert_text_at_cursor(RESTART)
        await pilot.press("enter")
        thread = app.screen.query_one(ChatPane).thread
        await wait_for(pilot, lambda: bool(thread.query(PlanView))
                       and thread.query_one(PlanView).has_focus, what="the plan")
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("cannot execute: policy file does not load" in t
                                          for t in chat_lines(app)), what="the refusal")
        assert "every change is refused" in app.screen.query_one(StatusBar).message
        assert slot.handle is None
    slot.close()
