"""A change a model proposes for a question is text to re-ask, never a step of the plan
(issue 11.17): the chat shows the "dropped: ..." note and a "try: ..." line, and no key on
the plan view (space toggles diagnostics) turns the suggestion into a change."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest

from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.planner.llm import LLMPlanner
from kubechat_tui.planner.service import PlannerService
from kubechat_tui.tui.app import KubechatApp
from kubechat_tui.tui.widgets.chat_pane import ChatInput, ChatPane
from kubechat_tui.tui.widgets.plan_view import PlanView
from tests.planner.llm_stub import LLMStub, Scripted
from tests.tui.conftest import CLUSTER_SETS
from tests.tui.helpers import SIZE, rich_text, wait_for

Factory = Callable[..., KubechatApp]
QUESTION = "how often do payments-api pods restart in payments?"
REPLY = json.dumps({"steps": [
    {"verb": "get", "resource": "pods", "selector": "app=payments-api",
     "params": {"sort_by": ".status.containerStatuses[0].restartCount"}},
    {"verb": "events", "resource": "events", "params": {"for_kind": "Deployment",
                                                        "for_name": "payments-api"}},
    {"verb": "rollout restart", "resource": "deployments", "name": "payments-api"}]})
ASK = "restart deployment payments-api in namespace payments"


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> Iterator[LLMStub]:
    monkeypatch.setattr(LLMPlanner, "warm_up", lambda self: None)
    server = LLMStub()
    server.start()
    yield server
    server.stop()


def chat_lines(app: KubechatApp) -> list[str]:
    return [rich_text(c.render(), width=1000).strip()
            for c in app.screen.query_one(ChatPane).thread.children]


async def test_a_suggested_change_cannot_be_toggled_into_the_plan(make_console: Factory,
                                                                  stub: LLMStub) -> None:
    settings = Settings(cluster_sets=CLUSTER_SETS, ai=AISettings(
        provider="ollama", model="llama3.1", api_base=stub.base_url, timeout_seconds=5))
    app = make_console(settings, planner=PlannerService(settings, None), clusters=["staging"])
    stub.script(Scripted(REPLY))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        app.screen.query_one(ChatInput).insert_text_at_cursor(QUESTION)
        await pilot.press("enter")
        thread = app.screen.query_one(ChatPane).thread
        await wait_for(pilot, lambda: bool(thread.query(PlanView))  # litellm imports: 30 s
                       and thread.query_one(PlanView).has_focus, timeout=30, what="the plan")
        view = thread.query_one(PlanView)
        assert view.plan.planner == "llm:ollama/llama3.1" and not view.plan.mutating
        lines = chat_lines(app)
        assert (f"system: dropped: rollout restart deployments payments-api: the request is "
                f"a question, not a request for a change; to make this change, ask for it: "
                f"{ASK!r}") in lines, lines
        assert f"system: try: {ASK}" in lines
        for _ in range(2 * len(view.plan.steps)):  # space twice on every step: only
            before = view.plan                       # diagnostics toggle
            await pilot.press("space")
            await wait_for(pilot, lambda b=before: view.plan is not b,
                           what="the re-score")
            assert not view.plan.mutating and not any(s.mutating for s in view.plan.steps)
            if view.plan.steps[view.selected].accepted:
                await pilot.press("down")
        assert len(view.plan.steps) == 2 and all(s.accepted for s in view.plan.steps)
        assert "rollout restart" not in rich_text(view.query_one("#plan-steps").render())
