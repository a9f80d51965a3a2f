"""The console investigates with a scripted model (real loopback HTTP) on the simulated
fleet: after the model's plan's diagnostics, each tool call it makes shows in the chat
(its results as blocks with cluster badges), calls for another cluster, for Secret data and
for a change show as refused blocks, and the answer ends in a block citing its evidence."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.engine.investigation.loop import ANSWERED, REFUSED
from kubechat_tui.engine.wiring import open_fleet_engine
from kubechat_tui.kube.lookup import FleetView
from kubechat_tui.planner.service import PlannerService
from kubechat_tui.tui.app import KubechatApp, initial_scope
from kubechat_tui.tui.engine_slot import EngineSlot
from kubechat_tui.tui.widgets.investigation_block import InvestigationBlock
from tests.cli.test_ask_investigation import (
    LOGS,
    MUTATION,
    OUT_OF_SCOPE,
    PLANNED,
    SECRET,
    answer,
    calls,
)
from tests.e2e.conftest import World
from tests.e2e.test_diagnostics_console import ask, shown, texts, thread
from tests.planner.llm_stub import LLMStub
from tests.tui.helpers import SIZE, wait_for


@pytest.fixture
def console(world: World, tmp_path: Path, stub: LLMStub,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], KubechatApp]]:
    """The console on the world's fleet, its model the scripted stub."""
    monkeypatch.setenv("KUBECHAT_AUDIT_KEY_BACKEND", "file")
    settings = Settings(ai=AISettings(provider="ollama", model="llama3.1",
                                      api_base=stub.base_url, timeout_seconds=10))
    slot = EngineSlot(lambda: open_fleet_engine(settings, world.fleet, tmp_path / "data",
                                                world.fleet.cluster_names()))

    def build() -> KubechatApp:
        scope = initial_scope(world.fleet, settings, namespace="payments")
        return KubechatApp(settings, world.fleet, replace(scope, kind="deployments"),
                           planner=PlannerService(settings, FleetView(world.fleet)),
                           engine=slot, start_fleet=False)

    yield build
    slot.close()


def investigation(app: Any) -> list[InvestigationBlock]:
    return list(thread(app).query(InvestigationBlock))


async def test_the_investigation_shows_calls_refusals_and_the_cited_answer(
        console: Callable[[], KubechatApp], stub: LLMStub) -> None:
    stub.script(PLANNED, calls(LOGS, OUT_OF_SCOPE, SECRET, MUTATION),
                answer("1.5.0 cannot reach ledger-db-v2.", "c1@prod-eu", "s1@prod-eu"))
    app = console()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "why are the payments-api pods crashing in prod-eu?")
        await wait_for(pilot, lambda: any(b.has_class("-answer") for b in investigation(app)),
                       what="the answer")
        lines = [shown(m) for m in thread(app).children]
        assert any("c1 asks: logs deployments/payments-api previous=True — what the crashed "
                   "instance said" in line for line in lines)
        logs = [t for t in texts(app) if t.startswith(" prod-eu  c1 ")]
        assert len(logs) == 1 and "--previous" in logs[0]
        refused, final = investigation(app)[:3], investigation(app)[3]
        assert all(b.has_class("-refused") for b in refused)
        said = [shown(b) for b in refused]
        assert said[0].startswith(" prod-us  c2  REFUSED   scope")
        assert "Secret data is never read" in said[1]
        assert "'delete' changes the cluster" in said[2]
        answered = shown(final)
        assert "1.5.0 cannot reach ledger-db-v2." in answered
        assert " prod-eu  c1@prod-eu  kubectl --context prod-eu logs " in answered
        assert " prod-eu  s1@prod-eu  kubectl --context prod-eu get pods " in answered
        handle = app.engine.handle if app.engine else None
        assert handle is not None
        actions = [r.event.action for r in handle.audit.records()]
        assert actions.count(REFUSED) == 3 and actions.count(ANSWERED) == 1
        told = [m for m in stub.requests[-1]["body"]["messages"] if m["role"] == "tool"]
        assert [m["tool_name"] for m in told] == ["logs", "events", "get", "delete"]
        assert all(m["content"].startswith("<untrusted-cluster-data>\n") for m in told)
