"""Insight cards in the console on the simulated fleet (real HTTP, the real engine): after
a question's results the chat shows its cards; `p` on a card pins it to the timeline as an
`insight` entry."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.engine.wiring import open_fleet_engine
from kubechat_tui.kube.lookup import FleetView
from kubechat_tui.planner.service import PlannerService
from kubechat_tui.tui.app import KubechatApp, initial_scope
from kubechat_tui.tui.engine_slot import EngineSlot
from kubechat_tui.tui.widgets.insight_block import InsightBlock
from tests.e2e.conftest import World
from tests.e2e.test_diagnostics_console import ask, finished, shown, thread
from tests.tui.helpers import SIZE, wait_for


@pytest.fixture
def app(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[KubechatApp]:
    """The console on the world's fleet with the rule planner and a fresh engine."""
    monkeypatch.setenv("KUBECHAT_AUDIT_KEY_BACKEND", "file")
    settings = Settings(ai=AISettings(enabled=False))
    slot = EngineSlot(lambda: open_fleet_engine(settings, world.fleet, tmp_path / "data",
                                                world.fleet.cluster_names()))
    scope = initial_scope(world.fleet, settings, namespace="payments")
    yield KubechatApp(settings, world.fleet, replace(scope, kind="deployments"),
                      planner=PlannerService(settings, FleetView(world.fleet), mode="rules"),
                      engine=slot, start_fleet=False)
    slot.close()


async def test_cards_follow_the_results_and_p_pins_one_to_the_timeline(
        app: KubechatApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "crashlooping pods in payments in prod-eu")
        await wait_for(pilot, finished(app), what="the diagnostics")
        await wait_for(pilot, lambda: bool(thread(app).query(InsightBlock)), timeout=20,
                       what="the insight cards")
        cards = list(thread(app).query(InsightBlock))
        crash = next(c for c in cards if c.card.analyzer == "crash-after-change")
        children = list(thread(app).children)
        assert children.index(crash) > max(i for i, w in enumerate(children)
                                           if "result(s):" in shown(w))
        assert "Crash loop after a change" in shown(crash) and "prod-eu" in shown(crash)
        crash.focus()
        await pilot.press("p")
        await wait_for(pilot, lambda: crash.pinned, timeout=10, what="the pin")
        assert "pinned to the timeline" in shown(crash)
        handle = app.engine.handle if app.engine else None
        assert handle is not None
        entry = next(e for e in handle.pipeline.timeline.recent() if e.kind == "insight")
        assert entry.title == "Crash loop after a change [prod-eu]"
        assert entry.payload["analyzer"] == "crash-after-change"
        assert "rollback-deployment" in entry.body
        assert any("pinned to the timeline (entry" in shown(w) for w in thread(app).children)
